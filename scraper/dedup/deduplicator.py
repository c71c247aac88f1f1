"""`Deduplicator`: the dedup stage against an output folder and its persistent index.

A batch is committed in three steps, each of which a crash may interrupt:
  1. one index transaction: the kept documents go in as PENDING (under the file names the writer
     will give them), the shorter copies they supersede become REPLACED, and duplicates of files
     written earlier are queued in `dup_updates`;
  2. the writer writes the kept documents (file + manifest line each);
  3. one transaction marks them OK.
`close()` (and every open) then flushes: one manifest rewrite adds the queued duplicates and drops
the REPLACED entries, and only then are their files deleted. Opening the folder repairs whatever
a crash left, so no index entry points at a missing file and no file is unknown to the index.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scraper.config import DedupConfig
from scraper.dedup.index import OK, PENDING, REPLACED, Index, Row
from scraper.dedup.match import (
    Match,
    Matcher,
    Quality,
    bucket_keys,
    feature_quality,
    row_quality,
    signed_samples,
)
from scraper.dedup.minhash import check_config, library_version
from scraper.dedup.text import Features, body_text, dedupe_paragraphs, features, file_paragraphs
from scraper.document import Document, read_seed
from scraper.stats import Stats
from scraper.write import CorpusWriter, manifest_entry

STAGE = "dedup"
INDEX_DIR = ".scraper"
INDEX_NAME = "dedup.sqlite"
REPLACED_REASON = "replaced-by-longer"
# Kept documents are indexed under this name + position until their real names are known.
PLACEHOLDER = ".pending-"  # a hidden name: never a corpus file
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
    """The corpus files of a folder: visible `*.txt` files at its top level."""
    with os.scandir(folder) as entries:
        return sorted(
            e.name
            for e in entries
            if e.name.endswith(".txt") and not e.name.startswith(".") and e.is_file()
        )


def dup_record(source: object, url: object) -> dict[str, Any]:
    return {"source": source, "url": url}


def merge_dups(entry: dict[str, Any], extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entry's duplicates plus `extra`, each (source, url) once, never the entry itself.

    `entry` is a manifest entry, or just the {"source", "url"} of a document about to be written.
    """
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
    file: str
    row: int
    dups: list[dict[str, Any]] = field(default_factory=list)


class Deduplicator:
    """Exact, near-duplicate and containment dedup of batches against an output folder."""

    def __init__(self, config: DedupConfig, writer: CorpusWriter) -> None:
        check_config(config)
        self.config, self.writer = config, writer
        self.index = Index(
            writer.out / INDEX_DIR / INDEX_NAME, fingerprint(config), config.index_mmap_mb
        )
        self._batch: dict[str, Features] = {}  # features of this batch's kept docs, by file
        self.matcher = Matcher(self.index, config, self._load)
        self.repair()

    # -- reading indexed documents ---------------------------------------------------------------
    def _load(self, row: Row) -> Features | None:
        if row.file in self._batch:
            return self._batch[row.file]
        try:
            text = (self.writer.out / row.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        return features([body_text(file_paragraphs(text))], self.config)[0]

    # -- the batch ---------------------------------------------------------------------------------
    def commit(self, docs: list[Document], stats: Stats) -> list[dict[str, Any]]:
        """Dedup `docs` against each other and the folder, write the kept ones, return entries."""
        if not self.config.enabled:  # one output per input; a later run indexes these files
            return self.writer.write_batch([(d, ()) for d in docs])
        docs = [dedupe_paragraphs(d) for d in docs]
        feats = features([body_text(d.paragraphs) for d in docs], self.config)
        buckets = bucket_keys(feats, self.config)
        # Best first: a document is only ever compared with better ones from its own batch, so the
        # kept set does not depend on the order of the inputs.
        order = sorted(
            range(len(docs)),
            key=lambda i: (feature_quality(feats[i]), docs[i].url or "", docs[i].source),
        )
        kept: list[_Kept] = []
        try:
            with self.index.transaction():
                by_row: dict[int, _Kept] = {}
                for i in order:
                    self._decide(i, docs[i], feats[i], buckets[i], kept, by_row, stats)
                # Files are numbered in arrival order, whatever order the decisions were made in.
                kept.sort(key=lambda k: k.position)
                for ahead, item in enumerate(kept):
                    item.file = self.writer.next_name(item.doc, ahead=ahead)
                    self.index.rename(item.row, item.file)
        finally:
            self._batch.clear()
        entries = self.writer.write_batch(
            [(k.doc, merge_dups(dup_record(k.doc.source, k.doc.url), k.dups)) for k in kept]
        )
        with self.index.transaction():
            self.index.set_state((k.row for k in kept), OK)
        self.index.merge(self.config.index_buffer_docs)
        return entries

    def _decide(
        self,
        position: int,
        doc: Document,
        f: Features,
        buckets: list[int],
        kept: list[_Kept],
        by_row: dict[int, _Kept],
        stats: Stats,
    ) -> None:
        matches = self.matcher.find(f, buckets)
        mine: Quality = feature_quality(f)
        better = [m for m in matches if row_quality(m.row) <= mine]
        if better:
            keeper = min(better, key=lambda m: row_quality(m.row))
            record = dup_record(doc.source, doc.url)
            if keeper.row.doc in by_row:
                by_row[keeper.row.doc].dups.append(record)
            else:
                self.index.add_dup(keeper.row.file, doc.source, doc.url)
            stats.drop(STAGE, keeper.relation)
            return
        file = f"{PLACEHOLDER}{position}"  # renamed before the transaction ends
        row = self.index.add(
            file,
            f.exact,
            f.words,
            f.chars,
            buckets,
            signed_samples(f),
            PENDING,
            self.matcher.last_rare,
            self.config.containment_max_df,
        )
        item = _Kept(position, doc, file, row, self._carried(matches))
        self.index.set_state((m.row.doc for m in matches), REPLACED, replaced_by=row)
        for _ in matches:
            stats.drop(STAGE, REPLACED_REASON)
        kept.append(item)
        by_row[row] = item
        self._batch[file] = f
        stats.keep(STAGE)

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
        files = corpus_files(out)
        if len(files) != self.index.count() or self.index.rebuilt:
            self._reconcile(files)
        self.flush()
        self.index.merge()

    def _reindex(self, rows: list[Row]) -> None:
        """Index rows lost with the memory of a process that did not close, from their files."""
        for start in range(0, len(rows), ADOPT_BATCH):
            chunk = rows[start : start + ADOPT_BATCH]
            loaded = [(row, self._load(row)) for row in chunk]
            found = [(row, f) for row, f in loaded if f is not None]
            keys = bucket_keys([f for _, f in found], self.config)
            with self.index.transaction():
                for (row, feats), buckets in zip(found, keys, strict=True):
                    self.index.add_keys(row.doc, buckets, signed_samples(feats))
                for row, maybe in loaded:
                    if maybe is None:
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
        replaced = self.index.in_state(REPLACED)
        queued = self.index.dups()
        if not replaced and not queued:
            return
        gone = {r.file for r in replaced}

        def updated(entry: dict[str, Any]) -> dict[str, Any] | None:
            if entry["file"] in gone:
                return None
            extra = [dup_record(s, u) for s, u in queued.get(str(entry["file"]), [])]
            return {**entry, "duplicates": merge_dups(entry, extra)} if extra else entry

        unlisted = [
            file for file in sorted(set(queued) - gone)
            if self.writer.entry(file) is None and (self.writer.out / file).exists()
        ]
        self.writer.rewrite(updated, (self._adopted_entry(f, queued[f]) for f in unlisted))
        # Read the superseded files once more before they go, to find their index keys.
        loaded = [self._load(row) for row in replaced]
        keys = bucket_keys([f for f in loaded if f is not None], self.config)
        for row in replaced:
            (self.writer.out / row.file).unlink(missing_ok=True)
        with self.index.transaction():
            next_keys = iter(keys)
            for row, f in zip(replaced, loaded, strict=True):
                if f is None:
                    self.index.delete(row.doc)  # its band rows stay behind, pointing at nothing
                else:
                    self.index.delete(row.doc, next(next_keys), signed_samples(f))
            self.index.clear_dups(set(queued) | gone)

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
