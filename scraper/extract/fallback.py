"""Pages without a site profile: trafilatura for the text and, with htmldate inside it, the
metadata; plus the check that a page is an article at all.

`fast=True` (no second-opinion extractor) is the default because it measured both better and
quicker than trafilatura's default on AEB (see docs/extract.md); `favor_precision` measured
better still but slower than the default, so it stays an opt-in.
"""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura
from selectolax.lexbor import LexborHTMLParser
from trafilatura.settings import Document as TrafilaturaDocument

from scraper.config import ExtractConfig
from scraper.document import normalize_line
from scraper.extract.meta import ARTICLE_TYPES, LISTING_TYPES, Meta


@dataclass
class Fallback:
    paragraphs: list[str]
    title: str | None
    date: str | None
    author: str | None


def run_trafilatura(html: str, url: str | None, config: ExtractConfig) -> Fallback:
    result = trafilatura.bare_extraction(
        html,
        url=url,
        include_comments=False,
        fast=config.fast,
        favor_precision=config.favor_precision,
        with_metadata=True,
    )
    if not isinstance(result, TrafilaturaDocument):
        return Fallback([], None, None, None)
    title = normalize_line(result.title or "") or None
    lines = [normalize_line(line) for line in (result.text or "").split("\n")]
    paragraphs = [line for line in lines if line]
    # trafilatura keeps the headline when it sits inside the article element; it is the
    # document's title, not a paragraph.
    if paragraphs and title and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:]
    return Fallback(
        paragraphs=paragraphs,
        title=title,
        date=result.date or None,
        author=normalize_line(result.author or "") or None,
    )


def listing_reason(
    tree: LexborHTMLParser, meta: Meta, paragraphs: list[str], config: ExtractConfig
) -> str | None:
    """Why this page is not an article (a listing, an index, no text), or None if it is one."""
    if meta.types & LISTING_TYPES and not meta.types & ARTICLE_TYPES:
        kinds = ", ".join(sorted(meta.types & LISTING_TYPES))
        return f"not an article: a listing page (JSON-LD {kinds})"
    words = sum(len(p.split()) for p in paragraphs)
    if words < config.min_words:
        return f"no article text ({words} words, fewer than {config.min_words})"
    if meta.types & ARTICLE_TYPES:
        return None
    # An index page's "text" is its headlines: most of it is the text of links to other pages.
    anchors = {normalize_line(a.text()) for a in tree.css("a")}
    anchors.discard("")
    linked = sum(len(p) for p in paragraphs if p in anchors)
    if linked / max(sum(len(p) for p in paragraphs), 1) >= config.max_link_share:
        return "not an article: an index or listing page (its text is mostly links)"
    return None
