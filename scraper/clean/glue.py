"""Repair glued paragraphs: "…Eropa Timur.Berikut negara…" -> two paragraphs.

Dumps lose the break between two paragraphs and leave a full stop directly followed by the next
sentence's capital. We split there, but not after an abbreviation ("dr.Andi"), an initial
("U.S.Army", "M.Hatta"), inside a URL or domain ("detik.com", "www.Kompas.com"), between
digits ("3.5"), or inside a code of dotted parts ("No. 757/Pdt.G/2022/PT.Jkt.Pst": a lettered
part after a slash in a numbered code, or one followed by another dotted part), and only when a
lowercase letter follows the capital ("Kompas.TV" stays).
"""

from __future__ import annotations

import re

# A sentence end right after a word, then the next sentence's capital and a lowercase letter.
# It starts with the punctuation, so the regex engine skips ahead fast between candidates (the
# check that no mark comes before it follows the first mark: a leading look-behind would make the
# engine try every position). A run of marks is only tried from its first mark, and taken whole
# (possessive): trying every mark of a long run of dots against the rest would be quadratic.
_GLUE = re.compile(r"[.!?](?<![.!?][.!?])[.!?]*+[\"”’]?(?=[\"“]?[A-Z][a-z])")
# What every glued boundary holds: a mark right before a mark, a quote or a capital. A search
# that starts with one literal character skips ahead far faster than `_GLUE`, which starts with a
# class, so most texts are ruled out by the first of these, and `_GLUE` only runs on the others.
_MARK_THEN = tuple((mark, re.compile(re.escape(mark) + "[.!?\"”’“A-Z]")) for mark in ".!?")
_WORD_BEFORE = re.compile(r"[A-Za-z0-9)%]+$")
_URLISH = re.compile(r"(?:://|www\.)")
# The word after the boundary is one dotted part of a code too: "PT.Jkt.Pst".
_DOTTED_NEXT = re.compile(r"[A-Z][A-Za-z]*\.[A-Za-z]")
_DIGIT = re.compile(r"\d")


def _may_be_glued(text: str) -> bool:
    return any(mark in text and after.search(text) for mark, after in _MARK_THEN)


def _split_points(text: str, abbreviations: frozenset[str]) -> list[int]:
    points: list[int] = []
    for match in _GLUE.finditer(text):
        start = match.start()
        head = text[max(0, start - 60) : start]
        word = _WORD_BEFORE.search(head)
        if word is None:
            continue  # after a space, a quote or nothing: not a glued boundary
        token = word[0]
        if len(token) == 1 or token.lower() in abbreviations:
            continue  # an initial ("M.Hatta", "U.S.Army") or an abbreviation ("dr.Andi")
        before = head[: word.start()]
        if before.endswith("."):
            continue  # the last letter of a dotted abbreviation
        if _DOTTED_NEXT.match(text, match.end()):
            continue  # a chain of dotted parts: a code or an abbreviation, not two sentences
        run = head.rsplit(" ", 1)[-1]
        if before.endswith("/") and token.isalpha() and _DIGIT.search(run):
            continue  # a lettered part of a numbered code ("2022/PA.Badg"), not "SP/SB.Lalu"
        if _URLISH.search(run):
            continue
        points.append(_quote_side(text, points[-1] if points else 0, match.end()))
    return points


def _quote_side(text: str, last: int, point: int) -> int:
    """A straight quote after the full stop opens the next paragraph when the quotes before it
    are balanced (`…asuhannya."Ya, ini …," kata`), and closes this one when one is open."""
    if text[point - 1] == '"' and text.count('"', last, point - 1) % 2 == 0:
        return point - 1
    return point


def split_glued(text: str, abbreviations: frozenset[str]) -> list[str]:
    """One paragraph, split at every glued sentence boundary."""
    if not _may_be_glued(text) or not _GLUE.search(text):
        return [text]
    points = _split_points(text, abbreviations)
    if not points:
        return [text]
    parts, start = [], 0
    for point in points:
        parts.append(text[start:point].strip())
        start = point
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def repair_glue(paragraphs: list[str], abbreviations: frozenset[str]) -> list[str]:
    text = "\n".join(paragraphs)
    if not _may_be_glued(text) or not _GLUE.search(text):  # one scan of the document
        return list(paragraphs)
    out: list[str] = []
    for paragraph in paragraphs:
        out.extend(split_glued(paragraph, abbreviations))
    return out
