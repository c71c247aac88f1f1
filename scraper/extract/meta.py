"""Title, date, author and URL of a page: JSON-LD NewsArticle first, then meta tags, then the
profile's selectors.

JSON-LD is the most reliable source where a page has it: it carries the full timestamp with its
zone, where the visible dateline often has only a local time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from scraper.dates import parse_date
from scraper.document import normalize_line

ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting",
     "OpinionNewsArticle", "BackgroundNewsArticle", "LiveBlogPosting", "Report"}
)
LISTING_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage"})
_TITLE_META = ("og:title", "twitter:title", "title")
_DATE_META = ("article:published_time", "og:published_time", "pubdate", "publishdate",
              "publish-date", "date", "dc.date", "dc.date.issued", "dtk:publishdate")
# When neither JSON-LD, meta tags nor the profile name a title: the page's headline element.
_LAST_RESORT_TITLE = ("h1", "title")
_SITE_NAME_META = ("og:site_name", "application-name")
# Real JSON-LD nests an article a few levels deep (@graph, lists, author objects); deeper
# structures are not walked, so that a hostile page cannot exhaust the stack.
_MAX_DEPTH = 8
_AUTHOR_META = ("author", "article:author", "dc.creator", "dtk:author", "content_author")


@dataclass
class Meta:
    title: str | None = None
    date: str | None = None
    author: str | None = None
    url: str | None = None
    types: frozenset[str] = frozenset()


def _objects(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        yield from _objects(data.get("@graph", []), depth + 1)


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type", [])
    return {k for k in ([kind] if isinstance(kind, str) else kind) if isinstance(k, str)}


def _name(value: Any, depth: int = 0) -> str | None:
    if isinstance(value, str):
        return normalize_line(value) or None
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, dict):
        return _name(value.get("name"), depth + 1)
    if isinstance(value, list):
        names = [n for n in (_name(v, depth + 1) for v in value) if n]
        return ", ".join(dict.fromkeys(names)) or None
    return None


def json_ld(tree: LexborHTMLParser) -> tuple[dict[str, Any] | None, set[str]]:
    """The first article object of the page's JSON-LD, and every @type seen."""
    seen: set[str] = set()
    article: dict[str, Any] | None = None
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text(deep=True), strict=False)
        except (ValueError, RecursionError):
            continue  # broken (or absurdly deep) JSON-LD is common; the meta tags still count
        for obj in _objects(data):
            kinds = _types(obj)
            seen |= kinds
            if article is None and kinds & ARTICLE_TYPES:
                article = obj
    return article, seen


def meta_tags(tree: LexborHTMLParser) -> dict[str, str]:
    """Every `<meta property|name=... content=...>`, the first of each key, keys lowercased."""
    found: dict[str, str] = {}
    for node in tree.css("meta[content]"):
        key = (node.attributes.get("property") or node.attributes.get("name") or "").lower()
        content = (node.attributes.get("content") or "").strip()
        if key and content and key not in found:
            found[key] = content
    return found


def meta_tag(tags: dict[str, str], names: tuple[str, ...]) -> str | None:
    return next((tags[n] for n in names if n in tags), None)


def without_site_name(title: str | None, site_name: str | None) -> str | None:
    """"Headline - Site" / "Headline | Site" → "Headline", when Site is the page's site name."""
    if not title or not site_name:
        return title
    for separator in (" - ", " | ", " – ", " — ", " :: "):
        head, found, tail = title.rpartition(separator)
        if found and head and tail.strip().casefold() == site_name.strip().casefold():
            return head.strip()
    return title


def select_text(tree: LexborHTMLParser, selectors: tuple[str, ...]) -> str | None:
    for selector in selectors:
        node = tree.css_first(selector)
        if node is not None:
            text = normalize_line(node.text(separator=" "))
            if text:
                return text
            content = node.attributes.get("datetime") or node.attributes.get("content")
            if content:
                return content
    return None


def _web_url(href: str | None) -> str | None:
    """`href` when it is an absolute http(s) URL with a host; pages declare broken ones too."""
    href = (href or "").strip()
    if not href.startswith(("http://", "https://")):
        return None
    try:
        return href if urlsplit(href).hostname else None
    except ValueError:  # "http://[::1": an unclosed IPv6 literal
        return None


def page_url(tree: LexborHTMLParser, tags: dict[str, str] | None = None) -> str | None:
    """The page's own URL as it declares it: the canonical link, else og:url."""
    for node in tree.css('link[rel="canonical"][href]'):
        href = _web_url(node.attributes.get("href"))
        if href:
            return href
    return _web_url(meta_tag(meta_tags(tree) if tags is None else tags, ("og:url",)))


def _author(value: str | None) -> str | None:
    # article:author is often a profile URL, which is not a name.
    if value is None or value.startswith(("http://", "https://")):
        return None
    return normalize_line(value) or None


def _date_from_selector(tree: LexborHTMLParser, selectors: tuple[str, ...]) -> str | None:
    for selector in selectors:
        node = tree.css_first(selector)
        if node is None:
            continue
        for raw in (node.attributes.get("datetime"), node.text(separator=" ")):
            parsed = parse_date(raw) if raw else None
            if parsed:
                return parsed
    return None


def read_meta(
    tree: LexborHTMLParser,
    *,
    title: tuple[str, ...] = (),
    date: tuple[str, ...] = (),
    author: tuple[str, ...] = (),
) -> Meta:
    """The page's metadata, each field from the first source that has it."""
    article, kinds = json_ld(tree)
    article = article or {}
    tags = meta_tags(tree)
    raw_date = article.get("datePublished")
    found_title = (
        _name(article.get("headline"))
        or _name(meta_tag(tags, _TITLE_META))
        or select_text(tree, title)
        or select_text(tree, _LAST_RESORT_TITLE)
    )
    return Meta(
        title=without_site_name(found_title, meta_tag(tags, _SITE_NAME_META)),
        date=(parse_date(raw_date) if isinstance(raw_date, str) else None)
        or _parse(meta_tag(tags, _DATE_META))
        or _date_from_selector(tree, date),
        author=_name(article.get("author"))
        or _author(meta_tag(tags, _AUTHOR_META))
        or select_text(tree, author),
        url=page_url(tree, tags),
        types=frozenset(kinds),
    )


def _parse(value: str | None) -> str | None:
    return parse_date(value) if value else None
