"""Feeds and sitemaps to article URLs: RSS 2.0 (and RSS 1.0), Atom, sitemap urlsets (with Google
News `news:publication_date` and `lastmod`) and sitemap indexes.

XML is parsed with defusedxml: entity declarations (billion laughs) and external entities or DTDs
are refused, never expanded or fetched. Namespaces are ignored (only local tag names count), so
feeds with unusual prefixes or a missing default namespace still parse. A document that is not
well-formed, or is not one of the formats above, is one `InputError` naming its source.
"""

from __future__ import annotations

import email.utils
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Protocol, TypeVar
from urllib.parse import urljoin, urlsplit

import defusedxml
import defusedxml.ElementTree as SafeET

from scraper.dates import parse_indonesian_date, parse_iso_date
from scraper.errors import InputError
from scraper.sources.compression import gunzip

# The zone of most Indonesian newsrooms: a date or time without a zone is taken as WIB (as in
# scraper.dates).
WIB = timezone(timedelta(hours=7))
_INDONESIAN_ZONE = re.compile(r"\bWI(?:B|TA|T)\b")
_GZIP_MAGIC = b"\x1f\x8b"
_UTF8_BOM = b"\xef\xbb\xbf"
_HTML = re.compile(rb"(?i)<!doctype\s+html|<html[\s>]")

# Root element (local name) -> the kind of document.
KINDS = {"rss": "rss", "RDF": "rss", "feed": "atom", "urlset": "urlset", "sitemapindex": "index"}


@dataclass(frozen=True)
class Entry:
    """One URL a feed or sitemap lists: an article, or (in a sitemap index) a child sitemap."""

    url: str
    published: str | None = None  # ISO 8601, as parsed; None when the document gives no date
    # What the feed or news sitemap says of the article, if anything (for the relevance
    # pre-score); not part of an entry's identity.
    title: str | None = field(default=None, compare=False)
    summary: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Feed:
    """A parsed document: `kind` is "rss", "atom", "urlset", "text" (a plain-text sitemap) or
    "index" (a sitemap index, or the `Sitemap:` lines of a robots.txt)."""

    kind: str
    entries: list[Entry]

    @property
    def is_index(self) -> bool:
        return self.kind == "index"


def parse_feed(data: bytes, source: str, *, max_bytes: int = 50 * 1024 * 1024) -> Feed:
    """Parse an RSS, Atom or sitemap document; relative URLs are resolved against `source`."""
    if data[:2] == _GZIP_MAGIC:  # sitemap.xml.gz saved or served without Content-Encoding
        data = gunzip(data, source, max_bytes)
    # A UTF-8 BOM or blank lines before the XML declaration (a common CMS slip) make the
    # document ill-formed; they carry nothing, so they go.
    data = data.removeprefix(_UTF8_BOM).lstrip(b" \t\r\n")
    if not data:
        raise InputError(source, "empty feed")
    if _HTML.match(data):
        raise InputError(source, "an HTML page, not a feed or sitemap")
    plain = _plain_text(data, source)
    if plain is not None:
        return plain
    root = _parse_xml(data, source)
    kind = KINDS.get(_local(root.tag))
    if kind is None:
        reason = f"not an RSS, Atom or sitemap document (root element <{_local(root.tag)}>)"
        raise InputError(source, reason)
    readers = {"rss": _rss, "atom": _atom, "urlset": _urlset, "index": _index}
    entries = [
        Entry(url, published, title, summary)
        for raw, published, title, summary in readers[kind](root)
        if (url := _absolute(raw, source)) is not None
    ]
    return Feed(kind, entries)


_SITEMAP_LINE = re.compile(rb"(?im)^\s*sitemap\s*:\s*(\S+)")


def _plain_text(data: bytes, source: str) -> Feed | None:
    """A plain-text sitemap (one URL a line) or a robots.txt with `Sitemap:` lines; None for
    anything that starts like XML."""
    if data.startswith(b"<"):
        return None
    if source.lower().rstrip("/").endswith("/robots.txt") or _SITEMAP_LINE.search(data):
        found = (_absolute(m.decode("utf-8", "replace"), source)
                 for m in _SITEMAP_LINE.findall(data))
        return Feed("index", [Entry(url) for url in found if url])
    lines = [line.strip() for line in data.decode("utf-8", "replace").splitlines()]
    urls = [line for line in lines if line]
    if not urls or not all(u.startswith(("http://", "https://")) for u in urls):
        raise InputError(source, "not an RSS, Atom, XML or plain-text sitemap document")
    return Feed("text", [Entry(u) for u in urls])


def _parse_xml(data: bytes, source: str) -> ET.Element:
    try:
        root: ET.Element = SafeET.fromstring(data, forbid_dtd=False)
    except defusedxml.DefusedXmlException as exc:
        raise InputError(source, f"unsafe XML refused ({type(exc).__name__})") from None
    except ET.ParseError as exc:
        raise InputError(source, f"malformed XML ({exc})") from None
    return root


def _local(tag: object) -> str:
    """The tag name without its namespace: '{http://www.sitemaps.org/...}url' -> 'url'."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (child for child in element if _local(child.tag) == name)


def _text(element: ET.Element, *names: str) -> str | None:
    """The stripped text of the first non-empty child named one of `names` (in that order)."""
    for name in names:
        for child in _children(element, name):
            value = (child.text or "").strip()
            if value:
                return value
    return None


def _descendants(root: ET.Element, name: str) -> Iterator[ET.Element]:
    return (element for element in root.iter() if _local(element.tag) == name)


_Read = Iterator[tuple[str, str | None, str | None, str | None]]


def _rss(root: ET.Element) -> _Read:
    for item in _descendants(root, "item"):
        link = _text(item, "link")
        if link is None:
            link = _permalink_guid(item)
        if link is not None:
            yield (link, entry_date(_text(item, "pubDate", "date", "published", "updated")),
                   _text(item, "title"), _text(item, "description", "summary"))


def _permalink_guid(item: ET.Element) -> str | None:
    for guid in _children(item, "guid"):
        value = (guid.text or "").strip()
        if guid.get("isPermaLink", "true").lower() != "false" and value.startswith("http"):
            return value
    return None


def _atom(root: ET.Element) -> _Read:
    for entry in _descendants(root, "entry"):
        links = [link for link in _children(entry, "link") if link.get("href")]
        alternate = [link for link in links if link.get("rel", "alternate") == "alternate"]
        chosen = (alternate or links)[:1]
        if chosen:
            href = chosen[0].get("href", "").strip()
            yield (href, entry_date(_text(entry, "published", "updated", "issued", "modified")),
                   _text(entry, "title"), _text(entry, "summary", "content"))


def _urlset(root: ET.Element) -> _Read:
    for url in _children(root, "url"):
        loc = _text(url, "loc")
        if loc is None:
            continue
        blocks = list(_children(url, "news"))
        dated = [value for block in blocks if (value := _text(block, "publication_date"))]
        titles = [value for block in blocks if (value := _text(block, "title"))]
        yield (loc, entry_date(dated[0] if dated else _text(url, "lastmod")),
               titles[0] if titles else None, None)


def _index(root: ET.Element) -> _Read:
    for sitemap in _children(root, "sitemap"):
        loc = _text(sitemap, "loc")
        if loc is not None:
            yield loc, entry_date(_text(sitemap, "lastmod")), None, None


def _absolute(url: str, source: str) -> str | None:
    """`url` resolved against the document's own URL; only http(s) URLs are article candidates."""
    try:
        base = source if urlsplit(source).scheme in ("http", "https") else ""
        resolved = urljoin(base, url.strip()) if base else url.strip()
        scheme = urlsplit(resolved).scheme
    except ValueError:  # "http://[::1": an unclosed IPv6 literal is no article URL
        return None
    return resolved if scheme in ("http", "https") else None


def entry_date(text: str | None) -> str | None:
    """A feed or sitemap date as ISO 8601: ISO / W3C first, then RFC 822 (RSS `pubDate`), then the
    Indonesian shapes. None when absent or unreadable (the entry is kept, undated)."""
    if not text:
        return None
    iso = parse_iso_date(text)
    if iso is not None:
        return iso
    rfc = _rfc822(text)
    return rfc if rfc is not None else parse_indonesian_date(text)


def _rfc822(text: str) -> str | None:
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        # "-0000" or a zone name email.utils does not know; WIB and friends are Indonesian.
        if _INDONESIAN_ZONE.search(text):
            return parse_indonesian_date(text)
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.isoformat()


def instant(published: str) -> datetime:
    """An entry date as an aware datetime for comparing; no zone or no time means WIB midnight."""
    parsed = datetime.fromisoformat(published)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=WIB)


class Dated(Protocol):
    @property
    def published(self) -> str | None: ...


D = TypeVar("D", bound=Dated)


def newest_first(entries: Iterable[D]) -> list[D]:
    """Dated entries newest first, then the undated ones in their original order (stable)."""
    listed = list(entries)
    dated = [e for e in listed if e.published is not None]
    undated = [e for e in listed if e.published is None]
    dated.sort(key=lambda e: instant(e.published or ""), reverse=True)
    return dated + undated
