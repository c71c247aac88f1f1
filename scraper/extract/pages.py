"""Multi-page articles: the single-page form, next-page links, and which page a page is.

A profile that knows a single-page form (`single_page = "page=all"`) gets that URL fetched once;
otherwise the next-page links are followed in order, at most `max_pages` pages and never a URL
twice. The paragraphs that open or close every page (a repeated header, footer or title) are
chrome and are dropped when the pages are joined.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from scraper.document import normalize_line
from scraper.extract.rules import ExtractRules

FetchPage = Callable[[str], bytes | None]
_NUMBER = re.compile(r"\d{1,3}")


def with_query(url: str, query: str) -> str:
    """`url` with the `key=value` pair of `query` set (replacing the key if present)."""
    key, _, value = query.partition("=")
    parts = urlsplit(url)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != key]
    pairs.append((key, value))
    return urlunsplit(parts._replace(query=urlencode(pairs), fragment=""))


def is_single_form(url: str, query: str) -> bool:
    key, _, value = query.partition("=")
    return (key, value) in parse_qsl(urlsplit(url).query, keep_blank_values=True)


def next_link(tree: LexborHTMLParser, rules: ExtractRules, base: str) -> str | None:
    """The absolute URL of the next page, from the first `next_page` selector that matches."""
    for selector in rules.next_page:
        node = tree.css_first(selector)
        href = node.attributes.get("href") if node is not None else None
        if href and href.strip() and not href.strip().startswith(("#", "javascript:")):
            joined = _join(base, href.strip())
            return urldefrag(joined)[0] if joined else None
    return None


def _join(base: str, href: str) -> str | None:
    """`href` made absolute against `base`; None for a link that is no URL ("http://[::1")."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def page_number(tree: LexborHTMLParser, url: str | None, rules: ExtractRules) -> int | None:
    """Which page of its article this page says it is, when it says so."""
    for pattern in rules.page_number:
        match = pattern.search(url or "")
        if match and match.group(1).isdigit():
            return int(match.group(1))
    for selector in rules.current_page:
        node = tree.css_first(selector)
        found = _NUMBER.fullmatch(normalize_line(node.text())) if node is not None else None
        if found:
            return int(found.group())
    return None


def first_page_url(tree: LexborHTMLParser, url: str | None, rules: ExtractRules) -> str | None:
    """The URL of page 1, from the pagination widget's "1" link, else the canonical link."""
    for selector in rules.current_page:
        node = tree.css_first(selector)
        widget = node.parent if node is not None else None
        for link in widget.css("a[href]") if widget is not None else []:
            if normalize_line(link.text()) == "1":
                return _join(url or "", link.attributes.get("href") or "")
    canonical = tree.css_first('link[rel="canonical"][href]')
    href = canonical.attributes.get("href") if canonical is not None else None
    return href if href and href != url else None


def strip_repeats(pages: list[list[str]]) -> list[list[str]]:
    """Drop the leading and trailing paragraphs that every page repeats (header, footer)."""
    if len(pages) < 2:
        return pages
    common = set(pages[0]).intersection(*pages[1:])
    out = []
    for paragraphs in pages:
        start, end = 0, len(paragraphs)
        while start < end and paragraphs[start] in common:
            start += 1
        while end > start and paragraphs[end - 1] in common:
            end -= 1
        out.append(paragraphs[start:end])
    return out
