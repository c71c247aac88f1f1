"""The `[extract]` table of a site profile, validated into frozen dataclasses.

    [extract]
    body = ["#detail-desc", ".detail-desc"]   # CSS selectors; the first that matches is the body
    paragraphs = "br"                         # "p": block elements; "br": also split on <br><br>
    drop = [".ads", "div.editor"]             # elements removed from the body before reading it
    inline_labels = ['^Baca [Jj]uga\\s*:?$']  # a label element matching this is removed together
                                              # with the link that follows it ("Baca Juga: <a>")
    drop_paragraphs = ['^ADVERTISEMENT$']     # regexes: a paragraph that fully matches is dropped
    title = ["h1.detail-title"]               # selectors, used after JSON-LD and meta tags
    date = [".detail-date-artikel"]
    author = [".detail-nama-redaksi a[rel=author]"]
    next_page = [".paging-artikel a[rel=next]"]   # the link to the next page of an article
    single_page = "showpage=all"              # query that serves every page in one body
    page_number = ['[?&]page=(\\d+)']          # regexes on the URL: group 1 is the page number
    current_page = [".paging-artikel .active"]  # selectors: text of the current page's number

Selectors are checked by selectolax when the table is loaded, so a typo fails at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from scraper.errors import ProfileError
from scraper.profiles import Profile, compile_pattern

_SELECTOR_KEYS = ("body", "drop", "title", "date", "author", "next_page", "current_page")
_PATTERN_KEYS = ("inline_labels", "drop_paragraphs", "page_number")
_KNOWN = {*_SELECTOR_KEYS, *_PATTERN_KEYS, "paragraphs", "single_page"}
_PROBE = LexborHTMLParser("<html><body><p>x</p></body></html>")


@dataclass(frozen=True)
class ExtractRules:
    """How to read one site's article pages."""

    site: str
    body: tuple[str, ...] = ()
    paragraphs: str = "p"
    drop: tuple[str, ...] = ()
    inline_labels: tuple[re.Pattern[str], ...] = ()
    drop_paragraphs: tuple[re.Pattern[str], ...] = ()
    title: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    next_page: tuple[str, ...] = ()
    single_page: str | None = None
    page_number: tuple[re.Pattern[str], ...] = ()
    current_page: tuple[str, ...] = ()


def _selectors(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(where, f"[extract] {key!r} must be a list of CSS selectors")
    for selector in value:
        if not selector.strip():
            raise ProfileError(where, f"[extract] {key!r} holds an empty selector")
        try:
            _PROBE.css(selector)
        except SelectolaxError as exc:
            raise ProfileError(where, f"[extract] {key!r}: bad selector {selector!r}") from exc
    return tuple(value)


def _patterns(table: Mapping[str, Any], key: str, where: str) -> tuple[re.Pattern[str], ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(where, f"[extract] {key!r} must be a list of regexes")
    return tuple(compile_pattern(v, f"{where} [extract] {key}") for v in value)


def _single_page(table: Mapping[str, Any], where: str) -> str | None:
    value = table.get("single_page")
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[\w.-]+=[\w.-]*", value):
        raise ProfileError(where, "[extract] 'single_page' must be a query like 'page=all'")
    return value


def parse_rules(profile: Profile) -> ExtractRules:
    """Validate a profile's `[extract]` table; raises ProfileError naming the file and key."""
    table, where = profile.extract, profile.path or profile.name
    unknown = set(table) - _KNOWN
    if unknown:
        raise ProfileError(where, f"[extract] unknown keys {sorted(unknown)}")
    mode = table.get("paragraphs", "p")
    if mode not in ("p", "br"):
        raise ProfileError(where, "[extract] 'paragraphs' must be \"p\" or \"br\"")
    def sel(key: str) -> tuple[str, ...]:
        return _selectors(table, key, where)

    def pat(key: str) -> tuple[re.Pattern[str], ...]:
        return _patterns(table, key, where)

    return ExtractRules(
        site=profile.name, paragraphs=mode, single_page=_single_page(table, where),
        body=sel("body"), drop=sel("drop"), title=sel("title"), date=sel("date"),
        author=sel("author"), next_page=sel("next_page"), current_page=sel("current_page"),
        inline_labels=pat("inline_labels"), drop_paragraphs=pat("drop_paragraphs"),
        page_number=pat("page_number"),
    )


_CACHE: dict[int, tuple[Profile, ExtractRules]] = {}


def rules_for(profile: Profile) -> ExtractRules:
    """Validated rules of a profile, parsed once per profile object."""
    hit = _CACHE.get(id(profile))
    if hit is not None and hit[0] is profile:
        return hit[1]
    rules = parse_rules(profile)
    _CACHE[id(profile)] = (profile, rules)
    return rules
