"""Repair glued paragraphs: "…Eropa Timur.Berikut negara…" -> two paragraphs.

Dumps lose the break between two paragraphs and leave a full stop directly followed by the next
sentence's capital. We split there, but not after an abbreviation ("dr.Andi"), an initial
("U.S.Army", "M.Hatta"), inside a URL or domain ("detik.com", "www.Kompas.com"), or between
digits ("3.5"), and only when a lowercase letter follows the capital ("Kompas.TV" stays).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# word, sentence end, optional closing quote; then the next sentence's capital and lowercase.
_GLUE = re.compile(r"([A-Za-z0-9)%]+)([.!?]+)([\"”’]?)(?=[\"“]?[A-Z][a-z])")
_URLISH = re.compile(r"\S*(?:://|www\.)\S*$")


def _split_points(text: str, abbreviations: frozenset[str]) -> list[int]:
    points = []
    for match in _GLUE.finditer(text):
        word = match[1]
        if len(word) == 1 or word.lower() in abbreviations:
            continue
        before = text[: match.start(1)]
        if before.endswith(".") or _URLISH.search(text[: match.end()].rsplit(" ", 1)[-1]):
            continue
        if before[-1:].isalnum():  # the match began mid-token, e.g. after a hyphen or digit
            continue
        points.append(match.end())
    return points


def split_glued(text: str, abbreviations: frozenset[str]) -> list[str]:
    """One paragraph, split at every glued sentence boundary."""
    if not _GLUE.search(text):
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


def repair_glue(paragraphs: Iterable[str], abbreviations: frozenset[str]) -> list[str]:
    out: list[str] = []
    for paragraph in paragraphs:
        out.extend(split_glued(paragraph, abbreviations))
    return out
