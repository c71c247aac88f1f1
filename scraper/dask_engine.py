"""Read, extract and clean on a Dask cluster (`[engine] kind = "dask"`), results in input order.

When every input is a file (on a filesystem the workers share at the same path), the workers
read them (`dask_read_clean`). This process only cuts the inputs into partitions, without
reading them: groups of whole files, and byte ranges of large JSONL files (a range holds the
lines that start in it). Per partition:

1. a worker counts the lines and records of each range but a file's last (`count_piece`, no
   JSON parsing; `scraper.partitions`, shared with the local pool); the first line and record
   numbers of the next range follow from them, in a chain of tiny tasks, so each record gets
   the name a local read gives it (`file#index`);
2. a worker reads the partition (`jsonl_range`, `read_input`) and keeps the records; only each
   record's key and URL, and the read errors, come back here;
3. here the keys are checked against known work in input order (`Sink.known_work`), as a local
   run checks them before cleaning;
4. the worker that holds the records cleans those not skipped (`Worker.process`), and with dedup
   on hashes them for dedup as well (`scraper.dedup.prehash`).

With stdin, a page store or `--explain`, this process reads and ships batches of records
instead (`dask_batches`), with the same steps after reading. Either way at most two partitions
or batches per worker thread are in flight (flat memory), results come back in input order, and
the corpus pass, the dedup decisions and the writes stay in this process, so the corpus is byte
for byte the one a local run writes. (`scraper dedup DIR` on Dask: `scraper.dedup.cluster`.)
Dask is imported here only: the base install does not need it (`pip install 'scraper[dask]'`).
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scraper.config import ENGINE_KINDS, Config
from scraper.errors import ConfigError
from scraper.known import record_key
from scraper.parallel import Batch, Record, Result, Worker
from scraper.partitions import (
    PARTITION_BYTES,
    Base,
    Partition,
    Piece,
    count_piece,
    in_two_steps,
    next_base,
    partitions,
    read_partition,
)
from scraper.stats import Stats

if TYPE_CHECKING:
    from distributed import Client

    from scraper.pipeline import Sink

# One Worker per Dask worker process and run: building one loads the profiles and rules.
_workers: dict[str, Worker] = {}


def _process(run: str, config: Config, store: str | None, debug: bool, batch: Batch) -> Result:
    worker = _workers.get(run)
    if worker is None:
        _workers.clear()  # a new run: the last run's worker is not needed any more
        worker = _workers[run] = Worker(config, store, debug)
    return worker.process_and_hash(batch)


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


# -- the workers read their own partitions ---------------------------------------------------------
Read = tuple[list[Record], Stats]  # a partition's records as read (kept on its worker)
Keys = tuple[list[tuple[int | None, str | None]], Stats]  # their keys and URLs, the read errors


def _count(config: Config, piece: Piece) -> tuple[int, int]:
    return count_piece(config, piece)


def _next_base(base: Base, counted: tuple[int, int]) -> Base:
    return next_base(base, counted)


def _read(config: Config, url: str | None, debug: bool, partition: Partition,
          base: Base) -> Read:
    """Read a partition on a worker, with the names, errors and counts of a local read."""
    docs, stats = read_partition(config, url, debug, partition, base)
    return [Record(record_key(doc), doc.url, doc) for doc in docs], stats


def _keys(read: Read) -> Keys:
    records, stats = read
    return [(r.key, r.url) for r in records], stats


def _clean(run: str, config: Config, debug: bool, read: Read, todo: list[bool]) -> Result:
    batch = [record for record, keep in zip(read[0], todo, strict=True) if keep]
    return _process(run, config, None, debug, batch)


def _submit_reads(client: Client, config: Config, parts: Iterable[Partition], url: str | None,
                  debug: bool) -> Iterator[tuple[Any, Any]]:
    """For each partition, the futures of its read and of its keys. The count of a range feeds
    the base of the next range of its file, on the cluster: nothing waits here."""
    base: Any = (1, 0)
    for partition in parts:
        part = partition[0].part  # a range is a partition of its own
        if part is not None and part.start == 0:
            base = (1, 0)
        read = client.submit(_read, config, url, debug, partition,
                             base if part is not None else (1, 0), pure=False)
        yield read, client.submit(_keys, read, pure=False)
        if part is not None and not part.last:
            counted = client.submit(_count, config, partition[0], pure=False)
            base = client.submit(_next_base, base, counted, pure=False)


def dask_read_clean(
    inputs: list[str], out: Path, config: Config, sink: Sink, *, workers: int,
    url: str | None, debug: bool,
) -> Iterator[Result]:
    """Each partition's result, in input order: read and cleaned on the Dask cluster of
    `config`, skipping the records `sink` knows to be done before they are cleaned."""
    check_engine(config)
    with ExitStack() as stack:
        client = connect(config, stack, workers)
        run = uuid.uuid4().hex
        limit = 2 * max(1, sum(client.nthreads().values()))
        cleaning: deque[Any] = deque()

        def settle(read: Any, keys: Any) -> None:
            """Check a read partition's keys, in input order, and clean what is left to do."""
            found, counted = keys.result()
            sink.stats.merge(counted)
            todo = [sink.known_work(key, record_url) is None for key, record_url in found]
            cleaning.append(client.submit(_clean, run, config, debug, read, todo, pure=False))

        parts = partitions(inputs, out, PARTITION_BYTES)
        reads = _submit_reads(client, config, parts, url, debug)
        yield from in_two_steps(reads, lambda pair: settle(*pair), cleaning, limit)
