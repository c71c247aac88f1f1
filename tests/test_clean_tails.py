"""What real dumps carry around the article, as named rules that apply to every site."""

from __future__ import annotations

import pytest

from scraper.clean import Cleaner, clean_text
from scraper.config import CleanConfig, ExtractConfig
from scraper.document import Document, format_seed
from scraper.errors import ConfigError
from scraper.extract import extract_html
from scraper.profiles import Profile, ProfileSet, load_profiles

LEAD = "Pemerintah kota membuka taman baru seluas dua hektare di pusat kota pada Sabtu pagi."
MORE = "Taman itu dilengkapi jalur lari, area bermain anak, dan kolam resapan air hujan."
SITES = sorted(p.name for p in load_profiles())


def clean(lines: list[str], site: str, url: str | None = None):
    return clean_text(format_seed("Taman Baru Dibuka", lines), site=site, url=url)


@pytest.mark.parametrize("site", SITES)
def test_the_tail_after_the_desk_signoff_goes_on_every_site(site: str) -> None:
    tail = ["(abc/def)", "taman kota", "ruang terbuka hijau", "pemkot",
            "Lihat Video 'Warga Berolahraga di Taman Baru':", "[Gambas:Video 20detik]",
            "Kota Hijau Awards 2025", "Baca kisah inspiratif para penggerak kota lainnya di sini."]
    result = clean([LEAD, MORE, *tail], site)
    assert result.document.paragraphs == [LEAD, MORE]
    removed = " ".join(r.text for r in result.removed)
    assert all(line in removed for line in tail)


@pytest.mark.parametrize("site", SITES)
def test_initials_with_the_tag_list_flattened_onto_their_line_go_on_every_site(site: str) -> None:
    result = clean([LEAD, MORE, "(abc/def) taman kota ruang terbuka hijau pemkot"], site)
    assert result.document.paragraphs == [LEAD, MORE]


def test_a_sentence_that_opens_with_a_bracket_is_not_a_signoff() -> None:
    line = "(Warga) berharap taman itu dibuka setiap hari sampai malam."
    assert clean([LEAD, MORE, line], "detik").document.paragraphs == [LEAD, MORE, line]


def test_a_live_program_promo_and_its_slogan_go_from_detik() -> None:
    promo = ("Ikuti terus obrolan hangat seputar kota yang disiarkan secara langsung (live "
             "streaming) setiap Senin-Jumat pukul 15.30 WIB di kanal video kami.")
    result = clean([LEAD, MORE, promo, '"Detik Sore, Santai tapi Serius!"'], "detik")
    assert result.document.paragraphs == [LEAD, MORE]
    assert {r.rule for r in result.removed} == {"detik:live_program", "detik:program_slogan"}


@pytest.mark.parametrize("site", SITES)
def test_a_signoff_glued_to_the_last_paragraph_takes_the_tags_with_it(site: str) -> None:
    result = clean([LEAD, f"{MORE} (abc/def)", "taman kota", "pemkot"], site)
    assert result.document.paragraphs == [LEAD, MORE]


def test_initials_mid_article_followed_by_sentences_are_not_a_signoff() -> None:
    result = clean([LEAD, "(abc)", MORE], "generic")
    assert result.document.paragraphs == [LEAD, "(abc)", MORE]


def test_a_table_of_contents_goes_and_its_headings_stay_in_the_body() -> None:
    lines = ["Daftar Isi", "Lokasi taman", "Fasilitas", LEAD, "Lokasi taman", MORE]
    result = clean(lines, "detik")
    assert result.document.paragraphs == [LEAD, "Lokasi taman", MORE]
    assert [r.rule for r in result.removed] == ["generic:table_of_contents"] * 3


@pytest.mark.parametrize(
    "note",
    [
        "Artikel ini sudah lebih dulu tayang di detikJabar.",
        "Artikel ini telah tayang di Kompas.com dengan judul Taman Baru Dibuka.",
        "Foto: Rina Wulandari/detik.com",
        "Warga bermain di taman. (Foto: Dok. Humas Pemkot/kompas.com)",
        "Bersambung ke halaman selanjutnya.",
        "- -",
        "Foto: Warga menanam pohon di tepi kolam. (Rina/detikcom)",
        "(KOTAKITA.COM/RINA WULANDARI)",
        "Baca selengkapnyadi sini.",
        "Baca berita lengkapnya di sini",
        "Siapa saja yang datang? Baca halaman selanjutnya.",
        "Bagaimana ceritanya selengkapnya, saksikan dalam Obrolan Kota! tayang malam ini.",
        "Simak Video Wow! Taman Baru Penuh Pengunjung",
    ],
)
def test_notes_credits_and_stray_dashes_go(note: str) -> None:
    assert clean([LEAD, MORE, note], "detik").document.paragraphs == [LEAD, MORE]


def test_a_standings_table_keeps_its_numbers() -> None:
    rows = ["Klasemen akhir grup:", "1", "2", "3", "10 7 2", "9 6 3"]
    assert clean([LEAD, *rows], "detik").document.paragraphs == [LEAD, *rows]


def test_related_headlines_after_the_last_sentence_go() -> None:
    lines = [LEAD, MORE, "Pemkot Tambah Jalur Sepeda di Lima Kecamatan",
             "Harga Tiket Masuk Kebun Binatang Naik Mulai Bulan Depan"]
    assert clean(lines, "detik").document.paragraphs == [LEAD, MORE]


def test_a_last_line_that_introduces_a_list_is_article_text() -> None:
    lines = [LEAD, "Selain itu, taman ini punya beberapa fasilitas tambahan, di antaranya:"]
    assert clean(lines, "kompas").document.paragraphs == lines


def test_a_profile_paragraph_rule_drops_the_same_line_of_a_text_dump() -> None:
    shipped = load_profiles()
    site = Profile(name="contoh", domains=("contoh.id",),
                   extract={"body": [".isi"], "drop_paragraphs": ["^Kuis harian:.*"]})
    profiles = ProfileSet({**{p.name: p for p in shipped}, "contoh": site})
    dump = Document(title="Taman Baru Dibuka", paragraphs=[LEAD, "Kuis harian: tebak nama taman",
                                                           MORE], url="https://contoh.id/a")
    cleaned = Cleaner(CleanConfig(), profiles).clean_one(dump)
    assert cleaned.paragraphs == [LEAD, MORE]
    assert cleaned.removed[0].rule == "contoh:drop_paragraphs_1"
    page = (f"<html><body><div class='isi'><p>{LEAD}</p><p>Kuis harian: tebak nama taman</p>"
            f"<p>{MORE}</p></div></body></html>")
    extracted = extract_html(page, url="https://contoh.id/a", profiles=profiles,
                             config=ExtractConfig())
    assert extracted.paragraphs == [LEAD, MORE]


def test_a_dateline_split_over_lines_comes_back_as_the_lead_on_every_site() -> None:
    for site in ("detik", "kompas", "generic"):
        paragraphs = clean(["Makkah", "-", LEAD, MORE], site).document.paragraphs
        assert paragraphs == [f"Makkah - {LEAD}", MORE]


@pytest.mark.parametrize(
    ("lead", "dateline"),
    [
        (f"JAKARTA - {LEAD}", "JAKARTA"),
        (f"Jakarta - {LEAD}", "Jakarta"),
        (f"BANDUNG, KOMPAS.com - {LEAD}", "BANDUNG, KOMPAS.com"),
        (f"Jakarta, CNN Indonesia -- {LEAD}", "Jakarta, CNN Indonesia"),
        (f"TRIBUNNEWS.COM, SURABAYA - {LEAD}", "TRIBUNNEWS.COM, SURABAYA"),
        (f"Semarang (ANTARA) - {LEAD}", "Semarang (ANTARA)"),
    ],
)
@pytest.mark.parametrize("site", ["detik", "kompas", "tribunnews", "generic"])
def test_the_leads_dateline_stays_in_the_text_and_goes_to_the_manifest(
    lead: str, dateline: str, site: str
) -> None:
    doc = clean([lead, MORE], site).document
    assert doc.paragraphs == [lead, MORE]
    assert doc.extra["dateline"] == dateline


def test_with_dateline_manifest_the_dateline_leaves_the_text() -> None:
    cleaner = Cleaner(CleanConfig(dateline="manifest"), load_profiles())
    doc = cleaner.clean_one(Document(title="Taman Baru Dibuka",
                                     paragraphs=["Makkah", "-", LEAD, MORE]))
    assert doc.paragraphs == [LEAD, MORE]
    assert doc.extra["dateline"] == "Makkah"
    assert doc.removed[-1].rule == "generic:place"
    assert cleaner.clean_one(doc).paragraphs == [LEAD, MORE]


@pytest.mark.parametrize(
    "lead",
    [f"Real Madrid - Barcelona berakhir imbang, {LEAD}", f"Presiden - yang baru - {LEAD}", LEAD],
)
def test_a_lead_without_a_dateline_has_none(lead: str) -> None:
    doc = clean([lead, MORE], "generic").document
    assert doc.paragraphs == [lead, MORE] and "dateline" not in doc.extra


def test_a_page_and_a_dump_of_it_give_the_same_dateline() -> None:
    page = (f"<html><body><div class='read__content'><p>BANDUNG, KOMPAS.com - {LEAD}</p>"
            f"<p>{MORE}</p><p>{MORE}</p></div></body></html>")
    profiles = load_profiles()
    url = "https://regional.kompas.com/read/2025/06/10/taman"
    extracted = extract_html(page, url=url, profiles=profiles, config=ExtractConfig())
    cleaner = Cleaner(CleanConfig(), profiles)
    from_page = cleaner.clean_one(extracted)
    from_dump = clean([f"BANDUNG, KOMPAS.com - {LEAD}", MORE, MORE], "kompas", url).document
    assert from_page.extra["dateline"] == from_dump.extra["dateline"] == "BANDUNG, KOMPAS.com"


def test_an_unknown_dateline_mode_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="dateline"):
        Cleaner(CleanConfig(dateline="body"), load_profiles())


@pytest.mark.parametrize(
    "lead", [f"Warga-Pemkot {LEAD}", f"Ilustrasi - Warga menanam pohon di taman. {LEAD}"]
)
def test_a_hyphenated_word_or_a_caption_is_not_a_dateline(lead: str) -> None:
    assert "dateline" not in clean([lead, MORE], "tribunnews").document.extra
