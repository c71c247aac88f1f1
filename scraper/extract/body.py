"""Article body → paragraphs, with selectolax.

Chrome is removed as elements (ad slots, related blocks, captions, "Baca Juga: <a>" inserts)
before the text is read, because once it has become text it is glued to the sentences around it.
Paragraphs come from block elements (`<p>`, headings, list items, `<div>`) and from `<br><br>`,
the only separator SINDOnews uses; in "br" mode a single `<br>` also ends a paragraph.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.document import normalize_line
from scraper.extract.rules import ExtractRules

# Never article text, on any site.
ALWAYS_DROP = "script, style, noscript, iframe, form, button, svg, template, select, textarea"
_BLOCK = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "aside", "nav", "main",
        "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "blockquote",
        "pre", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "figure", "figcaption",
        "hr", "address", "center",
    }
)
_LABEL_TAGS = "strong, b, em, i, span"


def find_body(tree: LexborHTMLParser, rules: ExtractRules) -> LexborNode | None:
    """The first node matched by the profile's body selectors, in the order given."""
    for selector in rules.body:
        node = tree.css_first(selector)
        if node is not None:
            return node
    return None


def _next_element(node: LexborNode) -> LexborNode | None:
    """The next sibling, skipping whitespace-only text and punctuation such as ':'."""
    sibling = node.next
    while sibling is not None and sibling.tag == "-text":
        if (sibling.text(deep=False) or "").strip(" \t\r\n:\u00a0"):
            return None
        sibling = sibling.next
    return sibling


def drop_elements(body: LexborNode, rules: ExtractRules) -> None:
    """Remove never-text elements, the profile's `drop` selectors and inline link inserts."""
    for node in body.css(ALWAYS_DROP):
        node.decompose()
    for selector in rules.drop:
        for node in body.css(selector):
            node.decompose()
    if not rules.inline_labels:
        return
    for label in body.css(_LABEL_TAGS):
        text = normalize_line(label.text())
        if not any(p.search(text) for p in rules.inline_labels):
            continue
        link = _next_element(label)
        if link is not None and link.tag == "a":
            link.decompose()
        label.decompose()


class _Collector:
    """Accumulates text into paragraphs while the body tree is walked."""

    def __init__(self, single_br_splits: bool) -> None:
        self.single_br_splits = single_br_splits
        self.paragraphs: list[str] = []
        self.buffer: list[str] = []
        self.pending_br = 0

    def text(self, value: str) -> None:
        if not value.strip():
            if value:
                self.buffer.append(" ")
            return
        if self.pending_br:
            if self.pending_br >= 2 or self.single_br_splits:
                self.flush()
            else:
                self.buffer.append(" ")
        self.pending_br = 0
        self.buffer.append(value)

    def br(self) -> None:
        self.pending_br += 1

    def flush(self) -> None:
        self.pending_br = 0
        if not self.buffer:
            return
        # Source line breaks inside a text node are only whitespace in HTML.
        line = " ".join("".join(self.buffer).split())
        self.buffer.clear()
        if not line.isascii():
            line = normalize_line(line)  # NFC, invisible characters: never needed for ASCII
        if line:
            self.paragraphs.append(line)


def _walk(node: LexborNode, out: _Collector) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            out.text(child.text(deep=False) or "")
        elif tag == "br":
            out.br()
        elif tag in _BLOCK:
            out.flush()
            _walk(child, out)
            out.flush()
        elif tag is not None and not tag.startswith("-"):
            _walk(child, out)


def paragraphs_of(body: LexborNode, rules: ExtractRules) -> list[str]:
    """The body's paragraphs after element removal and the profile's paragraph filters."""
    drop_elements(body, rules)
    out = _Collector(single_br_splits=rules.paragraphs == "br")
    _walk(body, out)
    out.flush()
    return [
        p for p in out.paragraphs if not any(rx.fullmatch(p) for rx in rules.drop_paragraphs)
    ]
