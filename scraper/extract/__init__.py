"""HTML → Document: site profiles read with selectolax, trafilatura for every other site.

    extract_html(html, url=..., profiles=..., config=..., fetch=None, site=None)
                                             one article (following its pages through `fetch`)
    ExtractStep(config, profiles, fetch=None, site=None).run(docs, stats)
                                             the pipeline stage

Modules: `rules` (the profile's [extract] table), `body` (paragraphs from the body element),
`meta` (title, date, author, URL), `pages` (pagination), `fallback` (trafilatura and the
not-an-article check), `article` (extract_html), `step` (ExtractStep), `score` (the AEB score).
"""

from __future__ import annotations

from scraper.errors import ExtractError
from scraper.extract.article import decode_html, extract_html
from scraper.extract.pages import FetchPage
from scraper.extract.step import ExtractStep

__all__ = ["ExtractError", "ExtractStep", "FetchPage", "decode_html", "extract_html"]
