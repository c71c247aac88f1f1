"""`scraper dedup DIR --engine dask`: the decisions of `dedup_folder`, computed on a Dask cluster.

The folder must be readable at the same path on every worker (a shared filesystem). Each step is
a Dask bag; the shuffles are Dask's own `groupby` (task-based):
  1. read: each partition of file names is read and hashed on a worker (`features`,
     `bucket_keys`, sampled shingle hashes), as `dedup_folder` does in one process;
  2. exact copies: grouped by exact key; the best of each group stands for all of it;
  3. candidates: pairs sharing an LSH band key, and pairs sharing enough rare sampled hashes
     (`containment_candidate` of the smaller rare count; a sample held by more than
     `containment_max_df` documents is not rare);
  4. verification: every candidate pair is compared exactly (`classify`) on a worker;
  5. resolution (here): the verified edges are walked best first with the local rule, so a file
     is removed in favour of the best kept copy it matches, with the same tie-breaks.
Only the verified duplicate pairs and the members of exact groups come back to this process;
its memory grows with the duplicates, not with the folder.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, NamedTuple

from scraper.config import Config, DedupConfig
from scraper.dedup.deduplicator import INDEX_DIR, INDEX_NAME, Deduplicator, corpus_files
from scraper.dedup.folder import (
    BATCH,
    Dropped,
    FolderReport,
    read_texts,
    rewrite_manifest,
)
from scraper.dedup.index import fold_samples
from scraper.dedup.match import EXACT, Quality, bucket_keys, classify, feature_quality
from scraper.dedup.minhash import check_config
from scraper.dedup.text import features
from scraper.errors import StoreError
from scraper.lock import folder_lock
from scraper.parallel import default_jobs
from scraper.write import MANIFEST, CorpusWriter


class Key(NamedTuple):
    """A file's place in the order of the decisions: best (longest) first, then by name."""

    quality: Quality
    name: str


class Hashed(NamedTuple):
    key: Key
    bands: list[int]
    samples: list[int]  # distinct folded sampled shingle hashes


class Unreadable(NamedTuple):
    name: str
    line: str  # the error line `dedup_folder` reports


class Edge(NamedTuple):
    """A verified duplicate pair: `worse` is a copy of `better`."""

    worse: Key
    better: Key
    relation: str
    score: float


# -- on the workers --------------------------------------------------------------------------------
def _hash_files(
    partition: Iterable[str], folder: str, config: DedupConfig
) -> list[Hashed | Unreadable]:
    """One partition of the folder: each readable file hashed, each unreadable one its error."""
    names = list(partition)
    report = FolderReport()
    texts = read_texts(Path(folder), names, report)
    read = list(texts)
    # `read_texts` reports the unreadable files in the order given, one line each.
    unreadable = [name for name in names if name not in texts]
    out: list[Hashed | Unreadable] = [
        Unreadable(*error) for error in zip(unreadable, report.errors, strict=True)
    ]
    feats = features([texts[n] for n in read], config)
    for name, f, bands in zip(read, feats, bucket_keys(feats, config), strict=True):
        samples = sorted(set(fold_samples(f.sampled()).tolist()))
        out.append(Hashed(Key(feature_quality(f), name), bands.tolist(), samples))
    return out


def _representatives(keys: Iterable[Key]) -> list[Key]:
    """The best file of each exact group among `keys`, best first: exact copies share every
    band and sample, and the best copy decides for the others (see `_resolve`)."""
    seen: set[bytes] = set()
    out: list[Key] = []
    for key in sorted(keys):
        if key.quality[2] not in seen:
            seen.add(key.quality[2])
            out.append(key)
    return out


def _band_pairs(group: tuple[int, list[tuple[int, Key]]]) -> list[tuple[Key, Key]]:
    keys = _representatives(key for _, key in group[1])
    return [(better, worse) for i, worse in enumerate(keys) for better in keys[:i]]


def _sample_marks(group: tuple[int, list[tuple[int, Key]]], cap: int) -> list[tuple[Key, Any]]:
    """For a rare sample: one mark per holder, and each pair keyed by both of its members."""
    keys = _representatives(key for _, key in group[1])
    if cap > 0 and len(keys) > cap:
        return []
    marks: list[tuple[Key, Any]] = [(key, None) for key in keys]
    for i, worse in enumerate(keys):
        for better in keys[:i]:
            marks += [(better, ("worse", worse)), (worse, ("better", better))]
    return marks


def _per_file(group: tuple[Key, list[tuple[Key, Any]]]) -> list[tuple[tuple[Key, Key], Any]]:
    """A file's rare sample count, handed to each pair it shares rare samples with."""
    me, marks = group
    rare = sum(1 for _, mark in marks if mark is None)
    shared = Counter(mark for _, mark in marks if mark is not None)
    return [
        ((me, other) if side == "worse" else (other, me), (rare, count))
        for (side, other), count in shared.items()
    ]


def _contained_pair(group: tuple[tuple[Key, Key], list[Any]], candidate: float) -> bool:
    """Shared rare samples over the smaller rare count reach `containment_candidate`."""
    counts = [value for _, value in group[1]]  # (rare count, shared) from each of the two
    if len(counts) != 2:
        return False
    bound = max(min(rare for rare, _ in counts), 1)
    return bool(counts[0][1] / bound >= candidate)


def _verify(
    partition: Iterable[tuple[Key, list[Key]]], folder: str, config: DedupConfig
) -> list[Edge]:
    """The candidate pairs of a partition (grouped by their better file), compared exactly."""
    groups = list(partition)  # a partition may come as an iterator: it is walked twice
    names = sorted({k.name for better, worse in groups for k in [better, *worse]})
    texts = read_texts(Path(folder), names, FolderReport())
    read = [n for n in names if n in texts]
    feats = dict(zip(read, features([texts[n] for n in read], config), strict=True))
    edges: list[Edge] = []
    for better, worse in groups:
        for key in sorted(set(worse)):
            if better.name in feats and key.name in feats:
                verdict = classify(feats[key.name], feats[better.name], config)
                if verdict is not None:
                    edges.append(Edge(key, better, *verdict))
    return edges


# -- the graph -------------------------------------------------------------------------------------
def _graph(
    files: list[str], folder: Path, config: DedupConfig, partition_files: int, partitions: int
) -> Any:
    """(errors, exact groups, verified edges) as bags of one Dask graph."""
    import dask.bag as db

    tasks = {"shuffle": "tasks", "npartitions": partitions}
    hashed = db.from_sequence(files, partition_size=partition_files).map_partitions(
        _hash_files, str(folder), config
    )
    errors = hashed.filter(lambda item: isinstance(item, Unreadable))
    docs = hashed.filter(lambda item: isinstance(item, Hashed))
    exact = (
        docs.map(lambda d: d.key)
        .groupby(lambda key: key.quality[2], **tasks)
        .filter(lambda group: len(group[1]) > 1)
        .map(lambda group: sorted(group[1]))
    )
    bands = docs.map(lambda d: [(band, d.key) for band in d.bands]).flatten()
    near = bands.groupby(lambda item: item[0], **tasks).map(_band_pairs).flatten()
    samples = docs.map(lambda d: [(s, d.key) for s in d.samples]).flatten()
    contained = (
        samples.groupby(lambda item: item[0], **tasks)
        .map(_sample_marks, config.containment_max_df)
        .flatten()
        .groupby(lambda mark: mark[0], **tasks)
        .map(_per_file)
        .flatten()
        .groupby(lambda item: item[0], **tasks)
        .filter(functools.partial(_contained_pair, candidate=config.containment_candidate))
        .map(lambda group: group[0])
    )
    edges = (
        db.concat([near, contained])
        .groupby(lambda pair: pair[0], **tasks)
        .map(lambda group: (group[0], [worse for _, worse in group[1]]))
        .map_partitions(_verify, str(folder), config)
    )
    return errors, exact, edges


# -- here ------------------------------------------------------------------------------------------
def _resolve(edges: list[Edge], exact: list[list[Key]]) -> list[Dropped]:
    """The local rule over the verified pairs: best first, a file matching a kept one is removed
    in favour of the best kept match (by quality, then name); an exact copy goes the way of the
    best copy of its group. Returns the removals in the order `dedup_folder` makes them."""
    earlier: dict[Key, list[Edge]] = {}
    for edge in edges:
        earlier.setdefault(edge.worse, []).append(edge)
    involved = sorted({k for e in edges for k in (e.worse, e.better)})
    removed: dict[Key, Dropped] = {}
    for key in involved:
        matches = [e for e in earlier.get(key, []) if e.better not in removed]
        if matches:
            best = min(matches, key=lambda e: e.better)
            removed[key] = Dropped(key.name, best.better.name, best.relation, best.score)
    for first, *copies in exact:
        head = removed.get(first)
        for copy in copies:
            removed[copy] = (
                Dropped(copy.name, first.name, EXACT, 1.0)
                if head is None
                else Dropped(copy.name, head.keeper, head.relation, head.score)
            )
    return [removed[key] for key in sorted(removed)]


def decide_on_cluster(
    folder: Path, config: Config, partition_files: int = BATCH
) -> tuple[FolderReport, list[str]]:
    """What `dedup_folder` would remove from `folder`, decided on the Dask cluster of
    `config.engine` (`partition_files` files read per task); also returns the readable files."""
    import dask

    from scraper.dask_engine import connect

    files = corpus_files(folder)
    report = FolderReport(files=len(files))
    with ExitStack() as stack:
        client = connect(config, stack, config.engine.workers or default_jobs())
        reads = len(files) // partition_files + 1
        partitions = max(1, min(reads, 2 * sum(client.nthreads().values())))
        bags = _graph(files, folder.resolve(), config.dedup, partition_files, partitions)
        errors, exact, edges = dask.compute(*bags)
    report.errors = [error.line for error in sorted(errors)]
    report.removed = _resolve(edges, exact)
    unreadable = {error.name for error in errors}
    return report, [name for name in files if name not in unreadable]


def dedup_folder_on_cluster(
    folder: Path, config: Config, *, dry_run: bool = False, partition_files: int = BATCH
) -> FolderReport:
    """`dedup_folder` with the decisions made on Dask: the same files removed, the same manifest.

    The folder's dedup index is dropped rather than rebuilt here; the next run that writes into
    the folder indexes its files again (on that run's machine)."""
    from scraper.dask_engine import check_engine

    check_engine(config)
    check_config(config.dedup)
    if not folder.is_dir():
        raise StoreError(str(folder), "not a folder")
    if dry_run:
        return decide_on_cluster(folder, config, partition_files)[0]
    with folder_lock(folder, "scraper dedup"):
        index_path = folder / INDEX_DIR / INDEX_NAME
        if index_path.exists():
            Deduplicator(config.dedup, CorpusWriter(folder)).close()  # finish a crashed run
        report, readable = decide_on_cluster(folder, config, partition_files)
        _apply(folder, readable, report, index_path)
    return report


def _apply(folder: Path, readable: list[str], report: FolderReport, index_path: Path) -> None:
    removed = {r.file for r in report.removed}
    if removed or (folder / MANIFEST).exists():
        rewrite_manifest(folder, sorted(set(readable) - removed), report)
    for name in sorted(removed):
        (folder / name).unlink(missing_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{index_path}{suffix}").unlink(missing_ok=True)


