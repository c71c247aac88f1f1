"""Validation of `[clean]` tables: bad rules fail on load with the file and the rule named."""

from __future__ import annotations

import pytest

from scraper.clean import Cleaner
from scraper.clean.alternation import Alternation, Rule
from scraper.clean.functions import FUNCTIONS
from scraper.clean.rules import merge, parse_clean_table
from scraper.config import CleanConfig
from scraper.errors import ConfigError, ProfileError
from scraper.profiles import load_profiles, parse_profile

KNOWN = FUNCTIONS.names()


def _profile(body: str, name: str = "demo"):
    return parse_profile(f'name = "{name}"\n[clean]\n{body}', f"profiles/{name}.toml")


def test_every_shipped_profile_validates() -> None:
    for profile in load_profiles():
        rules = parse_clean_table(profile, KNOWN)
        assert rules.profile == profile.name


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("[clean.lines]\nempty = ''", "non-empty"),
        ("[clean.lines]\nstar = 'x*'", "empty string"),
        ("[clean.lines]\nall = '.+'", "matches everything"),
        ("[clean.segments]\nany = '\\w'", "matches everything"),
        ("[clean.lines]\nbad = '(unclosed'", "bad regex"),
        ("[clean.lines]\ngroups = '(?P<x>ab)'", "named groups"),
        ("[clean.lead_dates]\nd = '(?P<author>ab)'", "named groups"),
        ("[clean.exact]\nblank = ['  ']", "non-empty lines"),
        ("[clean.functions]\nf = 'no_such_function'", "unknown function"),
        ("[clean.nonsense]\na = 'b'", "unknown keys"),
        ("header_lines = 0", "positive integer"),
        ("[clean.lines]\nBad-Name = 'abc'", "not an identifier"),
    ],
)
def test_bad_rules_are_rejected_naming_file_and_rule(body: str, reason: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_clean_table(_profile(body), KNOWN)
    assert "profiles/demo.toml" in caught.value.subject
    assert reason in caught.value.reason


def test_the_error_names_the_rule() -> None:
    with pytest.raises(ProfileError) as caught:
        parse_clean_table(_profile("[clean.lines]\nfine = 'abc'\nbroken = '.*'"), KNOWN)
    assert caught.value.subject == "profiles/demo.toml [clean.lines] broken"


def test_byline_rules_may_capture_the_author() -> None:
    rules = parse_clean_table(_profile("[clean.bylines]\nb = 'By (?P<author>[A-Z]\\w+)'"), KNOWN)
    assert rules.bylines[0].name == "demo:b"


def test_a_site_can_disable_a_generic_rule_and_unknown_names_fail() -> None:
    generic = parse_clean_table(load_profiles().generic, KNOWN)
    site = parse_clean_table(_profile('disable = ["font_widget"]'), KNOWN)
    assert "a a a" not in merge(generic, site).exact
    assert "a a a" in merge(generic, None).exact
    typo = parse_clean_table(_profile('disable = ["font_widgt"]'), KNOWN)
    with pytest.raises(ProfileError, match="font_widgt"):
        merge(generic, typo)


def test_site_rules_extend_the_generic_ones() -> None:
    generic = parse_clean_table(load_profiles().generic, KNOWN)
    site = parse_clean_table(_profile("[clean.lines]\nmine = 'Demo Footer'"), KNOWN)
    merged = merge(generic, site)
    assert merged.lines.fullmatch("Demo Footer") == "demo:mine"
    assert merged.lines.fullmatch("Foto/AP") == "generic:photo_caption"
    assert merged.profile == "demo"


def test_alternation_reports_the_rule_and_handles_leading_flags() -> None:
    import re

    alternation = Alternation(
        (Rule("p:one", re.compile("(?i)hello")), Rule("p:two", re.compile("world")))
    )
    assert alternation.fullmatch("HELLO") == "p:one"
    assert alternation.fullmatch("world") == "p:two"
    assert alternation.fullmatch("WORLD") is None
    assert [name for name, _ in alternation.finditer("hello world")] == ["p:one", "p:two"]


def test_a_bad_user_profile_fails_the_cleaner_at_start(tmp_path) -> None:
    (tmp_path / "mine.toml").write_text('name = "mine"\n[clean.lines]\nx = ".*"\n')
    with pytest.raises(ProfileError, match=r"mine\.toml"):
        Cleaner(CleanConfig(), load_profiles(tmp_path))


def test_an_unknown_forced_site_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown site profile"):
        Cleaner(CleanConfig(site="nope"), load_profiles())


ADVERSARIAL = ["1", "1 ", "A", "a", "Aa ", "a. ", "Foto/", "( ", "Baca juga: ", "1/", "- ", ". ",
               "Halaman ", "Penulis: A ", "| ", ": ", "©", "“", "Facebook ", "Dok. ", "A.", "a-"]


def test_no_shipped_rule_backtracks_catastrophically() -> None:
    """A nested quantifier such as `(?:\\d+\\s*)*` takes seconds on "Halaman 1111…x"; every
    shipped rule must stay fast on such lines (a line can hold up to max_chrome_chars)."""
    import time

    cleaner = Cleaner(CleanConfig(), load_profiles())
    patterns = {}
    for rules in cleaner._rules.values():
        for family in ("lines", "segments", "footers", "signoffs", "datelines"):
            patterns.update({r.name: r.pattern for r in getattr(rules, family).rules})
        patterns.update({r.name: r.pattern for r in (*rules.bylines, *rules.lead_dates)})
    slow = []
    for name, pattern in patterns.items():
        for head in ADVERSARIAL:
            for unit in ADVERSARIAL:
                text = head + unit * 20 + "x"
                start = time.perf_counter()
                pattern.fullmatch(text)
                if time.perf_counter() - start > 0.1:
                    slow.append((name, text))
    assert not slow
