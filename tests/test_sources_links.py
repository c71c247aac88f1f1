"""Article-shaped URLs and next-page links of listings."""

import pytest

from scraper.sources.links import is_article_page, links, looks_like_article, next_page

BASE = "https://www.contohberita.co.id/indeks"


@pytest.mark.parametrize("url", [
    "https://ekbis.contoh.com/read/1398211/33/harga-beras-medium-naik-di-12-provinsi-1718000000",
    "https://news.contoh.com/internasional/d-7012345/putin-tiba-di-pyongyang",
    "https://www.contoh.com/read/2024/06/19/12345678/kremlin-umumkan-kunjungan",
    "https://contoh.id/festival-kopi-gayo-digelar-di-takengon/",
    "https://www.contoh.com/berita/gempa-guncang-sukabumi-warga-panik.html",
])
def test_article_urls(url):
    assert looks_like_article(url)


@pytest.mark.parametrize("url", [
    "https://www.contoh.com/", "https://www.contoh.com/kanal/internasional",
    "https://www.contoh.com/tag/putin-kim-jong-un-rusia", "https://www.contoh.com/indeks?page=2",
    "https://www.contoh.com/cari?q=putin", "https://www.contoh.com/author/nama-penulis-kami",
    "https://www.contoh.com/read/123456",
])
def test_other_urls(url):
    assert not looks_like_article(url)


@pytest.mark.parametrize(("html", "expected"), [
    ('<link rel="next" href="/indeks?page=2">', "/indeks?page=2"),
    ('<a href="/indeks/p/2">Selanjutnya »</a>', "/indeks/p/2"),
    ('<a class="btn next" href="?p=2">›</a>', "/indeks?p=2"),
    ('<div class="pager"><a href="?page=1">1</a> <a href="?page=2">2</a></div>', "/indeks?page=2"),
    ("<p>no pager</p>", None),
])
def test_next_page(html, expected):
    found = next_page(html, BASE, 1)
    assert found == (None if expected is None else "https://www.contohberita.co.id" + expected)


def test_links_are_absolute_canonical_and_once():
    html = ('<a href="/read/1/a-b-c?utm_source=x#top">A</a><a href="/read/1/a-b-c">A again</a>'
            '<a href="mailto:x@y.id">mail</a><a href="javascript:void(0)">js</a>')
    assert [(link.url, link.text) for link in links(html, BASE)] == \
        [("https://www.contohberita.co.id/read/1/a-b-c", "A")]


def test_an_article_page_says_so():
    meta = '<meta property="og:type" content="article">'
    assert is_article_page(meta, "https://www.contoh.com/read/123456")
    assert not is_article_page("<h1>Indeks</h1>", "https://www.contoh.com/indeks")


def test_a_headline_link_is_an_article_without_a_slug():
    from scraper.sources.links import Link, looks_like_headline

    assert looks_like_headline(Link("https://a.id/berita?id=123",
                                    "Putin dan Kim Sepakati Pakta Pertahanan Baru"))
    assert not looks_like_headline(Link("https://a.id/kanal/dunia", "Semua berita dunia hari ini"))
    assert not looks_like_headline(Link("https://a.id/berita?id=9", "Selengkapnya"))


def test_og_type_website_is_not_an_article_whatever_the_url():
    page = '<meta property="og:type" content="website">'
    assert not is_article_page(page, "https://a.id/berita-terkini-hari-ini")
