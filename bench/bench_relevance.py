"""Relevance: how well each scorer separates on-topic from off-topic, and the threshold.

    python bench/bench_relevance.py [--web fixtures/web] [--examples seeds]

Every article of the labelled test web is scored against the example articles (the seeds,
cleaned), from its own text (title and paragraphs, no fetching), and each seed is scored against
the other four (leave one out: an on-topic article the examples have not seen). Three scorers:

  tfidf-max       anchor: scikit-learn TfidfVectorizer (fitted on the examples, same stopwords),
                  cosine, best example
  tfidf-centroid  the same against the average of the examples
  scraper         scraper.relevance: names x story, example support weights, aliases, coverage

For each it prints the lowest on-topic score, the highest related and off-topic scores, and the
margin (lowest on-topic minus highest off-topic; larger separates better, negative means no
threshold separates them).

Then the scraper scorer again with fewer examples (every single seed, and some pairs and
triples), since users seed with what they have: its scores are calibrated by how alike the
examples are, so one threshold should serve them all. The default threshold is the midpoint
between the highest off-topic and the lowest on-topic score over these runs, page-1 fragment
seed 003 alone aside (it is a truncated copy of 000 with little of the story).
"""

from __future__ import annotations

import argparse
import tomllib
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from scraper.clean import clean_text
from scraper.config import RelevanceConfig
from scraper.document import Document
from scraper.relevance import Relevance
from scraper.relevance.terms import STOPWORDS
from scraper.testweb import load_web

Scorer = Callable[[list[Document], Document], float]


def text(doc: Document) -> str:
    return "\n".join([doc.title or "", *doc.paragraphs])


def tfidf(examples: list[Document], doc: Document, centroid: bool) -> float:
    vectorizer = TfidfVectorizer(stop_words=sorted(STOPWORDS), sublinear_tf=True)
    matrix = vectorizer.fit_transform([text(d) for d in examples])
    vector = vectorizer.transform([text(doc)])
    if centroid:
        middle = np.asarray(matrix.mean(axis=0))
        norm = np.linalg.norm(middle) * (np.sqrt(vector.multiply(vector).sum()) or 1.0)
        return float((vector @ middle.T).ravel()[0]) / norm if norm else 0.0
    return float((matrix @ vector.T).toarray().max())


def ours(examples: list[Document], doc: Document) -> float:
    return Relevance(RelevanceConfig(like=["-"]), examples).judge(doc)[0].score


SCORERS: dict[str, Scorer] = {
    "tfidf-max": lambda ex, d: tfidf(ex, d, centroid=False),
    "tfidf-centroid": lambda ex, d: tfidf(ex, d, centroid=True),
    "scraper": ours,
}


def main() -> None:
    # The stopword list holds contractions ("mustn't") TfidfVectorizer splits differently.
    warnings.filterwarnings("ignore", message="Your stop_words may be inconsistent")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--web", default="fixtures/web")
    parser.add_argument("--examples", default="seeds")
    args = parser.parse_args()
    examples = [clean_text(p.read_text(encoding="utf-8")).document
                for p in sorted(Path(args.examples).glob("*.txt"))]
    labels = tomllib.loads((Path(args.web) / "labels.toml").read_text(encoding="utf-8"))
    label = {i: key for key in ("on-topic", "unreachable", "related", "off-topic")
             for i in labels[key]}
    articles = [(label[a.id].replace("unreachable", "on-topic"),
                 Document(title=a.title, paragraphs=[p for page in a.pages for p in page]))
                for a in load_web(args.web).articles]
    print(f"{len(articles)} test web articles, {len(examples)} examples (+ each seed left out)")
    print(f"{'scorer':16} {'min on-topic':>12} {'max related':>12} {'max off-topic':>13} "
          f"{'margin':>7} {'min seed':>9}")
    for name, scorer in SCORERS.items():
        scores: dict[str, list[float]] = {"on-topic": [], "related": [], "off-topic": []}
        for kind, doc in articles:
            scores[kind].append(scorer(examples, doc))
        seeds = [scorer(examples[:i] + examples[i + 1:], examples[i])
                 for i in range(len(examples))]
        low, high = min(scores["on-topic"]), max(scores["off-topic"])
        print(f"{name:16} {low:12.3f} {max(scores['related']):12.3f} {high:13.3f} "
              f"{low - high:7.3f} {min(seeds):9.3f}")
    subsets(examples, articles)


SUBSETS = [(0,), (1,), (2,), (3,), (4,), (1, 2), (0, 4), (1, 2, 4), (0, 1, 2, 3, 4)]


def subsets(examples: list[Document], articles: list[tuple[str, Document]]) -> None:
    print(f"\n{'scraper, seeds':20} {'min on-topic':>12} {'max related':>12} "
          f"{'max off-topic':>13}")
    lows, highs = [], []
    for chosen in SUBSETS:
        scorer = Relevance(RelevanceConfig(like=["-"]), [examples[i] for i in chosen])
        scores: dict[str, list[float]] = {"on-topic": [], "related": [], "off-topic": []}
        for kind, doc in articles:
            scores[kind].append(scorer.judge(doc)[0].score)
        low, high = min(scores["on-topic"]), max(scores["off-topic"])
        if chosen != (3,):
            lows.append(low)
        highs.append(high)
        label = " ".join(f"{i:03d}" for i in chosen)
        print(f"{label:20} {low:12.3f} {max(scores['related']):12.3f} {high:13.3f}")
    print(f"threshold (midpoint of max off-topic {max(highs):.3f} and min on-topic "
          f"{min(lows):.3f}): {(max(highs) + min(lows)) / 2:.3f}")


if __name__ == "__main__":
    main()
