"""`[[sources]]` to candidate article URLs, one source at a time, streaming.

Kinds (`kind = "auto"` decides from the fetched content):
  feed, sitemap  RSS/Atom, XML sitemaps and indexes (plain or gzipped), plain-text sitemaps and
                 robots.txt `Sitemap:` lines: read by `discover.discover`
  listing        an index or section page: article links by URL shape or `link_pattern`,
                 pagination followed up to `max_pages`
  page           a known article, and its related-article links up to `depth` levels
  search         `url` with `{query}` filled in (from `query`, else from the examples), then
                 read as a listing

Like `discover`, this module never touches the network: `load` turns a batch of URLs into
`Loaded` documents, in order (the caller gives it the project's Fetcher).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote_plus

from scraper.config import SourceConfig
from scraper.errors import InputError
from scraper.sources.discover import Discovery, Loaded, Options, site_of
from scraper.sources.feeds import instant, parse_feed
from scraper.sources.links import (
    is_article_page,
    links,
    looks_like_article,
    looks_like_headline,
    next_page,
)

LoadBatch = Callable[[list[str]], list[Loaded]]
# Runs `discover.discover` over feed and sitemap URLs; `first` is the already-loaded root.
DiscoverFeeds = Callable[[list[str], Options, Loaded | None], Discovery]
_XML_OR_TEXT = re.compile(rb"^\s*(?:<\?xml|<rss|<feed|<urlset|<sitemapindex|<rdf:|https?://)",
                          re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    """An article URL a source listed, with what the source said of it."""

    url: str
    source: str
    title: str | None = None
    summary: str | None = None
    published: str | None = None


class Collector:
    """`Collector(load, feeds, query_for).candidates(source)` yields a source's candidates."""

    def __init__(self, load: LoadBatch, feeds: DiscoverFeeds,
                 query_for: Callable[[], str] | None = None,
                 on_error: Callable[[str, str], None] | None = None,
                 now: datetime | None = None) -> None:
        self.load, self.feeds, self.query_for = load, feeds, query_for
        self.on_error = on_error or (lambda source, reason: None)
        self.now = now
        self.kinds: dict[str, str] = {}  # what each source was read as (auto decides)

    def candidates(self, source: SourceConfig) -> Iterator[Candidate]:
        """The source's article URLs, filtered by site, age and count."""
        count = 0
        for item in self._by_kind(source):
            if not self._wanted(item, source):
                continue
            yield item
            count += 1
            if source.max_articles is not None and count >= source.max_articles:
                return

    def _wanted(self, item: Candidate, source: SourceConfig) -> bool:
        if source.same_site and site_of(item.url) != site_of(self._start_url(source)):
            return False
        if source.max_age_days is None or item.published is None or self.now is None:
            return True
        return instant(item.published) >= self.now - timedelta(days=source.max_age_days)

    def _start_url(self, source: SourceConfig) -> str:
        if source.kind != "search":
            return source.url
        query = source.query or (self.query_for() if self.query_for else "")
        return source.url.replace("{query}", quote_plus(query))

    def _by_kind(self, source: SourceConfig) -> Iterator[Candidate]:
        start = self._start_url(source)
        self.kinds[source.url] = source.kind
        if source.kind in ("feed", "sitemap"):
            yield from self._feeds(start, source, None)
            return
        (first,) = self.load([start])
        if first.error is not None:
            self.on_error(start, first.error)
            return
        kind = source.kind if source.kind != "auto" else _sniff(first, start)
        self.kinds[source.url] = kind
        if kind in ("feed", "sitemap"):
            yield from self._feeds(start, source, first)
        elif kind == "page":
            yield from self._pages(first, source)
        else:
            yield from self._listing(first, source)

    def _feeds(self, start: str, source: SourceConfig, first: Loaded | None) -> Iterator[Candidate]:
        options = Options(same_site=source.same_site)
        found = self.feeds([start], options, first)
        for where, reason in found.errors:
            self.on_error(where, reason)
        for item in found.found:
            yield Candidate(item.url, start, item.title, item.summary, item.published)

    def _listing(self, first: Loaded, source: SourceConfig) -> Iterator[Candidate]:
        """Article links of a listing and of its next pages (at most `max_pages` pages)."""
        pattern = re.compile(source.link_pattern) if source.link_pattern else None
        page: Loaded | None = first
        seen_pages: set[str] = set()
        for number in range(1, source.max_pages + 1):
            if page is None or page.error is not None:
                if page is not None:
                    self.on_error(page.source, page.error or "")
                return
            base = page.url or page.source
            seen_pages.add(base)
            for link in links(page.data, base):
                if link.url == base or link.url in seen_pages:
                    continue
                shaped = pattern.search(link.url) if pattern else \
                    looks_like_article(link.url) or looks_like_headline(link)
                if shaped:
                    yield Candidate(link.url, first.source, link.text or None)
            following = next_page(page.data, base, number)
            if following is None or following in seen_pages:
                return
            (page,) = self.load([following])

    def _pages(self, first: Loaded, source: SourceConfig) -> Iterator[Candidate]:
        """The page itself, then its article links, level by level, up to `depth`."""
        yield Candidate(first.url or first.source, first.source)
        seen = {first.url or first.source}
        level = [first]
        for _ in range(source.depth):
            found: list[str] = []
            for page in level:
                base = page.url or page.source
                for link in links(page.data, base):
                    if link.url not in seen and looks_like_article(link.url):
                        seen.add(link.url)
                        found.append(link.url)
                        yield Candidate(link.url, first.source, link.text or None)
            level = [p for p in self.load(found) if p.error is None] if found else []


def _sniff(loaded: Loaded, url: str) -> str:
    """What a fetched source is: a feed or sitemap (XML, gzip, plain text, robots.txt), an
    article page, or a listing."""
    data = loaded.data
    if data[:2] == b"\x1f\x8b" or _XML_OR_TEXT.match(data) or url.endswith("/robots.txt"):
        try:
            feed = parse_feed(data, loaded.url or url)
        except InputError:
            pass
        else:
            return "feed" if feed.kind in ("rss", "atom") else "sitemap"
    return "page" if is_article_page(data, loaded.url or url) else "listing"
