"""`Alternation`: several named whole-line or segment regexes asked as one.

A line is scanned once for all rules, not once per rule, and the answer names the first rule
that matches. Pre-checks derived from the rules (`scraper.clean.prefilter`) skip the rules that
cannot match a line: those that must find a literal the line lacks, and those that cannot start
with the line's first character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from scraper.clean.prefilter import FirstChars, Need, any_of, first_chars, need, scans

_LEADING_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")
FEW_RULES = 8  # a first-character subset this small tries its rules one by one
MAX_STARTS = 512  # first characters remembered per alternation, then forgotten at once
_ANCHOR = re.compile(r"(?<![\[\\])\^|(?<!\\)\$|\\[AZ]")


@dataclass(frozen=True)
class Rule:
    """One named regex rule; `name` is qualified as `<profile>:<rule>`."""

    name: str
    pattern: re.Pattern[str]


class Alternation:
    """Several named regexes combined into one, so that a line is scanned once, not per rule."""

    def __init__(self, rules: tuple[Rule, ...], *, combine: bool = True) -> None:
        self.rules = rules
        # A few rules are tried one by one when `combine` is off: for the many small
        # alternations of `_by_start`, compiling one regex each would cost more than it saves.
        self.combine = combine
        # Anchored regexes (^, $, \A, \Z) only mean the same on one line as on a whole text.
        self.anchored = any(_ANCHOR.search(rule.pattern.pattern) for rule in rules)
        # The rules that a line starting with a given character may match (see `_by_start`).
        self._starting: dict[str, tuple[Alternation, tuple[int, ...]]] = {}
        self._subsets: dict[tuple[int, ...], Alternation] = {}  # shared by first characters

    @cached_property
    def regex(self) -> re.Pattern[str] | None:
        """The combined regex, compiled when first used: a run that meets three sites does not
        pay for compiling the rule sets of the other ten (about 80 ms each)."""
        parts = [f"(?P<_r{i}>{_scoped(r.pattern.pattern)})" for i, r in enumerate(self.rules)]
        try:
            return re.compile("|".join(parts)) if parts else None
        except re.error:
            return None  # e.g. clashing group names: fall back to one regex per rule

    def __bool__(self) -> bool:
        return bool(self.rules)

    def fullmatch(self, text: str) -> str | None:
        """The name of the first rule that matches all of `text`, or None."""
        index = self.fullmatch_index(text)
        return None if index is None else self.rules[index].name

    @cached_property
    def _gated(self) -> tuple[Need | None, Alternation, tuple[int, ...]]:
        """One pre-check for the rules that scan a whole line before they fail, the other rules
        as one alternation, and their indexes in `rules` (see `prefilter`)."""
        needs = [need(r.pattern) if scans(r.pattern) else None for r in self.rules]
        rest = tuple(i for i, n in enumerate(needs) if n is None)
        gate = any_of(n for n in needs if n is not None) if len(rest) < len(needs) else None
        return gate, Alternation(tuple(self.rules[i] for i in rest)), rest

    def fullmatch_index(self, text: str) -> int | None:
        """The index in `rules` of the first rule that matches all of `text`, or None."""
        gate, rest, indexes = self._gated
        if gate is not None and not gate.may_match(text):
            # No scanning rule can match: the first of the others that matches is the first.
            index = rest._by_start(text)
            return None if index is None else indexes[index]
        return self._fullmatch_index(text)

    @cached_property
    def _firsts(self) -> tuple[FirstChars | None, ...]:
        return tuple(first_chars(r.pattern) for r in self.rules)

    def _by_start(self, text: str) -> int | None:
        """`_fullmatch_index`, with only the rules that can start with the line's first
        character (a prose line starting with "P" leaves a few of the thirty); the rules kept
        for each first character are combined once and remembered."""
        first = text[:1]
        found = self._starting.get(first)
        if found is None:
            indexes = tuple(
                i for i, chars in enumerate(self._firsts)
                if not first or chars is None or chars.may_start(first)
            )
            if len(self._starting) >= MAX_STARTS:
                self._starting.clear()
                self._subsets.clear()
            if len(indexes) == len(self.rules):
                self._subsets[indexes] = self
            elif indexes not in self._subsets:
                rules = tuple(self.rules[i] for i in indexes)
                self._subsets[indexes] = Alternation(rules, combine=len(rules) > FEW_RULES)
            found = self._starting[first] = (self._subsets[indexes], indexes)
        subset, indexes = found
        if not indexes:
            return None
        index = subset._fullmatch_index(text)
        return None if index is None else indexes[index]

    def _fullmatch_index(self, text: str) -> int | None:
        if self.combine and self.regex is not None:
            match = self.regex.fullmatch(text)
            return int((match.lastgroup or "_r0")[2:]) if match else None
        return next((i for i, r in enumerate(self.rules) if r.pattern.fullmatch(text)), None)

    @cached_property
    def _searcher(self) -> re.Pattern[str] | None:
        # Without the named groups of `regex`: a group around each branch keeps the engine
        # from skipping ahead to the characters that can start a match.
        try:
            return re.compile("|".join(f"(?:{_scoped(r.pattern.pattern)})" for r in self.rules))
        except re.error:
            return None

    def search(self, text: str) -> int | None:
        """The first rule (its index in `rules`) that matches where the leftmost match of any
        rule starts, or None when no rule matches anywhere in `text`."""
        if not self.rules:
            return None
        if self._searcher is None:
            found = [m.start() for r in self.rules if (m := r.pattern.search(text))]
            start = min(found, default=None)
        else:
            leftmost = self._searcher.search(text)
            start = None if leftmost is None else leftmost.start()
        if start is None:
            return None
        return next(i for i, r in enumerate(self.rules) if r.pattern.match(text, start))

    def finditer(self, text: str) -> list[tuple[str, re.Match[str]]]:
        """Non-overlapping matches, each with the name of its rule, in text order.

        Each rule first searches on its own: a regex that starts with a literal scans far faster
        alone than inside an alternation, and most paragraphs match no segment rule at all."""
        found = [(r.name, m) for r in self.rules for m in r.pattern.finditer(text)]
        if len(found) <= 1:
            return found
        found.sort(key=lambda item: (item[1].start(), -item[1].end()))
        kept: list[tuple[str, re.Match[str]]] = []
        for name, match in found:
            if not kept or match.start() >= kept[-1][1].end():
                kept.append((name, match))
        return kept


def _scoped(pattern: str) -> str:
    """`(?i)abc` -> `(?i:abc)`: global flags are only allowed at the start of a whole regex."""
    match = _LEADING_FLAGS.match(pattern)
    if not match:
        return pattern
    return f"(?{match[1]}:{pattern[match.end():]})"
