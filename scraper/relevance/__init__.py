"""The relevance stage: keep the documents that resemble the example articles.

    Relevance(config, like, unlike)       like / unlike: the example Documents (cleaned)
      .prescreen(title, url, summary)     before fetching: a Score, or None = obviously off-topic
      .run(docs, stats, on_drop=None)     the stage: yields kept documents, scored

Each kept document carries `extra["relevance"]` (the score) and `extra["terms"]` (the key terms
it shares with the examples, heaviest first), which the manifest records. The scoring itself is
in `model.py`; the tokenizer, aliases and stopwords in `terms.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from scraper.config import RelevanceConfig
from scraper.document import Document
from scraper.errors import ConfigError
from scraper.relevance.model import Model, Score
from scraper.relevance.terms import Terms, load_aliases
from scraper.stats import Stats

__all__ = ["Relevance", "Score"]

STAGE = "relevance"
BELOW = "below the relevance threshold"
OFF_TOPIC = "off-topic by title and URL"
# A title with fewer terms (after stopwords) says too little to skip the article unread.
PRESCREEN_MIN_TERMS = 3
OnDrop = Callable[[Document, Score, str], None]


class Relevance:
    name = STAGE

    def __init__(self, config: RelevanceConfig, like: Iterable[Document],
                 unlike: Iterable[Document] = ()) -> None:
        examples = [d for d in like if d.paragraphs]
        if not examples:
            raise ConfigError("[relevance] like", "no example article could be read")
        self.config = config
        self.model = Model.fit(Terms(load_aliases(config.aliases)), examples,
                               [d for d in unlike if d.paragraphs], min_terms=config.min_terms)

    def prescreen(self, title: str | None, url: str, summary: str | None) -> Score | None:
        """The cheap score on what a feed, sitemap or listing says of an item; None when it is
        obviously off-topic: a title of at least PRESCREEN_MIN_TERMS terms that, with the URL
        words and summary, shares not one key term with the examples. Anything unsure (a bare
        URL, a short title, one shared term) is worth fetching."""
        score = self.model.prescore(title, url, summary)
        if not self.config.prefilter or score.terms:
            return score
        said = self.model.terms.of(title or "")
        return score if len(said) < PRESCREEN_MIN_TERMS else None

    def judge(self, doc: Document) -> tuple[Score, str | None]:
        """The full score of a cleaned document, and why it is dropped (None: kept)."""
        score = self.model.score(doc)
        doc.extra["relevance"] = score.score
        doc.extra["terms"] = list(score.terms[:10])
        if score.reason is not None:
            return score, score.reason
        return score, (BELOW if score.score < self.config.threshold else None)

    def run(self, docs: Iterable[Document], stats: Stats,
            on_drop: OnDrop | None = None) -> Iterator[Document]:
        for doc in docs:
            score, reason = self.judge(doc)
            if reason is None:
                stats.keep(STAGE)
                yield doc
                continue
            stats.drop(STAGE, reason)
            if on_drop is not None:
                on_drop(doc, score, reason)

    def query(self, count: int | None = None) -> list[str]:
        return self.model.query(count or self.config.query_terms)
