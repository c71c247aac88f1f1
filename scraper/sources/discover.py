"""Discover article URLs from feeds and sitemaps: follow sitemap indexes (bounded), deduplicate,
filter by date and site, newest first.

This module never touches the network itself: the caller passes `load`, which turns a batch of
sources (URLs or local paths) into bytes or an error. The CLI gives it the project's Fetcher, so
robots.txt, politeness and the address checks apply to every feed and sitemap.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from courlan import extract_domain

from scraper.document import canonical_url
from scraper.errors import InputError
from scraper.sources.feeds import Dated, Feed, instant, newest_first, parse_feed

# How many levels of sitemap index are followed below a source (index -> index -> urlset), and
# how many child sitemaps one source may bring in all: news sites list years of monthly archives.
DEFAULT_MAX_DEPTH = 2
DEFAULT_MAX_SITEMAPS = 50


@dataclass(frozen=True)
class Loaded:
    """What `load` made of one source: its bytes and the URL they came from, or an error."""

    source: str
    data: bytes = b""
    url: str | None = None  # the final URL after redirects (base of relative links); None: a file
    error: str | None = None  # one-line reason when the source could not be read


Load = Callable[[list[str]], Awaitable[list[Loaded]]]


@dataclass(frozen=True)
class Found:
    """An article URL (canonical), its date when known, and the feed or sitemap that listed it."""

    url: str
    published: str | None
    source: str
    title: str | None = field(default=None, compare=False)
    summary: str | None = field(default=None, compare=False)

    def as_json(self) -> dict[str, str | None]:
        return {"url": self.url, "published": self.published, "source": self.source}


@dataclass(frozen=True)
class Options:
    since: datetime | None = None  # keep entries dated at or after this (undated ones stay)
    same_site: bool = False  # keep only URLs on the registrable domain of their source
    max_urls: int | None = None
    max_depth: int = DEFAULT_MAX_DEPTH
    max_sitemaps: int = DEFAULT_MAX_SITEMAPS


@dataclass
class Discovery:
    found: list[Found] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (source, reason): exit 1
    notes: list[tuple[str, str]] = field(default_factory=list)  # (source, what was not followed)


@dataclass(frozen=True)
class _Task:
    source: str
    root: str  # the SOURCE argument this document descends from (the sitemap budget is per root)
    site: str | None  # the registrable domain entries must be on with same_site; None: any


def site_of(url: str) -> str | None:
    """The registrable domain of `url` (kanal.sindonews.com -> sindonews.com); the bare host for
    IP addresses and single-label hosts; None for a local path."""
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[::1": no host to belong to
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return extract_domain(url) or parts.hostname.lower()


async def discover(sources: list[str], load: Load, options: Options) -> Discovery:
    """Read every source, follow sitemap indexes level by level, and return the article URLs."""
    result = Discovery()
    entries: list[Found] = []
    followed: dict[str, int] = {}
    seen: set[str] = set(sources)
    level = [_Task(source, source, site_of(source)) for source in dict.fromkeys(sources)]
    depth = 0
    while level:
        next_level: list[_Task] = []
        loaded = await load([task.source for task in level])
        for task, item in zip(level, loaded, strict=True):
            feed = _parse(item, result)
            if feed is None:
                continue
            if not feed.is_index:
                entries.extend(_articles(feed, task, options))
                continue
            if depth >= options.max_depth:
                note = f"sitemap index nested deeper than {options.max_depth} levels, not followed"
                result.notes.append((task.source, note))
                continue
            for child in _children(feed, task, options, followed, result):
                if child.source not in seen:
                    seen.add(child.source)
                    next_level.append(child)
        level = next_level
        depth += 1
    result.found = _select(entries, options)
    return result


def _parse(item: Loaded, result: Discovery) -> Feed | None:
    if item.error is not None:
        result.errors.append((item.source, item.error))
        return None
    try:
        return parse_feed(item.data, item.url or item.source)
    except InputError as exc:
        result.errors.append((item.source, exc.reason))
        return None


def _on_site(url: str, site: str | None, options: Options) -> bool:
    return not options.same_site or site is None or site_of(url) == site


def _recent(entry: Dated, options: Options) -> bool:
    if options.since is None or entry.published is None:
        return True
    return instant(entry.published) >= options.since


def _articles(feed: Feed, task: _Task, options: Options) -> list[Found]:
    site = task.site or site_of(task.source)
    return [
        Found(canonical_url(entry.url), entry.published, task.source, entry.title,
              entry.summary)
        for entry in feed.entries
        if _on_site(entry.url, site, options)
    ]


def _children(
    feed: Feed, task: _Task, options: Options, followed: dict[str, int], result: Discovery
) -> list[_Task]:
    """The child sitemaps worth fetching: on site, changed since `since`, newest first, within
    the per-source budget (the rest is reported as a note)."""
    site = task.site or site_of(task.source)
    wanted = newest_first(
        entry for entry in feed.entries
        if _on_site(entry.url, site, options) and _recent(entry, options)
    )
    budget = max(0, options.max_sitemaps - followed.get(task.root, 0))
    if len(wanted) > budget:
        note = f"{len(wanted) - budget} child sitemaps over the limit of {options.max_sitemaps} " \
               "not followed"
        result.notes.append((task.source, note))
    taken = wanted[:budget]
    followed[task.root] = followed.get(task.root, 0) + len(taken)
    return [_Task(entry.url, task.root, site) for entry in taken]


def _select(entries: list[Found], options: Options) -> list[Found]:
    """Deduplicate by canonical URL (keeping the newest date), filter by date, sort, cap."""
    best: dict[str, Found] = {}
    for found in entries:
        kept = best.get(found.url)
        if kept is None or _newer(found, kept):
            best[found.url] = found
    selected = newest_first(found for found in best.values() if _recent(found, options))
    return selected[: options.max_urls] if options.max_urls is not None else selected


def _newer(found: Found, kept: Found) -> bool:
    if found.published is None:
        return False
    return kept.published is None or instant(found.published) > instant(kept.published)
