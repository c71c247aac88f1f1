"""`ExtractStep`: the pipeline stage that turns documents carrying raw HTML into articles.

Documents without `extra["html"]` pass through untouched. A page that is not an article is
reported (one error line naming the source, and a drop reason) and not yielded. A later page
of a multi-page article is linked to its article through `extra["part_of"]` and not yielded:
either it says it is page N > 1, or its URL is one of the pages of an article already read.
The stage streams: a later page that does not say it is one and arrives *before* its article
is yielded as an article of its own (it is contained in the article: dedup's containment
check is the backstop).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from scraper.config import ExtractConfig
from scraper.document import Document, canonical_url
from scraper.errors import ExtractError
from scraper.extract.article import extract_html
from scraper.extract.pages import FetchPage
from scraper.extract.rules import rules_for
from scraper.profiles import ProfileSet
from scraper.stats import Stats

STAGE = "extract"


class ExtractStep:
    name = STAGE

    def __init__(
        self,
        config: ExtractConfig,
        profiles: ProfileSet,
        fetch: FetchPage | None = None,
        site: str | None = None,
    ) -> None:
        self.config = config
        self.profiles = profiles
        self.fetch = fetch
        self.site = site
        # Fail at start, naming the file and key, rather than on the first page of a bad site.
        for profile in profiles:
            rules_for(profile)
        if site:
            profiles.get(site)  # ConfigError for an unknown --site
        # canonical page URL -> the URL of the article it belongs to
        self._claimed: dict[str, str] = {}

    def run(self, docs: Iterable[Document], stats: Stats) -> Iterator[Document]:
        for doc in docs:
            raw = doc.extra.get("html")
            if not isinstance(raw, bytes | str):
                yield doc
                continue
            article = self._extract(doc, raw, stats)
            if article is not None:
                stats.keep(STAGE)
                yield article

    def _extract(self, doc: Document, raw: bytes | str, stats: Stats) -> Document | None:
        if doc.url and canonical_url(doc.url) in self._claimed:
            doc.extra["part_of"] = self._claimed[canonical_url(doc.url)]
            stats.drop(STAGE, "later page of an article in this run")
            return None
        try:
            out = extract_html(
                raw, url=doc.url, profiles=self.profiles, config=self.config,
                fetch=self.fetch, site=self.site or doc.site,
            )
        except ExtractError as exc:
            stats.error(f"{doc.source}: {exc.reason}")
            stats.drop(STAGE, exc.reason.split(" (")[0])
            return None
        if "page" in out.extra:
            doc.extra["part_of"] = out.extra.get("part_of")
            doc.extra["page"] = out.extra["page"]
            stats.drop(STAGE, "later page of a multi-page article")
            return None
        if out.profile_miss:
            stats.warn(
                "profile misses (generic extractor used)",
                f"{doc.source}: profile rule {out.profile_miss} missed the article at "
                f"{out.url or doc.source}; the generic extractor read it",
            )
        self._claim(out)
        out.source = doc.source
        out.extra = {**{k: v for k, v in doc.extra.items() if k != "html"}, **out.extra}
        return out

    def _claim(self, article: Document) -> None:
        pages = article.extra.get("pages")
        if article.url is None or not isinstance(pages, list):
            return
        for page in pages[1:]:
            if isinstance(page, str):
                self._claimed[canonical_url(page)] = article.url
