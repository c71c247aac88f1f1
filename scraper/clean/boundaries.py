"""Settling unsure headline ends with what the corpus knows.

When the cleaner cannot tell where a related headline glued into a paragraph ends ("Baca juga:
Rins Iri Lihat Miller Latihan Rins mengatakan …": is "Rins" the headline's last word or the
sentence's first?), it keeps the text and notes it (`uncertain_boundaries`). Other documents of
the same site often know the answer: the same headline is another record's title, or another
paragraph had it with a sure end, or two unsure notes share it and then go separate ways. The
longest such known headline that starts the kept text, ending at a word boundary, is cut out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from scraper.clean.engine import UNCERTAIN, uncertain_boundaries
from scraper.document import Document, Removal

_LABEL = re.compile(r"(?i:baca|lihat|simak)\s+(?i:juga|pula)\s*:\s*|(?i:baca\s+selengkapnya|"
                    r"artikel\s+terkait)\s*:\s*")
KEY_WORDS = 3  # a headline is looked up by its first words
MIN_HEADLINE_WORDS = 3


def _key(text: str) -> str:
    return " ".join(text.casefold().split()[:KEY_WORDS])


def _common_prefix(a: str, b: str) -> str:
    words = []
    for x, y in zip(a.split(), b.split(), strict=False):
        if x != y:
            break
        words.append(x)
    return " ".join(words)


def known_headlines(docs: Sequence[Document]) -> dict[str, set[str]]:
    """Headlines the documents of one site vouch for, by their first words: titles, headlines
    removed with a sure end, and what two unsure notes share before they part."""
    known: dict[str, set[str]] = defaultdict(set)

    def add(text: str) -> None:
        text = " ".join(text.split())
        if len(text.split()) >= MIN_HEADLINE_WORDS:
            known[_key(text)].add(text)

    unsure: dict[str, list[str]] = defaultdict(list)
    for doc in docs:
        if doc.title:
            add(doc.title)
        for removal in doc.removed:
            if removal.rule.endswith(":inline_promo"):
                add(_LABEL.sub("", removal.text, count=1))
        for note in uncertain_boundaries(doc):
            unsure[_key(note.text)].append(" ".join(note.text.split()))
    for texts in unsure.values():
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                prefix = _common_prefix(a, b)
                if prefix not in (a, b):  # they part after the prefix: it is the headline
                    add(prefix)
    return known


_BULLET = re.compile(r"[-–•·]\s+")


def _known_prefix(note: str, known: dict[str, set[str]]) -> int:
    """How many characters at the start of `note` (spaces normalised) are known headlines: one,
    or a list of them ("- A - B")."""
    text, end = " ".join(note.split()), 0
    while True:
        bullet = _BULLET.match(text, end)
        start = bullet.end() if bullet else end
        rest = text[start:].casefold()
        fits = [h for h in known.get(_key(rest), ()) if rest.startswith(h.casefold() + " ")]
        if not fits:
            return end
        end = start + len(max(fits, key=len))
        if not _BULLET.match(text, end + 1):
            return end
        end += 1


def settle(doc: Document, known: dict[str, set[str]]) -> Document:
    """`doc` with each unsure headline cut whose end the corpus knows."""
    notes = uncertain_boundaries(doc)
    if not notes:
        return doc
    paragraphs, removed, left = list(doc.paragraphs), list(doc.removed), []
    for note in notes:
        size = _known_prefix(note.text, known)
        spot = _find(paragraphs, " ".join(note.text.split())) if size else None
        if spot is None:
            left.append(note)
            continue
        i, start = spot
        end = start + size
        removed.append(Removal(note.rule, paragraphs[i][start:end]))
        paragraphs[i] = " ".join((paragraphs[i][:start] + paragraphs[i][end:]).split())
    return replace(doc, paragraphs=[p for p in paragraphs if p], removed=removed,
                   extra={**doc.extra, UNCERTAIN: left})


def _find(paragraphs: list[str], text: str) -> tuple[int, int] | None:
    needle = text.strip()
    for i, paragraph in enumerate(paragraphs):
        start = paragraph.find(needle)
        if start >= 0:
            return i, start
    return None
