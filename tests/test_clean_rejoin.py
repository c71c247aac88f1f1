"""Sentences that a dump broke at its inline links are joined back; real short lines stay."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.clean import clean_text
from scraper.clean.rejoin import _ends_sentence, rejoin_lines
from scraper.document import format_seed


def never(line: str) -> bool:
    return False


def test_a_sentence_broken_at_a_link_is_rejoined() -> None:
    lines = ["Proses pemulangan jamaah", "umrah", "Indonesia ke tanah air berjalan lancar."]
    assert rejoin_lines(lines, never) == [
        "Proses pemulangan jamaah umrah Indonesia ke tanah air berjalan lancar."
    ]


def test_a_dateline_and_a_name_link_are_rejoined_with_their_punctuation() -> None:
    lines = ["KOTAKITA.com", "- Pelatih tim nasional,", "Budi Hartono", ", menyebut timnya siap."]
    assert rejoin_lines(lines, never) == [
        "KOTAKITA.com - Pelatih tim nasional, Budi Hartono, menyebut timnya siap."
    ]


def test_a_place_and_a_dash_on_their_own_lines_open_the_lead() -> None:
    lines = ["Bogor", "-", "Warga memadati alun-alun sejak pagi untuk menonton pawai."]
    assert rejoin_lines(lines, never) == [
        "Bogor - Warga memadati alun-alun sejak pagi untuk menonton pawai."
    ]


def test_short_paragraphs_headings_and_lists_stay_apart() -> None:
    lines = [
        "Warga diminta menyiapkan beberapa berkas.",
        "Syarat pendaftaran:",
        "fotokopi kartu keluarga",
        "pas foto berwarna",
        "Kronologi Kejadian",
        "Peristiwa itu bermula pada Senin malam.",
        "- kartu identitas",
        "- surat pengantar",
        "Kenapa?",
    ]
    assert rejoin_lines(lines, never) == lines


def test_chrome_lines_never_join_and_a_sentence_around_one_is_joined_across_it() -> None:
    def chrome(line: str) -> bool:
        return line in ("(abc/def)", "ADVERTISEMENT")

    lines = ["Harga beras naik di sejumlah", "ADVERTISEMENT", "pasar tradisional.", "(abc/def)",
             "pemilu"]
    assert rejoin_lines(lines, chrome) == [
        "Harga beras naik di sejumlah pasar tradisional.", "ADVERTISEMENT", "(abc/def)", "pemilu"
    ]


def test_a_row_of_numbers_is_not_joined_to_what_follows() -> None:
    lines = ["Klasemen sementara:", "10 7 2", "Simak", "juga berita lainnya."]
    assert rejoin_lines(lines, never)[:2] == ["Klasemen sementara:", "10 7 2"]


@pytest.mark.parametrize("site", ["kompas", "tribunnews", "detik", "generic"])
def test_a_promo_split_over_lines_is_removed_as_one_block(site: str) -> None:
    text = format_seed("Harga Cabai Turun", [
        "Harga cabai rawit di pasar induk turun menjadi Rp 40.000 per kilogram pekan ini.",
        "Simak", "breaking news", "dan", "berita pilihan kami",
        "langsung di ponselmu. Pilih saluran andalanmu akses berita Kompas.com WhatsApp Channel.",
    ])
    result = clean_text(text, site=site)
    assert result.document.paragraphs == [
        "Harga cabai rawit di pasar induk turun menjadi Rp 40.000 per kilogram pekan ini."
    ]
    assert [r.rule for r in result.removed] == ["generic:channel_promo"]


# The sentence end as the regex that used to find it; `_ends_sentence` reads it from the end of
# the line instead, and must answer alike on any text.
SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*(?:\s*\([^()]{1,40}\))?$")
END_PIECES = st.sampled_from(
    ["a", "kata dia", " ", "\t", "\n", ".", "!", "?", "…", '"', "”", "’", "'", ")", "]", "(",
     "(abc/def)", "(" + "x" * 40 + ")", "(" + "x" * 41 + ")", "((ahm)", "(a)b)", "Rp1.500"]
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(END_PIECES, max_size=8).map("".join))
def test_a_sentence_end_is_found_as_the_regex_finds_it(line: str) -> None:
    assert _ends_sentence(line) == bool(SENTENCE_END.search(line))


@pytest.mark.parametrize(
    ("line", "ends"),
    [("Ia tiba di Jakarta.", True), ("“Kami siap,” katanya.”)", True),
     ("kata dia. (abc/def)", True), ("kata dia. (" + "x" * 41 + ")", False),
     ("Pelatih Timnas Indonesia,", False), ("Harga naik (lagi)", False)],
)
def test_sentence_ends(line: str, ends: bool) -> None:
    assert _ends_sentence(line) is ends
