"""Each rule family of the engine, with the chrome it must remove and the content it must keep."""

from __future__ import annotations

import pytest

from scraper.clean import Cleaner, clean_text, engine
from scraper.config import CleanConfig
from scraper.document import Document, format_seed
from scraper.profiles import load_profiles

BODY = "Pemerintah daerah meresmikan pasar baru di pusat kota pada Senin pagi."
MORE = "Pasar itu menampung 300 pedagang yang sebelumnya berjualan di bahu jalan."


def clean(*lines: str, title: str = "Pasar Baru Diresmikan", site: str | None = "generic"):
    return clean_text(format_seed(title, list(lines)), site=site).document


@pytest.mark.parametrize(
    "chrome",
    [
        "Presiden meninjau lokasi pasar. Foto/AP",
        "Foto/AP",
        "Suasana pasar pada hari pertama. (Foto: Antara/Budi Santoso)",
        "Foto: ANTARA/Hafidz Mubarak",
        "ADVERTISEMENT",
        "SCROLL TO CONTINUE WITH CONTENT",
        "Advertisement",
        "Baca juga: Harga Cabai Turun Jelang Akhir Pekan",
        "Lihat Juga :",
        "Simak Video \"Suasana Pasar Baru\"",
        "Ikuti kami di Google News untuk berita terbaru",
        "Follow Instagram @kabarkota untuk info terkini",
        "Ikuti kami di Instagram dan TikTok",
        "Gabung ke saluran WhatsApp kami, klik di sini",
        "tulis komentar anda",
        "Share This Article",
        "Bagikan: Facebook Twitter WhatsApp",
        "Halaman :",
        "Halaman 1 2 Selanjutnya",
        "Halaman 2 dari 3",
        "No more pages",
        "Copyright © 2024 KabarKota.example",
        "All Rights Reserved",
        "A A A",
        "loading...",
        "Hubungi redaksi di [email protected]",
        "4 Min Read",
        "[Gambas:Video 20detik]",
    ],
)
def test_generic_chrome_lines_go(chrome: str) -> None:
    doc = clean(BODY, chrome, MORE)
    assert doc.paragraphs == [BODY, MORE]
    assert all(r.rule.startswith("generic:") for r in doc.removed)


@pytest.mark.parametrize(
    "content",
    [
        "Foto tersebut kemudian viral di media sosial dan dibagikan ribuan kali.",
        "Ia mengunggah Foto/video kedatangan rombongan ke akun Instagram pribadinya.",
        "Jawaban:",
        "1. Korut Memberikan Dukungan Penuh kepada Rusia dalam Invasi ke Ukraina",
        "“Kami akan terus mendukung pedagang kecil,” kata wali kota.",
        "Lihat juga bagaimana pedagang menata lapak mereka sejak subuh.",
        "Halaman parkir pasar mampu menampung 200 sepeda motor.",
        "Oleh karena itu, pemerintah menyiapkan bus pengumpan dari terminal.",
        "PYONGYANG - Presiden Rusia Vladimir Putin tiba di Pyongyang.",
        "jfid – Pasar ini dibangun dengan dana daerah.",
        "NAGAGG NEWS, 19 Juni 2024 – Pasar ini dibangun dengan dana daerah.",
        "Iklan rokok dilarang dipasang di area pasar.",
        "Istimewanya, pasar ini buka 24 jam setiap hari",
        "Hak cipta lagu itu dipegang oleh label rekaman asal Bandung.",
        "Ikuti perkembangan kasus ini, polisi merilis hasilnya melalui akun Instagram resmi.",
        "Dapatkan bantuan itu, warga cukup mendaftar lewat aplikasi resmi pemerintah.",
        "Lihat video itu, warga pun geram dan melapor ke polisi.",
        "Komentar warga di media sosial umumnya positif terhadap pasar baru tersebut.",
    ],
)
def test_content_stays(content: str) -> None:
    doc = clean(BODY, content, MORE)
    assert doc.paragraphs == [BODY, content, MORE]
    assert doc.removed == []


def test_repeated_title_and_truncated_title_go() -> None:
    title = "7 Fakta Kedatangan Putin ke Korut"
    doc = clean("7 Fakta Kedatangan Putin...", BODY, title, MORE, title=title)
    assert doc.title == title
    assert doc.paragraphs == [BODY, MORE]
    assert {r.rule for r in doc.removed} == {"generic:repeated_title"}


def test_a_short_prefix_of_the_title_is_not_a_truncated_title() -> None:
    doc = clean("7 Fakta...", BODY, title="7 Fakta Kedatangan Putin ke Korut")
    assert doc.paragraphs == ["7 Fakta...", BODY]


def test_chrome_title_leaves_no_title() -> None:
    doc = clean(BODY, title="Logo Bloomberg Technoz", site="bloombergtechnoz")
    assert doc.title is None
    assert doc.removed[0].rule == "bloombergtechnoz:logo"


def test_inline_promo_with_its_headline_is_cut_from_the_paragraph() -> None:
    glued = (
        "Pedagang menyambut baik pasar itu. Baca juga: Harga Cabai Turun Jelang Akhir Pekan "
        "Mereka berharap pembeli segera berdatangan."
    )
    doc = clean(glued)
    assert doc.paragraphs == [
        "Pedagang menyambut baik pasar itu. Mereka berharap pembeli segera berdatangan."
    ]
    assert doc.removed[0].text == "Baca juga: Harga Cabai Turun Jelang Akhir Pekan"


def test_inline_promo_at_the_end_of_a_paragraph() -> None:
    doc = clean("Pedagang menyambut baik pasar itu. Baca Juga: Pasar Lama Akan Direnovasi")
    assert doc.paragraphs == ["Pedagang menyambut baik pasar itu."]


def test_bare_promo_label_takes_the_headline_on_the_next_line() -> None:
    doc = clean(BODY, "Baca Juga:", "Pasar Lama Akan Direnovasi Tahun Depan", MORE)
    assert doc.paragraphs == [BODY, MORE]


def test_bare_promo_label_leaves_a_following_sentence() -> None:
    doc = clean(BODY, "Baca Juga", MORE)
    assert doc.paragraphs == [BODY, MORE]


def test_inline_ad_marker_segment() -> None:
    doc = clean(
        "Pasar dibuka pukul 05.00. ADVERTISEMENT SCROLL TO CONTINUE WITH CONTENT Pedagang tiba."
    )
    assert doc.paragraphs == ["Pasar dibuka pukul 05.00. Pedagang tiba."]


@pytest.mark.parametrize("signoff", ["(ahm)", "(rrd/rir)", "(Budi Santoso)", "(Kompas.com/Budi)"])
def test_trailing_signoffs_go(signoff: str) -> None:
    doc = clean(BODY, MORE, signoff)
    assert doc.paragraphs == [BODY, MORE]
    doc = clean(BODY, f"{MORE} {signoff}")
    assert doc.paragraphs == [BODY, MORE]


def test_a_parenthesis_mid_article_is_not_a_signoff() -> None:
    doc = clean(BODY, "(ahm)", MORE)
    assert doc.paragraphs == [BODY, "(ahm)", MORE]
    doc = clean(BODY, "Pasar itu dikelola Perumda Pasar (PD Pasar)")
    assert doc.paragraphs == [BODY, "Pasar itu dikelola Perumda Pasar (PD Pasar)"]


def test_header_dateline_and_byline_become_metadata() -> None:
    doc = clean("Kamis, 20 Juni 2024 - 13:45 WIB", "Penulis: Rina Wulandari", BODY)
    assert doc.date == "2024-06-20T13:45:00+07:00"
    assert doc.author == "Rina Wulandari"
    assert doc.paragraphs == [BODY]


def test_bare_name_byline_needs_a_header_neighbour() -> None:
    doc = clean("Noer Huda", "4 Min Read", BODY)
    assert doc.author == "Noer Huda" and doc.paragraphs == [BODY]
    doc = clean("Noer Huda", BODY)
    assert doc.author is None and doc.paragraphs == ["Noer Huda", BODY]


def test_metadata_already_known_is_not_overwritten() -> None:
    text = format_seed("Judul", ["Kamis, 20 Juni 2024 - 13:45 WIB", BODY])
    from scraper.clean import Cleaner
    from scraper.config import CleanConfig
    from scraper.document import parse_seed
    from scraper.profiles import load_profiles

    doc = parse_seed(text)
    doc.date = "2024-01-01"
    cleaned = Cleaner(CleanConfig(), load_profiles()).clean_one(doc)
    assert cleaned.date == "2024-01-01"


def test_footer_drops_everything_after_it_but_not_above_content() -> None:
    doc = clean(BODY, MORE, "Pilihan Editor: Pasar Lama Direnovasi", "Teks lain setelah footer.",
                site="tempo")
    assert doc.paragraphs == [BODY, MORE]
    doc = clean("Pilihan Editor: Pasar Lama Direnovasi", BODY, MORE, site="tempo")
    assert doc.paragraphs == [BODY, MORE]


def test_generic_reposted_footer_drops_the_related_list_after_it() -> None:
    doc = clean(BODY, MORE, "Artikel ini telah tayang di Kabarkota.example dengan judul Pasar Baru",
                "Pasar Lama Direnovasi", "Harga Cabai Turun")
    assert doc.paragraphs == [BODY, MORE]


def test_a_tag_list_ends_the_article() -> None:
    doc = clean(BODY, MORE, "(ahm)", "Tag: pasar, pedagang", "Pasar Lama Direnovasi")
    assert doc.paragraphs == [BODY, MORE]


def test_glued_paragraphs_are_split() -> None:
    doc = clean("Konflik itu meluas ke Eropa Timur.Berikut negara yang terdampak.")
    assert doc.paragraphs == [
        "Konflik itu meluas ke Eropa Timur.", "Berikut negara yang terdampak."
    ]


def test_every_removal_names_profile_and_rule() -> None:
    doc = clean(BODY, "Foto/AP", "(ahm)", site="sindonews")
    assert [(r.rule, r.text) for r in doc.removed] == [
        ("generic:photo_caption", "Foto/AP"),
        ("generic:desk_initials", "(ahm)"),
    ]
    assert doc.site == "sindonews"


def test_never_raises_on_odd_text() -> None:
    odd = ["", "\n\n\n", "(", "Baca juga:", "Baca juga: ", "...", "\x00\x01", "Foto/", "a" * 5000]
    for text in odd:
        clean_text(text)


def test_cleaning_a_fixture_output_again_changes_nothing() -> None:
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "fixtures"
    for path in sorted(root.glob("*/*/expected.txt")):
        site = json.loads((path.parent / "meta.json").read_text(encoding="utf-8"))["site"]
        expected = path.read_text(encoding="utf-8")
        if not expected:  # a page the pipeline drops (e.g. an index page) has no output
            continue
        assert clean_text(expected, site=site).document.to_seed() == expected, path


def test_a_bare_promo_label_takes_a_bulleted_list_of_headlines() -> None:
    doc = clean(BODY, "Baca Juga:", "- Pasar Lama Direnovasi", "- Harga Cabai Turun", MORE)
    assert doc.paragraphs == [BODY, MORE]


def test_a_bare_promo_label_takes_one_plain_headline_only() -> None:
    doc = clean(BODY, "Baca Juga:", "Pasar Lama Direnovasi", "Sub-judul Artikel", MORE)
    assert doc.paragraphs == [BODY, "Sub-judul Artikel", MORE]


@pytest.mark.parametrize("tail", ["(Sumber: Antara)", "Sumber: Instagram @pemkot"])
def test_trailing_source_lines_go(tail: str) -> None:
    assert clean(BODY, MORE, tail).paragraphs == [BODY, MORE]


def test_google_news_promo_starting_with_simak_goes() -> None:
    doc = clean(BODY, "Simak berita dan artikel lainnya di Google News", MORE)
    assert doc.paragraphs == [BODY, MORE]


def test_user_profile_rules_including_an_anchored_segment(tmp_path) -> None:
    from scraper.clean import Cleaner
    from scraper.config import CleanConfig
    from scraper.document import Document
    from scraper.profiles import load_profiles

    (tmp_path / "kabar.toml").write_text(
        'name = "kabar"\ndomains = ["kabar.example"]\n'
        "[clean.segments]\nend_tag = '''\\s*\\[KBR\\]$'''\n"
        "[clean.lines]\npromo = '''Unduh aplikasi Kabar.{0,40}'''\n",
        encoding="utf-8",
    )
    cleaner = Cleaner(CleanConfig(profiles_dir=str(tmp_path)), load_profiles(tmp_path))
    doc = Document(title="Judul", paragraphs=[BODY, "Isi [KBR] di tengah. [KBR]",
                                              "Unduh aplikasi Kabar sekarang", MORE],
                   url="https://www.kabar.example/a/1")
    cleaned = cleaner.clean_one(doc)
    assert cleaned.site == "kabar"
    assert cleaned.paragraphs == [BODY, "Isi [KBR] di tengah.", MORE]
    assert [r.rule for r in cleaned.removed] == ["kabar:end_tag", "kabar:promo"]


def test_a_date_in_the_lead_fills_the_date_and_stays_in_the_text() -> None:
    lead = "MARTAPURA, 14 Mei 2024 - Jembatan gantung itu rampung dibangun."
    doc = clean(lead, MORE)
    assert doc.paragraphs == [lead, MORE] and doc.date == "2024-05-14"
    doc = clean("Kamis, 20 Juni 2024 - 13:45 WIB", lead)
    assert doc.date == "2024-06-20T13:45:00+07:00"  # the page-header dateline comes first
    doc = clean(MORE, lead)
    assert doc.date is None  # only the lead, not a later paragraph


def test_a_line_is_judged_alike_from_the_cache_and_the_cache_is_bounded(monkeypatch) -> None:
    monkeypatch.setattr(engine, "MAX_VERDICTS", 5)
    rules = Cleaner(CleanConfig(), load_profiles()).rules_for(Document(title=None, paragraphs=[]))
    lines = ["Foto/AP", "Kamis, 20 Juni 2024 - 13:45 WIB", "Tag", "(ahm)", "Isi berita biasa."]
    first = [engine.judge(line, rules) for line in lines]
    assert [v[:3] for v in first] == [engine.classify(line, rules) for line in lines]
    assert first[1].rule == "generic:day_date" and first[1].date == "2024-06-20T13:45:00+07:00"
    assert first[2].footer is not None and first[3].signoff is not None
    assert [v.chrome for v in first] == [True, True, True, True, False]
    assert [engine.judge(line, rules) for line in lines] == first  # from the cache
    for i in range(20):
        engine.judge(f"Baris pendek nomor {i}", rules)
    assert len(rules.verdicts) <= 5
    assert [engine.judge(line, rules) for line in lines] == first  # after it emptied
