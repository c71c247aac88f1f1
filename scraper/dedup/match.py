"""Finding a document's duplicates in the index and verifying each one exactly.

Candidates come from three lookups: the exact key, the LSH bands (near-duplicates) and the sampled
shingle hashes (containment). Every candidate is then compared on its full shingle set, so the
index may over-report but a false duplicate is never acted on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scraper.config import DedupConfig
from scraper.dedup.index import Index, Row
from scraper.dedup.minhash import band_key_matrix, signatures
from scraper.dedup.text import Features

EXACT, NEAR, CONTAINED = "exact-duplicate", "near-duplicate", "contained"
# (-words, -chars, exact key): smaller is better, so the longest copy wins and ties are stable.
Quality = tuple[int, int, bytes]


def quality(words: int, chars: int, exact: bytes) -> Quality:
    return (-words, -chars, exact)


def row_quality(row: Row) -> Quality:
    return quality(row.words, row.chars, row.exact)


def feature_quality(f: Features) -> Quality:
    return quality(f.words, f.chars, f.exact)


@dataclass(frozen=True, slots=True)
class Match:
    row: Row
    relation: str
    score: float  # the exact Jaccard or containment that qualified the pair


def shared_count(a: NDArray[np.uint64], b: NDArray[np.uint64]) -> int:
    """|a ∩ b| of two sorted arrays of distinct values."""
    if len(a) > len(b):
        a, b = b, a
    if len(a) == 0:
        return 0
    where = np.minimum(np.searchsorted(b, a), len(b) - 1)
    return int(np.count_nonzero(b[where] == a))


def classify(x: Features, y: Features, config: DedupConfig) -> tuple[str, float] | None:
    """Exact duplicate, near-duplicate (Jaccard), contained (either way), or not a duplicate."""
    if x.exact == y.exact:
        return EXACT, 1.0
    x_long, y_long = x.long_set(), y.long_set()
    long_shared = shared_count(x_long, y_long)
    a, b, shared = x_long, y_long, long_shared
    x_short, y_short = x.short_set(), y.short_set()
    if (
        x_short is not None
        and y_short is not None
        and min(x.words, y.words) < config.short_doc_words
    ):
        a, b = x_short, y_short
        shared = shared_count(a, b)
    if len(a) and len(b):
        jaccard = shared / (len(a) + len(b) - shared)
        if jaccard >= config.threshold:
            return NEAR, jaccard
    # Containment is measured on the long shingles: page 1 against the whole article.
    if len(x_long) and len(y_long):
        contained = long_shared / min(len(x_long), len(y_long))
        if contained >= config.containment:
            return CONTAINED, contained
    return None


def bucket_keys(features: list[Features], config: DedupConfig) -> list[NDArray[np.int64]]:
    """The LSH bucket keys of each document: long shingles, plus short ones when it is short.
    Signatures and keys are computed for the whole list at once."""
    long_docs = [i for i, f in enumerate(features) if len(f.long_hashes)]
    short_docs = [
        i for i, f in enumerate(features) if f.short_hashes is not None and len(f.short_hashes)
    ]
    parts: list[list[NDArray[np.int64]]] = [[] for _ in features]
    for docs, size, pick in (
        (long_docs, config.shingle_size, _long),
        (short_docs, config.short_shingle_size, _short),
    ):
        if docs:
            sigs = signatures([pick(features[i]) for i in docs], config)
            for i, keys in zip(docs, band_key_matrix(sigs, config, size), strict=True):
                parts[i].append(keys)
    return [np.concatenate(p) if p else np.zeros(0, dtype=np.int64) for p in parts]


def _long(f: Features) -> NDArray[np.uint64]:
    return f.long_hashes


def _short(f: Features) -> NDArray[np.uint64]:
    assert f.short_hashes is not None
    return f.short_hashes


def signed_samples(f: Features) -> list[int]:
    samples: list[int] = f.sampled().view(np.int64).tolist()
    return samples


class Matcher:
    """Verified duplicates of a document among the indexed ones.

    `load(row)` returns the features of an indexed document (from memory for this batch's
    documents, from its file otherwise), or None when its file cannot be read.
    """

    def __init__(
        self, index: Index, config: DedupConfig, load: Callable[[Row], Features | None]
    ) -> None:
        self.index, self.config, self.load = index, config, load
        # How many of the last document's samples were under the df cap: index it with this.
        self.last_rare = 0

    def candidates(self, f: Features, buckets: NDArray[np.int64]) -> dict[int, Row]:
        found = {r.doc: r for r in self.index.by_exact(f.exact)}
        found.update((r.doc, r) for r in self.index.by_buckets(buckets.tolist()))
        self.last_rare = 0
        if f.samples:
            sampled = self.index.by_samples(
                signed_samples(f),
                self.config.containment_max_df,
                self.config.containment_candidate,
            )
            found.update((row.doc, row) for row, _ in sampled)
            self.last_rare = self.index.last_rare
        return found

    def find(self, f: Features, buckets: NDArray[np.int64]) -> list[Match]:
        matches: list[Match] = []
        for row in self.candidates(f, buckets).values():
            other = self.load(row)
            if other is None:
                continue
            verdict = classify(f, other, self.config)
            if verdict is not None:
                matches.append(Match(row, *verdict))
        return matches
