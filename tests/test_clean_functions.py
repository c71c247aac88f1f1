"""The named Python rules, called directly."""

from __future__ import annotations

import pytest

from scraper.clean import Cleaner
from scraper.clean.functions import (
    FUNCTIONS,
    header_name_byline,
    inline_promo,
    repeated_title,
    summary_block,
)
from scraper.clean.work import Work
from scraper.config import CleanConfig
from scraper.profiles import load_profiles


def _cut(text: str) -> list[str]:
    return [text[span.start:span.end] for span in inline_promo(text) if not span.uncertain]


def _kept(text: str) -> list[str]:
    return [text[span.start:span.end] for span in inline_promo(text) if span.uncertain]


@pytest.mark.parametrize(
    ("text", "segment"),
    [
        ("Stok aman. Baca juga: Bulog Pastikan Stok Beras Aman Namun penyaluran dimulai besok.",
         "Baca juga: Bulog Pastikan Stok Beras Aman"),
        ("Stok aman. Baca Juga : Harga Cabai di Pasar Induk Turun “Kami lega,” kata pedagang.",
         "Baca Juga : Harga Cabai di Pasar Induk Turun"),
        ("Stok aman. Baca juga: Pasar Baru Dibuka Jadi, pedagang pindah pekan depan.",
         "Baca juga: Pasar Baru Dibuka"),
        ("Stok aman. LIHAT JUGA: Apa yang Terjadi? Semua pihak menunggu.",
         "LIHAT JUGA: Apa yang Terjadi?"),
        ("Stok aman. Baca juga: Pasar Lama Akan Direnovasi",
         "Baca juga: Pasar Lama Akan Direnovasi"),
        ("Stok aman. Simak juga: 5 Fakta Bus Listrik Baru Sementara itu warga antusias.",
         "Simak juga: 5 Fakta Bus Listrik Baru"),
    ],
)
def test_inline_promo_cuts_label_and_headline(text: str, segment: str) -> None:
    assert _cut(text) == [segment]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # the next sentence's subject may be one capitalised word or five
        ("Stok aman. Baca juga: Bulog Pastikan Stok Beras Aman Penyaluran dimulai pekan depan.",
         " Bulog Pastikan Stok Beras Aman Penyaluran"),
        ("Warga senang. Baca Juga: Gubernur Tinjau Banjir Gubernur Jawa Barat Budi Santoso "
         "meninjau lokasi.", " Gubernur Tinjau Banjir Gubernur Jawa Barat Budi Santoso"),
        # a lowercase headline word may start the sentence ("di mata …")
        ("Ia berkata. Baca juga: Tanda Cuaca Buruk di Laut Lepas di kawasan itu angin kencang.",
         " Tanda Cuaca Buruk di Laut Lepas di"),
    ],
)
def test_an_unsure_headline_end_keeps_the_headline_and_cuts_only_the_label(
    text: str, kept: str
) -> None:
    label = text[text.index("Baca"):text.index(":") + 1]
    assert _cut(text) == [label]
    assert _kept(text) == [kept]


@pytest.mark.parametrize(
    "text",
    [
        "Ia mengajak warga membaca juga buku sejarah lokal.",
        "Jawaban: Kutai Martadipura.",
        "Lihat juga bagaimana pedagang menata lapak mereka.",
        "Waktu: pukul 08.00 sampai selesai.",
    ],
)
def test_inline_promo_leaves_sentences(text: str) -> None:
    assert inline_promo(text) == []


def test_every_label_is_found_when_several_are_close() -> None:
    # Found by hypothesis: the second label sat within the look-back window of the first.
    assert _cut(":BACA Juga:\n&BACA Juga:") == ["BACA Juga:", "BACA Juga:"]


def _work(title: str | None, *lines: str) -> Work:
    return Work(title=title, lines=list(lines))


def test_repeated_title_removes_full_and_truncated_copies_only() -> None:
    work = _work("Harga Beras Medium Naik di 12 Provinsi", "Harga Beras Medium Naik...",
                 "harga beras medium naik di 12 provinsi", "Harga...", "Isi berita.")
    repeated_title(work, "t:rule", None)  # type: ignore[arg-type]
    assert work.paragraphs() == ["Harga...", "Isi berita."]


def test_summary_block_needs_its_removed_label() -> None:
    work = _work("T", "Ringkasan Berita:", "- satu poin", "- dua poin", "Isi berita.", "- daftar")
    work.why[0] = "site:summary_label"
    summary_block(work, "t:summary", None)  # type: ignore[arg-type]
    assert work.paragraphs() == ["Isi berita.", "- daftar"]


def test_header_name_byline_only_beside_header_metadata() -> None:
    rules = Cleaner(CleanConfig(), load_profiles())._rules["generic"]
    work = _work("T", "Noer Huda", "4 Min Read", "Isi berita.")
    work.why[1] = "generic:read_time"
    header_name_byline(work, "g:byline", rules)
    assert work.author == "Noer Huda" and work.why[0] == "g:byline"
    lone = _work("T", "Noer Huda", "Isi berita.")
    header_name_byline(lone, "g:byline", rules)
    assert lone.author is None and lone.why == [None, None]


def test_registry_lists_every_function_once() -> None:
    names = FUNCTIONS.names()
    assert set(names) == {"inline_promo", "repeated_title", "promo_headline",
                          "header_name_byline", "summary_block", "related_tail",
                          "table_of_contents"}


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # two headlines glued to each other and to the sentence that follows
        ("Baca Juga:Pasar Baru Dibuka di Pusat KotaHarga Sayur Turun Jelang Akhir Pekan"
         "Seperti diketahui, pasar itu dibangun sejak tahun lalu.",
         "Seperti diketahui, pasar itu dibangun sejak tahun lalu."),
        ("Baca Juga:Wali Kota: Pedagang adalah Tulang Punggung Ekonomi Kota"
         "Dia menjelaskan, pasar menampung 300 pedagang.",
         "Dia menjelaskan, pasar menampung 300 pedagang."),
        ("Baca Juga:Harga Cabai Naik 20%Pedagang pun mengeluh.", "Pedagang pun mengeluh."),
        ("Baca Juga:Pasar Lama Ditutup“Kami pindah hari ini,” kata Budi.",
         "“Kami pindah hari ini,” kata Budi."),
    ],
)
def test_glued_headlines_end_where_the_dump_glued_the_article_on(text: str, kept: str) -> None:
    spans = inline_promo(text)
    assert len(spans) == 1
    start, end, uncertain = spans[0]
    assert text[end:].strip() == kept and start == 0 and not uncertain


def test_a_signoff_after_a_headline_is_not_taken_for_prose() -> None:
    text = "Warga senang. Baca Juga: Pasar Lama Kembali Dibuka (abc)"
    assert _cut(text) == ["Baca Juga: Pasar Lama Kembali Dibuka"]


def test_promo_hints_found_before_colons_are_what_the_regex_finds_anywhere() -> None:
    import random

    from scraper.clean.functions import _PROMO_HINT, _hints

    pieces = ["juga", "Juga", "JUGA", "pula", "lengkapnya", "TERKAIT", "Baca", "x", " ", "  ",
              "\n", ":", " :", "\t:", "kabarjuga", "lengkapnyajuga", "selengkapnya", ".", "a"]
    rng = random.Random(11)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        expected = [m.span() for m in _PROMO_HINT.finditer(text)]
        assert [m.span() for m in _hints(text)] == expected, text
