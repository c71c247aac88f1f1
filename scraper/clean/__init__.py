"""The clean stage: site chrome out, every article sentence kept.

    Cleaner(config, profiles).run(docs, stats)   the pipeline stage (with the corpus pass)
    Cleaner(...).clean_one(doc)                  one document, no corpus pass
    clean_text(text, url=None, site=None)        the public API on plain text
    uncertain_boundaries(doc)                    text kept because a removal's end was unsure

Rules are data: each profile's `[clean]` table (see `scraper.clean.rules`), run by
`scraper.clean.engine`; the corpus pass is in `scraper.clean.corpus`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from scraper.clean.alternation import Alternation, Rule
from scraper.clean.corpus import CorpusPolicy, corpus_pass
from scraper.clean.engine import (
    DATELINE_KEEP,
    DATELINE_TO_MANIFEST,
    clean_document,
    uncertain_boundaries,
)
from scraper.clean.functions import FUNCTIONS
from scraper.clean.rules import RuleSet, merge, parse_clean_table
from scraper.config import CleanConfig
from scraper.document import Document, Removal, parse_dump
from scraper.errors import ConfigError
from scraper.profiles import Profile, ProfileSet, load_profiles
from scraper.stats import Stats

__all__ = ["CleanResult", "Cleaner", "clean_text", "uncertain_boundaries"]

STAGE = "clean"
MAX_HOSTS = 10_000  # hosts whose profile is remembered, then forgotten at once


@dataclass(frozen=True)
class CleanResult:
    document: Document
    removed: list[Removal]


class Cleaner:
    """The clean stage. Every profile's `[clean]` table is validated here, so a bad profile
    fails the run at start (ProfileError naming the file and the rule), not halfway through."""

    name = STAGE

    def __init__(self, config: CleanConfig, profiles: ProfileSet) -> None:
        self.config = config
        self.profiles = profiles
        if config.site:
            profiles.get(config.site)  # ConfigError for an unknown --site
        if config.dateline not in (DATELINE_KEEP, DATELINE_TO_MANIFEST):
            raise ConfigError(
                "[clean] dateline",
                f"must be {DATELINE_KEEP!r} or {DATELINE_TO_MANIFEST!r}: {config.dateline!r}",
            )
        known = FUNCTIONS.names()
        tables = {p.name: parse_clean_table(p, known) for p in profiles}
        generic = tables[profiles.generic.name]
        self._rules: dict[str, RuleSet] = {
            name: merge(generic, None if table is generic else table)
            for name, table in tables.items()
        }
        self._by_host: dict[str, Profile | None] = {}
        # Every profile's text markers in one regex: most texts hold none, and one scan tells.
        self._markers = Alternation(
            tuple(Rule(p.name, marker) for p in profiles for marker in p.text_markers)
        )
        self.policy = CorpusPolicy(
            min_docs=config.corpus_min_docs,
            min_share=config.corpus_min_share,
            max_chars=config.corpus_max_chars,
            edge=config.corpus_edge_lines,
        )

    def rules_for(self, doc: Document) -> RuleSet:
        if self.config.site:
            return self._rules[self.config.site]
        profile = self._for_url(doc.url)  # None for a malformed URL: pick by text
        if profile is None:
            text = "\n".join([doc.title or "", *doc.paragraphs])
            profile = self._for_text(text) or self.profiles.generic
        return self._rules[profile.name]

    def _for_text(self, text: str) -> Profile | None:
        """`profiles.for_text`: the first profile with a marker anywhere in `text`. One scan of
        all markers finds the leftmost one; its profile matches, so only the profiles before it
        are searched one by one (most texts hold no marker: one scan then tells)."""
        index = self._markers.search(text)
        if index is None:
            return None
        found = self.profiles.get(self._markers.rules[index].name)
        for profile in self.profiles:
            if profile is found or any(m.search(text) for m in profile.text_markers):
                return profile
        return found

    def _for_url(self, url: str | None) -> Profile | None:
        """`profiles.for_url`, remembered by host (a run meets few hosts, many URLs)."""
        try:
            host = urlsplit(url).hostname if url else None
        except ValueError:
            return None
        if not host:
            return None
        if host not in self._by_host:
            if len(self._by_host) >= MAX_HOSTS:
                self._by_host.clear()
            self._by_host[host] = self.profiles.for_url(url)
        return self._by_host[host]

    def clean_one(self, doc: Document) -> Document:
        """The cleaned copy of `doc` (its `site` set to the profile used). Never raises."""
        return clean_document(doc, self.rules_for(doc), self.config.dateline)

    def run(self, docs: Iterable[Document], stats: Stats) -> Iterator[Document]:
        """Clean each document; with the corpus pass on, the whole run is read first."""
        if not self.config.corpus_pass:
            for doc in docs:
                stats.keep(STAGE)
                yield self.clean_one(doc)
            return
        cleaned = [self.clean_one(doc) for doc in docs]
        for doc in corpus_pass(cleaned, self.policy):
            stats.keep(STAGE)
            yield doc


_DEFAULT: dict[str | None, Cleaner] = {}


def _cleaner(site: str | None) -> Cleaner:
    # Loading and validating every profile costs milliseconds: do it once per process.
    if site not in _DEFAULT:
        _DEFAULT[site] = Cleaner(CleanConfig(site=site), load_profiles())
    return _DEFAULT[site]


def clean_text(text: str, *, url: str | None = None, site: str | None = None) -> CleanResult:
    """Clean one text (seed format or a plain dump); `site` forces a profile by name."""
    doc = parse_dump(text)
    doc.url = url
    cleaned = _cleaner(site).clean_one(doc)
    return CleanResult(document=cleaned, removed=cleaned.removed)

