"""Finding a document's duplicates in the index and verifying each one exactly.

Candidates come from three lookups: the exact key, the LSH bands (near-duplicates) and the sampled
shingle hashes (containment). Every candidate is then compared on its full shingle set, so the
index may over-report but a false duplicate is never acted on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scraper.config import DedupConfig
from scraper.dedup.index import Index, Row
from scraper.dedup.minhash import band_keys, signatures, to_signed
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


def classify(x: Features, y: Features, config: DedupConfig) -> tuple[str, float] | None:
    """Exact duplicate, near-duplicate (Jaccard), contained (either way), or not a duplicate."""
    if x.exact == y.exact:
        return EXACT, 1.0
    a, b = x.long, y.long
    if (
        x.short is not None
        and y.short is not None
        and min(x.words, y.words) < config.short_doc_words
    ):
        a, b = x.short, y.short
    if a and b:
        shared = len(a & b)
        jaccard = shared / (len(a) + len(b) - shared)
        if jaccard >= config.threshold:
            return NEAR, jaccard
    # Containment is measured on the long shingles: page 1 against the whole article.
    if x.long and y.long:
        contained = len(x.long & y.long) / min(len(x.long), len(y.long))
        if contained >= config.containment:
            return CONTAINED, contained
    return None


def bucket_keys(features: list[Features], config: DedupConfig) -> list[list[int]]:
    """The LSH bucket keys of each document: long shingles, plus short ones when it is short."""
    long_sigs = iter(signatures([f.long for f in features if f.long], config))
    short_sigs = iter(signatures([f.short for f in features if f.short], config))
    out: list[list[int]] = []
    for f in features:
        keys = band_keys(next(long_sigs), config, config.shingle_size) if f.long else []
        if f.short:
            keys += band_keys(next(short_sigs), config, config.short_shingle_size)
        out.append(keys)
    return out


def signed_samples(f: Features) -> list[int]:
    return [to_signed(h) for h in f.samples]


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

    def candidates(self, f: Features, buckets: list[int]) -> dict[int, Row]:
        found = {r.doc: r for r in self.index.by_exact(f.exact)}
        found.update((r.doc, r) for r in self.index.by_buckets(buckets))
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

    def find(self, f: Features, buckets: list[int]) -> list[Match]:
        matches: list[Match] = []
        for row in self.candidates(f, buckets).values():
            other = self.load(row)
            if other is None:
                continue
            verdict = classify(f, other, self.config)
            if verdict is not None:
                matches.append(Match(row, *verdict))
        return matches
