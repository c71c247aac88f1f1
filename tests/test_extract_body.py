from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from scraper.extract.body import find_body, paragraphs_of
from scraper.extract.rules import parse_rules
from scraper.profiles import Profile


def read(html: str, **extract: object) -> list[str]:
    rules = parse_rules(Profile(name="demo", extract={"body": ["#b"], **extract}))
    body = find_body(LexborHTMLParser(html), rules)
    assert body is not None
    return paragraphs_of(body, rules)


def test_double_br_separates_paragraphs_and_single_br_joins_in_p_mode() -> None:
    html = '<div id="b">Satu baris<br>lanjut.<br><br>Paragraf dua.<br>\n<br>Tiga.</div>'
    assert read(html) == ["Satu baris lanjut.", "Paragraf dua.", "Tiga."]


def test_single_br_ends_a_paragraph_in_br_mode() -> None:
    html = '<div id="b">Kalimat satu.<br>Kalimat dua.<br><br>Tiga.</div>'
    assert read(html, paragraphs="br") == ["Kalimat satu.", "Kalimat dua.", "Tiga."]


def test_baca_juga_insert_is_removed_as_elements_not_text() -> None:
    html = ('<div id="b">Awal berita.<br><br><strong>Baca Juga:</strong> '
            '<a class="int-link" href="/x">Judul Lain yang Tertaut</a><br><br>'
            'Sebuah <strong>kata tebal</strong> tetap ada.</div>')
    out = read(html, paragraphs="br", inline_labels=["^Baca Juga\\s*:?$"])
    assert out == ["Awal berita.", "Sebuah kata tebal tetap ada."]


def test_a_label_without_a_following_link_only_loses_the_label() -> None:
    html = '<div id="b"><p><b>Baca juga</b>: tidak ada tautan di sini.</p></div>'
    assert read(html, inline_labels=["^Baca juga$"]) == [": tidak ada tautan di sini."]


def test_dropped_elements_scripts_and_paragraph_filters() -> None:
    html = ('<div id="b"><p>Isi.</p><div class="ads">IKLAN</div><script>var x = 1;</script>'
            '<p>ADVERTISEMENT</p><ul><li>Butir satu</li><li>Butir dua</li></ul>'
            '<h2>Subjudul</h2><p>Akhir <a href="/a">tautan</a> kalimat.</p></div>')
    out = read(html, drop=[".ads"], drop_paragraphs=["^ADVERTISEMENT$"])
    assert out == ["Isi.", "Butir satu", "Butir dua", "Subjudul", "Akhir tautan kalimat."]


def test_body_selectors_are_tried_in_order() -> None:
    rules = parse_rules(Profile(name="d", extract={"body": ["#missing", ".second", ".third"]}))
    tree = LexborHTMLParser('<div class="third">c</div><div class="second">b</div>')
    node = find_body(tree, rules)
    assert node is not None and node.text() == "b"


def test_source_line_breaks_and_odd_spaces_inside_text_are_spaces() -> None:
    html = '<div id="b"><p>Baris\n  satu\tdan\u00a0dua\u200b kata.</p><p>\u00a0</p></div>'
    assert read(html) == ["Baris satu dan dua kata."]
