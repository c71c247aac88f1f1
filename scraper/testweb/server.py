"""`TestWeb`: the sites of the test web, each on its own loopback port, with a request log.

Every answer carries an ETag and a Last-Modified header and honours If-None-Match, so a second
run costs 304s. A path listed as `flaky` answers 503 (Retry-After: 0) to its first request.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scraper.testweb import render
from scraper.testweb.model import Article, Site, Web, load_web

_TYPES = {"html": "text/html; charset=utf-8", "rss": "application/rss+xml; charset=utf-8",
          "xml": "application/xml; charset=utf-8", "text": "text/plain; charset=utf-8"}
_STARTED = format_datetime(datetime(2024, 6, 1, tzinfo=UTC), usegmt=True)


@dataclass(frozen=True)
class Hit:
    """One request as the server saw it."""

    site: str
    path: str
    status: int


class TestWeb:
    """Start with `with TestWeb("fixtures/web") as web:`; `web.base(name)` is a site's URL."""

    __test__ = False  # not a pytest class

    def __init__(self, folder: str | Path, *, port: int = 0, host: str = "127.0.0.1") -> None:
        self.web: Web = load_web(folder)
        self.host, self.first_port = host, port
        self.log: list[Hit] = []
        self._lock = threading.Lock()
        self._seen: set[tuple[str, str]] = set()
        self._servers: dict[str, ThreadingHTTPServer] = {}
        self._offset = render.shift(self.web.articles, datetime.now(UTC))

    def __enter__(self) -> TestWeb:
        for number, site in enumerate(self.web.sites):
            port = self.first_port + number if self.first_port else 0
            server = ThreadingHTTPServer((self.host, port), _handler(self, site))
            server.daemon_threads = True
            self._servers[site.name] = server
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()

    def base(self, site: str) -> str:
        return f"http://{self.host}:{self._servers[site].server_address[1]}"

    def url(self, article: Article, site: str | None = None) -> str:
        name = site or article.site
        return self.base(name) + render.article_path(article, self.web.site(name))

    def add(self, **fields: Any) -> Article:
        """Publish a new article while serving (for "the next run adds only it")."""
        with self._lock:
            return self.web.add(fields)

    def requested(self, site: str | None = None) -> list[str]:
        with self._lock:
            return [hit.path for hit in self.log if site in (None, hit.site)]

    def shown(self, article: Article) -> datetime:
        return article.date + self._offset

    def record(self, site: Site, path: str, status: int) -> None:
        with self._lock:
            self.log.append(Hit(site.name, path, status))

    def first_time(self, site: Site, path: str) -> bool:
        with self._lock:
            key = (site.name, path)
            new = key not in self._seen
            self._seen.add(key)
            return new

    # -- answers -----------------------------------------------------------------------------
    def answer(self, site: Site, target: str) -> tuple[int, str, bytes]:
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query)
        page = int((query.get("page") or ["1"])[0]) if (query.get("page") or ["1"])[0].isdigit() \
            else 1
        base = self.base(site.name)
        articles = self.web.on(site.name)
        dated = [(a, self.shown(a)) for a in articles]
        if path == "/robots.txt":
            return 200, _TYPES["text"], render.robots(site, base)
        if path == "/rss":
            return 200, _TYPES["rss"], render.rss(site, base, dated)
        if path == render.sitemap_path(site):
            return self._sitemap(site, base, dated)
        if path in ("/", "/indeks"):
            return self._listing(site, "Indeks Berita", articles, path, page)
        if path.startswith("/kanal/"):
            section = path.removeprefix("/kanal/").strip("/")
            if section in site.sections:
                chosen = [a for a in articles if a.section == section]
                return self._listing(site, section.title(), chosen, path, page)
        if path == "/cari" and site.search:
            words = " ".join(query.get("q", [""])).lower().split()
            found = [a for a in articles if words and any(w in a.words for w in words)]
            return 200, _TYPES["html"], render.search_page(site, " ".join(words), found)
        return self._article(site, path, articles)

    def _sitemap(self, site: Site, base: str,
                 dated: list[tuple[Article, datetime]]) -> tuple[int, str, bytes]:
        if site.sitemap == "text":
            return 200, _TYPES["text"], render.text_sitemap(site, base, [a for a, _ in dated])
        xml = render.news_sitemap(site, base, dated)
        if site.sitemap == "gzip":
            return 200, site.sitemap_type, render.gzipped(xml)
        return 200, _TYPES["xml"], xml

    def _listing(self, site: Site, title: str, items: list[Article], path: str,
                 page: int) -> tuple[int, str, bytes]:
        pages = render.page_count(len(items))
        if page > pages:
            return 404, _TYPES["html"], b"<h1>Tidak ditemukan</h1>"
        chunk = items[(page - 1) * render.PER_PAGE: page * render.PER_PAGE]
        return 200, _TYPES["html"], render.listing_page(site, title, chunk, path, page, pages)

    def _article(self, site: Site, path: str, articles: list[Article]) -> tuple[int, str, bytes]:
        for article in articles:
            for number in range(1, len(article.pages) + 1):
                # WordPress answers with and without the trailing slash.
                if render.article_path(article, site, number).rstrip("/") == path.rstrip("/"):
                    related = [a for a in articles
                               if a.section == article.section and a is not article][:3]
                    body = render.article_page(article, site, number, self.shown(article),
                                               related)
                    return 200, _TYPES["html"], body
        return 404, _TYPES["html"], b"<h1>Tidak ditemukan</h1>"


def _handler(web: TestWeb, site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path in site.flaky and web.first_time(site, path):
                self._send(503, _TYPES["text"], b"sibuk, coba lagi\n", {"Retry-After": "0"})
                return
            status, kind, body = web.answer(site, self.path)
            tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if status == 200 and self.headers.get("If-None-Match") == tag:
                self._send(304, kind, b"", {"ETag": tag})
                return
            self._send(status, kind, body, {"ETag": tag, "Last-Modified": _STARTED})

        def _send(self, status: int, kind: str, body: bytes, extra: dict[str, str]) -> None:
            web.record(site, self.path, status)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the log is `web.log`
            return

    return Handler


