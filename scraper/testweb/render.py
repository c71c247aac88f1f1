"""The test web's pages: article URL shapes and markup modelled on four Indonesian outlets, plus
listings, RSS, news sitemaps (XML, gzipped, plain text), robots.txt and a search page.

Each style keeps the outlet's URL shape and its body markup (SINDOnews: `#detail-desc` with
`<br><br>` paragraphs; detik: `.detail__body-text` with `<p>`; kompas: `.read__content`;
jfid: a WordPress `.entry-content`), so extraction meets the shapes it meets on the real sites.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape

from scraper.testweb.model import Article, Site

PER_PAGE = 4
_MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"]
_ACTIVE = ' class="active"'
_DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]


def article_path(article: Article, site: Site, page: int = 1) -> str:
    """The path of page `page` of `article` on `site`, in the URL shape of the site's outlet."""
    if article.path is not None:
        base = article.path.rstrip("/")
    elif site.style == "sindonews":
        base = f"/read/{article.number}/{article.section}/{article.id}"
    elif site.style == "detik":
        base = f"/{article.section}/d-{article.number}/{article.id}"
    elif site.style == "kompas":
        base = f"/read/{article.date:%Y/%m/%d}/{article.number}/{article.id}"
    else:
        base = f"/{article.section}/{article.id}"
    if page == 1:
        return base + ("/" if site.style == "jfid" else "")
    return f"{base}/{page}" + ("/" if site.style == "jfid" else "")


def indonesian_date(when: datetime) -> str:
    return f"{_DAYS[when.weekday()]}, {when.day} {_MONTHS[when.month - 1]} {when.year} - " \
           f"{when:%H:%M} WIB"


def _page(site: Site, title: str, body: str, head: str = "") -> bytes:
    nav = " ".join(f'<a href="/kanal/{s}">{escape(s.title())}</a>' for s in site.sections)
    html = (
        f'<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8"><title>{escape(title)} - '
        f'{escape(site.name.title())}</title>{head}</head>\n<body class="{site.style}">'
        f'<header><a href="/">{escape(site.name.title())}</a><nav>{nav} '
        f'<a href="/indeks">Indeks</a></nav></header>\n<main>{body}</main>\n'
        f'<footer><p>Copyright © 2024 {escape(site.name.title())}. All Rights Reserved</p>'
        f"</footer></body></html>\n"
    )
    return html.encode("utf-8")


def article_page(
    article: Article, site: Site, page: int, shown: datetime, related: Sequence[Article]
) -> bytes:
    paragraphs = article.pages[page - 1]
    count = len(article.pages)
    links = "".join(
        f'<li><a href="{article_path(r, site)}">{escape(r.title)}</a></li>' for r in related
    )
    head = f'<link rel="canonical" href="{article_path(article, site, page)}">'
    if page < count:
        head += f'<link rel="next" href="{article_path(article, site, page + 1)}">'
    if page > 1:
        head += f'<link rel="prev" href="{article_path(article, site, page - 1)}">'
    head += f'<meta property="og:title" content="{escape(article.title)}">'
    pager = ""
    if count > 1:
        pager = '<div class="paging-artikel">Halaman : ' + " ".join(
            f'<a href="{article_path(article, site, n)}"{_ACTIVE if n == page else ""}>{n}</a>'
            for n in range(1, count + 1)
        ) + "</div>"
    body = _STYLES[site.style](article, paragraphs, indonesian_date(shown), page)
    related_block = f'<aside class="related"><h3>Berita Terkait</h3><ul>{links}</ul></aside>'
    return _page(site, article.title, body + pager + related_block, head)


def _sindonews(article: Article, paragraphs: Sequence[str], date: str, page: int) -> str:
    text = "<br><br>".join(escape(p) for p in paragraphs)
    return (f'<article><h1 class="detail-title">{escape(article.title)}</h1>'
            f'<div class="detail-date-artikel">{date}</div>'
            f'<div class="detail-nama-redaksi"><a rel="author">Redaksi Warta</a></div>'
            f'<div id="detail-desc" class="detail-desc">{text}</div>'
            f'<div class="editor">(wrt)</div></article>')


def _detik(article: Article, paragraphs: Sequence[str], date: str, page: int) -> str:
    text = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f'<article class="detail"><h1 class="detail__title">{escape(article.title)}</h1>'
            f'<div class="detail__author">Tim Kabar</div><div class="detail__date">{date}</div>'
            f'<div class="detail__body-text itp_bodycontent">{text}'
            f'<div class="parallaxindetail">ADVERTISEMENT</div><p>(kbr/kbr)</p></div></article>')


def _kompas(article: Article, paragraphs: Sequence[str], date: str, page: int) -> str:
    text = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f'<div class="read__header"><h1 class="read__title">{escape(article.title)}</h1>'
            f'<div class="read__time">{date}</div></div>'
            f'<div class="read__content"><div class="clearfix">{text}</div></div>')


def _jfid(article: Article, paragraphs: Sequence[str], date: str, page: int) -> str:
    text = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f'<article class="post type-post"><header class="entry-header">'
            f'<h1 class="entry-title">{escape(article.title)}</h1>'
            f'<time class="entry-date">{date}</time></header>'
            f'<div class="entry-content">{text}<p>*Ikuti Jurnal di Google News, Klik Disini.</p>'
            f'</div><div id="respond"><h3>Tinggalkan Komentar</h3></div></article>')


_STYLES = {"sindonews": _sindonews, "detik": _detik, "kompas": _kompas, "jfid": _jfid}


def listing_page(site: Site, title: str, items: Sequence[Article], path: str, page: int,
                 pages: int) -> bytes:
    """An index or section page: headline links, then "Berikutnya" while pages remain."""
    rows = "".join(
        f'<li class="indeks-item"><a href="{article_path(a, site)}">{escape(a.title)}</a>'
        f"<p>{escape(a.summary)}</p></li>" for a in items
    )
    more = f'<a class="next" rel="next" href="{path}?page={page + 1}">Berikutnya</a>' \
        if page < pages else ""
    body = f'<h1>{escape(title)}</h1><ul class="indeks">{rows}</ul><div class="pager">{more}</div>'
    return _page(site, title, body)


def page_count(items: int) -> int:
    return max(1, -(-items // PER_PAGE))


def rss(site: Site, base: str, items: Sequence[tuple[Article, datetime]]) -> bytes:
    entries = "".join(
        f"<item><title>{escape(a.title)}</title><link>{base}{article_path(a, site)}</link>"
        f"<description>{escape(a.summary)}</description>"
        f"<pubDate>{when:%a, %d %b %Y %H:%M:%S %z}</pubDate></item>"
        for a, when in items
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>{escape(site.name.title())}</title><link>{base}/</link>{entries}"
            f"</channel></rss>\n").encode()


def news_sitemap(site: Site, base: str, items: Sequence[tuple[Article, datetime]]) -> bytes:
    urls = "".join(
        f"<url><loc>{base}{article_path(a, site)}</loc><news:news><news:publication>"
        f"<news:name>{escape(site.name.title())}</news:name><news:language>id</news:language>"
        f"</news:publication><news:publication_date>{when.isoformat()}</news:publication_date>"
        f"<news:title>{escape(a.title)}</news:title></news:news></url>"
        for a, when in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{urls}</urlset>\n"
    ).encode()


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def text_sitemap(site: Site, base: str, items: Sequence[Article]) -> bytes:
    return "".join(f"{base}{article_path(a, site)}\n" for a in items).encode("utf-8")


def sitemap_path(site: Site) -> str:
    return {"xml": "/sitemap-news.xml", "gzip": "/sitemap-news.xml.gz",
            "text": "/sitemap.txt"}[site.sitemap]


def robots(site: Site, base: str) -> bytes:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in site.disallow),
             f"Sitemap: {base}{sitemap_path(site)}"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def search_page(site: Site, query: str, items: Sequence[Article]) -> bytes:
    title = f"Hasil pencarian: {query}"
    rows = "".join(
        f'<li><a href="{article_path(a, site)}">{escape(a.title)}</a></li>' for a in items
    )
    body = f'<h1>{escape(title)}</h1><form action="/cari"><input name="q" ' \
           f'value="{escape(query)}"></form><ul class="search-results">{rows}</ul>'
    return _page(site, title, body)



def shift(articles: Sequence[Article], now: datetime) -> timedelta:
    """Whole days that move the newest article to today, so `max_age_days` works in demos."""
    newest = max((a.date for a in articles), default=now)
    return timedelta(days=max(0, (now - newest).days))
