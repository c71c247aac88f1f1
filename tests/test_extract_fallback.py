from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from scraper.config import ExtractConfig
from scraper.extract.fallback import find_page_date, run_trafilatura, screen
from scraper.extract.meta import Meta

PROSE = ("Paragraf panjang berisi kalimat berita yang sungguh-sungguh ditulis sebagai teks "
         "artikel, cukup panjang untuk dibaca sebagai prosa dan bukan sebagai judul tautan.")
CONFIG = ExtractConfig()


def test_menu_lines_around_the_text_are_dropped() -> None:
    tree = LexborHTMLParser('<a href="/">Beranda</a><a href="/s">Bagikan</a>')
    paragraphs, reason = screen(tree, Meta(), ["Beranda", PROSE, "Bagikan"], CONFIG)
    assert (paragraphs, reason) == ([PROSE], None)


def test_a_link_heavy_text_keeps_its_prose_or_is_an_index() -> None:
    links = [f"Judul berita nomor {i} di halaman ini" for i in range(12)]
    tree = LexborHTMLParser("".join(f'<a href="/{i}">{t}</a>' for i, t in enumerate(links)))
    mixed = [*links[:6], PROSE, *links[6:]]
    assert screen(tree, Meta(), mixed, CONFIG) == ([PROSE], None)
    paragraphs, reason = screen(tree, Meta(), links, CONFIG)
    assert paragraphs == [] and reason is not None and "index or listing" in reason


def test_json_ld_types_decide_first() -> None:
    tree = LexborHTMLParser("<p>x</p>")
    _, reason = screen(tree, Meta(types=frozenset({"ItemList"})), [PROSE], CONFIG)
    assert reason == "not an article: a listing page (JSON-LD ItemList)"
    _, reason = screen(tree, Meta(types=frozenset({"NewsArticle"})), ["Dua kata."], CONFIG)
    assert reason == "no article text (2 words, fewer than 10)"


def test_trafilatura_text_without_the_repeated_headline() -> None:
    html = ("<html><body><article><h1>Judul Berita Ini</h1>"
            + "".join(f"<p>{PROSE} ({i})</p>" for i in range(4)) + "</article></body></html>")
    paragraphs = run_trafilatura(html, None, "Judul Berita Ini", CONFIG)
    assert len(paragraphs) == 4 and paragraphs[0].startswith("Paragraf panjang")


def test_htmldate_gives_the_zone_when_the_page_has_one_and_the_day_otherwise() -> None:
    with_time = ('<html><head><meta property="article:published_time" '
                 'content="2024-06-20T13:45:00+07:00"></head><body><p>x</p></body></html>')
    assert find_page_date(with_time, None) == "2024-06-20T13:45:00+07:00"
    day_only = '<html><head><meta name="date" content="2024-06-20"></head><body></body></html>'
    assert find_page_date(day_only, None) == "2024-06-20"
    assert find_page_date("<html><body><p>tanpa tanggal</p></body></html>", None) is None


def test_an_article_in_short_paragraphs_among_many_links_is_not_a_listing() -> None:
    links = [f"Judul berita nomor {i} di halaman ini" for i in range(30)]
    tree = LexborHTMLParser("".join(f'<a href="/{i}">{t}</a>' for i, t in enumerate(links)))
    body = [f"Kalimat {i} dari artikel ini ditulis pendek seperti gaya redaksi kota yang ringkas."
            for i in range(14)]
    paragraphs, reason = screen(tree, Meta(), [*links[:15], *body, *links[15:]], CONFIG)
    assert (paragraphs, reason) == (body, None)
    # an index page: each headline with its short blurb, never three blurbs in a row
    teasers = [p for i, link in enumerate(links) for p in (link, f"Berita kota, edisi {i}.")]
    assert screen(tree, Meta(), teasers, CONFIG)[0] == []
