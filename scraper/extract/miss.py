"""Whether a profile's body selector found the article, or the generic extractor must read it.

Sites change their markup, and old pages keep the old one: a selector written for today's layout
can match nothing, or match a menu, a "Must Read" list or a related-articles block. Each check is
a named rule, reported in the warning and in the manifest's `profile_miss`:

- `body_not_found`: no body selector matched;
- `link_density`: most of the matched text is link text (a menu or a list of headlines);
- `no_prose`: no paragraph is long enough to be running text;
- `shorter_than_generic`: on a result that is short, and a small share of the page's text, the
  generic extractor finds far more text;
- `mostly_short_lines`: many paragraphs, much of the text in short ones (menus, lists of
  headlines around the article, as a selector that matches the whole page or a wrapper gets),
  and far more text than the generic extractor finds.
"""

from __future__ import annotations

from collections.abc import Callable

from selectolax.lexbor import LexborNode

MAX_LINK_SHARE = 0.5
PROSE_WORDS = 12  # a paragraph this long is running text, not a menu entry or a date
# Only a result shorter than this is compared with the generic extractor (which costs a second
# parse of the page); the profile's text must reach this share of the generic text.
CHECK_WORDS = 300
# The generic text carries chrome of its own (title, byline, related links): only a profile text
# far shorter than it is a miss.
MIN_SHARE_OF_GENERIC = 0.4
# A body of this many paragraphs with this share of its words in short ones (under PROSE_WORDS)
# is compared with the generic extractor; more than MAX_TIMES_GENERIC its text is a page, not an
# article. An article with a long list has about the generic text, and stays.
SHORT_CHECK_PARAGRAPHS = 30
MAX_SHORT_SHARE = 0.3
MAX_TIMES_GENERIC = 1.5
# Running the generic extractor costs more than the profile itself, so it is asked only when the
# profile's text is also a small share of all the text on the page (scripts and styles aside,
# and what the profile dropped as chrome): a profile that holds this much of the page holds the
# article. On the fixture and real pages the profile's share is 0.31-0.88 where it found the
# article (and 0.23-0.25 on two 2015 pages of 1,000 words with long menus).
CHECK_SHARE_OF_PAGE = 0.3


def link_share(body: LexborNode) -> float:
    """The share of the body's text that sits inside links."""
    total = len((body.text(separator=" ") or "").split())
    if total == 0:
        return 0.0
    linked = sum(len((a.text(separator=" ") or "").split()) for a in body.css("a"))
    return linked / total


def _words(paragraphs: list[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)


def _short_share(paragraphs: list[str]) -> float:
    """The share of the words that sit in paragraphs too short to be running text."""
    sizes = [len(p.split()) for p in paragraphs]
    return sum(n for n in sizes if n < PROSE_WORDS) / max(sum(sizes), 1)


def page_words(body: LexborNode) -> int:
    """The words of the whole page `body` belongs to, without scripts and styles."""
    tree = body.parser
    root = tree.root
    words = len(root.text(separator=" ").split()) if root is not None else 0
    return words - sum(len(node.text(separator=" ").split()) for node in tree.css("script, style"))


def _check_generic(body: LexborNode, words: int) -> bool:
    """Whether the profile's text is short enough to be compared with the generic text."""
    return words < CHECK_WORDS and words < CHECK_SHARE_OF_PAGE * page_words(body)


def profile_miss(
    body: LexborNode | None, paragraphs: list[str], generic: Callable[[], list[str]],
    *, first_page: bool = True,
) -> str | None:
    """The rule by which the profile missed the article, or None when its body looks right.

    `body` is the matched node after the profile's drops; `generic()` gives the generic
    extractor's paragraphs, asked for only when the profile's text is short (in words and as a
    share of the page) or mostly short lines. A later page of an
    article may hold one short paragraph: only the first two rules apply to it.
    """
    if body is None:
        return "body_not_found"
    if link_share(body) > MAX_LINK_SHARE:
        return "link_density"
    if not first_page:
        return None
    if not any(len(p.split()) >= PROSE_WORDS for p in paragraphs):
        return "no_prose"
    words = _words(paragraphs)
    if _check_generic(body, words) and words < MIN_SHARE_OF_GENERIC * _words(generic()):
        return "shorter_than_generic"
    if (len(paragraphs) >= SHORT_CHECK_PARAGRAPHS
            and _short_share(paragraphs) > MAX_SHORT_SHARE
            and words > MAX_TIMES_GENERIC * _words(generic())):
        return "mostly_short_lines"
    return None
