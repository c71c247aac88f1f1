"""`dedup_folder`: deduplicate a corpus folder that already exists (`scraper dedup DIR`).

The folder may have been written by `scraper` or by another tool (seed-format `*.txt` files, with
or without `manifest.jsonl`). Every file is ranked (longest first), then checked in that order
against the ones kept before it, in a fresh index; so a file is only ever removed in favour of a
longer (or equal) copy. Applying the result: the manifest is rewritten first (kept files gain
`duplicates`, removed files lose their entry), then the removed files are deleted, then the fresh
index replaces the old one.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scraper.config import DedupConfig
from scraper.dedup.deduplicator import (
    INDEX_DIR,
    INDEX_NAME,
    Deduplicator,
    corpus_files,
    dup_record,
    fingerprint,
    merge_dups,
)
from scraper.dedup.index import OK, Index, Row
from scraper.dedup.match import (
    CONTAINED,
    EXACT,
    Matcher,
    Quality,
    bucket_keys,
    feature_quality,
    row_quality,
    signed_samples,
)
from scraper.dedup.minhash import check_config
from scraper.dedup.text import Features, body_text, features, file_paragraphs
from scraper.document import read_seed
from scraper.errors import StoreError
from scraper.lock import folder_lock
from scraper.write import MANIFEST, CorpusWriter, manifest_entry

BATCH = 500


@dataclass(frozen=True, slots=True)
class Dropped:
    file: str
    keeper: str
    relation: str
    score: float

    def describe(self) -> str:
        if self.relation == EXACT:
            return f"{self.file}: exact duplicate of {self.keeper}"
        if self.relation == CONTAINED:
            return f"{self.file}: contained in {self.keeper} (containment {self.score:.2f})"
        return f"{self.file}: near-duplicate of {self.keeper} (Jaccard {self.score:.2f})"


@dataclass
class FolderReport:
    files: int = 0
    removed: list[Dropped] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def kept(self) -> int:
        return self.files - len(self.removed) - len(self.errors)


def read_texts(folder: Path, files: list[str], report: FolderReport) -> dict[str, str]:
    texts: dict[str, str] = {}
    for name in files:
        try:
            texts[name] = body_text(file_paragraphs((folder / name).read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            report.errors.append(f"{folder / name}: not UTF-8 text")
        except OSError as exc:
            report.errors.append(f"{folder / name}: cannot read ({exc.strerror})")
    return texts


def _rank(folder: Path, files: list[str], config: DedupConfig, report: FolderReport) -> list[str]:
    """Readable files, best first; only (quality, name) is kept per file, not its shingles."""
    ranked: list[tuple[Quality, str]] = []
    for start in range(0, len(files), BATCH):
        texts = read_texts(folder, files[start : start + BATCH], report)
        names = list(texts)
        for name, f in zip(names, features([texts[n] for n in names], config), strict=True):
            ranked.append((feature_quality(f), name))
    return [name for _, name in sorted(ranked)]


def _scan(
    folder: Path, order: list[str], index: Index, config: DedupConfig, report: FolderReport
) -> None:
    cache: dict[str, Features] = {}

    def load(row: Row) -> Features | None:
        if row.file not in cache:
            texts = read_texts(folder, [row.file], FolderReport())
            if row.file not in texts:
                return None
            cache[row.file] = features([texts[row.file]], config)[0]
        return cache[row.file]

    matcher = Matcher(index, config, load)
    for start in range(0, len(order), BATCH):
        chunk = order[start : start + BATCH]
        texts = read_texts(folder, chunk, FolderReport())
        names = [n for n in chunk if n in texts]
        feats = features([texts[n] for n in names], config)
        cache = dict(zip(names, feats, strict=True))  # this chunk only: memory stays bounded
        with index.transaction():
            for name, f, buckets in zip(names, feats, bucket_keys(feats, config), strict=True):
                matches = matcher.find(f, buckets)
                if matches:
                    # Files come best first, so every match is at least as long: keep the best.
                    best = min(matches, key=lambda m: (row_quality(m.row), m.row.file))
                    report.removed.append(Dropped(name, best.row.file, best.relation, best.score))
                    continue
                samples, cap = signed_samples(f), config.containment_max_df
                rare = matcher.last_rare
                index.add(name, f.exact, f.words, f.chars, buckets, samples, OK, rare, cap)
        index.merge(config.index_buffer_docs)
    index.merge()


def _kept_dups(writer: CorpusWriter, report: FolderReport) -> dict[str, list[dict[str, Any]]]:
    """For each keeper, what its removed copies hand on: themselves and their duplicates."""
    extra: dict[str, list[dict[str, Any]]] = {}
    for removal in report.removed:
        gone = writer.entry(removal.file)
        extra.setdefault(removal.keeper, []).extend(
            [dup_record(str(writer.out / removal.file), None)]
            if gone is None
            else [dup_record(gone.get("source"), gone.get("url")), *gone.get("duplicates", [])]
        )
    return extra


def rewrite_manifest(folder: Path, kept: list[str], report: FolderReport) -> None:
    """Each kept file keeps (or gets) an entry; removed copies become its duplicates.

    The manifest is streamed through the writer, never read into memory.
    """
    writer = CorpusWriter(folder)
    removed = {r.file for r in report.removed}
    extra = _kept_dups(writer, report)

    def merged(entry: dict[str, Any]) -> dict[str, Any]:
        more = extra.get(str(entry["file"]))
        return {**entry, "duplicates": merge_dups(entry, more)} if more else entry

    unlisted = [name for name in kept if writer.entry(name) is None]
    writer.rewrite(
        lambda entry: None if entry["file"] in removed else merged(entry),
        (merged(manifest_entry(read_seed(folder / name), name)) for name in unlisted),
    )


def dedup_folder(folder: Path, config: DedupConfig, *, dry_run: bool = False) -> FolderReport:
    """Deduplicate `folder` in place (or only report, with `dry_run`).

    Holds the folder's writer lock (LockedError when another run writes to it); a dry run
    changes nothing and takes no lock.
    """
    check_config(config)
    if not folder.is_dir():
        raise StoreError(str(folder), "not a folder")
    if dry_run:
        return _dedup(folder, config, dry_run=True)
    with folder_lock(folder, "scraper dedup"):
        return _dedup(folder, config, dry_run=False)


def _dedup(folder: Path, config: DedupConfig, *, dry_run: bool) -> FolderReport:
    index_path = folder / INDEX_DIR / INDEX_NAME
    if not dry_run and index_path.exists():
        Deduplicator(config, CorpusWriter(folder)).close()  # finish what a crashed run left
    report = FolderReport()
    files = corpus_files(folder)
    report.files = len(files)
    order = _rank(folder, files, config, report)
    if not dry_run:
        index_path.parent.mkdir(exist_ok=True)
    # A dry run builds its index outside the folder, so that nothing in the folder changes.
    with tempfile.TemporaryDirectory(dir=None if dry_run else index_path.parent) as tmp:
        index = Index(Path(tmp) / INDEX_NAME, fingerprint(config), config.index_mmap_mb)
        try:
            _scan(folder, order, index, config, report)
        finally:
            index.close()
        if not dry_run:
            _apply(folder, order, report, Path(tmp) / INDEX_NAME, index_path)
    return report


def _apply(
    folder: Path, order: list[str], report: FolderReport, fresh: Path, index_path: Path
) -> None:
    removed = {r.file for r in report.removed}
    kept = sorted(n for n in order if n not in removed)
    if removed or (folder / MANIFEST).exists():
        rewrite_manifest(folder, kept, report)
    for name in sorted(removed):
        (folder / name).unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{index_path}{suffix}").unlink(missing_ok=True)
    os.replace(fresh, index_path)
