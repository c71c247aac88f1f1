"""Relevance to example articles: how close a document is to the examples the user gave.

The examples are a set, not an average: a document is scored against each example and keeps its
best score, so two angles of one topic can be seeded side by side.

Weights (scikit-learn does the vector maths):
  * a term weighs by the number of examples that use it (the topic recurs; an aside does not),
    times NAME_BOOST when the examples write it as a name (people, places, bodies), and gets
    nothing when it is a stopword;
  * term frequencies are sub-linear (1 + log tf) and vectors L2-normalised, so the score is a
    cosine in [0, 1].

Two checks keep the score honest:
  * coverage: the document must use at least `min_terms` distinct key terms of the examples
    (names count double); with fewer, the score is scaled down by the share it reached, so an
    article that shares one name but none of the story scores low;
  * unlike: when `unlike` examples are given and the document is closer to one of them than to
    any example, it is dropped ("closer to an unlike example").
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix, diags
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

from scraper.document import Document
from scraper.relevance.terms import Term, Terms, slug_text

NAME_BOOST = 3.0
# Calibration (see `cohesion`): examples scored leave-one-out, the single-example factor, and a
# floor so that unrelated examples do not turn every score into 1.
COHESION_SAMPLE = 20
SINGLE_EXAMPLE = 0.5
MIN_COHESION = 0.1
# How many of the heaviest terms are the examples' key terms (coverage, pre-score, query).
KEY_TERMS = 60


@dataclass(frozen=True)
class Score:
    """A document's relevance: `score` in [0, 1], the key terms it shares with the examples
    (heaviest first), and the example it is closest to."""

    score: float
    terms: tuple[str, ...] = ()
    example: str | None = None
    reason: str | None = None  # why it is dropped whatever the threshold (unlike)


@dataclass
class Model:
    terms: Terms
    min_terms: int
    vectorizer: CountVectorizer = field(init=False)
    parts: list[csr_matrix] = field(init=False)  # term weights: names, other terms
    like: list[csr_matrix] = field(init=False)
    unlike: list[csr_matrix] | None = field(init=False, default=None)
    names: list[str] = field(init=False, default_factory=list)
    key: dict[str, float] = field(init=False, default_factory=dict)
    is_name: set[str] = field(init=False, default_factory=set)

    scale: float = field(init=False, default=1.0)

    @classmethod
    def fit(cls, terms: Terms, like: Iterable[Document], unlike: Iterable[Document] = (),
            min_terms: int = 4, *, calibrate: bool = True) -> Model:
        model = cls(terms, min_terms)
        examples = list(like)
        model._fit(examples, list(unlike))
        if calibrate:
            model.scale = cohesion(examples, lambda some: cls.fit(
                terms, some, min_terms=min_terms, calibrate=False))
        return model

    def _fit(self, like: list[Document], unlike: list[Document]) -> None:
        like_terms = [self._doc_terms(d) for d in like]
        unlike_terms = [self._doc_terms(d) for d in unlike]
        self.names = [d.source for d in like]
        self.vectorizer = CountVectorizer(analyzer=lambda t: [x.text for x in t])
        counts = self.vectorizer.fit_transform(like_terms + unlike_terms)
        vocab: list[str] = list(self.vectorizer.get_feature_names_out())
        self.is_name = _names(like_terms + unlike_terms)
        boost = np.array([NAME_BOOST if t in self.is_name else 1.0 for t in vocab])
        named = np.array([t in self.is_name for t in vocab])
        # Vectors weigh a term by its support among all examples, counter-examples included
        # (so an article can be compared with either); the key terms are the like examples'.
        weight = _support(counts) * boost
        self.parts = [diags(weight * named), diags(weight * ~named)]
        self.like = [self._vectors(counts[: len(like)], part) for part in self.parts]
        if unlike:
            self.unlike = [self._vectors(counts[len(like):], part) for part in self.parts]
        key = _support(counts[: len(like)]) * boost
        ranked = sorted(range(len(vocab)), key=lambda i: (-key[i], vocab[i]))
        self.key = {vocab[i]: float(key[i]) for i in ranked[:KEY_TERMS] if key[i] > 0}

    def _doc_terms(self, doc: Document) -> list[Term]:
        # The title speaks for the whole article: it counts twice.
        title = doc.title or ""
        return self.terms.of("\n".join([title, title, *doc.paragraphs]))

    def _vectors(self, counts: csr_matrix, weights: csr_matrix,
                 unseen: float = 0.0) -> csr_matrix:
        """Weighted, L2-normalised vectors. `unseen` is the squared mass of a document's terms
        the examples never use: it lengthens the document's norm, so an article whose words
        are mostly elsewhere (a football report that names Pyongyang) is not scored as if it
        held only the words it shares."""
        tf = counts.astype(float)
        tf.data = 1.0 + np.log(tf.data)
        weighted = tf @ weights
        if not unseen:
            return normalize(weighted)
        norm = math.sqrt(float(weighted.multiply(weighted).sum()) + unseen)
        return weighted / norm if norm else weighted

    def _similarity(self, examples: list[csr_matrix], counts: csr_matrix,
                    unseen: tuple[float, float]) -> np.ndarray:
        """Per example: the geometric mean of the cosine over names and over the other terms,
        so a document must share both who the story is about and what happens in it. A part
        an example does not have (a topic told without names) is left out of its mean."""
        product = np.ones(examples[0].shape[0])
        parts = np.zeros(examples[0].shape[0])
        for part, vectors, mass in zip(self.parts, examples, unseen, strict=True):
            vector = self._vectors(counts, part, mass)
            present = np.asarray(vectors.getnnz(axis=1) > 0)
            sims = (vectors @ vector.T).toarray().ravel()
            product *= np.where(present, sims, 1.0)
            parts += present
        return np.where(parts > 0, product ** (1.0 / np.maximum(parts, 1)), 0.0)

    def _unseen_mass(self, found: list[Term]) -> tuple[float, float]:
        """The squared weight of the terms the examples never use: (names, other terms)."""
        known = self.vectorizer.vocabulary_
        counts = Counter(t.text for t in found if t.text not in known)
        names = {t.text for t in found if t.name}
        mass = [0.0, 0.0]
        for term, n in counts.items():
            named = term in names
            mass[0 if named else 1] += ((1.0 + math.log(n)) * (NAME_BOOST if named else 1.0)) ** 2
        return mass[0], mass[1]

    def score(self, doc: Document) -> Score:
        """The full score of a cleaned document."""
        found = self._doc_terms(doc)
        counts = self.vectorizer.transform([found])
        unseen = self._unseen_mass(found)
        sims = self._similarity(self.like, counts, unseen)
        best = int(np.argmax(sims)) if len(sims) else 0
        shared = self._shared(found)
        value = float(sims[best]) * self._coverage(shared) if len(sims) else 0.0
        value = min(1.0, value / self.scale)
        reason = None
        if self.unlike is not None:
            against = float(self._similarity(self.unlike, counts, unseen).max())
            if against > float(sims[best]):
                reason = "closer to an unlike example"
        return Score(round(value, 4), shared, self.names[best] if self.names else None, reason)

    def prescore(self, title: str | None, url: str, summary: str | None) -> Score:
        """The cheap score before fetching: key terms in the title, URL words and summary."""
        found = self.terms.of("\n".join([title or "", slug_text(url), summary or ""]))
        shared = self._shared(found)
        total = sum(self.key.values()) or 1.0
        return Score(round(sum(self.key[t] for t in shared) / total, 4), shared)

    def _shared(self, found: list[Term]) -> tuple[str, ...]:
        present = {t.text for t in found} & self.key.keys()
        return tuple(sorted(present, key=lambda t: (-self.key[t], t)))

    def _coverage(self, shared: tuple[str, ...]) -> float:
        reached = sum(2 if t in self.is_name else 1 for t in shared)
        return min(1.0, reached / (2 * self.min_terms)) if self.min_terms else 1.0

    def query(self, count: int) -> list[str]:
        """The heaviest names of the examples (then other key terms): a search query."""
        ranked = sorted(self.key, key=lambda t: (t not in self.is_name, -self.key[t], t))
        return ranked[:count]


def cohesion(examples: list[Document], fit: Callable[[list[Document]], Model]) -> float:
    """How alike the examples are to each other: the raw score an unseen on-topic article
    can expect, which scores are divided by (so the threshold does not depend on how many
    examples there are, nor how tight they are).

    With several examples, the median score of each against the others (leave one out, at
    most COHESION_SAMPLE of them). With one, its two halves scored against each other, halved:
    one example's own asides weigh as much as its topic, so unseen articles score about half
    of what its halves do (measured on the seeds, docs/relevance.md).
    """
    if len(examples) >= 2:
        sample = examples[:COHESION_SAMPLE]
        scores = [fit(examples[:i] + examples[i + 1:]).score(examples[i]).score
                  for i in range(len(sample))]
        found = float(np.median(scores))
    else:
        (only,) = examples
        half = len(only.paragraphs) // 2
        if half == 0:
            return 1.0
        first = Document(title=only.title, paragraphs=only.paragraphs[:half])
        second = Document(title=only.title, paragraphs=only.paragraphs[half:])
        found = SINGLE_EXAMPLE * (fit([first]).score(second).score
                                  + fit([second]).score(first).score) / 2
    return max(found, MIN_COHESION)


def _support(counts: csr_matrix) -> np.ndarray:
    """How many of the documents (rows) use each term."""
    return np.asarray((counts > 0).sum(axis=0)).ravel().astype(float)


def _names(docs: list[list[Term]]) -> set[str]:
    """Terms written as names in most of their occurrences inside sentences."""
    seen: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for terms in docs:
        for term in terms:
            seen[term.text] += 1
            capital[term.text] += term.name
    return {t for t, n in seen.items() if capital[t] >= math.ceil(n / 2)}
