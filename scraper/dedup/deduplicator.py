"""`Deduplicator`: the dedup stage against an output folder and its persistent index.

A batch is committed in three steps, each of which a crash may interrupt:
  1. one index transaction: the kept documents go in as PENDING (under the file names the writer
     will give them), the shorter copies they supersede become REPLACED, and duplicates of files
     written earlier are queued in `dup_updates`;
  2. the writer writes the kept documents (file + manifest line each), maybe in its thread;
  3. one transaction marks them OK, once they are on disk: at the next batch, or on flush.
`close()` (and every open) then flushes: one manifest rewrite adds the queued duplicates and drops
the REPLACED entries, and only then are their files deleted. Opening the folder repairs whatever
a crash left, so no index entry points at a missing file and no file is unknown to the index.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scraper.config import DedupConfig
from scraper.dedup.batch import Candidates, find_candidates
from scraper.dedup.index import OK, PENDING, REPLACED, Index, Row
from scraper.dedup.match import (
    Match,
    Quality,
    bucket_keys,
    classify,
    feature_quality,
    row_quality,
    signed_samples,
)
from scraper.dedup.minhash import check_config, library_version
from scraper.dedup.prehash import Prehashed, complete
from scraper.dedup.text import Features, body_text, features, file_paragraphs
from scraper.document import Document, read_seed
from scraper.stats import Stats
from scraper.write import CorpusWriter, manifest_entry

STAGE = "dedup"
INDEX_DIR = ".scraper"
INDEX_NAME = "dedup.sqlite"
REPLACED_REASON = "replaced-by-longer"
# Files are read and indexed this many at a time when a folder is adopted or repaired.
ADOPT_BATCH = 500


def fingerprint(config: DedupConfig) -> str:
    """The settings and library versions that shape the index keys."""
    keys = (
        config.num_perm,
        config.bands,
        config.rows,
        config.shingle_size,
        config.short_shingle_size,
        config.short_doc_words,
        config.threshold,  # it decides which documents also get short-shingle bands
        config.backend,
        config.seed,
        config.containment_sample,
    )
    return f"{library_version(config)}:{':'.join(map(str, keys))}"


def corpus_files(folder: Path) -> list[str]:
    """The corpus files of a folder, sorted: visible `*.txt` files at its top level whose names
    are UTF-8 (another tool's file named in another encoding is left alone: the index, like
    every name this tool writes, is UTF-8)."""
    return sorted(_corpus_names(folder))


def count_corpus_files(folder: Path) -> int:
    """How many `corpus_files` the folder has, counted while scanning (no list of names)."""
    return sum(1 for _ in _corpus_names(folder))


def _corpus_names(folder: Path) -> Iterator[str]:
    with os.scandir(folder) as entries:
        for e in entries:
            if e.name.endswith(".txt") and not e.name.startswith(".") and _utf8(e.name) and (
                e.is_file()
            ):
                yield e.name


def _utf8(name: str) -> bool:
    return name.isascii() or not any("\udc80" <= c <= "\udcff" for c in name)


def dup_record(source: object, url: object) -> dict[str, Any]:
    return {"source": source, "url": url}


def merge_dups(entry: dict[str, Any], extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entry's duplicates plus `extra`, each (source, url) once, never the entry itself.

    `entry` is a manifest entry, or just the {"source", "url"} of a document about to be written.
    """
    if not extra and not entry.get("duplicates"):
        return []  # most kept documents: nothing to merge
    own = (entry.get("source"), entry.get("url"))
    seen = {own}
    out: list[dict[str, Any]] = []
    for dup in [*entry.get("duplicates", []), *extra]:
        key = (dup.get("source"), dup.get("url"))
        if key not in seen:
            seen.add(key)
            out.append(dup_record(*key))
    return out


@dataclass
class _Kept:
    position: int  # in the batch as given
    doc: Document
    file: str = ""
    row: int = 0
    dups: list[dict[str, Any]] = field(default_factory=list)


class Deduplicator:
    """Exact, near-duplicate and containment dedup of batches against an output folder."""

    def __init__(self, config: DedupConfig, writer: CorpusWriter) -> None:
        check_config(config)
        self.config, self.writer = config, writer
        self.index = Index(
            writer.out / INDEX_DIR / INDEX_NAME, fingerprint(config), config.index_mmap_mb
        )
        self._unconfirmed: list[int] = []  # rows of the last batch written, still PENDING
        self.repair()

    # -- reading indexed documents ---------------------------------------------------------------
    def _load(self, row: Row) -> Features | None:
        return self._load_many([row]).get(row.doc)

    def _load_many(self, rows: Iterable[Row]) -> dict[int, Features]:
        """Features of indexed documents, from their files (one batch of hashing for all);
        a file that cannot be read is left out."""
        self.writer.settle()  # a file of the batch still in flight is read once it is written
        texts: dict[int, str] = {}
        for row in rows:
            try:
                text = (self.writer.out / row.file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            texts[row.doc] = body_text(file_paragraphs(text))
        return dict(zip(texts, features(list(texts.values()), self.config), strict=True))

    # -- the batch ---------------------------------------------------------------------------------
    def commit(
        self, docs: list[Document], stats: Stats, hashed: Sequence[Prehashed | None] | None = None
    ) -> list[dict[str, Any]]:
        """Dedup `docs` against each other and the folder, write the kept ones, return entries.
        `hashed`: what was already hashed of each document (`scraper.dedup.prehash`)."""
        if not self.config.enabled:  # one output per input; a later run indexes these files
            return self._write([_Kept(i, d) for i, d in enumerate(docs)])
        docs, feats, buckets = complete(docs, hashed, self.config)
        # Best first: a document is only ever compared with better ones from its own batch, so the
        # kept set does not depend on the order of the inputs.
        order = sorted(
            range(len(docs)),
            key=lambda i: (feature_quality(feats[i]), docs[i].url or "", docs[i].source),
        )
        with self.index.transaction():  # (reading a file of the batch in flight waits for it)
            kept = self._decide(docs, feats, buckets, order, stats)
        self.confirm()
        entries = self._write(kept)
        self._unconfirmed = [k.row for k in kept]
        self.index.merge(self.config.index_buffer_docs)
        return entries

    def confirm(self) -> None:
        """Wait until the last batch's files are on disk, then mark its rows OK."""
        self.writer.settle()
        # (Not those a later batch has replaced meanwhile: they stay REPLACED.)
        rows = [r for r in self._unconfirmed if self.index.state[r] == PENDING]
        self._unconfirmed = []
        if rows:
            with self.index.transaction():
                self.index.set_state(rows, OK)

    def _write(self, kept: list[_Kept]) -> list[dict[str, Any]]:
        """Every corpus write of a batch goes through here: one group commit."""
        return self.writer.write_batch(
            [(k.doc, merge_dups(dup_record(k.doc.source, k.doc.url), k.dups)) for k in kept]
        )

    def _decide(
        self,
        docs: list[Document],
        feats: list[Features],
        buckets: list[NDArray[np.int64]],
        order: list[int],
        stats: Stats,
    ) -> list[_Kept]:
        """Drop or keep each document, best first; index the kept ones as PENDING under the
        names the writer will give them, mark what they supersede REPLACED. Returns the kept
        documents in arrival order."""
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        found = find_candidates(self.index, feats, buckets, rank, self.config)
        loaded = self._load_many(found.rows.values())
        kept: dict[int, _Kept] = {}
        replaced: dict[int, list[Row]] = {}
        for i in order:
            if not found.index_docs[i] and not found.peers[i]:  # most documents: no candidate
                kept[i], replaced[i] = _Kept(i, docs[i]), []
                stats.keep(STAGE)
                continue
            f = feats[i]
            indexed, in_batch = self._candidates(found.index_docs[i], found.peers[i], kept)
            matches = self._verified(f, indexed, found.rows, loaded)
            mine: Quality = feature_quality(f)
            better: list[tuple[Quality, str, Row | _Kept]] = [
                (row_quality(m.row), m.relation, m.row) for m in matches
            ]
            better = [b for b in better if b[0] <= mine]
            for j in in_batch:
                verdict = classify(f, feats[j], self.config)
                if verdict is not None:  # earlier in the order: at least as good
                    better.append((feature_quality(feats[j]), verdict[0], kept[j]))
            if better:
                _, relation, keeper = min(better, key=lambda b: b[0])
                if isinstance(keeper, _Kept):
                    keeper.dups.append(dup_record(docs[i].source, docs[i].url))
                else:
                    self.index.add_dup(keeper.file, docs[i].source, docs[i].url)
                stats.drop(STAGE, relation)
                continue
            kept[i] = _Kept(i, docs[i], dups=self._carried(matches))
            replaced[i] = [m.row for m in matches]
            if matches:
                self.index.set_state((m.row.doc for m in matches), REPLACED)
            for _ in matches:
                stats.drop(STAGE, REPLACED_REASON)
            stats.keep(STAGE)
        return self._index_kept([kept[i] for i in sorted(kept)], feats, buckets, found, replaced)

    def _candidates(
        self, indexed: set[int], peers: set[int], kept: dict[int, _Kept]
    ) -> tuple[list[int], list[int]]:
        """Of a document's candidates, the indexed ones not replaced earlier in this batch and
        the better ones of the batch that were kept."""
        live = [doc for doc in sorted(indexed) if self.index.is_live(doc)]
        return live, [j for j in sorted(peers) if j in kept]

    def _verified(
        self, f: Features, candidates: list[int], rows: dict[int, Row], loaded: dict[int, Features]
    ) -> list[Match]:
        """The indexed candidates that are duplicates of `f`, verified exactly."""
        matches: list[Match] = []
        for doc in candidates:
            other = loaded.get(doc)
            if other is None:
                continue  # its file is gone
            verdict = classify(f, other, self.config)
            if verdict is not None:
                matches.append(Match(rows[doc], *verdict))
        return matches

    def _index_kept(
        self,
        kept: list[_Kept],
        feats: list[Features],
        buckets: list[NDArray[np.int64]],
        found: Candidates,
        replaced: dict[int, list[Row]],
    ) -> list[_Kept]:
        """Name the kept documents in arrival order and index them as PENDING."""
        positions = [k.position for k in kept]
        rare = found.rare[positions].tolist()
        rows = []
        for ahead, (item, nsamples) in enumerate(zip(kept, rare, strict=True)):
            item.file = self.writer.next_name(item.doc, ahead=ahead)
            f = feats[item.position]
            rows.append((item.file, f.exact, f.words, f.chars, nsamples))
        bands = [buckets[i] for i in positions]
        band_keys = np.concatenate(bands) if bands else np.zeros(0, dtype=np.int64)
        band_rows = np.repeat(np.arange(len(bands)), [len(b) for b in bands])
        samples, sample_rows, df = found.kept_samples(positions)
        ids = self.index.add_many(rows, (band_keys, band_rows), (samples, sample_rows), PENDING)
        if self.config.containment_max_df > 0 and len(samples):
            # Each kept document holds a sample once: a key's count grew by its holders here.
            first = np.flatnonzero(np.r_[True, samples[1:] != samples[:-1]])
            held = np.diff(np.r_[first, len(samples)])
            before = df[first]
            self.index.retire(samples[first], self.config.containment_max_df, before, before + held)
        for item, row in zip(kept, ids, strict=True):
            item.row = row
            if replaced[item.position]:
                self.index.set_state((r.doc for r in replaced[item.position]), REPLACED, row)
        return kept

    def _carried(self, replaced: list[Match]) -> list[dict[str, Any]]:
        """What a superseded file hands on: itself and the duplicates listed for it."""
        if not replaced:
            return []
        out: list[dict[str, Any]] = []
        for match in replaced:
            entry = self.writer.entry(match.row.file)
            if entry is None:
                out.append(dup_record(str(self.writer.out / match.row.file), None))
            else:
                out.append(dup_record(entry.get("source"), entry.get("url")))
                out.extend(entry.get("duplicates", []))
            out.extend(dup_record(s, u) for s, u in self.index.dups_for(match.row.file))
        return merge_dups({}, out)

    # -- repair and flush ------------------------------------------------------------------------
    def repair(self) -> None:
        """Bring the index and the folder back in step after a crash (or a foreign tool)."""
        out = self.writer.out
        with self.index.transaction():
            for row in self.index.in_state(PENDING):
                if (out / row.file).exists():
                    self.index.set_state([row.doc], OK)
                else:
                    self.index.delete(row.doc)  # its input is processed again next run
            for row in self.index.in_state(REPLACED):
                if row.replaced_by is None or not self.index.rows([row.replaced_by]):
                    self.index.set_state([row.doc], OK)  # the longer copy never arrived
        self._reindex(self.index.unmerged())
        # Only counted here: at a million files, their sorted names would take ~80 MB.
        if self.index.rebuilt or count_corpus_files(out) != self.index.count():
            self._reconcile(corpus_files(out))
        self.flush()
        self.index.merge()

    def _reindex(self, rows: list[Row]) -> None:
        """Index rows lost with the memory of a process that did not close, from their files."""
        for start in range(0, len(rows), ADOPT_BATCH):
            chunk = rows[start : start + ADOPT_BATCH]
            loaded = self._load_many(chunk)
            found = [(row, loaded[row.doc]) for row in chunk if row.doc in loaded]
            keys = bucket_keys([f for _, f in found], self.config)
            with self.index.transaction():
                for (row, feats), buckets in zip(found, keys, strict=True):
                    self.index.add_keys(row.doc, buckets, signed_samples(feats))
                for row in chunk:
                    if row.doc not in loaded:
                        self.index.delete(row.doc)  # its file is gone

    def _reconcile(self, files: list[str]) -> None:
        on_disk = set(files)
        known = self.index.files()
        with self.index.transaction():
            for row in self.index.rows_for_files(known - on_disk):
                if row.state != REPLACED:
                    self.index.delete(row.doc)
        unknown = sorted(on_disk - known)
        adopted: list[str] = []
        for start in range(0, len(unknown), ADOPT_BATCH):
            adopted += self._adopt(unknown[start : start + ADOPT_BATCH])
        # A file another tool wrote gets a manifest entry made from its text, like every file.
        missing = [name for name in adopted if self.writer.entry(name) is None]
        self.writer.append_entries(
            manifest_entry(read_seed(self.writer.out / name), name) for name in missing
        )

    def _adopt(self, files: list[str]) -> list[str]:
        """Index files the index does not know, as they are (no dedup: that is `scraper dedup`)."""
        texts: list[str] = []
        names: list[str] = []
        for name in files:
            try:
                texts.append(
                    body_text(file_paragraphs((self.writer.out / name).read_text("utf-8")))
                )
                names.append(name)
            except (OSError, UnicodeDecodeError):
                continue  # not a text file we can index; `scraper dedup` reports it
        feats = features(texts, self.config)
        keys = bucket_keys(feats, self.config)
        with self.index.transaction():
            for name, f, buckets in zip(names, feats, keys, strict=True):
                samples = signed_samples(f)
                cap = self.config.containment_max_df
                rare = self.index.count_rare(samples, cap)
                self.index.add(name, f.exact, f.words, f.chars, buckets, samples, OK, rare, cap)
        return names

    def flush(self) -> None:
        """Apply queued duplicates and delete superseded files (manifest first, then files)."""
        self.confirm()
        replaced = self.index.in_state(REPLACED)
        queued = self.index.dups()
        if not replaced and not queued:
            return
        gone = {r.file for r in replaced}

        def updated(entry: dict[str, Any]) -> dict[str, Any] | None:
            if entry["file"] in gone:
                return None
            extra = [dup_record(s, u) for s, u in queued.of(str(entry["file"]))]
            return {**entry, "duplicates": merge_dups(entry, extra)} if extra else entry

        # Files with queued duplicates but no manifest entry: another tool's, in name order.
        unlisted = [
            file
            for file, entry in self.writer.entries_of(f for f in queued.in_order() if f not in gone)
            if entry is None and (self.writer.out / file).exists()
        ]
        self.writer.rewrite(updated, (self._adopted_entry(f, queued[f]) for f in unlisted))
        for row in replaced:
            (self.writer.out / row.file).unlink(missing_ok=True)
        with self.index.transaction():
            for row in replaced:
                self.index.delete(row.doc)  # its keys stay behind, skipped by lookups
            self.index.clear_dups()  # every queued file was handled, and every gone one

    def _adopted_entry(self, file: str, dups: list[tuple[Any, Any]]) -> dict[str, Any]:
        """An entry for a file another tool wrote, listing the duplicates queued for it."""
        entry = manifest_entry(read_seed(self.writer.out / file), file)
        return {**entry, "duplicates": merge_dups(entry, [dup_record(s, u) for s, u in dups])}

    def close(self) -> None:
        self.flush()
        self.index.merge()
        self.index.close()

    def __enter__(self) -> Deduplicator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
