from __future__ import annotations

import time

import pytest

from scraper.config import ExtractConfig
from scraper.errors import ExtractError, TransportError
from scraper.extract.article import decode_html, extract_html
from scraper.profiles import Profile, ProfileSet, load_profiles

SENTENCE = ("Kalimat berita yang cukup panjang untuk dihitung sebagai isi artikel sungguhan, "
            "berisi lebih dari dua puluh kata agar lolos batas minimum halaman.")


def site_profiles(**extract: object) -> ProfileSet:
    shipped = {p.name: p for p in load_profiles()}
    shipped["demo"] = Profile(name="demo", domains=("demo.id",), extract={
        "body": [".isi"], "next_page": ["a.lanjut"], **extract}, path="demo.toml")
    return ProfileSet(shipped)


def page(text: str, next_href: str | None = None, extra: str = "") -> bytes:
    nxt = f'<a class="lanjut" href="{next_href}">Berikutnya</a>' if next_href else ""
    return (f'<html><head><title>Judul Demo</title></head><body><h1>Judul Demo</h1>{extra}'
            f'<div class="isi"><p>Kepala berulang</p><p>{text} {SENTENCE}</p></div>{nxt}'
            "</body></html>").encode()


def extract(raw: bytes, fetch=None, config: ExtractConfig | None = None, **kw) -> object:
    return extract_html(raw, url=kw.pop("url", "https://demo.id/a"), profiles=site_profiles(),
                        config=config or ExtractConfig(), fetch=fetch, **kw)


def test_next_links_are_followed_in_order_and_repeated_headers_dropped() -> None:
    site = {"https://demo.id/a/2": page("Dua.", "/a/3"), "https://demo.id/a/3": page("Tiga.")}
    calls: list[str] = []

    def fetch(url: str) -> bytes | None:
        calls.append(url)
        return site.get(url)

    doc = extract(page("Satu.", "/a/2"), fetch)
    assert [p.split()[0] for p in doc.paragraphs] == ["Satu.", "Dua.", "Tiga."]
    assert doc.extra["pages"] == ["https://demo.id/a", "https://demo.id/a/2", "https://demo.id/a/3"]
    assert calls == ["https://demo.id/a/2", "https://demo.id/a/3"]
    assert doc.title == "Judul Demo"


def test_a_pager_loop_and_max_pages_bound_the_walk() -> None:
    loop = {"https://demo.id/a/2": page("Dua.", "/a")}
    doc = extract(page("Satu.", "/a/2"), loop.get)
    assert len(doc.extra["pages"]) == 2
    endless = {f"https://demo.id/a/{n}": page(f"P{n}.", f"/a/{n + 1}") for n in range(2, 50)}
    doc = extract(page("Satu.", "/a/2"), endless.get, ExtractConfig(max_pages=4))
    assert len(doc.extra["pages"]) == 4


def test_a_failing_later_page_keeps_the_pages_before_it() -> None:
    def fetch(url: str) -> bytes | None:
        raise TransportError(url, "connection reset")

    doc = extract(page("Satu.", "/a/2"), fetch)
    assert doc.extra["pages"] == ["https://demo.id/a"]
    assert doc.paragraphs[-1].startswith("Satu.")


def test_without_fetch_or_with_pagination_off_only_the_page_is_read() -> None:
    fetched: list[str] = []
    doc = extract(page("Satu.", "/a/2"), lambda u: fetched.append(u),
                  ExtractConfig(follow_pagination=False))
    assert fetched == [] and doc.extra["pages"] == ["https://demo.id/a"]


def test_url_comes_from_the_canonical_link_when_not_given() -> None:
    raw = page("Satu.", extra='<link rel="canonical" href="https://demo.id/kanonik">')
    raw = raw.replace(b"<head>", b'<head><link rel="canonical" href="https://demo.id/kanonik">')
    doc = extract_html(raw, url=None, profiles=site_profiles(), config=ExtractConfig())
    assert doc.url == "https://demo.id/kanonik" and doc.site == "demo"


def test_forced_site_and_a_missing_body_falls_back_to_trafilatura() -> None:
    raw = page("Satu.")
    doc = extract_html(raw, url="https://lain.id/x", profiles=site_profiles(),
                       config=ExtractConfig(), site="demo")
    assert doc.site == "demo" and doc.extra["extractor"] == "profile"
    other = ("<html><body><article><h1>Judul</h1>"
             + "".join(f"<p>{SENTENCE} Nomor {i}.</p>" for i in range(6))
             + "</article></body></html>").encode()
    doc = extract(other)
    assert doc.extra["extractor"] == "trafilatura"
    assert len(doc.paragraphs) == 6


def test_a_profiled_page_with_a_near_empty_body_is_an_error() -> None:
    raw = b'<html><body><div class="isi"><p>Pendek.</p></div></body></html>'
    with pytest.raises(ExtractError, match="no article text") as info:
        extract(raw)
    assert info.value.subject == "https://demo.id/a"


def test_an_index_page_without_json_ld_is_not_an_article() -> None:
    cards = "".join(
        f'<li><h3><a href="/b/{i}">Judul berita nomor {i} tentang banjir dan jalan rusak</a>'
        "</h3></li>" for i in range(25)
    )
    raw = f"<html><body><main><h1>Indeks</h1><ul>{cards}</ul></main></body></html>".encode()
    with pytest.raises(ExtractError, match="index or listing"):
        extract_html(raw, url="https://lain.id/indeks", profiles=load_profiles(),
                     config=ExtractConfig())


def test_decode_html_honours_the_declared_charset() -> None:
    raw = '<meta charset="windows-1252"><p>caf\u00e9</p>'.encode("cp1252")
    assert "caf\u00e9" in decode_html(raw)
    assert decode_html("<p>x</p>") == "<p>x</p>"


def test_the_package_exports_the_api() -> None:
    import scraper.extract as package

    assert sorted(package.__all__) == [
        "ExtractError", "ExtractStep", "FetchPage", "decode_html", "extract_html"]
    assert package.extract_html is extract_html


def generic_page(n: int, next_href: str | None) -> bytes:
    link = f'<link rel="next" href="{next_href}">' if next_href else ""
    paragraphs = "".join(
        f"<p>Halaman {n} paragraf {i}: {SENTENCE} Warga kampung ikut bergotong royong.</p>"
        for i in range(4)
    )
    return (f"<html><head><title>Cerita Bersambung</title>{link}</head><body><article>"
            f"<h1>Cerita Bersambung</h1>{paragraphs}<p>Simak kelanjutan cerita ini di kanal kami "
            "setiap pekan, hanya di portal berita lokal kesayangan Anda semua.</p></article>"
            "</body></html>").encode()


def test_an_unprofiled_article_follows_link_rel_next_through_trafilatura() -> None:
    site = {"https://lain.id/cerita?p=2": generic_page(2, None)}
    doc = extract_html(generic_page(1, "/cerita?p=2"), url="https://lain.id/cerita",
                       profiles=load_profiles(), config=ExtractConfig(), fetch=site.get)
    assert doc.extra == {"pages": ["https://lain.id/cerita", "https://lain.id/cerita?p=2"],
                         "extractor": "trafilatura"}
    assert [p[:20] for p in doc.paragraphs] == [
        f"Halaman {n} paragraf {i}"[:20] for n in (1, 2) for i in range(4)]
    assert doc.title == "Cerita Bersambung"


def test_a_page_nested_too_deep_is_refused_before_it_is_parsed() -> None:
    # 2.4 MB of unclosed <div>: lexbor took minutes on such a page.
    raw = page("Isi.", extra="<div>kata " * 240_000)
    start = time.process_time()
    with pytest.raises(ExtractError, match=r"HTML nested deeper than 2000 elements"):
        extract(raw)
    assert time.process_time() - start < 5.0
    assert extract(page("Isi.", extra="<div>kata " * 50), config=ExtractConfig(max_depth=60))
