"""Extract and clean in a pool of processes, in bounded batches, results in input order.

When every input is a file and there is more than one job, the workers read the inputs
themselves (`pool_read_clean`), as Dask workers do (`scraper.partitions`): this process cuts the
inputs into partitions by file size, a worker reads each partition to find its records' keys
(`_scan`) and keeps what it read, this process checks the keys against known work in input order
(`Sink.known_work`, so a record already done is skipped before cleaning), and the same worker
cleans what is left to do (`_read_clean`), under the names a plain read gives (a range's place
in its file is only known once the ranges before it are counted). Each partition's two steps go
to the same worker process (`_Pinned`), so it is parsed once; should the worker no longer hold
it, it reads it again. This process then neither parses JSON nor pickles raw records. Otherwise
(stdin, a page store, `--explain`, `--jobs 1`) the main process reads the inputs and sends
batches of records to the workers (`process_batches`).

Each worker extracts (saved HTML) and cleans the records one by one and sends back the cleaned
documents and what it counted; with dedup on, also their dedup hashes, so the main process only
decides and writes. At most `2 × jobs` batches or partitions are in flight, so memory stays
flat. Results come back in input order, and a worker keeps no state from one batch to the next,
so the output is the same for any number of workers, `--jobs 1` included (which runs
in-process). With `[engine] kind = "dask"` the same work goes to a Dask cluster instead
(`scraper.dask_engine`), with the same guarantees.

Every exception while reading, extracting or cleaning one record becomes that record's error
line; the other records of the batch go on.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from scraper.config import Config
from scraper.document import Document
from scraper.known import record_key
from scraper.partitions import (
    FIRST,
    PARTITION_BYTES,
    Base,
    Partition,
    continues,
    count_piece,
    in_two_steps,
    next_base,
    partitions,
    read_partition,
    rename_range,
    under,
)
from scraper.stats import Stats

if TYPE_CHECKING:
    from scraper.dedup.prehash import Packed, Prehashed
    from scraper.pipeline import Sink


@dataclass(slots=True)
class Record:
    """One record on its way through a worker: its key, its URL as read, and the document;
    from a worker process or a Dask worker also its dedup hashes, made where it was cleaned
    (valid for this very `doc` only: a stage that changes the document drops them)."""

    key: int | None
    url: str | None
    doc: Document
    hashed: Prehashed | None = None

    def __reduce__(self) -> tuple[type[Record], tuple[object, ...]]:
        # Every record comes back from a worker: one tuple pickles far faster than a slotted
        # dataclass's field-by-field state.
        return Record, (self.key, self.url, self.doc, self.hashed)


class Records(list[Record]):
    """A worker's cleaned records, pickled (on their way back) with their dedup hashes packed
    into a few flat arrays (`scraper.dedup.prehash.pack`). With a Features object and two or
    three small arrays a document, a record took 22 µs to unpickle in the process that decides
    and writes (14 µs packed), and 25 µs to pickle in the worker (18 µs packed;
    bench/bench_transfer.py)."""

    def __reduce__(self) -> tuple[Callable[..., Records], tuple[object, ...]]:
        from scraper.dedup.prehash import pack

        hashed = [(r, r.hashed) for r in self if r.hashed is not None]
        if not hashed:
            return Records, (list(self),)
        plain = [(r.key, r.url, r.doc, r.hashed is not None) for r in self]
        # The document dedup writes is most often the cleaned one itself (no repeated paragraph).
        prepared = [None if h[0] is r.doc else h[0] for r, h in hashed]
        return _restore_records, (plain, prepared, pack([(f, keys) for _, (_, f, keys) in hashed]))


def _restore_records(
    plain: list[tuple[int | None, str | None, Document, bool]],
    prepared: list[Document | None],
    packed: Packed,
) -> Records:
    from scraper.dedup.prehash import unpack

    hashes = iter(zip(prepared, unpack(packed), strict=True))
    out = Records()
    for key, url, doc, has_hashes in plain:
        record = Record(key, url, doc)
        if has_hashes:
            ready, (feats, keys) = next(hashes)
            record.hashed = (doc if ready is None else ready, feats, keys)
        out.append(record)
    return out


Batch = list[Record]
T = TypeVar("T")
Result = tuple[list[Record], Stats]


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class Worker:
    """Extract + clean for one process; built once per process from the run's config."""

    def __init__(self, config: Config, store: str | None, debug: bool) -> None:
        from scraper.clean import Cleaner
        from scraper.profiles import load_profiles

        self.config, self.debug = config, debug
        self.profiles = load_profiles(config.clean.profiles_dir)
        self.cleaner = Cleaner(config.clean, self.profiles)
        self.fetch = None
        if store is not None:
            from scraper.fetch import PageStore

            pages = PageStore(store)

            def stored(url: str) -> bytes | None:
                result = pages.get(url)
                return result.body if result is not None else None

            self.fetch = stored

    def process_and_hash(self, batch: Batch) -> Result:
        """`process`, then the dedup hashes of what it cleaned when dedup is on: hashed here, in
        the worker, they leave the main process (which decides and writes) less to do."""
        cleaned, stats = self.process(batch)
        records = Records(cleaned)
        if self.config.dedup.enabled:
            from scraper.dedup.prehash import prehash

            try:
                hashed = prehash([r.doc for r in records], self.config.dedup)
            except Exception:  # the dedup stage hashes these again, and reports what fails
                return records, stats
            for record, item in zip(records, hashed, strict=True):
                record.hashed = item
        return records, stats

    def process(self, batch: Batch) -> Result:
        from scraper.extract import ExtractStep

        stats = Stats(debug=self.debug)
        # A fresh step per batch: what it learns about later pages stays inside the batch, so
        # results do not depend on which worker saw which batch. The main process links later
        # pages across batches.
        step = ExtractStep(self.config.extract, self.profiles, fetch=self.fetch,
                           site=self.config.clean.site)
        out: list[Record] = []
        for record in batch:
            try:
                articles = list(step.run([record.doc], stats))
            except Exception as exc:  # a bug or a hostile page: this record's error only
                stats.exception(record.doc.source, "extract", exc)
                continue
            for article in articles:
                try:
                    cleaned = self.cleaner.clean_one(article)
                    _ = cleaned.id  # the id hashes the text: fail here, on this record
                except Exception as exc:
                    stats.exception(record.doc.source, "clean", exc)
                    continue
                stats.keep("clean")
                out.append(Record(record.key, record.url, cleaned))
        return out, stats


_worker: Worker | None = None


def _start(config: Config, store: str | None, debug: bool) -> None:
    global _worker
    _worker = Worker(config, store, debug)


def _process(batch: Batch) -> Result:
    assert _worker is not None, "the pool initializer builds the worker"
    return _worker.process_and_hash(batch)


def process_batches(
    batches: Iterable[Batch], config: Config, *, jobs: int, store: str | None, debug: bool
) -> Iterator[Result]:
    """Each batch's result, in the order of `batches`, from `jobs` processes (1: in-process),
    or from the Dask cluster of `[engine]` when its kind is "dask"."""
    if config.engine.kind != "local":
        from scraper.dask_engine import dask_batches

        workers = config.engine.workers or jobs
        yield from dask_batches(batches, config, workers=workers, store=store, debug=debug)
        return
    if jobs <= 1:
        worker = Worker(config, store, debug)
        yield from map(worker.process, batches)
        return
    # "spawn": a worker must not inherit the folder lock (nor anything else of the parent).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start,
                             initargs=(config, store, debug)) as pool:
        pending: deque[Future[Result]] = deque()
        for batch in batches:
            pending.append(pool.submit(_process, batch))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


# -- the workers read their own inputs -----------------------------------------------------------
# Partitions read and cleaned ahead of the main process, each step: 12 MiB of input, about half
# of a default corpus window (5,000 records); 100k records ran 1.1-1.4x faster than with 2 per
# worker, with the same peak memory.
QUEUED_PARTITIONS = 12

# A partition's records as a first read finds them: each one's key and URL (what the known-work
# check needs), the lines and records its range holds (what the next range's base needs), and
# what the read counted (its error lines name records as if the range began the file).
Scan = tuple[list[tuple[int | None, str | None]], tuple[int, int], Stats]

# What a worker read in `_scan`, by partition number, until `_read_clean` takes it. A partition
# whose records are all known is never asked for again: the oldest reads go first, and a read
# that is gone is read again.
HeldRead = tuple[list[Document], Stats]
_reads: OrderedDict[int, HeldRead] = OrderedDict()
HELD_READS = 2 * QUEUED_PARTITIONS


def _scan(url: str | None, partition: Partition, number: int = -1) -> Scan:
    assert _worker is not None, "the pool initializer builds the worker"
    config = _worker.config
    docs, stats = read_partition(config, url, _worker.debug, partition, FIRST)
    counted = count_piece(config, partition[0]) if continues(partition) else (0, 0)
    if number >= 0 and not stats.error_count and not stats.warning_lines:
        _reads[number] = docs, stats
        while len(_reads) > HELD_READS:
            _reads.popitem(last=False)
    return [(record_key(doc), doc.url) for doc in docs], counted, stats


def _held_read(partition: Partition, number: int, base: Base) -> HeldRead | None:
    """The documents `_scan` read, named from `base` as a read from there names them."""
    held = _reads.pop(number, None)
    if held is not None:
        rename_range(held[0], partition, base)
    return held


def _read_clean(url: str | None, partition: Partition, base: Base,
                keys: list[int | None], todo: list[bool], number: int = -1) -> Result:
    """Clean the records of a scanned partition still to do, under their names (what this
    process read in `_scan`, or a second read when it holds it no longer)."""
    assert _worker is not None, "the pool initializer builds the worker"
    held = _held_read(partition, number, base)
    docs, stats = held or read_partition(_worker.config, url, _worker.debug, partition, base)
    if len(docs) != len(todo):  # the first read found other records
        stats.error(f"{partition[0].name}: changed while it was read; run again to clean it")
        return [], stats
    batch = [Record(key, doc.url, doc)
             for doc, key, keep in zip(docs, keys, todo, strict=True) if keep]
    records, counted = _worker.process_and_hash(batch)
    stats.merge(counted)
    return records, stats


def _done(result: Result) -> Future[Result]:
    future: Future[Result] = Future()
    future.set_result(result)
    return future


class _Bases:
    """The base of each range, from the counts of the ranges before it in its file (partitions
    come here in input order)."""

    def __init__(self) -> None:
        self.base = FIRST

    def of(self, partition: Partition, counted: tuple[int, int]) -> Base:
        part = partition[0].part
        if part is None:
            return FIRST
        if part.start == 0:
            self.base = FIRST
        mine = self.base
        if not part.last:
            self.base = next_base(mine, counted)
        return mine


def _forget(number: int) -> None:
    """Drop what `_scan` read of a partition that needs no cleaning."""
    _reads.pop(number, None)


class _Pinned:
    """`jobs` processes, each with its own queue: a partition's tasks all go to one of them
    (partition n to process n mod jobs), so the one that read it cleans it. Partitions are of
    about equal size, so taking turns balances the work."""

    def __init__(self, jobs: int, config: Config, debug: bool) -> None:
        context = multiprocessing.get_context("spawn")  # see process_batches
        self.pools = [ProcessPoolExecutor(1, mp_context=context, initializer=_start,
                                          initargs=(config, None, debug)) for _ in range(jobs)]

    def submit(self, number: int, fn: Callable[..., T], *args: Any) -> Future[T]:
        return self.pools[number % len(self.pools)].submit(fn, *args, number)

    def __enter__(self) -> _Pinned:
        return self

    def __exit__(self, *exc: object) -> None:
        for pool in self.pools:
            pool.shutdown(cancel_futures=exc[0] is not None)


def too_small_for_workers(inputs: list[str]) -> bool:
    """Whether `inputs` are files of less than a partition together: they are cleaned in a
    fraction of the second that starting worker processes takes. (Stdin's size is unknown.)"""
    return "-" not in inputs and under(inputs, PARTITION_BYTES)


def pool_read_clean(
    inputs: list[str], out: Path, config: Config, sink: Sink, *, jobs: int, url: str | None,
    debug: bool,
) -> Iterator[Result]:
    """Each partition's result, in input order, read and cleaned by `jobs` processes, skipping
    the records `sink` knows to be done before they are cleaned."""
    with _Pinned(jobs, config, debug) as pool:
        # The main process takes results a corpus window at a time and then commits it, and
        # hands out no work meanwhile: enough partitions in flight keep the workers cleaning.
        limit = max(2 * jobs, QUEUED_PARTITIONS)
        cleaning: deque[Future[Result]] = deque()
        bases = _Bases()

        def settle(number: int, partition: Partition, scan: Future[Scan]) -> None:
            """Check a scanned partition's keys, in input order, and clean what is left to do."""
            found, counted, read = scan.result()
            base = bases.of(partition, counted)
            todo = [sink.known_work(key, record_url) is None for key, record_url in found]
            if any(todo) or read.error_count:
                keys = [key for key, _ in found]
                cleaning.append(pool.submit(number, _read_clean, url, partition, base, keys,
                                            todo))
            else:  # all done already (a rerun): what the first read counted is all there is
                pool.submit(number, _forget)
                cleaning.append(_done(([], read)))

        scans = ((number, partition, pool.submit(number, _scan, url, partition))
                 for number, partition in enumerate(partitions(inputs, out, PARTITION_BYTES)))
        yield from in_two_steps(scans, lambda scanned: settle(*scanned), cleaning, limit)
