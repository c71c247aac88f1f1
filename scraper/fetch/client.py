"""`Fetcher`: polite, fault-tolerant async fetching of pages.

One URL's path through the fetcher, hop by hop (redirects are followed here, never by httpx, so
that each hop is checked again):

    scheme check -> resolve + address check -> robots.txt -> host slot (concurrency, delay)
    -> global slot -> request (retried by tenacity) -> content type -> body, capped after
    decompression -> redirect? next hop : result (+ page store)

A URL's failure never raises: it comes back as a `FetchResult` whose `error` is the class name
of a `FetchError` from `scraper.errors` and whose `reason` says why.
"""

from __future__ import annotations

import asyncio
import dataclasses
import errno
import functools
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urljoin

import aiohttp
import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from scraper.charset import decode_body
from scraper.config import FetchConfig
from scraper.errors import (
    ConfigError,
    FetchError,
    HTTPStatusError,
    NotInStoreError,
    RobotsDisallowed,
    StoreError,
    TooLargeError,
    TooManyRedirects,
    TransportError,
)
from scraper.fetch.limits import (
    BACKOFF_STATUSES,
    PAGE_TYPES,
    REDIRECT_STATUSES,
    RETRY_STATUSES,
    check_content_type,
    parse_retry_after,
    read_capped,
    validate_config,
)
from scraper.fetch.politeness import ROBOTS_MAX_BYTES, Politeness, Robots, interleave_by_host
from scraper.fetch.result import FetchResult, utc_now
from scraper.fetch.security import AddressPolicy, HostGuard, Resolver, check_scheme
from scraper.fetch.store import PageStore
from scraper.fetch.transports import build_transport

_HeadersFor = Callable[[str], dict[str, str]]


@dataclass
class _Response:
    url: str
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes


class _RetryableStatus(Exception):
    """A response whose status is worth another try (429, 503, ...)."""

    def __init__(self, response: _Response, retry_after: float | None) -> None:
        super().__init__(f"HTTP {response.status}")
        self.response = response
        self.retry_after = retry_after


_RETRYABLE = (_RetryableStatus, httpx.TransportError)
# What a transport may raise for one URL: httpx's errors, and aiohttp's own where httpx-aiohttp
# does not map them (a malformed response, for one).
_NETWORK_ERRORS = (httpx.HTTPError, httpx.InvalidURL, aiohttp.ClientError)


@dataclass
class _Trace:
    """What one URL's fetch has done so far, for the result even when it fails."""

    url: str
    sent: int = 0
    retries: int = 0
    status: int | None = None

    @property
    def attempts(self) -> int:
        """1 plus the retries once a request went out (redirect hops are not attempts)."""
        return min(self.sent, 1) + self.retries

    def retried(self, state: RetryCallState) -> None:
        self.retries += 1


class Fetcher:
    """Async context manager; `fetch(url)` and `fetch_many(urls)` never raise for a URL."""

    def __init__(
        self,
        config: FetchConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
        store: PageStore | None = None,
        offline: bool = False,
        accept: frozenset[str] = PAGE_TYPES,
    ) -> None:
        validate_config(config)
        if offline and store is None:
            raise ConfigError("--offline", "offline fetching needs a page store (--store DIR)")
        self.config = config
        self.store = store
        self.offline = offline
        self.accept = accept
        self._guard = HostGuard(AddressPolicy(config.allow_private_networks), resolver)
        self._transport = transport
        self._politeness = Politeness(
            config.per_host_concurrency, config.delay, config.backoff_base, config.max_delay
        )
        self._global = asyncio.Semaphore(config.concurrency)
        self._robots = Robots(config.user_agent, self._fetch_robots)
        self._open: httpx.AsyncBaseTransport | None = None
        self._base_headers = httpx.Headers(
            {
                "User-Agent": config.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5",
                "Accept-Encoding": "gzip, deflate",
            }
        )
        timeout = httpx.Timeout(config.read_timeout, connect=config.connect_timeout, pool=None)
        self._timeout = timeout.as_dict()
        # base, 2 x base, 4 x base ... up to the cap, plus up to `base` of jitter.
        self._backoff = wait_exponential(
            multiplier=config.backoff_base, max=config.retry_after_cap
        ) + wait_random(0, config.backoff_base)

    async def __aenter__(self) -> Fetcher:
        # Requests go straight to the transport: httpx.AsyncClient's cookie jar, URL merging and
        # redirect machinery are unused here and cost about a third of the CPU per request.
        # There is no environment-proxy lookup either, which would bypass the address checks.
        if not self.offline:
            self._open = self._transport or build_transport(
                self.config.backend, self._guard, self.config.concurrency
            )
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._open is not None:
            await self._open.aclose()
            self._open = None

    async def fetch(self, url: str) -> FetchResult:
        """Fetch one URL (or read it from the store when offline)."""
        trace = _Trace(url)
        try:
            if self.offline:
                return self._from_store(url)
            return await self._fetch_online(url, trace)
        except (FetchError, StoreError) as exc:  # a store that cannot be read or written
            return FetchResult(
                url=url,
                final_url=trace.url,
                status=trace.status,
                attempts=trace.attempts,
                error=type(exc).__name__,
                reason=exc.reason,
            )

    def host_delay(self, host: str) -> float:
        """Seconds between request starts to `host` right now (back-off included, no jitter)."""
        return self._politeness.current_delay(host)

    async def fetch_bytes(self, url: str) -> bytes | None:
        """The body of `url`, or None when it could not be fetched (for pagination helpers)."""
        result = await self.fetch(url)
        return result.body if result.ok else None

    async def fetch_many(self, urls: Iterable[str]) -> AsyncGenerator[FetchResult, None]:
        """Fetch `urls`, yielding results as they complete.

        URLs are interleaved host by host and only a window of them is in flight, so one slow or
        delayed host does not hold up the others, and a huge frontier costs no more than its list.
        """
        queue = iter(interleave_by_host(urls))
        window = 2 * max(self.config.concurrency, self.config.per_host_concurrency)
        pending: set[asyncio.Task[FetchResult]] = set()
        # Finished tasks arrive through a queue: asyncio.wait() would re-register a callback on
        # every pending task at each wake-up.
        finished: asyncio.Queue[asyncio.Task[FetchResult]] = asyncio.Queue()

        def on_done(task: asyncio.Task[FetchResult]) -> None:
            pending.discard(task)
            if not task.cancelled():
                finished.put_nowait(task)

        def refill() -> None:
            while len(pending) < window and (url := next(queue, None)) is not None:
                task = asyncio.create_task(self.fetch(url))
                pending.add(task)
                task.add_done_callback(on_done)

        try:
            refill()
            while pending or not finished.empty():
                task = await finished.get()
                refill()
                yield task.result()
        finally:
            for task in pending:
                task.cancel()

    def _from_store(self, url: str) -> FetchResult:
        stored = self.store.get(url) if self.store is not None else None
        if stored is None:
            raise NotInStoreError(url, "not in the page store (offline)")
        return stored

    async def _fetch_online(self, url: str, trace: _Trace) -> FetchResult:
        cond_url, cond_headers = self._conditional(url)
        try:
            response = await self._follow(
                url,
                trace,
                self.config.max_bytes,
                lambda hop: cond_headers if hop == cond_url else {},
            )
        except _NETWORK_ERRORS as exc:
            raise TransportError(trace.url, _describe(exc)) from exc
        return await self._finish(url, response, trace)

    def _conditional(self, url: str) -> tuple[str | None, dict[str, str]]:
        """The hop that gets conditional headers (the stored final URL), and the headers."""
        stored = self.store.get_entry(url) if self.store is not None else None
        if stored is not None and self.store is not None:
            return stored["final_url"] or url, self.store.validators(url)
        return None, {}

    async def _follow(
        self,
        url: str,
        trace: _Trace,
        limit: int,
        headers_for: _HeadersFor,
        *,
        robots_txt: bool = False,
    ) -> _Response:
        """Request `url`, following at most `max_redirects` redirects, each hop checked again."""
        current = url
        for _ in range(self.config.max_redirects + 1):
            trace.url = current
            response = await self._checked_request(
                current, trace, limit, headers_for(current), robots_txt=robots_txt
            )
            location = response.headers.get("location")
            if response.status not in REDIRECT_STATUSES or not location:
                return response
            current = urljoin(current, location.strip())
        raise TooManyRedirects(url, f"more than {self.config.max_redirects} redirects")

    async def _checked_request(
        self, url: str, trace: _Trace, limit: int, headers: dict[str, str], *, robots_txt: bool
    ) -> _Response:
        parts = check_scheme(url)
        host = parts.hostname or ""
        await self._guard.check(host, subject=url)
        if self.config.respect_robots and not robots_txt:
            refusal, crawl_delay = await self._robots.check(url, parts)
            if crawl_delay:
                self._politeness.set_crawl_delay(host, crawl_delay)
            if refusal is not None:
                raise RobotsDisallowed(url, refusal)
        exchange = functools.partial(
            self._exchange, url, host, trace, limit, headers, check_type=not robots_txt
        )
        try:
            try:
                return await exchange()
            except _RETRYABLE as exc:
                # Most requests succeed at once; tenacity's loop costs ~0.1 ms of CPU per
                # request, so it only starts after a failure, which it replays as attempt 1.
                return await self._retry(exchange, exc, trace)
        except _RetryableStatus as exc:
            return exc.response  # out of attempts: the caller reports the status

    async def _retry(
        self, exchange: Callable[[], Awaitable[_Response]], first: BaseException, trace: _Trace
    ) -> _Response:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.config.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_RETRYABLE),
            reraise=True,
            before_sleep=trace.retried,
        )
        failed: BaseException | None = first
        async for attempt in retrying:
            with attempt:
                if failed is not None:
                    error, failed = failed, None
                    raise error
                return await exchange()
        raise AssertionError("unreachable: tenacity either returns or re-raises")

    def _wait(self, state: RetryCallState) -> float:
        """Exponential back-off with jitter, or the server's Retry-After (capped)."""
        exc = state.outcome.exception() if state.outcome is not None else None
        if isinstance(exc, _RetryableStatus) and exc.retry_after is not None:
            return min(exc.retry_after, self.config.retry_after_cap)
        return float(self._backoff(state))

    async def _exchange(
        self,
        url: str,
        host: str,
        trace: _Trace,
        limit: int,
        headers: dict[str, str],
        *,
        check_type: bool,
    ) -> _Response:
        """One request inside the host's politeness slot and the global concurrency limit."""
        async with self._politeness.slot(host), self._global:
            trace.sent += 1
            # read_timeout bounds each read; this bounds the whole page, so a server that
            # trickles a byte at a time cannot hold a slot for ever.
            try:
                async with asyncio.timeout(self.config.page_timeout):
                    return await self._send(url, host, trace, limit, headers, check_type)
            except TimeoutError:
                reason = f"page not complete within page_timeout ({self.config.page_timeout} s)"
                raise httpx.ReadTimeout(reason) from None

    async def _send(
        self,
        url: str,
        host: str,
        trace: _Trace,
        limit: int,
        headers: dict[str, str],
        check_type: bool,
    ) -> _Response:
        assert self._open is not None, "use `async with Fetcher(...)`"
        request = httpx.Request(
            "GET",
            url,
            # Copying a ready httpx.Headers is cheaper than normalising a dict per request.
            headers=self._base_headers if not headers else {**self._base_headers, **headers},
            extensions={"timeout": self._timeout},
        )
        response = await self._open.handle_async_request(request)
        try:
            trace.status = status = response.status_code
            # One pass over the headers: every httpx.Headers lookup decodes them again.
            found = dict(response.headers.items())
            if status in RETRY_STATUSES:
                if status in BACKOFF_STATUSES:
                    self._politeness.back_off(host)
                retry_after = parse_retry_after(found.get("retry-after"))
                raise _RetryableStatus(_Response(url, status, found, b""), retry_after)
            if status < 400:
                self._politeness.recover(host)
            body = b""
            if 200 <= status < 300:
                if check_type:
                    check_content_type(url, found.get("content-type"), self.accept)
                body = await read_capped(url, response, found, limit)
            return _Response(url, status, found, body)
        finally:
            await response.aclose()

    async def _fetch_robots(self, url: str) -> tuple[int, bytes]:
        trace = _Trace(url)
        try:
            response = await self._follow(
                url, trace, ROBOTS_MAX_BYTES, lambda _: {}, robots_txt=True
            )
        except TooLargeError:
            return 500, b""
        except _NETWORK_ERRORS as exc:
            raise TransportError(url, _connect_problem(exc)) from exc
        return response.status, response.body

    async def _finish(
        self, url: str, response: _Response, trace: _Trace
    ) -> FetchResult:
        if response.status == 304 and self.store is not None:
            stored = self.store.get(url)
            if stored is not None:
                checked = dataclasses.replace(stored, fetched_at=utc_now())
                await asyncio.to_thread(self.store.put, checked)
                return dataclasses.replace(
                    checked, status=304, attempts=trace.attempts, not_modified=True
                )
        if not 200 <= response.status < 300:
            raise HTTPStatusError(response.url, response.status)
        headers = response.headers
        result = FetchResult(
            url=url,
            final_url=response.url,
            status=response.status,
            headers=headers,
            body=response.body,
            text=decode_body(response.body, headers.get("content-type")),
            attempts=trace.attempts,
        )
        if self.store is not None:
            await asyncio.to_thread(self.store.put, result)
        return result


_CONNECT_PROBLEMS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset",
    errno.ETIMEDOUT: "connection timed out",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETUNREACH: "network unreachable",
}


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def _connect_problem(exc: BaseException) -> str:
    """What went wrong on the wire, in words ("connection refused"), else `_describe`'s line.
    httpx and aiohttp wrap the OSError that says it, down the cause chain; the OSError wins over
    the wrappers' names (the aiohttp bridge calls a refused connection a ConnectTimeout)."""
    for cause in _causes(exc):
        if isinstance(cause, OSError) and cause.errno in _CONNECT_PROBLEMS:
            return _CONNECT_PROBLEMS[cause.errno]
    if any(isinstance(c, TimeoutError | httpx.TimeoutException) for c in _causes(exc)):
        return "timed out"
    return _describe(exc)


def _describe(exc: BaseException) -> str:
    """Name the underlying failure on one line (the aiohttp transport maps errors broadly)."""
    root = exc.__cause__ or exc
    message = " ".join(str(root).split())
    return f"{type(root).__name__}: {message}" if message else type(root).__name__
