"""Extract and clean on a Dask cluster (`[engine] kind = "dask"`), results in input order.

The same `Worker.process` as the local pool runs on the Dask workers, one task per batch of
records; with dedup on, the worker then hashes the cleaned documents for dedup as well
(`scraper.dedup.prehash`). This process reads the inputs, ships the batches, and takes the
results back in the order it sent them, with at most two batches per worker thread in flight
(flat memory). The corpus pass, the dedup decisions and the writes stay in this process, so the
corpus is byte for byte the one a local run writes. (`scraper dedup DIR` on Dask:
`scraper.dedup.cluster`.) Dask is imported here only: the base install does not need it
(`pip install 'scraper[dask]'`).
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from scraper.config import ENGINE_KINDS, Config
from scraper.errors import ConfigError
from scraper.parallel import Batch, Record, Result, Worker

if TYPE_CHECKING:
    from distributed import Client

# One Worker per Dask worker process and run: building one loads the profiles and rules.
_workers: dict[str, Worker] = {}


def _process(run: str, config: Config, store: str | None, debug: bool, batch: Batch) -> Result:
    worker = _workers.get(run)
    if worker is None:
        _workers.clear()  # a new run: the last run's worker is not needed any more
        worker = _workers[run] = Worker(config, store, debug)
    records, stats = worker.process(batch)
    if config.dedup.enabled:
        _prehash(records, config)
    return records, stats


def _prehash(records: list[Record], config: Config) -> None:
    """Hash the cleaned documents for dedup here, on the worker (`scraper.dedup.prehash`)."""
    from scraper.dedup.prehash import prehash

    try:
        hashed = prehash([r.doc for r in records], config.dedup)
    except Exception:  # the client hashes these again, and reports what fails as a local run does
        return
    for record, item in zip(records, hashed, strict=True):
        record.hashed = item


def check_engine(config: Config) -> None:
    """An unknown `[engine] kind`, or Dask asked for but not installed, is a usage error."""
    kind = config.engine.kind
    if kind not in ENGINE_KINDS:
        raise ConfigError("[engine] kind", f"{kind!r} is not one of {', '.join(ENGINE_KINDS)}")
    if kind == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError as exc:
            raise ConfigError("[engine] kind", "dask needs: pip install 'scraper[dask]'") from exc


def connect(config: Config, stack: ExitStack, workers: int) -> Client:
    """A client of `[engine] address`, or of a LocalCluster of `workers` processes (closed
    with `stack`)."""
    from distributed import Client, LocalCluster

    address = config.engine.address
    if address is None:
        cluster = stack.enter_context(LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True,
            dashboard_address=":0"))  # any free port: 8787 may be taken
        address = cluster.scheduler_address
    try:
        client = Client(address)
    except (OSError, TimeoutError) as exc:  # distributed retries until its connect timeout
        raise ConfigError(address, f"cannot reach the Dask scheduler ({exc})") from exc
    return stack.enter_context(client)


def dask_batches(
    batches: Iterable[Batch], config: Config, *, workers: int, store: str | None, debug: bool
) -> Iterator[Result]:
    """Each batch's result, in the order of `batches`, from the Dask cluster of `config`."""
    check_engine(config)
    with ExitStack() as stack:
        client = connect(config, stack, workers)
        run = uuid.uuid4().hex
        limit = 2 * max(1, sum(client.nthreads().values()))
        pending: deque[Any] = deque()
        for batch in batches:
            pending.append(client.submit(_process, run, config, store, debug, batch, pure=False))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
