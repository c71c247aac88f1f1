"""How work flows through `scraper run`, before extraction: which URLs, in what order, fetched
when.

    sources in turn ─► + the frontier an earlier run left ─► batches ─► fetched ahead ─► process

- **Sources in turn** (`round_robin`): one candidate of each source at a time, so a batch spans
  the sites and their hosts are fetched at once; one site's per-host limit does not set the pace
  of the whole run.
- **The frontier** (`left_over`): URLs an earlier run discovered but did not finish (killed
  before it processed them, or failed and due for a retry) are processed even when they have
  dropped out of their feed since.
- **Fetched ahead** (`prefetched`): the next batches are fetched on the fetcher's event loop
  while the caller extracts and cleans the current one, with at most `lookahead` batches
  waiting, so memory stays flat. The page of a URL an earlier run left unfinished is read from
  the page store when it is there, instead of being requested again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from scraper.fetch import FetchResult, PageStore
    from scraper.sources.collect import Candidate

T = TypeVar("T")
FetchAll = Callable[[list[str]], list["FetchResult"]]


class Frontier(Protocol):
    """What the run asks of the run state (`scraper.state.State` is one)."""

    def settled(self, url: str) -> bool: ...

    def left_unfinished(self, url: str) -> bool: ...

    def record_stored(self, urls: Iterable[str]) -> None: ...

    def unprocessed(self) -> Iterator[str]: ...

    def due(self) -> Iterator[str]: ...


def round_robin(streams: list[Iterator[T]]) -> Iterator[T]:
    """One item of each stream in turn, until every stream is exhausted."""
    lanes = deque(streams)
    while lanes:
        lane = lanes.popleft()
        for item in lane:
            yield item
            lanes.append(lane)
            break


def left_over(frontier: Frontier, seen: set[str]) -> Iterator[Candidate]:
    """The URLs an earlier run left unfinished that this run has not met yet: first those whose
    page is in the store, then the pending ones and the failures due for a retry."""
    from scraper.sources.collect import Candidate

    for stream in (frontier.unprocessed(), frontier.due()):
        for url in stream:
            if url not in seen:
                seen.add(url)
                yield Candidate(url=url, source="")


def lookahead(concurrency: int, batch_size: int) -> int:
    """Batches to fetch ahead: enough to keep `concurrency` requests open, and at least one."""
    return max(1, -(-concurrency // max(1, batch_size)))


def prefetched(
    batches: Iterable[list[Candidate]], fetch: FetchAll, ahead: int,
) -> Generator[tuple[list[Candidate], list[FetchResult]], None, None]:
    """Each batch with its fetch results, the next `ahead` batches being fetched meanwhile.

    `fetch` is called from a small thread pool and blocks on the fetcher's event loop; one
    fetcher serves every batch, so its per-host and overall limits hold across batches. When the
    caller stops early, the fetches not yet started are cancelled and those under way finish
    (their pages reach the store, and the next run takes them from there).
    """
    queued: deque[tuple[list[Candidate], Future[list[FetchResult]]]] = deque()
    with ThreadPoolExecutor(ahead, thread_name_prefix="scraper-prefetch") as pool:
        try:
            for batch in batches:
                queued.append((batch, pool.submit(fetch, [c.url for c in batch])))
                if len(queued) > ahead:
                    first, results = queued.popleft()
                    yield first, results.result()
            while queued:
                first, results = queued.popleft()
                yield first, results.result()
        finally:
            for _, pending in queued:
                pending.cancel()


def store_first(
    fetch_all: FetchAll, store: PageStore | None, frontier: Frontier | None
) -> FetchAll:
    """`fetch_all` that reads from `store` the pages of the URLs an earlier run left unfinished
    (fetched, or pending when it was killed before it could say so) instead of requesting them
    again, and marks the pages it stores as fetched in `frontier` (until their outcome is
    recorded), so that a run killed before processing them takes them from the store next
    time."""
    if store is None or frontier is None:
        return fetch_all

    def fetch(urls: list[str]) -> list[FetchResult]:
        stored: list[FetchResult] = []
        wanted: list[str] = []
        for url in urls:
            page = store.get(url) if frontier.left_unfinished(url) else None
            if page is None:
                wanted.append(url)
            else:
                stored.append(page)
        results = stored + (fetch_all(wanted) if wanted else [])
        frontier.record_stored(r.url for r in results if r.ok and r.body)
        return results

    return fetch
