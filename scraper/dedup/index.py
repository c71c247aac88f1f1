"""The persistent dedup index: one SQLite file under `OUT/.scraper/`, with the keys in memory.

Tables (one row per corpus file, or per batch: never one per key):
    docs(doc, file, exact, words, chars, nsamples, state, replaced_by)  one row per corpus file
    keys(batch, kind, blob)  the keys indexed since the previous row, as one blob of records:
                           kind "lsh": (band key int64, doc uint32), one per LSH band;
                           kind "samples": (sampled hash folded to uint32, doc uint32)
    dup_updates(file, source, url)  duplicates to add to a manifest entry at the next flush
    meta(key, value)       how the keys were made (a mismatch rebuilds the index from the files),
                           and `merged`: the highest document whose keys are in `keys`

The keys are posting lists held in memory as sorted numpy arrays (`postings.py`). `merge()` saves
the new ones as one blob per kind, in the same transaction as `merged`: rows are only ever
appended, and reopening a folder reads the blobs back, never the corpus files. Inserting keys one
row each into SQLite B-trees made every batch slower as the corpus grew (~127k SQLite calls per
10k documents). After a crash, the documents above `merged` are indexed again from their files
(`unmerged()`). Each document's state and sampled count are mirrored in two small arrays
indexed by doc id, for vectorised filtering. Deleted documents leave their postings behind;
lookups skip them by state (doc ids are never reused).

Memory: the posting lists are the only part that grows with the corpus (~0.75 KB an indexed
document: 16 band keys of 12 bytes, ~68 samples of 8), plus 5 bytes a document for the two
arrays. The SQLite file is read through SQLite's own small page cache unless `mmap_mb` asks for
a memory map (whose pages count in the RSS), and the duplicates queued for the manifest are read
from their table when the manifest is rewritten (`QueuedDups`), never gathered in a dict.

A document is PENDING from the moment its row is committed until its file is written, and
REPLACED from the moment a longer copy supersedes it until its file is deleted.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple, TypeVar

import numpy as np
from numpy.typing import NDArray

from scraper.dedup.hashing import fold_samples
from scraper.dedup.postings import Postings
from scraper.errors import StoreError
from scraper.keys64 import KeySet

OK, PENDING, REPLACED = 0, 1, 2
GONE = 3  # in the state array only: no such document (deleted, rolled back, never made)
SCHEMA_VERSION = "2"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(
    doc INTEGER PRIMARY KEY AUTOINCREMENT, file TEXT NOT NULL UNIQUE, exact BLOB NOT NULL,
    words INTEGER NOT NULL, chars INTEGER NOT NULL, nsamples INTEGER NOT NULL,
    state INTEGER NOT NULL, replaced_by INTEGER);
CREATE INDEX IF NOT EXISTS docs_exact ON docs(exact);
CREATE INDEX IF NOT EXISTS docs_state ON docs(state) WHERE state != 0;
CREATE TABLE IF NOT EXISTS keys(batch INTEGER PRIMARY KEY, kind TEXT NOT NULL, blob BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS dup_updates(file TEXT NOT NULL, source TEXT, url TEXT);
CREATE INDEX IF NOT EXISTS dup_updates_file ON dup_updates(file);
"""
_TABLES = ("meta", "docs", "keys", "dup_updates", "lsh", "samples")  # lsh, samples: schema 1
_KEY_KINDS = {"lsh": "<i8", "samples": "<u4"}
_COLUMNS = "d.doc, d.file, d.exact, d.words, d.chars, d.nsamples, d.state, d.replaced_by"
# Lookups pass their keys as SQL parameters; stay well under SQLite's limit on their number.
_CHUNK = 400
_T = TypeVar("_T")


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


def _chunks(values: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


Dups = list[tuple[str | None, str | None]]
# Keys of several documents: the keys, and for each one the document holding it (by its place
# among the documents given).
Keys = tuple[NDArray[np.generic], NDArray[np.int64]]


def _name_key(file: str) -> int:
    return int.from_bytes(hashlib.blake2b(file.encode("utf-8", "surrogatepass"), digest_size=8)
                          .digest(), "little")


def _queued_for(db: sqlite3.Connection, file: str) -> Dups:
    sql = "SELECT source, url FROM dup_updates WHERE file = ? ORDER BY rowid"
    return [(s, u) for s, u in db.execute(sql, (file,))]


class QueuedDups(Mapping[str, Dups]):
    """file → the (source, url) of the duplicates queued for it, read from `dup_updates` when
    asked. The queue grows with the run (~0.25 rows a document here); as a dict it took ~80 MB
    at a million documents, where this keeps 8 bytes a queued file, to answer "none" at once."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._files = KeySet(_name_key(f) for f in self)
        self._count = int(
            db.execute("SELECT COUNT(DISTINCT file) FROM dup_updates").fetchone()[0]
        )

    def __getitem__(self, file: str) -> Dups:
        if found := self.of(file):
            return found
        raise KeyError(file)

    def of(self, file: str) -> Dups:
        """The duplicates queued for `file`, often none (`get` would raise and catch a KeyError
        for each of those: a second at 100k files)."""
        return _queued_for(self.db, file) if _name_key(file) in self._files else []

    def __iter__(self) -> Iterator[str]:
        for (file,) in self.db.execute("SELECT DISTINCT file FROM dup_updates"):
            yield str(file)

    def in_order(self) -> Iterator[str]:
        """The files, sorted as Python sorts them (SQLite compares the UTF-8 bytes, which
        order as the code points do), streamed from the table."""
        for (file,) in self.db.execute("SELECT DISTINCT file FROM dup_updates ORDER BY file"):
            yield str(file)

    def __len__(self) -> int:
        return self._count


class Index:
    """Lookups and updates on the index; callers group updates in `transaction()`."""

    def __init__(self, path: Path, fingerprint: str, mmap_mb: int = 0) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL survives a killed process; only a power cut can lose the last commits.
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute(f"PRAGMA mmap_size={int(mmap_mb) * 2**20}")
            self.keys = {kind: Postings(dtype) for kind, dtype in _KEY_KINDS.items()}
            self.rebuilt = self._check_fingerprint(fingerprint)
            self.buffered = 0  # documents whose keys are not saved yet
            self.last_rare = 0  # see count_rare
            self._rare: NDArray[np.uint32] = np.zeros(0, dtype=np.uint32)
            self._load_keys()
            self._load_arrays()
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(str(path), f"cannot open the dedup index ({exc})") from exc

    def _meta(self, key: str) -> str:
        found = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(found[0]) if found else ""

    def _check_fingerprint(self, fingerprint: str) -> bool:
        """Create the tables; drop them (and the key files) when made with other settings."""
        self.db.executescript(_SCHEMA)
        if self._meta("fingerprint") == f"{SCHEMA_VERSION}:{fingerprint}":
            return False
        for table in _TABLES:
            self.db.execute(f"DROP TABLE IF EXISTS {table}")
        self.db.executescript(_SCHEMA)
        self.db.execute(
            "INSERT INTO meta VALUES ('fingerprint', ?)", (f"{SCHEMA_VERSION}:{fingerprint}",)
        )
        self.db.execute("INSERT INTO meta VALUES ('merged', '0')")
        return True

    def _load_keys(self, keep: dict[str, int] | None = None) -> None:
        """The saved keys, plus the first `keep[kind]` unsaved ones (all of them: None)."""
        for kind, postings in self.keys.items():
            pending = postings.pending if keep is None else postings.pending[: keep[kind]]
            sql = "SELECT blob FROM keys WHERE kind = ? ORDER BY batch"
            postings.load(blob for (blob,) in self.db.execute(sql, (kind,)))
            for keys, docs in pending:
                postings.add(keys, docs)

    def _load_arrays(self) -> None:
        """The state and sampled count of every document, by doc id (GONE where none)."""
        top = int(
            self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence").fetchone()[0]
        )
        self.state = np.full(max(1024, 2 * top + 2), GONE, dtype=np.int8)
        self.nsamples = np.zeros(len(self.state), dtype=np.int32)
        for doc, nsamples, state in self.db.execute("SELECT doc, nsamples, state FROM docs"):
            self.state[doc], self.nsamples[doc] = state, nsamples

    def _grow(self, doc: int) -> None:
        if doc >= len(self.state):
            size = 2 * doc + 2
            self.state = np.concatenate(
                [self.state, np.full(size - len(self.state), GONE, np.int8)]
            )
            self.nsamples = np.concatenate(
                [self.nsamples, np.zeros(size - len(self.nsamples), np.int32)]
            )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        marks = {name: len(p.pending) for name, p in self.keys.items()}
        buffered = self.buffered
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            # The memory follows the database back: keys and states of the rolled back rows.
            self._load_keys(marks)
            self.buffered = buffered
            self._load_arrays()
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
        count = len(samples) if nsamples is None else nsamples
        cursor = self.db.execute(
            "INSERT INTO docs(file, exact, words, chars, nsamples, state) VALUES (?,?,?,?,?,?)",
            (file, exact, words, chars, count, state),
        )
        doc = cursor.lastrowid
        assert doc is not None
        self._grow(doc)
        self.state[doc], self.nsamples[doc] = state, count
        folded = fold_samples(samples)
        self.add_keys(doc, buckets, samples)
        if max_df > 0:
            self.retire(folded, max_df)
        return doc

    def add_many(
        self,
        rows: Sequence[tuple[str, bytes, int, int, int]],
        buckets: Keys,
        samples: Keys,
        state: int,
    ) -> list[int]:
        """Index documents given as (file, exact, words, chars, nsamples), with their band keys
        and folded samples (`Keys`), in one statement; returns their doc ids."""
        if not rows:
            return []
        first = 1 + int(
            self.db.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'docs'"
            ).fetchone()[0]
        )
        docs = range(first, first + len(rows))
        self.db.executemany(
            "INSERT INTO docs(doc, file, exact, words, chars, nsamples, state) "
            "VALUES (?,?,?,?,?,?,?)",
            [(doc, *row, state) for doc, row in zip(docs, rows, strict=True)],
        )
        self._grow(docs[-1])
        self.state[first : first + len(rows)] = state
        self.nsamples[first : first + len(rows)] = [row[4] for row in rows]
        self._add_postings(np.arange(first, first + len(rows)), buckets, samples)
        return list(docs)

    def _add_postings(self, docs: NDArray[np.integer], buckets: Keys, samples: Keys) -> None:
        for name, (keys, holder) in (("lsh", buckets), ("samples", samples)):
            if len(keys):
                self.keys[name].add(keys, docs.astype(np.uint32)[holder])
        self.buffered += len(docs)

    def retire(
        self,
        folded: NDArray[np.uint32],
        max_df: int,
        before: NDArray[np.int64] | None = None,
        after: NDArray[np.int64] | None = None,
    ) -> None:
        """Keep `nsamples` equal to the samples under the cap as hashes cross it.

        A hash crosses once, when its (max_df + 1)-th document arrives: then each of those
        documents stops counting it. Call this after the keys of the newest documents are
        added, with `folded` their keys and `before` the keys' counts before them
        (default: one less, for a single document), and `after` their counts now, when the
        caller knows them (default: looked up; given, `folded` must hold each key once).
        Deletions do not give the count back, which can only make a pair look more contained
        (one more exact check), never less.
        """
        keys = folded if after is not None else np.unique(folded)
        if after is None:
            after = self.keys["samples"].counts(keys)
        if before is None:
            before = after - 1
        crossed = keys[(before <= max_df) & (after > max_df)]
        if len(crossed) == 0:
            return
        _, holders = self.keys["samples"].lookup(crossed)
        docs, times = np.unique(holders, return_counts=True)
        self.nsamples[docs] -= times.astype(np.int32)
        self.db.executemany(
            "UPDATE docs SET nsamples = ? WHERE doc = ?",
            zip(self.nsamples[docs].tolist(), docs.tolist(), strict=True),
        )

    def add_keys(self, doc: int, buckets: Iterable[int], samples: Sequence[int]) -> None:
        """Band and sample keys of a document."""
        band = np.asarray(list(buckets), dtype=np.int64)
        folded = fold_samples(samples)
        self._add_postings(
            np.array([doc]),
            (band, np.zeros(len(band), dtype=np.int64)),
            (folded, np.zeros(len(folded), dtype=np.int64)),
        )

    def merge(self, min_docs: int = 1) -> None:
        """Save the new keys once `min_docs` documents are waiting."""
        if self.buffered < min_docs or self.buffered == 0:
            return
        with self.transaction():
            for kind, postings in self.keys.items():
                if postings.pending:
                    self.db.execute(
                        "INSERT INTO keys(kind, blob) VALUES (?, ?)",
                        (kind, postings.take_pending()),
                    )
            self.db.execute(
                "UPDATE meta SET value = (SELECT COALESCE(MAX(doc), 0) FROM docs) "
                "WHERE key = 'merged'"
            )
        self.buffered = 0

    def unmerged(self) -> list[Row]:
        """Documents whose keys were only in the memory of a process that did not close."""
        sql = (
            f"SELECT {_COLUMNS} FROM docs d WHERE d.doc > "
            "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'merged')"
        )
        return [Row(*r) for r in self.db.execute(sql)]

    def set_state(self, docs: Iterable[int], state: int, replaced_by: int | None = None) -> None:
        docs = list(docs)
        if len(docs) > 1 and docs == list(range(docs[0], docs[-1] + 1)):
            # A batch's kept documents have consecutive ids: one statement for all of them.
            self.db.execute(
                "UPDATE docs SET state = ?, replaced_by = ? WHERE doc BETWEEN ? AND ?",
                (state, replaced_by, docs[0], docs[-1]),
            )
        else:
            self.db.executemany(
                "UPDATE docs SET state = ?, replaced_by = ? WHERE doc = ?",
                ((state, replaced_by, d) for d in docs),
            )
        self.state[docs] = state

    def delete(self, doc: int, buckets: Iterable[int] = (), samples: Iterable[int] = ()) -> None:
        """Drop a document. Its keys stay in the posting lists, where lookups skip it by state
        (the arguments are kept for callers that know them)."""
        del buckets, samples
        self.db.execute("DELETE FROM docs WHERE doc = ?", (doc,))
        self.state[doc] = GONE

    def add_dup(self, file: str, source: str | None, url: str | None) -> None:
        self.db.execute("INSERT INTO dup_updates VALUES (?, ?, ?)", (file, source, url))

    def clear_dups(self) -> None:
        """Forget every queued duplicate (the flush has applied them all)."""
        self.db.execute("DELETE FROM dup_updates")

    # -- lookups -------------------------------------------------------------------------------
    def live(self, docs: NDArray[np.integer]) -> NDArray[np.bool_]:
        """Which of `docs` exist and are not REPLACED: the ones a lookup may return."""
        state = self.state[docs]
        live: NDArray[np.bool_] = (state == OK) | (state == PENDING)
        return live

    def is_live(self, doc: int) -> bool:
        return bool(self.state[doc] == OK or self.state[doc] == PENDING)

    def by_exact(self, exact: bytes) -> list[Row]:
        return self.by_exact_many([exact]).get(exact, [])

    def by_exact_many(self, exacts: Sequence[bytes]) -> dict[bytes, list[Row]]:
        found: dict[bytes, list[Row]] = {}
        for chunk in _chunks(exacts):
            marks = ",".join("?" * len(chunk))
            sql = (
                f"SELECT {_COLUMNS} FROM docs d WHERE d.exact IN ({marks}) "
                f"AND d.state != {REPLACED}"
            )
            for r in self.db.execute(sql, tuple(chunk)):
                found.setdefault(r[2], []).append(Row(*r))
        return found

    def bucket_pairs(
        self, buckets: NDArray[np.int64], presorted: bool = False
    ) -> tuple[NDArray[np.int64], NDArray[np.uint32]]:
        """(i, doc) for each live document in the bucket buckets[i] (`presorted`: the buckets
        are in increasing order)."""
        query, docs = self.keys["lsh"].search(buckets, presorted).holders()
        keep = self.live(docs)
        return query[keep], docs[keep]

    def by_buckets(self, buckets: Sequence[int]) -> list[Row]:
        _, docs = self.bucket_pairs(np.asarray(list(buckets), dtype=np.int64))
        return self.rows(np.unique(docs).tolist())

    def sample_df(self, folded: NDArray[np.uint32]) -> NDArray[np.int64]:
        """How many indexed documents hold each folded sample."""
        return self.keys["samples"].counts(folded)

    def count_rare(self, samples: Sequence[int], max_df: int = 0) -> int:
        """How many of `samples` are in at most `max_df` indexed documents (0: no limit).

        The ones that pass are kept for `by_samples`, and their number in `last_rare`.
        """
        folded = np.unique(fold_samples(samples))
        if max_df > 0:
            folded = folded[self.sample_df(folded) <= max_df]
        self._rare = folded
        self.last_rare = len(folded)
        return self.last_rare

    def sample_matches(
        self, rare: NDArray[np.uint32], candidate: float
    ) -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
        """The live documents sharing at least `candidate` of the rare samples `rare`, counted
        as shared / the smaller of len(rare) and the document's `nsamples`; and the counts."""
        if len(rare) == 0:
            return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64)
        _, holders = self.keys["samples"].lookup(rare)
        docs, shared = np.unique(holders[self.live(holders)], return_counts=True)
        # The same IEEE division as Python's, so thresholds compare identically.
        bound = np.maximum(np.minimum(len(rare), self.nsamples[docs]), 1)
        keep = shared / bound >= candidate
        return docs[keep], shared[keep]

    def by_samples(
        self, samples: Sequence[int], max_df: int = 0, candidate: float = 0.0
    ) -> list[tuple[Row, int]]:
        """Documents sharing sampled shingle hashes, with the number shared.

        Hashes found in more than `max_df` documents (0: no limit) are left out: boilerplate and
        stock phrases would otherwise make every earlier document a candidate of every new one.
        Only documents whose share of the remaining hashes reaches `candidate` are returned:
        shared / the smaller of the query's remaining hashes and the document's `nsamples`.
        """
        if self.count_rare(samples, max_df) == 0:
            return []
        docs, shared = self.sample_matches(self._rare, candidate)
        by_doc = {row.doc: row for row in self.rows(docs.tolist())}
        return [(by_doc[d], n) for d, n in zip(docs.tolist(), shared.tolist(), strict=True)]

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

    def dups(self) -> QueuedDups:
        """The duplicates queued for each file (read from the table when asked)."""
        return QueuedDups(self.db)

    def dups_for(self, file: str) -> Dups:
        return _queued_for(self.db, file)

    def memory_bytes(self) -> int:
        """What the in-memory index holds: the posting arrays and the per-document arrays."""
        postings = sum(p.nbytes() for p in self.keys.values())
        return postings + self.state.nbytes + self.nsamples.nbytes
