from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from scraper.extract.meta import page_url, read_meta, without_site_name


def meta(html: str, **selectors: tuple[str, ...]):
    return read_meta(LexborHTMLParser(html), **selectors)


LD = ('<script type="application/ld+json">{"@context":"https://schema.org","@graph":['
      '{"@type":"WebPage","name":"x"},{"@type":["NewsArticle"],"headline":"Judul JSON-LD",'
      '"datePublished":"2024-06-20T13:45:00+07:00","author":[{"@type":"Person","name":"A"},'
      '{"@type":"Person","name":"B"}]}]}</script>')
METAS = ('<meta property="og:title" content="Judul OG">'
         '<meta property="article:published_time" content="2024-06-19T10:00:00Z">'
         '<meta name="author" content="Penulis Meta">')
SELS = ('<h1 class="t">Judul H1</h1><div class="d">Kamis, 20 Juni 2024 - 13:45 WIB</div>'
        '<a class="a">Sel</a>')


def test_json_ld_wins_over_meta_and_selectors() -> None:
    m = meta(LD + METAS + SELS, title=("h1.t",), date=(".d",), author=("a.a",))
    assert (m.title, m.date, m.author) == ("Judul JSON-LD", "2024-06-20T13:45:00+07:00", "A, B")
    assert "NewsArticle" in m.types


def test_meta_tags_then_selectors() -> None:
    m = meta(METAS + SELS, title=("h1.t",), date=(".d",), author=("a.a",))
    assert (m.title, m.date, m.author) == ("Judul OG", "2024-06-19T10:00:00+00:00", "Penulis Meta")
    m = meta(SELS, title=("h1.t",), date=(".d",), author=("a.a",))
    assert (m.title, m.date, m.author) == ("Judul H1", "2024-06-20T13:45:00+07:00", "Sel")


def test_broken_json_ld_and_url_author_are_ignored() -> None:
    html = ('<script type="application/ld+json">{not json</script>'
            '<meta property="article:author" content="https://fb.com/someone">')
    m = meta(html)
    assert (m.title, m.date, m.author) == (None, None, None)


def test_page_url_prefers_canonical_then_og_url() -> None:
    both = ('<link rel="canonical" href="https://a.id/x"><meta property="og:url" '
            'content="https://a.id/og">')
    assert page_url(LexborHTMLParser(both)) == "https://a.id/x"
    og = '<link rel="canonical" href="/relative"><meta property="og:url" content="https://a.id/og">'
    assert page_url(LexborHTMLParser(og)) == "https://a.id/og"
    assert page_url(LexborHTMLParser("<p>none</p>")) is None


def test_the_site_name_suffix_is_dropped_from_a_title() -> None:
    html = ('<meta property="og:site_name" content="KabarBali"><title>Harga Canang Naik - '
            "KabarBali</title>")
    assert meta(html).title == "Harga Canang Naik"
    assert without_site_name("Satu - Dua | KabarBali", "kabarbali") == "Satu - Dua"
    assert without_site_name("Tanya - Jawab", "KabarBali") == "Tanya - Jawab"
    assert without_site_name("KabarBali", "KabarBali") == "KabarBali"


def test_a_canonical_link_that_is_no_url_is_ignored() -> None:
    html = ('<link rel="canonical" href="http://[::1"><meta property="og:url" '
            'content="https://a.id/og">')
    assert page_url(LexborHTMLParser(html)) == "https://a.id/og"
    assert page_url(LexborHTMLParser('<link rel="canonical" href="http://[::1">')) is None


def test_hostile_json_ld_is_skipped_or_scrubbed() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    graph = "[" * 900 + '{"@type": "NewsArticle", "headline": "Dalam"}' + "]" * 900
    author = '{"name": ' * 400 + '"x"' + "}" * 400
    html = (f'<script type="application/ld+json">{deep}</script>'
            f'<script type="application/ld+json">{{"@graph": {graph}}}</script>'
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
            f'"Judul\\ud800", "author": {author}}}</script>')
    m = meta(html)
    assert (m.title, m.author) == ("Judul\ufffd", None)
