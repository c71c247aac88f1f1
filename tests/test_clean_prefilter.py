"""Literal pre-checks derived from rule regexes: they must never rule out a line a rule matches."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scraper.clean import Cleaner
from scraper.clean.prefilter import CASE_FOLDS_TO_ASCII, any_of, first_chars, need, scans
from scraper.config import CleanConfig
from scraper.document import parse_dump
from scraper.profiles import load_profiles

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _fixture_lines() -> list[str]:
    lines: set[str] = set()
    for path in sorted(FIXTURES.rglob("*.txt")):
        doc = parse_dump(path.read_text(encoding="utf-8"))
        lines.update([*doc.paragraphs, doc.title or ""])
    return sorted(line for line in lines if line)


# Lines written to hit the rules, in every case and with the characters that `re` folds.
HAND_LINES = [
    "Foto/AP", "FOTO: Dok. Humas", "Presiden tiba di Jakarta. (Foto: Istimewa)",
    "ANTARA FOTO/Rizal",
    "Copyright © 2024 Kabar Kota", "COPYRIGHT 2024 KABAR", "Hak Cipta dilindungi", "© 2024",
    "Ini berita. All Rights Reserved.", "Baca di halaman selanjutnya", "BACA HALAMAN BERIKUTNYA",
    "kirim ke email [email protected]", "(abc/def)", "(ahm)", "Simak Video \"Bus Listrik\"",
    "SıMAK VİDEO \"Bus\"", "Baca juga: Harga Cabai Turun", "Halaman 1 2 Selanjutnya",
    "Liputan6.com/Angga Yuniar", "Penulis: Dian | Editor: Hendra", "-", "– —",
]


def _shipped_rules() -> dict[str, tuple[str, re.Pattern[str]]]:
    cleaner = Cleaner(CleanConfig(), load_profiles())
    rules = {}
    for rule_set in cleaner._rules.values():
        for family in ("any_line", "footers", "signoffs", "segments"):
            for rule in getattr(rule_set, family).rules:
                rules[rule.name] = (family, rule.pattern)
    return rules


def test_no_shipped_rule_is_ruled_out_on_a_line_it_matches() -> None:
    lines = _fixture_lines() + HAND_LINES
    matched = 0
    for name, (family, pattern) in _shipped_rules().items():
        found = need(pattern)
        if found is None:
            continue
        probe = pattern.search if family == "segments" else pattern.fullmatch
        for line in lines:
            if probe(line):
                matched += 1
                assert found.may_match(line), (name, line)
    assert matched > 100  # the lines really exercise the rules


def test_the_pre_checked_alternation_picks_the_same_rule_as_the_plain_one() -> None:
    lines = _fixture_lines() + HAND_LINES
    cleaner = Cleaner(CleanConfig(), load_profiles())
    for rule_set in cleaner._rules.values():
        alternation = rule_set.any_line
        assert alternation._gated[0] is not None  # the shipped rules do have scanning rules
        for line in lines:
            assert alternation.fullmatch_index(line) == alternation._fullmatch_index(line), line


def test_a_need_holds_for_case_insensitive_parts_and_folded_characters() -> None:
    pattern = re.compile(r"(?i:simak)\s+video")
    found = need(pattern)
    assert found is not None
    for text in ("SIMAK video", "Simak  video", "SıMAK video", "ſimak video"):
        assert pattern.fullmatch(text)
        assert found.may_match(text), text
    assert not found.may_match("Lihat foto di sini")


def test_case_folds_to_ascii_lists_every_character_re_matches_to_an_ascii_one() -> None:
    bmp = "".join(chr(c) for c in range(0x80, 0x10000) if not 0xD800 <= c < 0xE000)
    odd = set()
    for char in map(chr, range(0x20, 0x7F)):
        for other in re.findall("(?i)" + re.escape(char), bmp):
            if other.lower() != char.lower():
                odd.add(other)
    assert odd == set(CASE_FOLDS_TO_ASCII)


@pytest.mark.parametrize(
    ("pattern", "inside", "outside"),
    [
        (r"(?:.{0,250}?[.!?]\s*|)\(?(?:Foto|FOTO)\s*[:/].*", "Kata dia. Foto/AP", "Kata dia. Ft"),
        (r"(?i:copyright).*|©.*", "COPYRIGHT 2024", "Hak 2024"),
        (r"[^.!?]{1,80}[.!?]\s+(?i:baca)\s+(?i:halaman)\s+(?i:selanjutnya)",
         "Ada apa? BACA HALAMAN SELANJUTNYA", "Ada apa? Baca berita"),
        (r".{0,250}\[email\s*protected\].{0,80}", "tulis ke [email protected] ya", "tulis ke kami"),
    ],
)
def test_a_need_takes_what_every_match_holds(pattern: str, inside: str, outside: str) -> None:
    compiled = re.compile(pattern)
    found = need(compiled)
    assert found is not None
    assert compiled.fullmatch(inside) and found.may_match(inside)
    assert not found.may_match(outside)


@pytest.mark.parametrize(
    "pattern", [r".*", r"(?:x|)", r"\d{2,}", r"[a-z]{3}", r"(?:ab)?c?", r"(a)|b*", r"(?i)©"]
)
def test_a_need_is_none_when_no_string_is_sure(pattern: str) -> None:
    assert need(re.compile(pattern)) is None


def test_a_backreference_or_lookaround_keeps_the_strings_around_it() -> None:
    found = need(re.compile(r"(ab)\1(?=c)\bcde"))
    assert found is not None
    assert found.may_match("ababcde") and not found.may_match("ababcd")


def test_only_rules_that_open_with_a_long_run_of_any_character_scan() -> None:
    assert scans(re.compile(r".{0,80}(?i:all rights reserved)"))
    assert scans(re.compile(r"(?:[^.!?]{1,80}[.!?]\s+)?(?i:baca)"))
    assert not scans(re.compile(r"(?i:foto)\s*:.{5,250}"))
    assert not scans(re.compile(r"\[Gambas:[^\]]{1,80}\]"))


def test_any_of_keeps_the_shortest_strings_and_lowers_the_ascii_ones() -> None:
    merged = any_of([need(re.compile("ANTARA FOTO|Foto")), need(re.compile("FOTO|©"))])
    assert merged.exact == ("©",)
    assert merged.folded == ("foto",)


def test_no_shipped_rule_is_skipped_for_the_first_character_of_a_line_it_matches() -> None:
    lines = _fixture_lines() + HAND_LINES
    matched = 0
    for name, (family, pattern) in _shipped_rules().items():
        chars = first_chars(pattern)
        if chars is None or family == "segments":
            continue
        for line in lines:
            if pattern.fullmatch(line):
                matched += 1
                assert chars.may_start(line[0]), (name, line)
    assert matched > 100


@pytest.mark.parametrize(
    ("pattern", "starts", "never"),
    [
        (r"(?i:simak)\s+video", ["s", "S", "ſ"], ["v", "(", "1"]),
        (r"(?:(?i:senin|rabu),?\s+)?\d{1,2}\s+Juni", ["S", "r", "7", "٣"], ["J", "x"]),
        (r"\*?\s*(?i:ikuti)", ["*", " ", "I", "ı", "İ"], ["x", "1"]),
        (r"[A-Z][a-z]+ Awards", ["A", "Q"], ["a", "1"]),
        (r"(?=\()\([a-z]{2,5}\)|[-–]", ["(", "-", "–"], ["a", "—"]),
    ],
)
def test_first_chars_are_every_character_a_match_can_start_with(
    pattern: str, starts: list[str], never: list[str]
) -> None:
    chars = first_chars(re.compile(pattern))
    assert chars is not None
    assert all(chars.may_start(c) for c in starts), starts
    assert not any(chars.may_start(c) for c in never), never


@pytest.mark.parametrize("pattern", [r".{0,80}x", r"\w+", r"[^a]b", r"(?:ab)?", r"a?"])
def test_first_chars_are_none_when_any_character_may_start(pattern: str) -> None:
    assert first_chars(re.compile(pattern)) is None
