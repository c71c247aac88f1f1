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
from typing import Any

from scraper.clean.alternation import Alternation, Rule
from scraper.clean.functions import FUNCTIONS, LineFunction, SegmentFunction
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
