"""Blocking entry points for the CLI and the (synchronous) pipeline."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Iterable, Iterator
from concurrent.futures import Future
from types import TracebackType
from typing import Any

from scraper.config import FetchConfig
from scraper.fetch.client import Fetcher
from scraper.fetch.result import FetchResult


def fetch_sync(urls: Iterable[str], config: FetchConfig, **options: Any) -> list[FetchResult]:
    """Fetch every URL and return the results in input order. `options` go to `Fetcher`."""
    wanted = list(urls)

    async def run() -> list[FetchResult]:
        async with Fetcher(config, **options) as fetcher:
            return [result async for result in fetcher.fetch_many(wanted)]

    results = asyncio.run(run())
    position = {url: i for i, url in reversed(list(enumerate(wanted)))}
    return sorted(results, key=lambda r: position[r.url])


async def _next_or_none(stream: AsyncGenerator[FetchResult, None]) -> FetchResult | None:
    return await anext(stream, None)


class BlockingFetcher:
    """A `Fetcher` on its own event-loop thread, callable from plain synchronous code.

    with BlockingFetcher(config, store=store) as fetcher:
        body = fetcher.fetch_bytes(url)   # bytes | None, e.g. for pagination
    """

    def __init__(self, config: FetchConfig, **options: Any) -> None:
        self._fetcher = Fetcher(config, **options)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, daemon=True, name="scraper-fetch"
        )

    def _call(self, coro: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result()

    def __enter__(self) -> BlockingFetcher:
        self._thread.start()
        try:
            self._call(self._fetcher.__aenter__())
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self._call(self._fetcher.__aexit__(None, None, None))
        finally:
            self._stop()

    def _stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def fetch(self, url: str) -> FetchResult:
        result: FetchResult = self._call(self._fetcher.fetch(url))
        return result

    def fetch_many(self, urls: Iterable[str]) -> Iterator[FetchResult]:
        """Each result as soon as it completes (completion order), as `Fetcher.fetch_many`.

        Pull-based: the fetcher keeps its window of requests in flight while the caller works
        on a result, and nothing piles up when the caller is slow. Closing the iterator early
        cancels the requests in flight.
        """
        stream = self._fetcher.fetch_many(urls)
        try:
            while (result := self._call(_next_or_none(stream))) is not None:
                yield result
        finally:
            self._call(stream.aclose())

    def fetch_all(self, urls: Iterable[str]) -> list[FetchResult]:
        """Fetch a batch concurrently (politely); results in completion order."""
        return list(self.fetch_many(urls))

    def fetch_bytes(self, url: str) -> bytes | None:
        """The body of `url`, or None when it failed: the pagination helper's `fetch`."""
        result = self.fetch(url)
        return result.body if result.ok else None
