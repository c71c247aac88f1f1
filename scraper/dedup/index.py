"""The persistent dedup index: one SQLite file under `OUT/.scraper/`.

Tables (`doc` ids are never reused, so rows left behind by a crash can only point at nothing):
    docs(doc, file, exact, words, chars, nsamples, state, replaced_by)  one row per corpus file
    lsh(bucket, doc)       one row per LSH band of each document (16 by default)
    samples(hash, doc)     the sampled shingle hashes of each document, for containment
                           (`docs.nsamples` counts those under the df cap when it was indexed)
    dup_updates(file, source, url)  duplicates to add to a manifest entry at the next flush
    meta(key, value)       how the keys were made; a mismatch rebuilds the index from the files

New band and sample rows go to an in-memory buffer (an attached `:memory:` database) and are
merged into the file in one sorted pass every `buffer_docs` documents. Inserting random 64-bit
keys straight into large B-trees dirties nearly every page on every batch, which made each batch
slower as the corpus grew. `meta.merged` is the highest document id whose rows are in the file;
after a crash, the documents above it are indexed again from their files (`unmerged()`).

A document is PENDING from the moment its rows are committed until its file is written, and
REPLACED from the moment a longer copy supersedes it until its file is deleted. Nothing is kept
in Python dicts across batches, so memory does not grow with the corpus.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from scraper.errors import StoreError

OK, PENDING, REPLACED = 0, 1, 2
SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(
    doc INTEGER PRIMARY KEY AUTOINCREMENT, file TEXT NOT NULL UNIQUE, exact BLOB NOT NULL,
    words INTEGER NOT NULL, chars INTEGER NOT NULL, nsamples INTEGER NOT NULL,
    state INTEGER NOT NULL, replaced_by INTEGER);
CREATE INDEX IF NOT EXISTS docs_exact ON docs(exact);
CREATE INDEX IF NOT EXISTS docs_state ON docs(state) WHERE state != 0;
CREATE TABLE IF NOT EXISTS lsh(bucket INTEGER NOT NULL, doc INTEGER NOT NULL,
    PRIMARY KEY(bucket, doc)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS samples(hash INTEGER NOT NULL, doc INTEGER NOT NULL,
    PRIMARY KEY(hash, doc)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dup_updates(file TEXT NOT NULL, source TEXT, url TEXT);
CREATE INDEX IF NOT EXISTS dup_updates_file ON dup_updates(file);
"""
_BUFFER = """
CREATE TABLE IF NOT EXISTS buf.lsh(bucket INTEGER NOT NULL, doc INTEGER NOT NULL,
    PRIMARY KEY(bucket, doc)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS buf.samples(hash INTEGER NOT NULL, doc INTEGER NOT NULL,
    PRIMARY KEY(hash, doc)) WITHOUT ROWID;
"""
_TABLES = ("meta", "docs", "lsh", "samples", "dup_updates")
_COLUMNS = "d.doc, d.file, d.exact, d.words, d.chars, d.nsamples, d.state, d.replaced_by"
_QUERY = "CREATE TEMP TABLE IF NOT EXISTS query(hash INTEGER PRIMARY KEY, df INTEGER)"
# Each posting list is counted only up to a limit, so a frequent hash costs O(limit), not O(n).
_COUNT_DF = """
UPDATE temp.query SET df =
    (SELECT COUNT(*) FROM (SELECT 1 FROM samples s WHERE s.hash = query.hash LIMIT ?))
    + (SELECT COUNT(*) FROM (SELECT 1 FROM buf.samples b WHERE b.hash = query.hash LIMIT ?))
"""
# The documents holding hashes in temp.query lose one counted sample for each such hash.
_RETIRE = """
UPDATE docs SET nsamples = nsamples - (
    SELECT COUNT(*) FROM temp.query q
    WHERE EXISTS (SELECT 1 FROM samples s WHERE s.hash = q.hash AND s.doc = docs.doc)
        OR EXISTS (SELECT 1 FROM buf.samples b WHERE b.hash = q.hash AND b.doc = docs.doc))
WHERE doc IN (
    SELECT s.doc FROM temp.query q CROSS JOIN samples s ON s.hash = q.hash
    UNION SELECT b.doc FROM temp.query q CROSS JOIN buf.samples b ON b.hash = q.hash)
"""
# CROSS JOIN keeps the query hashes as the outer loop: without statistics on the temp table,
# SQLite chose to scan the whole samples table instead. The division is the same IEEE division
# Python would do, so thresholds compare identically.
_BY_SAMPLES = f"""
SELECT {_COLUMNS}, x.shared FROM (
    SELECT doc, COUNT(*) AS shared FROM (
        SELECT s.hash, s.doc FROM temp.query q CROSS JOIN samples s ON s.hash = q.hash
        UNION SELECT b.hash, b.doc FROM temp.query q CROSS JOIN buf.samples b ON b.hash = q.hash)
    GROUP BY doc) x
JOIN docs d ON d.doc = x.doc
WHERE d.state != {REPLACED} AND CAST(x.shared AS REAL) / MAX(MIN(?, d.nsamples), 1) >= ?
"""
# Lookups pass their keys as SQL parameters; stay well under SQLite's limit on their number.
_CHUNK = 400


class Row(NamedTuple):
    doc: int
    file: str
    exact: bytes
    words: int
    chars: int
    # Sampled hashes that were under the `containment_max_df` cap when the document was
    # indexed (all of them without a cap): the denominator of its sampled containment.
    nsamples: int
    state: int
    replaced_by: int | None


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


class Index:
    """Lookups and updates on the SQLite index; callers group updates in `transaction()`."""

    def __init__(self, path: Path, fingerprint: str, mmap_mb: int = 0) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL survives a killed process; only a power cut can lose the last commits.
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA cache_size=-65536")
            # Lookups probe random pages; reading them through a memory map instead of read()
            # calls kept docs/s flat past 250k documents (bench_dedup). The pages are the OS's
            # file cache, which it can reclaim, not the heap.
            self.db.execute(f"PRAGMA mmap_size={int(mmap_mb) * 2**20}")
            self.rebuilt = self._check_fingerprint(fingerprint)
            self.db.execute("ATTACH DATABASE ':memory:' AS buf")
            self.db.executescript(_BUFFER)
            self.db.execute(_QUERY)
            self.buffered = 0  # documents whose rows are in the buffer
            self.last_rare = 0  # see count_rare
            # The samples of the last count_rare that were in exactly max_df documents, and the
            # (samples, max_df) they belong to: `add` of the same document reuses them.
            self._edge: list[int] = []
            self._edge_of: tuple[list[int], int] | None = None
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(str(path), f"cannot open the dedup index ({exc})") from exc

    def _check_fingerprint(self, fingerprint: str) -> bool:
        """Create the tables; drop them first when they were made with other settings."""
        self.db.executescript(_SCHEMA)
        found = self.db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        if found is not None and found[0] == fingerprint:
            return False
        for table in _TABLES:
            self.db.execute(f"DROP TABLE IF EXISTS {table}")
        self.db.executescript(_SCHEMA)
        self.db.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
        self.db.execute("INSERT INTO meta VALUES ('merged', '0')")
        return True

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    # -- updates -------------------------------------------------------------------------------
    def add(
        self,
        file: str,
        exact: bytes,
        words: int,
        chars: int,
        buckets: Iterable[int],
        samples: Sequence[int],
        state: int,
        nsamples: int | None = None,
        max_df: int = 0,
    ) -> int:
        """Index a document; `nsamples` is how many of its samples are under the `max_df` cap
        (`count_rare`; default: all of them)."""
        cursor = self.db.execute(
            "INSERT INTO docs(file, exact, words, chars, nsamples, state) VALUES (?,?,?,?,?,?)",
            (file, exact, words, chars, len(samples) if nsamples is None else nsamples, state),
        )
        doc = cursor.lastrowid
        assert doc is not None
        edge = self._edge if self._edge_of == (list(samples), max_df) else None
        self.add_keys(doc, buckets, samples)
        if max_df > 0:
            self._retire(samples, max_df, edge)
        return doc

    def _retire(self, samples: Sequence[int], max_df: int, edge: list[int] | None) -> None:
        """Keep `docs.nsamples` equal to the samples under the cap as hashes cross it.

        A hash crosses once, when its (max_df + 1)-th document arrives: then each of those
        documents stops counting it. This costs O(max_df) once per frequent hash. Deletions do
        not give the count back, which can only make a pair look more contained (one more exact
        check), never less. `edge` (from `count_rare` on the same samples just before, when
        known) lists the samples that were in exactly max_df documents: these just crossed.
        """
        if edge is None:
            self._load_query(samples, max_df + 2)
            self.db.execute("DELETE FROM temp.query WHERE df != ?", (max_df + 1,))
        elif not edge:
            return
        else:
            self._load_query(edge, 0)
        if self.db.execute("SELECT 1 FROM temp.query LIMIT 1").fetchone() is not None:
            self.db.execute(_RETIRE)

    def add_keys(self, doc: int, buckets: Iterable[int], samples: Iterable[int]) -> None:
        """Band and sample rows of a document, into the buffer."""
        self.db.executemany(
            "INSERT OR IGNORE INTO buf.lsh VALUES (?, ?)", ((b, doc) for b in buckets)
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO buf.samples VALUES (?, ?)", ((h, doc) for h in samples)
        )
        self.buffered += 1
        self._edge_of = None  # frequencies changed

    def merge(self, min_docs: int = 1) -> None:
        """Move the buffered rows into the file, sorted, once `min_docs` documents are waiting."""
        if self.buffered < min_docs or self.buffered == 0:
            return
        with self.transaction():
            self.db.execute("INSERT OR IGNORE INTO lsh SELECT * FROM buf.lsh ORDER BY bucket")
            self.db.execute("INSERT OR IGNORE INTO samples SELECT * FROM buf.samples ORDER BY hash")
            self.db.execute(
                "UPDATE meta SET value = (SELECT COALESCE(MAX(doc), 0) FROM docs) "
                "WHERE key = 'merged'"
            )
            self.db.execute("DELETE FROM buf.lsh")
            self.db.execute("DELETE FROM buf.samples")
        self.buffered = 0

    def unmerged(self) -> list[Row]:
        """Documents whose rows were only in the buffer of a process that did not close."""
        sql = (
            f"SELECT {_COLUMNS} FROM docs d WHERE d.doc > "
            "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'merged')"
        )
        return [Row(*r) for r in self.db.execute(sql)]

    def set_state(self, docs: Iterable[int], state: int, replaced_by: int | None = None) -> None:
        self.db.executemany(
            "UPDATE docs SET state = ?, replaced_by = ? WHERE doc = ?",
            ((state, replaced_by, d) for d in docs),
        )

    def delete(self, doc: int, buckets: Iterable[int] = (), samples: Iterable[int] = ()) -> None:
        """Drop a document; its band and sample rows go too when the caller knows their keys."""
        self._edge_of = None
        self.db.execute("DELETE FROM docs WHERE doc = ?", (doc,))
        buckets, samples = list(buckets), list(samples)
        for table in ("lsh", "buf.lsh"):
            self.db.executemany(
                f"DELETE FROM {table} WHERE bucket = ? AND doc = ?", ((b, doc) for b in buckets)
            )
        for table in ("samples", "buf.samples"):
            self.db.executemany(
                f"DELETE FROM {table} WHERE hash = ? AND doc = ?", ((h, doc) for h in samples)
            )

    def rename(self, doc: int, file: str) -> None:
        self.db.execute("UPDATE docs SET file = ? WHERE doc = ?", (file, doc))

    def add_dup(self, file: str, source: str | None, url: str | None) -> None:
        self.db.execute("INSERT INTO dup_updates VALUES (?, ?, ?)", (file, source, url))

    def clear_dups(self, files: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM dup_updates WHERE file = ?", ((f,) for f in files))

    # -- lookups -------------------------------------------------------------------------------
    def by_exact(self, exact: bytes) -> list[Row]:
        sql = f"SELECT {_COLUMNS} FROM docs d WHERE d.exact = ? AND d.state != {REPLACED}"
        return [Row(*r) for r in self.db.execute(sql, (exact,))]

    def by_buckets(self, buckets: Sequence[int]) -> list[Row]:
        found: dict[int, Row] = {}
        for chunk in _chunks(buckets):
            marks = ",".join("?" * len(chunk))
            sql = (
                f"SELECT {_COLUMNS} FROM docs d WHERE d.state != {REPLACED} AND d.doc IN ("
                f"SELECT doc FROM lsh WHERE bucket IN ({marks}) "
                f"UNION SELECT doc FROM buf.lsh WHERE bucket IN ({marks}))"
            )
            found.update((r[0], Row(*r)) for r in self.db.execute(sql, (*chunk, *chunk)))
        return list(found.values())

    def count_rare(self, samples: Sequence[int], max_df: int = 0) -> int:
        """How many of `samples` are in at most `max_df` indexed documents (0: no limit).

        The hashes that pass are left in `temp.query` for `by_samples`, and their number in
        `last_rare`.
        """
        if max_df > 0:
            self._load_query(samples, max_df + 1)
            edge = self.db.execute("SELECT hash FROM temp.query WHERE df = ?", (max_df,))
            self._edge = [h for (h,) in edge]
            self._edge_of = (list(samples), max_df)
            self.db.execute("DELETE FROM temp.query WHERE df > ?", (max_df,))
        else:
            self._load_query(samples, 0)
        self.last_rare = int(self.db.execute("SELECT COUNT(*) FROM temp.query").fetchone()[0])
        return self.last_rare

    def _load_query(self, samples: Sequence[int], limit: int) -> None:
        """`samples` into temp.query, each with its document frequency counted up to `limit`
        in each table (0: not counted)."""
        self.db.execute("DELETE FROM temp.query")
        self.db.executemany(
            "INSERT OR IGNORE INTO temp.query VALUES (?, 0)", ((h,) for h in samples)
        )
        if limit > 0:
            self.db.execute(_COUNT_DF, (limit, limit))

    def by_samples(
        self, samples: Sequence[int], max_df: int = 0, candidate: float = 0.0
    ) -> list[tuple[Row, int]]:
        """Documents sharing sampled shingle hashes, with the number shared.

        Hashes found in more than `max_df` documents (0: no limit) are left out: boilerplate and
        stock phrases would otherwise make every earlier document a candidate of every new one.
        Only documents whose share of the remaining hashes reaches `candidate` are returned:
        shared / the smaller of the query's remaining hashes and the document's `nsamples`. So
        neither SQLite nor Python builds rows for documents that cannot become candidates.
        """
        kept = self.count_rare(samples, max_df)
        if kept == 0:
            return []
        found = self.db.execute(_BY_SAMPLES, (kept, candidate))
        return [(Row(*r[:-1]), int(r[-1])) for r in found]

    def rows(self, docs: Sequence[int]) -> list[Row]:
        out: list[Row] = []
        for chunk in _chunks(docs):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT {_COLUMNS} FROM docs d WHERE d.doc IN ({marks})"
            out.extend(Row(*r) for r in self.db.execute(sql, tuple(chunk)))
        return out

    def rows_for_files(self, files: Iterable[str]) -> list[Row]:
        sql = f"SELECT {_COLUMNS} FROM docs d WHERE d.file = ?"
        return [Row(*r) for f in files for r in self.db.execute(sql, (f,))]

    def in_state(self, state: int) -> list[Row]:
        sql = f"SELECT {_COLUMNS} FROM docs d WHERE d.state = ?"
        return [Row(*r) for r in self.db.execute(sql, (state,))]

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM docs").fetchone()[0])

    def files(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT file FROM docs")}

    def dups(self) -> dict[str, list[tuple[str | None, str | None]]]:
        out: dict[str, list[tuple[str | None, str | None]]] = {}
        for file, source, url in self.db.execute("SELECT file, source, url FROM dup_updates"):
            out.setdefault(file, []).append((source, url))
        return out

    def dups_for(self, file: str) -> list[tuple[str | None, str | None]]:
        sql = "SELECT source, url FROM dup_updates WHERE file = ?"
        return [(s, u) for s, u in self.db.execute(sql, (file,))]
