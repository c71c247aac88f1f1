"""`extract_html`: one article from a page, with its later pages.

A page whose site has a profile with a `body` selector is read with the profile's selectors;
a page without one goes to trafilatura, and so does a page where the profile missed the article
(`scraper.extract.miss`: no match, or a match that does not look like an article): the
document then says so in `profile_miss`. Either way the
metadata comes from JSON-LD, then meta tags, then selectors, then htmldate.
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from scraper.charset import decode_body
from scraper.config import ExtractConfig
from scraper.document import Document
from scraper.errors import ExtractError, FetchError
from scraper.extract.body import find_body, paragraphs_of
from scraper.extract.depth import too_deep
from scraper.extract.fallback import find_page_date, run_trafilatura, screen
from scraper.extract.meta import Meta, page_url, read_meta
from scraper.extract.miss import profile_miss
from scraper.extract.pages import (
    FetchPage,
    first_page_url,
    is_single_form,
    next_link,
    page_number,
    strip_repeats,
    with_query,
)
from scraper.extract.rules import ExtractRules, rules_for
from scraper.profiles import ProfileSet


def decode_html(raw: bytes | str) -> str:
    """Page bytes to text: BOM, the page's declared charset, UTF-8, else detection."""
    return raw if isinstance(raw, str) else decode_body(raw)


@dataclass
class _Page:
    url: str | None
    html: str
    tree: LexborHTMLParser
    next_url: str | None = None


@dataclass
class _Text:
    paragraphs: list[str]
    by_trafilatura: bool
    title: str | None = None  # the article's title, which trafilatura may repeat on each page
    miss: str | None = None  # the rule by which the profile missed, when it did (extract.miss)


def _load(raw: bytes | str, url: str | None, config: ExtractConfig) -> _Page:
    html = decode_html(raw)
    if too_deep(html, config.max_depth):
        reason = f"HTML nested deeper than {config.max_depth} elements (extract.max_depth)"
        raise ExtractError(url or "<html>", f"{reason}, not parsed")
    return _Page(url, html, LexborHTMLParser(html))


def _read(
    page: _Page, rules: ExtractRules, config: ExtractConfig, title: str | None = None,
    first_page: bool = True,
) -> _Text:
    # Before the body is read: reading removes elements, and the pager may sit in the body.
    page.next_url = next_link(page.tree, rules, page.url) if page.url else None
    generic: list[list[str]] = []

    def generic_text() -> list[str]:
        if not generic:
            generic.append(run_trafilatura(page.html, page.url, title, config))
        return generic[0]

    if not rules.body:
        return _Text(generic_text(), True, title)
    body = find_body(page.tree, rules)
    paragraphs = paragraphs_of(body, rules) if body is not None else []
    miss = profile_miss(body, paragraphs, generic_text, first_page=first_page)
    if miss is None:
        return _Text(paragraphs, False, title)
    return _Text(generic_text(), True, title, miss)


def _words(paragraphs: list[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)


def _fetch(fetch: FetchPage, url: str, config: ExtractConfig) -> _Page | None:
    try:
        raw = fetch(url)
        return _load(raw, url, config) if raw else None
    except (FetchError, ExtractError):
        return None  # a missing or unreadable later page leaves the pages before it


def _single_form(
    url: str, query: str, text: _Text, rules: ExtractRules, config: ExtractConfig,
    fetch: FetchPage,
) -> tuple[list[str], list[str]] | None:
    all_url = with_query(url, query)
    page = _fetch(fetch, all_url, config)
    if page is None:
        return None
    paragraphs = _read(page, rules, config, text.title).paragraphs
    # The single-page form holds every page, so it cannot be shorter than page 1.
    if _words(paragraphs) < _words(text.paragraphs):
        return None
    return paragraphs, [url, all_url]


def _follow(
    url: str, first: _Page, text: _Text, rules: ExtractRules, config: ExtractConfig,
    fetch: FetchPage,
) -> tuple[list[str], list[str]]:
    chain, urls, current = [text.paragraphs], [url], first
    while len(urls) < config.max_pages:
        target = current.next_url
        if target is None or target in urls:
            break  # the last page, or a loop back to a page already read
        page = _fetch(fetch, target, config)
        if page is None:
            break
        paragraphs = _read(page, rules, config, text.title, first_page=False).paragraphs
        if not paragraphs:
            break
        chain.append(paragraphs)
        urls.append(target)
        current = page
    return [p for page_paragraphs in strip_repeats(chain) for p in page_paragraphs], urls


def _all_pages(
    first: _Page, text: _Text, rules: ExtractRules, config: ExtractConfig,
    fetch: FetchPage | None,
) -> tuple[list[str], list[str]]:
    url = first.url
    if fetch is None or not config.follow_pagination or url is None:
        return text.paragraphs, [url] if url else []
    if rules.single_page:
        if is_single_form(url, rules.single_page):
            return text.paragraphs, [url]
        single = _single_form(url, rules.single_page, text, rules, config, fetch)
        if single is not None:
            return single
    return _follow(url, first, text, rules, config, fetch)


def _not_an_article(page: _Page, meta: Meta, text: _Text, config: ExtractConfig) -> str | None:
    if text.by_trafilatura:
        text.paragraphs, reason = screen(page.tree, meta, text.paragraphs, config)
        return reason
    words = _words(text.paragraphs)
    if words < config.min_words:
        return f"no article text ({words} words, fewer than {config.min_words})"
    return None


def extract_html(
    html: bytes | str,
    *,
    url: str | None,
    profiles: ProfileSet,
    config: ExtractConfig,
    fetch: FetchPage | None = None,
    site: str | None = None,
) -> Document:
    """One article from a page (and its later pages, fetched through `fetch`).

    Raises ExtractError(url or "<html>", reason) for a listing/index page or a page without
    article text.
    """
    first = _load(html, url, config)
    first.url = url or page_url(first.tree)
    subject = first.url or "<html>"
    profile = profiles.get(site) if site else profiles.for_url(first.url) or profiles.generic
    rules = rules_for(profile)
    meta = read_meta(first.tree, title=rules.title, date=rules.date, author=rules.author)
    number = page_number(first.tree, first.url, rules)
    part_of = first_page_url(first.tree, first.url, rules) if number and number > 1 else None
    text = _read(first, rules, config, meta.title)
    reason = _not_an_article(first, meta, text, config)
    if reason:
        raise ExtractError(subject, reason)
    later = number is not None and number > 1
    # A later page read on its own is not the start of an article: do not walk on from it.
    paragraphs, urls = _all_pages(first, text, rules, config, None if later else fetch)
    extractor = "trafilatura" if text.by_trafilatura else "profile"
    extra: dict[str, object] = {"pages": urls, "extractor": extractor}
    if later:
        extra["page"] = number
        extra["part_of"] = part_of
    # htmldate searches the whole page: only worth it when the usual places had no date.
    date = meta.date or find_page_date(first.html, first.url)
    return Document(
        title=meta.title,
        paragraphs=paragraphs,
        url=first.url,
        site=profile.name if profile is not profiles.generic else None,
        date=date,
        author=meta.author,
        extra=extra,
        profile_miss=f"{profile.name}:{text.miss}" if text.miss else None,
    )

