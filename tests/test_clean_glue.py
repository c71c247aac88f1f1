"""Glued-paragraph repair splits at lost breaks and nowhere else."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.clean.glue import _GLUE, repair_glue, split_glued

ABBREVIATIONS = frozenset({"dr", "prof", "st", "www"})


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("…Eropa Timur.Berikut negara yang terdampak.",
         ["…Eropa Timur.", "Berikut negara yang terdampak."]),
        ("Dewan Keamanan PBB.Selain itu, Rusia menolak.",
         ["Dewan Keamanan PBB.", "Selain itu, Rusia menolak."]),
        ("Apa yang terjadi?Simak penjelasannya.", ["Apa yang terjadi?", "Simak penjelasannya."]),
        ("katanya.”Kami siap,” ujarnya.", ["katanya.”", "Kami siap,” ujarnya."]),
        ("pada tahun 2024.Berikutnya rapat digelar.",
         ["pada tahun 2024.", "Berikutnya rapat digelar."]),
        # Slashes without a number are words, and a date in brackets ends a sentence.
        ("dari perwakilan SP/SB.Menghadapi situasi sulit, ia bicara.",
         ["dari perwakilan SP/SB.", "Menghadapi situasi sulit, ia bicara."]),
        ("kata Ronald, Senin (27/4).Polisi lalu menahan pelaku.",
         ["kata Ronald, Senin (27/4).", "Polisi lalu menahan pelaku."]),
    ],
)
def test_glued_boundaries_are_split(text: str, parts: list[str]) -> None:
    assert split_glued(text, ABBREVIATIONS) == parts


@pytest.mark.parametrize(
    "text",
    [
        "Pemimpin Korea Utara Kim Jong-un tiba di Vladivostok.",
        "Pejabat U.S. Army menolak berkomentar.",
        "Ekonomi tumbuh 3.5 persen tahun ini.",
        "Berita ini pertama kali tayang di detik.com pagi tadi.",
        "Kunjungi www.Kompas.com untuk berita lain.",
        "Tayangan ulang ada di Kompas.TV malam ini.",
        "Ia diperiksa dr.Andi Wijaya di rumah sakit.",
        "Tokoh proklamator M.Hatta lahir di Bukittinggi.",
        "Lihat https://contoh.example/Berita.Utama untuk detail.",
        "Harga naik menjadi Rp1.500 per kilogram.",
        # A court's case number: dotted parts after slashes, not sentence ends.
        "Putusan Nomor 412/Pdt.G/2023/PN.Bdg.Utr yang dibacakan hakim.",
        "Banding ke PT.Smg.Kota ditolak.",
        "Perkara 5361/Pdt.G/2022/PA.Badg. didaftarkan pekan lalu.",
    ],
)
def test_abbreviations_decimals_urls_and_initials_stay_whole(text: str) -> None:
    assert split_glued(text, ABBREVIATIONS) == [text]


def test_repair_keeps_order_across_paragraphs() -> None:
    parts = repair_glue(["Satu.Dua tiga.", "Empat."], ABBREVIATIONS)
    assert parts == ["Satu.", "Dua tiga.", "Empat."]


def test_a_quote_that_opens_the_next_paragraph_goes_with_it() -> None:
    text = 'Pelatih kecewa dengan timnya.“Ya, sangat disayangkan,” katanya.'
    assert split_glued(text, frozenset())[1].startswith("“Ya")
    text = 'Pelatih kecewa dengan timnya."Ya, ini sangat disayangkan," kata dia.'
    assert split_glued(text, frozenset()) == [
        "Pelatih kecewa dengan timnya.", '"Ya, ini sangat disayangkan," kata dia.'
    ]
    text = '"Tim sudah siap," ujarnya."Kami berlatih tiap hari."Pelatih pun optimistis.'
    assert split_glued(text, frozenset()) == [
        '"Tim sudah siap," ujarnya.', '"Kami berlatih tiap hari."', "Pelatih pun optimistis."
    ]


@pytest.mark.parametrize("mark", [".", "!", "?", "?!."])
def test_a_long_run_of_marks_is_split_in_linear_time(mark: str) -> None:
    # Every mark of the run used to be tried against the rest of it: 20k dots took seconds.
    run = mark * (20_000 // len(mark))
    start = time.process_time()
    unglued = split_glued("Kata" + run + " akhir", ABBREVIATIONS)
    glued = split_glued("Kata" + run + "Berikut kata.", ABBREVIATIONS)
    assert time.process_time() - start < 1.0  # generous: linear time takes milliseconds
    assert unglued == ["Kata" + run + " akhir"]
    assert glued == ["Kata" + run, "Berikut kata."]


# The glue regex as it was first written, with a look-behind in front; the shipped one checks
# the same after its first mark (so that the engine can skip to the marks) and must find the
# same boundaries in any text.
LOOK_BEHIND_FIRST = re.compile(r"(?<![.!?])[.!?]++[\"”’]?(?=[\"“]?[A-Z][a-z])")
GLUE_PIECES = st.sampled_from(["a", "B", "Ba", " ", ".", "!", "?", "...", '"', "”", "’", "“"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(GLUE_PIECES, max_size=12).map("".join))
def test_the_glue_regex_finds_what_its_look_behind_form_finds(text: str) -> None:
    spans = [m.span() for m in _GLUE.finditer(text)]
    assert spans == [m.span() for m in LOOK_BEHIND_FIRST.finditer(text)]


def test_the_cheap_glue_check_never_misses_a_boundary_the_glue_regex_finds() -> None:
    import random

    from scraper.clean.glue import _GLUE, _may_be_glued

    pieces = [".", "!", "?", "...", "\"", "“", "”", "’", " ", "\n", "A", "Ab", "ab", "1", "%", ")"]
    rng = random.Random(5)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        if _GLUE.search(text):
            assert _may_be_glued(text), text
