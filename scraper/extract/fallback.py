"""Pages without a site profile: trafilatura for the text, htmldate for a missing date, and the
check that a page is an article at all.

`fast=True` (no second-opinion extractor) is the default because on AEB it measured both better
and quicker than trafilatura's default; `favor_precision` measured a little better still but
slower than the default, so it stays an opt-in (figures in docs/extract.md). Title and author come
from the JSON-LD / meta tags already read with selectolax: asking trafilatura for its metadata
parses and searches the page a second time for the same fields.
"""

from __future__ import annotations

import statistics

import trafilatura
from htmldate import find_date
from selectolax.lexbor import LexborHTMLParser

from scraper.config import ExtractConfig
from scraper.dates import parse_date
from scraper.document import normalize_line
from scraper.extract.meta import ARTICLE_TYPES, LISTING_TYPES, Meta

# Headline teasers are short; a page whose paragraphs are this long on average is read as
# running text without scanning its links.
_TEASER_CHARS = 160
# An unbroken run of running text this long is an article body, however many links surround it.
SUBSTANTIAL_WORDS = 150


def run_trafilatura(html: str, url: str | None, title: str | None,
                    config: ExtractConfig) -> list[str]:
    text = trafilatura.extract(
        html, url=url, include_comments=False, fast=config.fast,
        favor_precision=config.favor_precision,
    )
    paragraphs = [p for p in (normalize_line(line) for line in (text or "").split("\n")) if p]
    # trafilatura keeps the headline when it sits inside the article element; it is the
    # document's title, not a paragraph.
    if paragraphs and title and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:]
    return paragraphs


def find_page_date(html: str, url: str | None) -> str | None:
    """htmldate's publication date (with the time and zone when the page has them)."""
    found = find_date(html, url=url, extensive_search=False, original_date=True,
                      outputformat="%Y-%m-%dT%H:%M:%S%z")
    if not found:
        return None
    parsed = parse_date(found)
    # htmldate fills an unknown time with midnight and no zone: keep only the day then.
    if parsed and parsed.endswith("T00:00:00"):
        return parsed[:10]
    return parsed


def screen(
    tree: LexborHTMLParser, meta: Meta, paragraphs: list[str], config: ExtractConfig
) -> tuple[list[str], str | None]:
    """The article paragraphs of trafilatura's output, or why the page is not an article.

    trafilatura sometimes hands back a site's menus or share buttons with the article (link
    after link, one per line). Lines that are exactly the text of a link on the page are
    navigation, not prose: the ones that open or close the text are dropped, and on a link-heavy
    page an article keeps its running text without them while an index page has nothing left.
    """
    if meta.types & LISTING_TYPES and not meta.types & ARTICLE_TYPES:
        kinds = ", ".join(sorted(meta.types & LISTING_TYPES))
        return [], f"not an article: a listing page (JSON-LD {kinds})"
    words = _words(paragraphs)
    if words < config.min_words:
        return [], f"no article text ({words} words, fewer than {config.min_words})"
    anchors = {normalize_line(a.text()) for a in tree.css("a")}
    anchors.discard("")
    start, end = 0, len(paragraphs)
    while start < end and paragraphs[start] in anchors:
        start += 1
    while end > start and paragraphs[end - 1] in anchors:
        end -= 1
    if _words(paragraphs[start:end]) >= config.min_words:
        paragraphs = paragraphs[start:end]
    if meta.types & ARTICLE_TYPES or statistics.mean(map(len, paragraphs)) > _TEASER_CHARS:
        return paragraphs, None
    linked = sum(len(p) for p in paragraphs if p in anchors)
    if linked / sum(len(p) for p in paragraphs) < config.max_link_share:
        return paragraphs, None
    prose = [p for p in paragraphs if p not in anchors]
    if prose and _words(prose) >= config.min_words and max(map(len, prose)) > _TEASER_CHARS:
        return prose, None
    if _longest_prose_run(paragraphs, anchors) >= SUBSTANTIAL_WORDS:
        return prose, None  # an article with many links, in short paragraphs (kompas)
    return [], "not an article: an index or listing page (its text is mostly links)"


def _longest_prose_run(paragraphs: list[str], anchors: set[str]) -> int:
    """The words of the longest run of 3+ paragraphs in a row that are not link texts: an
    article body is such a run; the blurbs of an index page alternate with their links."""
    runs: list[list[str]] = [[]]
    for paragraph in paragraphs:
        if paragraph in anchors:
            runs.append([])
        else:
            runs[-1].append(paragraph)
    return max((_words(run) for run in runs if len(run) >= 3), default=0)


def _words(paragraphs: list[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)
