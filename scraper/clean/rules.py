"""Validation of a profile's `[clean]` table into frozen rule sets.

A `[clean]` table holds settings and one sub-table per rule family; every rule has a name:

    [clean]
    max_chrome_chars = 300        # longer lines are prose: whole-line rules skip them
    header_lines = 8              # how far from the top a bare-name byline may sit
    disable = ["read_time"]       # generic rules this site turns off (sites only)
    abbreviations = ["dr"]        # words whose full stop never ends a sentence (glue repair)
    [clean.exact]     name = ["line", ...]   whole line, compared case-insensitively
    [clean.lines]     name = 'regex'         whole line (fullmatch)
    [clean.segments]  name = 'regex'         cut out of a paragraph
    [clean.footers]   name = 'regex'         this line and everything after it
    [clean.signoffs]  name = 'regex'         trailing lines, or the tail of the last paragraph
    [clean.datelines] name = 'regex'         header metadata line; a date in it -> doc.date
    [clean.bylines]   name = 'regex'         byline; its group `author` -> doc.author
    [clean.lead_dates] name = 'regex'        the article's first line starts with it; its group
                                             `date` -> doc.date (nothing is removed)
    [clean.lead_datelines] name = 'regex'    the article's first line starts with it; its group
                                             `dateline` -> the manifest (kept in the text, or
                                             moved out of it with `[clean] dateline = "manifest"`)
    [clean.functions] name = "function"      a named Python rule (scraper.clean.functions)

A site profile extends the generic one: its rules apply after the generic rules. Removals are
recorded as `<profile>:<rule name>`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from scraper.clean.functions import FUNCTIONS, LineFunction, SegmentFunction
from scraper.clean.prefilter import FirstChars, Need, any_of, first_chars, need, scans
from scraper.document import normalize_line
from scraper.errors import ProfileError
from scraper.profiles import Profile, compile_pattern

DEFAULT_MAX_CHROME_CHARS = 300
DEFAULT_HEADER_LINES = 8
REGEX_FAMILIES = (
    "lines", "segments", "footers", "signoffs", "datelines", "bylines", "lead_dates",
    "lead_datelines",
)
FAMILIES = ("exact", *REGEX_FAMILIES, "functions")
SETTINGS = ("max_chrome_chars", "header_lines", "disable", "abbreviations")
_RULE_NAME = re.compile(r"[a-z][a-z0-9_]*")
# A pattern that matches all of these (in full for whole-line families) matches everything.
_PROBES = (
    "Presiden meresmikan jembatan baru di Kalimantan Timur pada Senin pagi bersama gubernur.",
    "zq",
    "2024",
)
_LEADING_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")
FEW_RULES = 8
MAX_STARTS = 512  # first characters remembered per alternation, then forgotten at once
_ANCHOR = re.compile(r"(?<![\[\\])\^|(?<!\\)\$|\\[AZ]")


@dataclass(frozen=True)
class Rule:
    """One named regex rule; `name` is qualified as `<profile>:<rule>`."""

    name: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class ProfileRules:
    """One profile's `[clean]` table, validated."""

    profile: str
    path: str = ""
    exact: tuple[tuple[str, tuple[str, ...]], ...] = ()
    lines: tuple[Rule, ...] = ()
    segments: tuple[Rule, ...] = ()
    footers: tuple[Rule, ...] = ()
    signoffs: tuple[Rule, ...] = ()
    datelines: tuple[Rule, ...] = ()
    bylines: tuple[Rule, ...] = ()
    lead_dates: tuple[Rule, ...] = ()
    lead_datelines: tuple[Rule, ...] = ()
    functions: tuple[tuple[str, str], ...] = ()
    max_chrome_chars: int | None = None
    header_lines: int | None = None
    disable: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()

    def rule_names(self) -> set[str]:
        names = {name for name, _ in self.exact} | {name for name, _ in self.functions}
        for family in REGEX_FAMILIES:
            names |= {rule.name.split(":", 1)[1] for rule in getattr(self, family)}
        return names


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


def _check_regex(pattern: Any, family: str, where: str, rule: str) -> re.Pattern[str]:
    subject = f"{where} [clean.{family}] {rule}"
    if not isinstance(pattern, str) or not pattern.strip():
        raise ProfileError(subject, "the rule must be a non-empty regex string")
    compiled = compile_pattern(pattern, subject)
    probe: Callable[[str], object] = (
        compiled.search if family == "segments" else compiled.fullmatch
    )
    if all(probe(text) for text in _PROBES):
        raise ProfileError(subject, f"regex {pattern!r} matches everything")
    groups = set(compiled.groupindex)
    groups_of = {"bylines": {"author"}, "lead_dates": {"date"}, "lead_datelines": {"dateline"}}
    allowed = groups_of.get(family, set())
    if groups - allowed:
        raise ProfileError(subject, f"named groups {sorted(groups - allowed)} are not allowed")
    return compiled


def _table(clean: Mapping[str, Any], family: str, where: str) -> Mapping[str, Any]:
    table = clean.get(family, {})
    if not isinstance(table, dict):
        raise ProfileError(where, f"[clean.{family}] must be a table")
    for name in table:
        if not _RULE_NAME.fullmatch(name):
            raise ProfileError(where, f"[clean.{family}] rule name {name!r} is not an identifier")
    return table


def _exact(clean: Mapping[str, Any], where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    rules = []
    for name, lines in _table(clean, "exact", where).items():
        if isinstance(lines, str):
            lines = [lines]
        if not lines or not all(isinstance(x, str) and x.strip() for x in lines):
            raise ProfileError(f"{where} [clean.exact] {name}", "must list non-empty lines")
        rules.append((name, tuple(lines)))
    return tuple(rules)


def _int_setting(clean: Mapping[str, Any], key: str, where: str) -> int | None:
    value = clean.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ProfileError(where, f"[clean] {key} must be a positive integer")
    return value


def _str_list(clean: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = clean.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ProfileError(where, f"[clean] {key} must be a list of non-empty strings")
    return tuple(value)


def _dropped_paragraphs(profile: Profile, where: str) -> tuple[Rule, ...]:
    """`[extract] drop_paragraphs`, as whole-line rules: a paragraph that the extract stage drops
    from a saved page is dropped as a line of a text dump too (the knowledge is written once)."""
    patterns = profile.extract.get("drop_paragraphs", [])
    if not isinstance(patterns, list):
        return ()  # the extract stage's loader reports the bad type
    return tuple(
        Rule(f"{profile.name}:drop_paragraphs_{n}",
             _check_regex(pattern, "lines", where, f"drop_paragraphs_{n}"))
        for n, pattern in enumerate(patterns, 1)
    )


def parse_clean_table(profile: Profile, known_functions: Mapping[str, object]) -> ProfileRules:
    """Validate `profile.clean`; raise ProfileError naming the file and the rule."""
    where = profile.path or profile.name
    clean = profile.clean
    unknown = set(clean) - set(FAMILIES) - set(SETTINGS)
    if unknown:
        raise ProfileError(where, f"[clean] has unknown keys {sorted(unknown)}")
    regexes: dict[str, tuple[Rule, ...]] = {}
    for family in REGEX_FAMILIES:
        regexes[family] = tuple(
            Rule(f"{profile.name}:{name}", _check_regex(pattern, family, where, name))
            for name, pattern in _table(clean, family, where).items()
        )
    regexes["lines"] += _dropped_paragraphs(profile, where)
    functions = []
    for name, function in _table(clean, "functions", where).items():
        if function not in known_functions:
            known = ", ".join(sorted(known_functions))
            raise ProfileError(
                f"{where} [clean.functions] {name}",
                f"unknown function {function!r} (known: {known})",
            )
        functions.append((name, str(function)))
    return ProfileRules(
        profile=profile.name,
        path=where,
        exact=_exact(clean, where),
        functions=tuple(functions),
        max_chrome_chars=_int_setting(clean, "max_chrome_chars", where),
        header_lines=_int_setting(clean, "header_lines", where),
        disable=_str_list(clean, "disable", where),
        abbreviations=tuple(a.lower() for a in _str_list(clean, "abbreviations", where)),
        **regexes,
    )


@dataclass(frozen=True)
class RuleSet:
    """The rules that apply to one site: the generic profile's, then the site's own."""

    profile: str
    exact: Mapping[str, str]
    exact_max: int  # the longest exact line: longer lines skip the lookup
    lines: Alternation
    segments: Alternation
    footers: Alternation
    signoffs: Alternation
    datelines: Alternation
    bylines: tuple[Rule, ...]
    lead_dates: tuple[Rule, ...]
    lead_datelines: tuple[Rule, ...]
    functions: tuple[tuple[str, str], ...]
    segment_functions: tuple[tuple[str, SegmentFunction], ...]
    line_functions: tuple[tuple[str, LineFunction], ...]
    # Every whole-line regex in one (datelines, bylines, lines: the order of precedence): most
    # lines match none, and one scan tells; for the others it also tells which rule matched.
    any_line: Alternation
    line_kinds: tuple[str, ...]  # "dateline", "byline" or "line" for each rule of any_line
    max_chrome_chars: int
    header_lines: int
    abbreviations: frozenset[str]
    # What the whole-line rules say of a line, by its text (`engine.judge`): a line is judged
    # several times per document (rejoin, classify, footers, the rules' second run), and chrome
    # lines recur from one document to the next.
    verdicts: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def dateline_names(self) -> frozenset[str]:
        return frozenset(rule.name for rule in self.datelines.rules)


def merge(generic: ProfileRules, site: ProfileRules | None) -> RuleSet:
    """Generic rules (minus those the site disables) followed by the site's rules."""
    layers = [generic] if site is None or site is generic else [generic, site]
    disabled = set(site.disable) if site is not None else set()
    unknown = disabled - generic.rule_names()
    if unknown and site is not None:
        raise ProfileError(site.path, f"[clean] disable names unknown rules {sorted(unknown)}")

    def enabled(name: str) -> bool:
        profile, _, rule = name.partition(":")
        return not (profile == generic.profile and rule in disabled)

    def family(attr: str) -> tuple[Rule, ...]:
        rules: tuple[Rule, ...] = sum((getattr(layer, attr) for layer in layers), ())
        return tuple(rule for rule in rules if enabled(rule.name))

    exact: dict[str, str] = {}
    functions: list[tuple[str, str]] = []
    for layer in layers:
        for name, lines in layer.exact:
            qualified = f"{layer.profile}:{name}"
            if enabled(qualified):
                for line in lines:
                    exact.setdefault(normalize_line(line).casefold(), qualified)
        for name, function in layer.functions:
            if enabled(f"{layer.profile}:{name}"):
                functions.append((f"{layer.profile}:{name}", function))
    top = site if site is not None else generic
    bylines = family("bylines")
    unnamed = tuple(
        Rule(b.name, re.compile(b.pattern.pattern.replace("(?P<author>", "(?:"))) for b in bylines
    )
    return RuleSet(
        profile=top.profile,
        exact=exact,
        exact_max=max(map(len, exact), default=0),
        lines=Alternation(family("lines")),
        segments=Alternation(family("segments")),
        footers=Alternation(family("footers")),
        signoffs=Alternation(family("signoffs")),
        datelines=Alternation(family("datelines")),
        bylines=bylines,
        lead_dates=family("lead_dates"),
        lead_datelines=family("lead_datelines"),
        functions=tuple(functions),
        segment_functions=tuple(
            (name, FUNCTIONS.segments[f]) for name, f in functions if f in FUNCTIONS.segments
        ),
        line_functions=tuple(
            (name, FUNCTIONS.lines[f]) for name, f in functions if f in FUNCTIONS.lines
        ),
        any_line=Alternation(family("datelines") + unnamed + family("lines")),
        line_kinds=("dateline",) * len(family("datelines")) + ("byline",) * len(bylines)
        + ("line",) * len(family("lines")),
        max_chrome_chars=top.max_chrome_chars or generic.max_chrome_chars
        or DEFAULT_MAX_CHROME_CHARS,
        header_lines=top.header_lines or generic.header_lines or DEFAULT_HEADER_LINES,
        abbreviations=frozenset(generic.abbreviations) | frozenset(top.abbreviations),
    )
