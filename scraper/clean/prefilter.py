"""Literal prefilters: the cheap test that tells most lines apart from a rule before its regex runs.

Most lines of an article are prose that no rule matches, yet trying a line against a few dozen
regexes costs tens of microseconds. Many rules cannot match unless the line contains one of a
few fixed strings: a photo credit needs "Foto" or "Photo", a copyright line "©" or "copyright".
`required_literals` reads those strings out of the rule's own parsed regex (nothing is written
twice), and `Literals.allows` tests them with plain substring scans, which take well under a
microsecond. A rule without such strings (it may start with any word) is always tried.

The test is a necessary condition only: a line that passes it still goes through the rule's
regex, so the result is the regex's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

# Characters that a case-insensitive regex matches to an ASCII letter but whose `str.lower()`
# is not that letter ("ı" and "İ" match "i", "ſ" matches "s"): a line with one of them skips
# the case-insensitive test and goes to the regex.
_FOLD_TRAPS = ("\u0130", "\u0131", "\u017f")
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, *(
    [sre.POSSESSIVE_REPEAT] if hasattr(sre, "POSSESSIVE_REPEAT") else []))

# A requirement: the match contains one of `strings`; `folded`: compared with the lowered line.
Need = tuple[frozenset[str], bool]


@dataclass(frozen=True)
class Literals:
    """A match needs one of `strings` in the line (`folded`: in the lowered line)."""

    strings: tuple[str, ...]
    folded: bool

    def allows(self, text: str, lowered: str | None) -> bool:
        """Whether `text` (and `lowered`, its `str.lower()`, or None when the lowered form
        cannot be trusted) may hold a match."""
        if self.folded:
            if lowered is None:
                return True
            text = lowered
        return any(s in text for s in self.strings)


def lowered(text: str) -> str | None:
    """`text.lower()` for the case-insensitive tests, or None when folding traps are in it."""
    if not text.isascii() and any(c in text for c in _FOLD_TRAPS):
        return None
    return text.lower()


def required_literals(pattern: re.Pattern[str]) -> Literals | None:
    """Strings one of which every match of `pattern` contains, or None when none are known."""
    try:
        tree = sre_parse.parse(pattern.pattern, pattern.flags)
    except re.error:  # pragma: no cover - the pattern compiled, so it parses
        return None
    need = _sequence(list(tree), bool(pattern.flags & re.IGNORECASE))
    if need is None:
        return None
    strings, folded = need
    return Literals(tuple(sorted(strings)), folded)


def _best(needs: list[Need]) -> Need | None:
    """The most selective requirement: the one whose shortest string is longest."""
    if not needs:
        return None
    return max(needs, key=lambda n: (min(map(len, n[0])), -len(n[0])))


def _sequence(items: list[tuple[Any, Any]], folded: bool) -> Need | None:
    """Each item of a sequence must match, so each item's requirement is one for the whole;
    runs of literal characters count as one string."""
    needs: list[Need] = []
    run: list[str] = []
    for op, av in items:
        if op is sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            needs.append(_literal("".join(run), folded))
            run = []
        need = _item(op, av, folded)
        if need is not None:
            needs.append(need)
    if run:
        needs.append(_literal("".join(run), folded))
    return _best([n for n in needs if n is not None and all(n[0])])


def _literal(text: str, folded: bool) -> Need:
    return frozenset([text.lower() if folded else text]), folded


def _item(op: Any, av: Any, folded: bool) -> Need | None:
    if op is sre.SUBPATTERN:
        _, add, remove, inner = av
        inner_folded = (folded or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
        return _sequence(list(inner), inner_folded)
    if op in _REPEATS:
        low, _, inner = av
        return _sequence(list(inner), folded) if low >= 1 else None
    if op is sre.BRANCH:
        return _union([_sequence(list(alt), folded) for alt in av[1]])
    if op is sre.IN and not folded and all(o is sre.LITERAL for o, _ in av):
        return frozenset(chr(c) for _, c in av), False
    return None


def _union(needs: list[Need | None]) -> Need | None:
    """One alternative of several must match: the union of their strings, when all have some
    and all are compared in the same way (a folded and an exact string do not mix)."""
    if not needs or any(n is None for n in needs):
        return None
    known = [n for n in needs if n is not None]
    folded = {n[1] for n in known}
    if len(folded) != 1:
        return None
    strings = frozenset().union(*(n[0] for n in known))
    return strings, folded.pop()
