"""Extract and clean in a pool of processes, in bounded batches, results in input order.

The main process reads the inputs and sends batches of records to the workers; each worker
extracts (saved HTML) and cleans them one by one and sends back the cleaned documents and what
it counted; with dedup on, also their dedup hashes, so the main process only decides and
writes. At most `2 × jobs` batches are in flight, so memory stays flat. Results come back in
the order the batches were sent, and a worker keeps no state from one batch to the next, so the
output is the same for any number of workers, `--jobs 1` included (which runs in-process).
With `[engine] kind = "dask"` the same batches go to a Dask cluster instead
(`scraper.dask_engine`), with the same guarantees.

Every exception while extracting or cleaning one record becomes that record's error line; the
other records of the batch go on.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scraper.config import Config
from scraper.document import Document
from scraper.stats import Stats

if TYPE_CHECKING:
    from scraper.dedup.prehash import Prehashed


@dataclass(slots=True)
class Record:
    """One record on its way through a worker: its key, its URL as read, and the document;
    from a worker process or a Dask worker also its dedup hashes, made where it was cleaned
    (valid for this very `doc` only: a stage that changes the document drops them)."""

    key: int | None
    url: str | None
    doc: Document
    hashed: Prehashed | None = None


Batch = list[Record]
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
        records, stats = self.process(batch)
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
