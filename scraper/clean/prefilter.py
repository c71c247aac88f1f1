"""Literal pre-checks derived from a rule's regex: text that lacks them cannot match it.

A whole-line rule such as `(?:.{0,250}?[.!?]\\s*|)\\(?(?:Foto|Photo)\\s*[:/].*` makes the regex
engine try every position of every line it meets, although only a line holding "Foto" or
"Photo" can match. `need(pattern)` reads the regex's parse tree and returns such a set of
strings, one of which every match must contain; a substring test (a fast C scan) then rules most
lines out before the regex runs. The rules stay as written: the check is derived from them, and
it never rules out a line the regex would match (when in doubt it returns None: no pre-check).

`first_chars(pattern)` does the same for the first character of a match: a line that starts
with another one cannot match the rule, so `alternation.Alternation` only tries the rules that can.

Case-insensitive parts are compared on the line's `str.lower()`, with ASCII strings only. Three
characters match an ASCII letter case-insensitively in `re` although their `lower()` is not that
letter (`CASE_FOLDS_TO_ASCII`); a line holding one of them skips the pre-check (and such a
first character is taken to start any case-insensitive word).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# `re`'s own parser: the parse tree of a pattern (an internal module, so every shape this
# module does not know gives "no pre-check", never a wrong one).
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

_C: Any = sre_parse  # the opcodes (LITERAL, BRANCH, …) are re-exported by the parser
CASE_FOLDS_TO_ASCII = "\u0130\u0131\u017f"  # İ ı ſ: match i, i, s under re.IGNORECASE
MAX_STRINGS = 16  # the most alternatives a pre-check tests (each is one substring scan)
MAX_CLASS_CHARS = 4  # a character class of up to this many literals counts as alternatives
SCAN_REPEAT = 20  # a leading repeat of any character that may run this far: the rule scans

Strings = tuple[frozenset[str], bool]  # exact strings an item matches, folded (lowercased) or not


@dataclass(frozen=True)
class Need:
    """Every match contains one of `exact` (as is) or one of `folded` (in the lowered text)."""

    exact: tuple[str, ...]
    folded: tuple[str, ...]

    def may_match(self, text: str) -> bool:
        if any(s in text for s in self.exact):
            return True
        if not self.folded:
            return False
        if not text.isascii() and any(c in text for c in CASE_FOLDS_TO_ASCII):
            return True
        low = text.lower()
        return any(s in low for s in self.folded)

    @property
    def shortest(self) -> int:
        return min(map(len, (*self.exact, *self.folded)))

    @property
    def size(self) -> int:
        return len(self.exact) + len(self.folded)


def _fewest(strings: Iterable[str]) -> tuple[str, ...]:
    """The strings that hold no other one: a text that holds "ANTARA FOTO" holds "FOTO"."""
    unique = set(strings)
    return tuple(sorted(s for s in unique if not any(t != s and t in s for t in unique)))


def any_of(needs: Iterable[Need]) -> Need:
    """One check that passes when any of `needs` does: ASCII strings are compared lowered (one
    lowering of the text, then "foto" stands for "Foto" and "FOTO"), and a string that holds
    another one is dropped."""
    needs = list(needs)
    exact = {s for n in needs for s in n.exact}
    folded = {s for n in needs for s in n.folded} | {s.lower() for s in exact if s.isascii()}
    return Need(_fewest(s for s in exact if not s.isascii()), _fewest(folded))


def _need_of(strings: Strings | None) -> Need | None:
    if strings is None or not strings[0] or "" in strings[0] or len(strings[0]) > MAX_STRINGS:
        return None
    ordered = tuple(sorted(strings[0]))
    return Need((), ordered) if strings[1] else Need(ordered, ())


def _best(needs: Iterable[Need | None]) -> Need | None:
    """The most selective need: the longest shortest string, then the fewest strings."""
    found = [n for n in needs if n is not None]
    return max(found, key=lambda n: (n.shortest, -n.size), default=None)


def _union(needs: list[Need | None]) -> Need | None:
    """One of several branches matched: its need holds, so the union of all needs does."""
    if not needs or any(n is None for n in needs):
        return None
    exact = tuple(sorted({s for n in needs if n for s in n.exact}))
    folded = tuple(sorted({s for n in needs if n for s in n.folded}))
    if len(exact) + len(folded) > MAX_STRINGS or "" in exact or "" in folded:
        return None
    return Need(exact, folded)


def _fold(strings: Strings) -> Strings | None:
    """The strings in lowered form (only ASCII lowers one character to one character)."""
    if strings[1]:
        return strings
    if not all(s.isascii() for s in strings[0]):
        return None
    return frozenset(s.lower() for s in strings[0]), True


def _concat(a: Strings, b: Strings) -> Strings | None:
    if a[1] != b[1]:
        folded_a, folded_b = _fold(a), _fold(b)
        if folded_a is None or folded_b is None:
            return None
        a, b = folded_a, folded_b
    product = frozenset(x + y for x in a[0] for y in b[0])
    return (product, a[1]) if len(product) <= MAX_STRINGS else None


class _Analysis:
    """One item or sequence of a parse tree: the exact strings it matches (None: too many or
    not a fixed set) and the need of any of its matches."""

    def __init__(self, strings: Strings | None, need: Need | None) -> None:
        self.strings = strings
        self.need = need if need is not None else _need_of(strings)


_EMPTY: Strings = (frozenset({""}), False)
_NOTHING = _Analysis(None, None)


def _literal(code: int, ignore_case: bool) -> Strings | None:
    char = chr(code)
    if not ignore_case:
        return frozenset({char}), False
    return (frozenset({char.lower()}), True) if char.isascii() else None


def _char_class(members: list[tuple[Any, Any]], ignore_case: bool) -> Strings | None:
    if len(members) > MAX_CLASS_CHARS or any(op is not _C.LITERAL for op, _ in members):
        return None  # also a negated class, a range or a category
    chars = [_literal(code, ignore_case) for _, code in members]
    if any(c is None for c in chars):
        return None
    return frozenset(s for c in chars if c for s in c[0]), ignore_case


def _flags(add: int, remove: int, ignore_case: bool) -> bool:
    if remove & re.IGNORECASE:
        return False
    return ignore_case or bool(add & re.IGNORECASE)


def _item(op: Any, av: Any, ignore_case: bool) -> _Analysis:
    if op is _C.LITERAL:
        return _Analysis(_literal(av, ignore_case), None)
    if op is _C.IN:
        return _Analysis(_char_class(av, ignore_case), None)
    if op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
        return _Analysis(_EMPTY, None)  # zero width: the text around it stays contiguous
    if op is _C.SUBPATTERN:
        _group, add, remove, body = av
        return _sequence(body, _flags(add, remove, ignore_case))
    if op is _C.ATOMIC_GROUP:
        return _sequence(av, ignore_case)
    if op is _C.BRANCH:
        branches = [_sequence(b, ignore_case) for b in av[1]]
        return _Analysis(_alternatives(branches), _union([b.need for b in branches]))
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
        low, high, body = av
        inner = _sequence(body, ignore_case)
        if low == high == 1:
            return inner
        return _Analysis(None, inner.need if low >= 1 else None)
    return _NOTHING


def _alternatives(branches: list[_Analysis]) -> Strings | None:
    strings = [b.strings for b in branches]
    if not strings or any(s is None for s in strings):
        return None
    folded = any(s[1] for s in strings if s)
    parts = [_fold(s) if folded and s else s for s in strings]
    if any(p is None for p in parts):
        return None
    union = frozenset(x for p in parts if p for x in p[0])
    return (union, folded) if len(union) <= MAX_STRINGS else None


def _sequence(items: Any, ignore_case: bool) -> _Analysis:
    """Consecutive fixed items concatenate into longer strings; every item must match, so the
    best need among the runs and the items' own needs holds for the sequence."""
    needs: list[Need | None] = []
    run: Strings | None = _EMPTY
    whole: Strings | None = _EMPTY  # the sequence's own strings, while every item is fixed
    for op, av in items:
        item = _item(op, av, ignore_case)
        needs.append(item.need)
        joined = _concat(run, item.strings) if run is not None and item.strings else None
        if joined is None:
            needs.append(_need_of(run))
            run = item.strings
        else:
            run = joined
        whole = _concat(whole, item.strings) if whole and item.strings else None
    needs.append(_need_of(run))
    return _Analysis(whole, _best(needs))


def need(pattern: re.Pattern[str]) -> Need | None:
    """What every match of `pattern` contains, or None when nothing useful is known."""
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
        return _sequence(parsed.data, bool(parsed.state.flags & re.IGNORECASE)).need
    except Exception:
        return None


def _scans(items: Any) -> bool:
    if not items:
        return False
    op, av = items[0]
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
        _low, high, body = av
        return (high >= SCAN_REPEAT and len(body) == 1 and _any_char(*body[0])) or _scans(body)
    if op is _C.SUBPATTERN:
        return _scans(av[3])
    if op is _C.ATOMIC_GROUP:
        return _scans(av)
    if op is _C.BRANCH:
        return any(_scans(b) for b in av[1])
    return False


def _any_char(op: Any, av: Any) -> bool:
    return op in (_C.ANY, _C.NOT_LITERAL) or (op is _C.IN and av[:1] == [(_C.NEGATE, None)])


def scans(pattern: re.Pattern[str]) -> bool:
    """Whether a match may start with a long run of any character (`.{0,250}?`, `[^.]{1,80}`):
    then the regex tries many positions of a line before it fails, and a pre-check pays."""
    try:
        return _scans(sre_parse.parse(pattern.pattern, pattern.flags).data)
    except Exception:
        return False


@dataclass(frozen=True)
class FirstChars:
    """The characters a match can start with: `exact` as they are, `folded` (ASCII, lowered)
    in any case, any decimal digit when `digits` (`\\d`), any space when `spaces` (`\\s`)."""

    exact: frozenset[str]
    folded: frozenset[str]
    digits: bool
    spaces: bool

    def may_start(self, char: str) -> bool:
        if char in self.exact or (self.digits and char.isdecimal()):
            return True
        if self.spaces and char.isspace():
            return True
        if not self.folded:
            return False
        return char in CASE_FOLDS_TO_ASCII or char.lower() in self.folded


# The characters a part of a regex starts with (exact, folded, digits, spaces), and whether the
# part may match nothing (then the next part's first characters count too).
_Start = tuple[set[str], set[str], bool, bool, bool]
MAX_RANGE = 256  # a wider range ([^…] aside) counts as any character


def _class_start(members: Any, ignore_case: bool) -> _Start | None:
    codes: list[int] = []
    digits = spaces = False
    for op, av in members:
        if op is _C.LITERAL:
            codes.append(av)
        elif op is _C.RANGE and av[1] - av[0] < MAX_RANGE:
            codes.extend(range(av[0], av[1] + 1))
        elif op is _C.CATEGORY and av is _C.CATEGORY_DIGIT:
            digits = True
        elif op is _C.CATEGORY and av is _C.CATEGORY_SPACE:
            spaces = True
        else:
            return None  # a negated class, another category, a wide range
    chars = [_literal(code, ignore_case) for code in codes]
    if any(c is None for c in chars):
        return None
    found = {s for c in chars if c for s in c[0]}
    if ignore_case:
        return set(), found, digits, spaces, False
    return found, set(), digits, spaces, False


def _start_of_item(op: Any, av: Any, ignore_case: bool) -> _Start | None:
    if op is _C.LITERAL:
        return _class_start([(op, av)], ignore_case)
    if op is _C.IN:
        return _class_start(av, ignore_case)
    if op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
        return set(), set(), False, False, True  # zero width: the next part starts the match
    if op is _C.SUBPATTERN:
        return _start(av[3], _flags(av[1], av[2], ignore_case))
    if op is _C.ATOMIC_GROUP:
        return _start(av, ignore_case)
    if op is _C.BRANCH:
        starts = [_start(b, ignore_case) for b in av[1]]
        if any(s is None for s in starts):
            return None
        return (
            {c for s in starts if s for c in s[0]},
            {c for s in starts if s for c in s[1]},
            any(s[2] for s in starts if s),
            any(s[3] for s in starts if s),
            any(s[4] for s in starts if s),
        )
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
        inner = _start(av[2], ignore_case)
        return None if inner is None else (*inner[:4], av[0] == 0 or inner[4])
    return None  # any character (., [^…], \\w, …) or a shape this module does not know


def _start(items: Any, ignore_case: bool) -> _Start | None:
    exact: set[str] = set()
    folded: set[str] = set()
    digits = spaces = False
    for op, av in items:
        part = _start_of_item(op, av, ignore_case)
        if part is None:
            return None
        exact |= part[0]
        folded |= part[1]
        digits, spaces = digits or part[2], spaces or part[3]
        if not part[4]:
            return exact, folded, digits, spaces, False
    return exact, folded, digits, spaces, True


def first_chars(pattern: re.Pattern[str]) -> FirstChars | None:
    """The characters every non-empty match of `pattern` starts with, or None when any may."""
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
        found = _start(parsed.data, bool(parsed.state.flags & re.IGNORECASE))
    except Exception:
        return None
    if found is None or found[4]:
        return None
    return FirstChars(frozenset(found[0]), frozenset(found[1]), found[2], found[3])
