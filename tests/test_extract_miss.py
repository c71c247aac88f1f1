"""A profile whose selectors miss the article hands the page to the generic extractor."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.config import ExtractConfig
from scraper.extract import extract_html
from scraper.extract.miss import page_words, profile_miss
from scraper.profiles import load_profiles

PROFILES = load_profiles()
URL = "https://news.detik.com/berita/d-7000001/warga-menanam-pohon-di-bantaran-sungai"
ARTICLE = "".join(
    f"<p>Warga kelurahan {n} menanam bibit pohon di bantaran sungai pada Minggu pagi agar tanah "
    f"tebing tidak longsor ketika hujan deras datang pada musim penghujan nanti.</p>"
    for n in range(1, 7)
)


def page(body: str) -> str:
    return (f"<html><head><title>Warga Menanam Pohon</title></head><body>"
            f"<div class='menu'>{''.join(f'<a href=/k{n}>Kanal {n}</a> ' for n in range(8))}</div>"
            f"{body}</body></html>")


def test_an_older_layout_falls_back_to_the_generic_extractor_and_says_so() -> None:
    html = page(f"<div id='detikdetailtext'>{ARTICLE}</div>")
    doc = extract_html(html, url=URL, profiles=PROFILES, config=ExtractConfig())
    assert doc.profile_miss == "detik:body_not_found"
    assert doc.extra["extractor"] == "trafilatura"
    assert "Warga kelurahan 3 menanam bibit pohon" in doc.body
    assert "Kanal 4" not in doc.body


def test_a_body_selector_that_matches_a_list_of_links_falls_back() -> None:
    links = "".join(f"<li><a href=/b{n}>Berita lain nomor {n} tentang banjir</a></li>"
                    for n in range(10))
    html = page(f"<div class='detail__body-text'><ul>{links}</ul></div><article>{ARTICLE}"
                f"</article>")
    doc = extract_html(html, url=URL, profiles=PROFILES, config=ExtractConfig())
    assert doc.profile_miss == "detik:link_density"
    assert "Warga kelurahan 5 menanam" in doc.body and "Berita lain nomor" not in doc.body


def test_a_body_that_matches_the_article_is_read_with_the_profile() -> None:
    html = page(f"<div class='detail__body-text'>{ARTICLE}</div>")
    doc = extract_html(html, url=URL, profiles=PROFILES, config=ExtractConfig())
    assert doc.profile_miss is None and doc.extra["extractor"] == "profile"


def node(html: str):
    return LexborHTMLParser(html).css_first("div")


CAPTION = "Satu kalimat pendek dari keterangan foto yang ada di atas artikel ini."


@pytest.mark.parametrize(
    ("html", "paragraphs", "generic_words", "rule"),
    [
        ("<div>12 Maret 2016</div>", ["12 Maret 2016"], 200, "no_prose"),
        # The profile read a caption; the article is elsewhere on the page.
        (f"<div>{CAPTION}</div><article>{ARTICLE}</article>", [CAPTION], 200,
         "shorter_than_generic"),
        (f"<div>{CAPTION}</div><article>{ARTICLE}</article>", [CAPTION], 20, None),
    ],
)
def test_each_shape_rule(html: str, paragraphs: list[str], generic_words: int,
                         rule: str | None) -> None:
    assert profile_miss(node(html), paragraphs, lambda: ["kata"] * generic_words) == rule


def never(*_: object) -> list[str]:
    raise AssertionError("the generic extractor ran")


def test_a_short_body_that_holds_most_of_the_page_costs_no_generic_extraction() -> None:
    article = ARTICLE[: ARTICLE.index("</p>") + 4] * 2  # two paragraphs: short, but the article
    html = f"<html><body><div>{article}</div><footer>Hak cipta redaksi.</footer></body></html>"
    paragraphs = [p.text() for p in node(html).css("p")]
    assert profile_miss(node(html), paragraphs, never) is None


def test_scripts_and_styles_are_not_page_text() -> None:
    script = "<script>" + "var x = 1; " * 500 + "</script><style>p { color: red }</style>"
    html = f"<html><head>{script}</head><body><div>{ARTICLE}</div></body></html>"
    assert page_words(node(html)) == len(LexborHTMLParser(ARTICLE).body.text(separator=" ").split())


def test_a_later_page_with_one_short_paragraph_is_not_a_miss() -> None:
    body = node("<div>Demikian.</div>")
    assert profile_miss(body, ["Demikian."], lambda: ["kata"] * 300, first_page=False) is None
    assert profile_miss(None, [], lambda: [], first_page=False) == "body_not_found"


def test_a_body_selector_that_takes_in_the_page_around_the_article_falls_back() -> None:
    # An old layout wrapped the whole page in the element the selector names: menus and lists
    # of headlines in short lines (not links: the link share stays low), the article among them.
    sections = "".join(f"<div class='kanal'>Kanal berita nomor {n}</div>" for n in range(40))
    html = page(f"<div class='detail__body-text'><div class='sidebar'>{sections}</div>"
                f"<article>{ARTICLE}</article></div>")
    doc = extract_html(html, url=URL, profiles=PROFILES, config=ExtractConfig())
    assert doc.profile_miss == "detik:mostly_short_lines"
    assert "Warga kelurahan 2 menanam" in doc.body and "Kanal berita nomor" not in doc.body


def test_an_article_with_a_long_list_is_read_with_the_profile() -> None:
    items = [f"{n}. Bibit pohon jenis {n}" for n in range(1, 41)]
    prose = ["Warga menanam bibit pohon di bantaran sungai agar tanah tebing tidak longsor "
             "ketika hujan deras datang."] * 5
    body = node("<div>daftar</div>")
    generic = [*prose, *items]
    assert profile_miss(body, [*prose, *items], lambda: generic) is None
    assert profile_miss(body, [*prose, *items], lambda: prose) == "mostly_short_lines"
