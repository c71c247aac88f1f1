"""Links in HTML pages: which look like articles, and where the next page of a listing is.

An article URL usually ends in a slug of several words (`/read/123/kanal/putin-tiba-di-pyongyang`,
`/2024/06/19/harga-beras-naik/`); section, tag, author, search and paging URLs do not, or live
under a path that says what they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from scraper.document import canonical_url, normalize_line

_NOT_ARTICLE = re.compile(
    r"/(?:tag|tags|topik|topic|kanal|category|kategori|author|penulis|search|cari|indeks|"
    r"index|page|feed|rss|login|register|about|tentang|kontak|contact)(?:/|$)", re.IGNORECASE,
)
_SLUG_WORD = re.compile(r"[a-z][a-z0-9]*", re.IGNORECASE)
_NEXT_WORDS = {"berikutnya", "selanjutnya", "next", "»", "›", "older posts", "lebih lama",
               "halaman berikutnya", "next page", "muat lebih banyak", "load more"}
MIN_SLUG_WORDS = 3
MIN_HEADLINE_WORDS = 5


@dataclass(frozen=True)
class Link:
    url: str
    text: str


def looks_like_article(url: str) -> bool:
    """True when the URL's path ends in a slug of at least three words (a trailing page
    number or file suffix aside) and is not a section, tag, search or paging URL."""
    path = urlsplit(url).path
    if _NOT_ARTICLE.search(path):
        return False
    segments = [s for s in path.split("/") if s and not s.isdigit()]
    if not segments:
        return False
    slug = re.sub(r"\.(?:html?|php|aspx?)$", "", segments[-1], flags=re.IGNORECASE)
    words = [w for w in re.split(r"[-_+]+", slug) if _SLUG_WORD.fullmatch(w)]
    return len(words) >= MIN_SLUG_WORDS


def looks_like_headline(link: Link) -> bool:
    """A link whose text reads like a headline (five words or more) on a URL that is not a
    section, tag, search or paging URL: an article even when its URL carries no slug
    (`/berita?id=123`, `/news/123456`)."""
    words = [w for w in link.text.split() if any(c.isalpha() for c in w)]
    return len(words) >= MIN_HEADLINE_WORDS and not _NOT_ARTICLE.search(urlsplit(link.url).path)


def links(html: bytes | str, base: str) -> Iterator[Link]:
    """Every http(s) link of the page, absolute, canonical and without fragment, once."""
    tree = LexborHTMLParser(html)
    seen: set[str] = set()
    for node in tree.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        absolute = urldefrag(urljoin(base, href))[0]
        if urlsplit(absolute).scheme not in ("http", "https"):
            continue
        url = canonical_url(absolute)
        if url not in seen:
            seen.add(url)
            yield Link(url, normalize_line(node.text()))


def next_page(html: bytes | str, base: str, number: int = 1) -> str | None:
    """The next page of a listing: `rel=next` (link or anchor), else an anchor that says so,
    else a pager link numbered `number + 1` (`number` is this page's)."""
    tree = LexborHTMLParser(html)
    for selector in ('link[rel="next"][href]', 'a[rel="next"][href]'):
        node = tree.css_first(selector)
        if node is not None and (node.attributes.get("href") or "").strip():
            return urljoin(base, (node.attributes.get("href") or "").strip())
    for node in tree.css("a[href]"):
        label = normalize_line(node.text()).lower().strip(" »›")
        classes = (node.attributes.get("class") or "").lower().split()
        if label in _NEXT_WORDS or normalize_line(node.text()) in _NEXT_WORDS or "next" in classes:
            return urljoin(base, (node.attributes.get("href") or "").strip())
    for node in tree.css("a[href]"):
        if normalize_line(node.text()) == str(number + 1):
            return urljoin(base, (node.attributes.get("href") or "").strip())
    return None


def is_article_page(html: bytes | str, url: str) -> bool:
    """An HTML page that says it is an article (og:type or JSON-LD), or has an article URL."""
    tree = LexborHTMLParser(html)
    og = tree.css_first('meta[property="og:type"]')
    if og is not None and (og.attributes.get("content") or "").strip():
        return (og.attributes.get("content") or "").strip().lower() == "article"
    for script in tree.css('script[type="application/ld+json"]'):
        if re.search(r'"@type"\s*:\s*"(?:News)?Article"', script.text()):
            return True
    return looks_like_article(url)
