"""Politeness: per-host concurrency and spacing, back-off on 429/503, and robots.txt.

A host's requests start at least `delay` apart (randomised x0.5-1.5, as Scrapy does, so the
rhythm does not look robotic), never closer than the robots.txt `Crawl-delay`, and never closer
than the back-off delay that each 429 or 503 doubles (up to `max_delay`). Each success then
halves the distance between the back-off and the configured floor (`delay`, or the Crawl-delay
when larger), as Scrapy's AutoThrottle averages its delay towards its target, so a host that
was busy for a minute is not crawled slowly for the rest of the run.

robots.txt is fetched once per origin per run: a 4xx means no rules (allow all), a 5xx or a
network failure means "disallow for now" (the origin is skipped, and its robots.txt asked for
again after 10 minutes).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import SplitResult, urlsplit

from protego import Protego

from scraper.config import DEFAULT_MAX_HOST_DELAY
from scraper.errors import FetchError

# A back-off within this share of the floor has recovered: it is dropped altogether.
RECOVERED_WITHIN = 0.05
ROBOTS_MAX_BYTES = 512 * 1024  # Google reads the first 500 KiB of a robots.txt
# After a 5xx or unreachable robots.txt, the origin is skipped this long before asking again.
ROBOTS_RECHECK_AFTER = 600.0


class _Host:
    def __init__(self, concurrency: int) -> None:
        self.semaphore = asyncio.Semaphore(concurrency)
        self.next_start = 0.0
        self.crawl_delay = 0.0
        self.backoff_delay = 0.0


class _Slot:
    """`async with politeness.slot(host)`: a class, not a generator, as it runs per request."""

    __slots__ = ("_host", "_name", "_owner")

    def __init__(self, owner: Politeness, host: _Host, name: str) -> None:
        self._owner, self._host, self._name = owner, host, name

    async def __aenter__(self) -> None:
        state = self._host
        await state.semaphore.acquire()
        now = time.monotonic()
        wait = state.next_start - now
        # Reserve this start time before sleeping, so the next caller queues behind it.
        state.next_start = max(now, state.next_start) + self._owner.delay(self._name)
        if wait > 0:
            try:
                await asyncio.sleep(wait)
            except BaseException:
                state.semaphore.release()
                raise

    async def __aexit__(self, *exc: object) -> None:
        self._host.semaphore.release()


class Politeness:
    def __init__(
        self,
        per_host_concurrency: int,
        delay: float,
        backoff_base: float,
        max_delay: float = DEFAULT_MAX_HOST_DELAY,
    ) -> None:
        self._concurrency = per_host_concurrency
        self._delay = delay
        self._backoff_base = backoff_base
        self._max_delay = max_delay
        self._hosts: dict[str, _Host] = {}

    def _host(self, host: str) -> _Host:
        found = self._hosts.get(host)
        if found is None:
            found = self._hosts[host] = _Host(self._concurrency)
        return found

    def delay(self, host: str) -> float:
        """The gap to leave before the next request to `host` starts."""
        state = self._host(host)
        jittered = self._delay * random.uniform(0.5, 1.5) if self._delay > 0 else 0.0
        return max(jittered, state.crawl_delay, state.backoff_delay)

    def current_delay(self, host: str) -> float:
        """The host's delay as it stands, without jitter (for progress displays)."""
        state = self._host(host)
        return max(self._delay, state.crawl_delay, state.backoff_delay)

    def slot(self, host: str) -> _Slot:
        """Hold one of the host's concurrent slots, started no sooner than its delay allows."""
        return _Slot(self, self._host(host), host)

    def set_crawl_delay(self, host: str, seconds: float) -> None:
        state = self._host(host)
        seconds = min(seconds, self._max_delay)
        if seconds > state.crawl_delay:
            state.crawl_delay = seconds
            # robots.txt was requested a moment ago: the next request waits a full Crawl-delay.
            state.next_start = max(state.next_start, time.monotonic() + seconds)

    def back_off(self, host: str) -> None:
        """After a 429 or 503: double the host's delay (from at least `backoff_base`)."""
        state = self._host(host)
        current = max(self._delay, state.crawl_delay, state.backoff_delay, self._backoff_base / 2)
        state.backoff_delay = min(2 * current, self._max_delay)
        # Push back a start already reserved, so that the very next request waits too.
        now = time.monotonic()
        state.next_start = max(state.next_start, now + state.backoff_delay)

    def recover(self, host: str) -> None:
        """After a success: move the back-off halfway back to the floor (AutoThrottle's average).

        The floor is the configured delay, or robots.txt's Crawl-delay when larger; `delay()`
        never goes below it whatever the back-off does.
        """
        state = self._host(host)
        if not state.backoff_delay:
            return
        floor = max(self._delay, state.crawl_delay)
        eased = (state.backoff_delay + floor) / 2
        recovered = eased - floor <= RECOVERED_WITHIN * max(floor, self._backoff_base)
        state.backoff_delay = 0.0 if recovered else eased


# (status, body) of a robots.txt; raises FetchError naming the problem when it is unreachable.
RobotsFetch = Callable[[str], Awaitable[tuple[int, bytes]]]


class Robots:
    """robots.txt rules per origin, fetched once per run through `fetch(url) -> (status, body)`.

    An origin whose robots.txt failed (5xx, unreachable) is skipped for `recheck_after` seconds,
    then its robots.txt is asked for again, so a long run is not locked out by one bad minute.
    """

    def __init__(
        self, user_agent: str, fetch: RobotsFetch, recheck_after: float = ROBOTS_RECHECK_AFTER
    ) -> None:
        self._user_agent = user_agent
        self._fetch = fetch
        self._recheck_after = recheck_after
        self._rules: dict[str, Protego | str] = {}
        self._loaded_at: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def check(self, url: str, parts: SplitResult) -> tuple[str | None, float | None]:
        """(why `url` is disallowed or None, its origin's Crawl-delay or None)."""
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        if self._needs_load(origin):
            async with self._locks.setdefault(origin, asyncio.Lock()):
                if self._needs_load(origin):  # not loaded meanwhile by another request
                    self._rules[origin] = await self._load(origin)
                    self._loaded_at[origin] = time.monotonic()
        rules = self._rules[origin]
        if isinstance(rules, str):
            return rules, None
        delay = rules.crawl_delay(self._user_agent)
        if not rules.can_fetch(url, self._user_agent):
            return "disallowed by robots.txt", delay
        return None, delay

    def _needs_load(self, origin: str) -> bool:
        rules = self._rules.get(origin)
        if rules is None:
            return True
        failed = isinstance(rules, str)
        return failed and time.monotonic() - self._loaded_at[origin] >= self._recheck_after

    async def _load(self, origin: str) -> Protego | str:
        try:
            status, body = await self._fetch(f"{origin}/robots.txt")
        except FetchError as exc:  # RFC 9309: unreachable means no crawling, for now
            return f"{exc.reason}; robots.txt unreachable, no page fetched"
        if status >= 500:
            return f"robots.txt HTTP {status}: disallowed for now"
        if status >= 400:
            return Protego.parse("")
        if status >= 300:
            return f"robots.txt redirect could not be followed (HTTP {status}): disallowed for now"
        text = body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
        return Protego.parse(text)


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # "http://[::1": the fetcher refuses it with its reason
        return ""


def interleave_by_host(urls: Iterable[str]) -> list[str]:
    """Round-robin the URLs across hosts, keeping each host's order."""
    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault(_host(url), []).append(url)
    lanes = deque(deque(lane) for lane in by_host.values())
    order: list[str] = []
    while lanes:
        lane = lanes.popleft()
        order.append(lane.popleft())
        if lane:
            lanes.append(lane)
    return order
