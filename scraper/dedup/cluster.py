"""`scraper dedup DIR --engine dask`: the decisions of `dedup_folder`, computed on a Dask cluster.

The folder must be readable at the same path on every worker (a shared filesystem). Each step is
a Dask bag; the shuffles are Dask's own `groupby` (task-based); the tasks are in `shuffle.py`:
  1. read: each partition of file names is read and hashed on a worker (`features`,
     `bucket_keys`, sampled shingle hashes), as `dedup_folder` does in one process; the bag
     stays on the workers, and only each file's lengths and exact key come here;
  2. order (here): the files ranked best first, as `dedup_folder` ranks them, and the exact
     groups; the best file of each group stands for it in what follows;
  3. candidates: band keys and samples shuffled by key; pairs sharing an LSH band key, and pairs
     sharing rare sampled hashes, counted (a sample held by more than `containment_max_df` files
     is not rare);
  4. verification: the pairs shuffled by pair; band pairs, and sample pairs sharing at least
     `containment_candidate` of the smaller rare count, compared exactly (`classify`);
  5. resolution (here): the verified pairs are walked best first with the local rule, so a file
     is removed in favour of the best kept copy it matches, with the same tie-breaks.
This process holds what `dedup_folder` holds (the ranked list of files: a few numbers a file)
and the verified duplicate pairs; the hashes stay on the workers.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from scraper.config import Config, DedupConfig
from scraper.dedup import shuffle
from scraper.dedup.deduplicator import INDEX_DIR, INDEX_NAME, Deduplicator, corpus_files
from scraper.dedup.folder import BATCH, Dropped, FolderReport, rewrite_manifest
from scraper.dedup.match import EXACT
from scraper.dedup.minhash import check_config
from scraper.dedup.shuffle import Edge, Key
from scraper.errors import StoreError
from scraper.lock import folder_lock
from scraper.parallel import default_jobs
from scraper.write import MANIFEST, CorpusWriter


class Order(NamedTuple):
    """Per file id: its place in the order of the decisions (-1: unreadable), the id of the
    best file with its exact key; and the exact groups, best first."""

    rank: NDArray[np.int64]
    rep: NDArray[np.int64]
    exact: list[list[Key]]


# -- the graph -------------------------------------------------------------------------------------
def _read(files: list[str], folder: Path, config: DedupConfig, partition_files: int) -> Any:
    """A bag of `Part`s: the files read and hashed on the workers, `partition_files` a task."""
    import dask.bag as db

    chunks = [(start, files[start : start + partition_files])
              for start in range(0, len(files), partition_files)]
    return db.from_sequence(chunks, npartitions=max(1, len(chunks))).map(
        shuffle.read_part, str(folder), config
    )


def _edges(parts: Any, order: Order, names: list[str], folder: Path, config: DedupConfig,
           partitions: int) -> Any:
    """A bag of the verified duplicate pairs: band keys and samples shuffled to key partitions,
    candidate pairs to pair partitions, both with Dask's task-based `groupby`."""
    import dask

    rep, rank = dask.delayed(order.rep), dask.delayed(order.rank)
    found = (
        parts.map(shuffle.route_keys, rep, partitions)
        .flatten()
        .groupby(lambda item: item[0], shuffle="tasks")
        .map(shuffle.find_candidates, rank, config.containment_max_df)
    )
    rare = found.reduction(
        functools.partial(_rare, n=len(names)), functools.partial(_summed, n=len(names))
    )
    return (
        found.map(shuffle.route_pairs, partitions)
        .flatten()
        .groupby(lambda item: item[0], shuffle="tasks")
        .map(shuffle.verify_pairs, rare, dask.delayed(names), str(folder), config)
        .flatten()
    )


def _rare(found: Iterable[shuffle.Candidates], n: int) -> NDArray[np.int64]:
    return shuffle.rare_counts(list(found), n)


def _summed(counts: Iterable[NDArray[np.int64]], n: int) -> NDArray[np.int64]:
    return sum(counts, np.zeros(n, dtype=np.int64))


def _order(meta: list[shuffle.Part], names: list[str]) -> Order:
    """Rank the readable files best first (longest, then by exact key, then by name) and find
    the exact groups: what `dedup_folder` ranks, from the lengths and keys alone."""
    ids = np.concatenate([p.ids for p in meta])
    words = np.concatenate([p.words for p in meta])
    chars = np.concatenate([p.chars for p in meta])
    exact = np.concatenate([p.exact for p in meta]).reshape(-1, 2)
    best = np.lexsort((ids, exact[:, 1], exact[:, 0], -chars, -words))
    rank = np.full(len(names), -1, dtype=np.int64)
    rank[ids[best]] = np.arange(len(best))
    # Grouped by exact key, best first inside each group (a stable sort of the ranked order).
    by_key = best[np.lexsort((np.arange(len(best)), exact[best, 1], exact[best, 0]))]
    keys = exact[by_key]
    starts = np.flatnonzero(np.r_[True, (keys[1:] != keys[:-1]).any(axis=1)]) if len(keys) \
        else np.zeros(0, dtype=np.int64)
    sizes = np.diff(np.r_[starts, len(keys)])
    rep = np.arange(len(names), dtype=np.int64)
    rep[ids[by_key]] = ids[by_key[np.repeat(starts, sizes)]]

    def key(position: int) -> Key:
        digest = exact[position].astype(">u8").tobytes()
        return Key((-int(words[position]), -int(chars[position]), digest),
                   names[int(ids[position])])

    groups = [[key(int(p)) for p in by_key[start : start + size]]
              for start, size in zip(starts.tolist(), sizes.tolist(), strict=True) if size > 1]
    return Order(rank, rep, groups)


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
    if not files:
        return report, []
    with ExitStack() as stack:
        client = connect(config, stack, config.engine.workers or default_jobs())
        partitions = max(1, min(len(files) // partition_files + 1,
                                2 * sum(client.nthreads().values())))
        parts = _read(files, folder.resolve(), config.dedup, partition_files).persist()
        meta = parts.map(_without_keys).compute()
        order = _order(meta, files)
        edges = _edges(parts, order, files, folder.resolve(), config.dedup, partitions)
        (found,) = dask.compute(edges)
    errors = sorted(e for part in meta for e in part.errors)
    report.errors = [f"{folder / error.name}: {error.reason}" for error in errors]
    report.removed = _resolve(found, order.exact)
    unreadable = {error.name for error in errors}
    return report, [name for name in files if name not in unreadable]


def _without_keys(part: shuffle.Part) -> shuffle.Part:
    """What this process needs of a partition: not its band keys and samples."""
    none = np.zeros(0, dtype=np.int64)
    return part._replace(bands=none, band_owner=none, samples=none, sample_owner=none)


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


