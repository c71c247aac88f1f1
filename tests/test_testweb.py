"""The test web serves what the issue asks for: feeds, sitemaps, robots, listings, 503s."""

import gzip

import httpx
import pytest
from web_support import LABELS, RICE, WEB

from scraper.testweb import TestWeb, load_web


@pytest.fixture(scope="module")
def web():
    with TestWeb(WEB) as running:
        yield running


def get(web, site, path):
    return httpx.get(web.base(site) + path, timeout=10)


def test_every_article_is_labelled_once():
    ids = [a.id for a in load_web(WEB).articles]
    labelled = [i for key in ("on-topic", "unreachable", "related", "off-topic")
                for i in LABELS[key]]
    assert sorted(ids) == sorted(labelled)
    assert set(LABELS["hard-negative"]) <= set(LABELS["off-topic"])
    listed = [i for key in ("on-topic", "related", "hard-negative") for i in RICE[key]]
    assert set(listed) <= set(ids) and (WEB / RICE["like"]).is_dir()


def test_the_test_web_stays_small():
    assert sum(p.stat().st_size for p in WEB.rglob("*") if p.is_file()) < 300_000


def test_robots_lists_the_sitemap_and_a_disallowed_path(web):
    text = get(web, "warta", "/robots.txt").text
    assert "Disallow: /internal/" in text
    assert f"Sitemap: {web.base('warta')}/sitemap-news.xml" in text


def test_gzipped_sitemap_is_served_as_a_file(web):
    reply = get(web, "kabar", "/sitemap-news.xml.gz")
    assert reply.headers["content-type"] == "application/x-gzip"
    assert b"<news:publication_date>" in gzip.decompress(reply.content)
    assert get(web, "jurnal", "/sitemap-news.xml.gz").headers["content-type"] == \
        "application/gzip"


def test_plain_text_sitemap_lists_urls(web):
    lines = get(web, "harian", "/sitemap.txt").text.split()
    assert lines and all(line.startswith(web.base("harian")) for line in lines)


def test_a_flaky_path_answers_503_once(web):
    first, second = get(web, "harian", "/kanal/internasional"), \
        get(web, "harian", "/kanal/internasional")
    assert (first.status_code, second.status_code) == (503, 200)


def test_etag_gives_304(web):
    reply = get(web, "kabar", "/rss")
    again = httpx.get(web.base("kabar") + "/rss", headers={"If-None-Match": reply.headers["etag"]})
    assert again.status_code == 304


def test_listing_paginates_and_search_finds(web):
    page = get(web, "warta", "/indeks").text
    assert 'rel="next" href="/indeks?page=2"' in page
    found = get(web, "kabar", "/cari?q=korut").text
    assert "korut-dan-moskow-perluas-kerja-sama" in found


def test_a_multi_page_article_links_its_next_page(web):
    article = next(a for a in web.web.articles if len(a.pages) > 1)
    html = httpx.get(web.url(article)).text
    assert '<link rel="next"' in html and "Halaman :" in html


def test_serve_fixtures_prints_the_sites_and_serves_them():
    import os
    import subprocess
    import sys

    from support import ROOT

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "scraper", "serve-fixtures", "--dir",
                               str(WEB)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        lines = [server.stdout.readline() for _ in range(4)]
        assert [line.split()[0] for line in lines] == ["warta", "kabar", "harian", "jurnal"]
        base = lines[0].split()[1].rstrip("/")
        assert base.startswith("http://127.0.0.1:")
        assert httpx.get(base + "/robots.txt", timeout=10).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()
