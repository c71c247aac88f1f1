"""The test web as data: sites and articles read from `fixtures/web/web.toml`.

    [[site]]    name, style (the outlet whose markup it imitates), sections, sitemap ("xml",
                "gzip" or "text"), sitemap_type (the Content-Type of a gzipped sitemap),
                disallow (robots.txt paths), flaky (paths whose first request gets a 503),
                search (serve /cari?q=)
    [[article]] id, site, section, date, title, summary, pages (a list of pages, each a list
                of paragraphs), also_on (sites that syndicate it), path (a fixed path, e.g.
                under a disallowed folder)

Labels live beside it in `labels.toml` and are never served.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from scraper.errors import ConfigError

STYLES = ("sindonews", "detik", "kompas", "jfid")
SITEMAPS = ("xml", "gzip", "text")


@dataclass(frozen=True)
class Site:
    name: str
    style: str
    sections: tuple[str, ...]
    sitemap: str = "xml"
    sitemap_type: str = "application/x-gzip"
    disallow: tuple[str, ...] = ()
    flaky: tuple[str, ...] = ()
    search: bool = False


@dataclass(frozen=True)
class Article:
    id: str
    site: str
    section: str
    date: datetime
    title: str
    summary: str
    pages: tuple[tuple[str, ...], ...]
    also_on: tuple[str, ...] = ()
    path: str | None = None
    number: int = 0  # the numeric id some URL shapes carry

    @property
    def words(self) -> str:
        return " ".join([self.title, *(p for page in self.pages for p in page)]).lower()


@dataclass
class Web:
    sites: list[Site]
    articles: list[Article] = field(default_factory=list)

    def site(self, name: str) -> Site:
        for site in self.sites:
            if site.name == name:
                return site
        raise ConfigError("test web", f"no site named {name!r}")

    def on(self, site: str) -> list[Article]:
        """The articles a site serves (its own and those it syndicates), newest first."""
        found = [a for a in self.articles if a.site == site or site in a.also_on]
        return sorted(found, key=lambda a: (a.date, a.id), reverse=True)

    def add(self, data: dict[str, Any]) -> Article:
        article = _article(data, len(self.articles), "added article")
        self.site(article.site)
        self.articles.append(article)
        return article


def load_web(folder: str | Path) -> Web:
    path = Path(folder) / "web.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(str(path), f"cannot read the test web ({exc})") from exc
    web = Web([_site(s, str(path)) for s in data.get("site", [])])
    for number, item in enumerate(data.get("article", [])):
        article = _article(item, number, str(path))
        web.site(article.site)
        web.articles.append(article)
    return web


def _site(data: dict[str, Any], where: str) -> Site:
    site = Site(
        name=data["name"], style=data["style"], sections=tuple(data["sections"]),
        sitemap=data.get("sitemap", "xml"),
        sitemap_type=data.get("sitemap_type", "application/x-gzip"),
        disallow=tuple(data.get("disallow", ())), flaky=tuple(data.get("flaky", ())),
        search=bool(data.get("search", False)),
    )
    if site.style not in STYLES or site.sitemap not in SITEMAPS:
        raise ConfigError(where, f"site {site.name}: unknown style or sitemap kind")
    return site


def _article(data: dict[str, Any], number: int, where: str) -> Article:
    try:
        return Article(
            id=data["id"], site=data["site"], section=data["section"],
            date=datetime.fromisoformat(data["date"]), title=data["title"],
            summary=data.get("summary", ""),
            pages=tuple(tuple(page) for page in data["pages"]),
            also_on=tuple(data.get("also_on", ())), path=data.get("path"),
            number=7000 + number,
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ConfigError(where, f"article {data.get('id')!r}: {exc}") from exc
