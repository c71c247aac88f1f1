"""The candidates of a whole batch, found with a few vectorised lookups instead of one per document.

For each document of a batch this finds, before any decision is made:
  - the indexed documents that may be its duplicates: same exact key, a shared LSH band, or enough
    shared rare sampled hashes (`containment_candidate` of the smaller sample count);
  - the other documents of the batch that may be its duplicates, by the same three tests.
The decisions (`Deduplicator`) then walk the batch best first and only verify these candidates
exactly, skipping the ones that were dropped or replaced on the way.

A sampled hash is rare for a document of the batch when the index holds it at most
`containment_max_df` times, counting the other documents of the batch that hold it as if they
were already indexed (an upper bound of what a one-by-one pass would count).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scraper.config import DedupConfig
from scraper.dedup.index import Index, Row, fold_samples
from scraper.dedup.text import Features

_EMPTY_U32 = np.zeros(0, dtype=np.uint32)


@dataclass
class Candidates:
    """The candidates of each document of a batch (by position in the batch)."""

    index_docs: list[set[int]]  # indexed doc ids
    rows: dict[int, Row]  # every indexed candidate's row
    samples: list[NDArray[np.uint32]]  # each document's distinct folded samples
    rare: list[list[int]]  # the rare ones; their number is its `nsamples` when indexed


def _owners(parts: Sequence[NDArray[Any]]) -> NDArray[np.int64]:
    return np.repeat(np.arange(len(parts), dtype=np.int64), [len(p) for p in parts])


def _concat(parts: Sequence[NDArray[Any]], dtype: type) -> NDArray[Any]:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def find_candidates(
    index: Index, feats: list[Features], buckets: list[NDArray[np.int64]], config: DedupConfig
) -> Candidates:
    """The indexed candidates of each document of a batch, and its samples."""
    index_docs: list[set[int]] = [set() for _ in feats]
    rows: dict[int, Row] = {}
    # Exact keys: one query per few hundred documents.
    exact_rows = index.by_exact_many([f.exact for f in feats])
    for i, f in enumerate(feats):
        for row in exact_rows.get(f.exact, []):
            index_docs[i].add(row.doc)
            rows[row.doc] = row
    # LSH bands: one vectorised lookup for the whole batch.
    query, docs = index.bucket_pairs(_concat(buckets, np.int64))
    for i, doc in zip(_owners(list(buckets))[query].tolist(), docs.tolist(), strict=True):
        index_docs[i].add(doc)
    samples, rare = _containment(index, feats, config, index_docs)
    missing = {d for found in index_docs for d in found} - rows.keys()
    rows.update((row.doc, row) for row in index.rows(sorted(missing)))
    return Candidates(index_docs, rows, samples, rare)


def _containment(
    index: Index,
    feats: list[Features],
    config: DedupConfig,
    index_docs: list[set[int]],
) -> tuple[list[NDArray[np.uint32]], list[list[int]]]:
    """Add the containment candidates; return each document's folded and rare samples."""
    samples = [np.unique(fold_samples(f.sampled())) if f.words else _EMPTY_U32 for f in feats]
    keys = _concat(samples, np.uint32)
    owner = _owners(list(samples))
    cap = config.containment_max_df
    rare = np.ones(len(keys), dtype=bool)
    if cap > 0 and len(keys):
        _, inverse, in_batch = np.unique(keys, return_inverse=True, return_counts=True)
        rare = index.sample_df(keys) + in_batch[inverse] - 1 <= cap
    nrare = np.bincount(owner[rare], minlength=len(feats)).astype(np.int64)
    rare_of = np.split(keys[rare], np.cumsum(nrare)[:-1]) if len(feats) else []
    keys, owner = keys[rare], owner[rare]
    # Indexed documents: shared rare samples over the smaller of the two sample counts.
    query, holders = index.keys["samples"].lookup(keys)
    live = index.live(holders)
    if live.any():
        codes = (owner[query[live]] << 32) | holders[live].astype(np.int64)
        pairs, shared = np.unique(codes, return_counts=True)
        who, docs = pairs >> 32, pairs & 0xFFFFFFFF
        bound = np.maximum(np.minimum(nrare[who], index.nsamples[docs]), 1)
        keep = shared / bound >= config.containment_candidate
        for i, doc in zip(who[keep].tolist(), docs[keep].tolist(), strict=True):
            index_docs[i].add(doc)
    return samples, [r.tolist() for r in rare_of]


class Peers:
    """The kept documents of the batch so far, found by the same three tests as the index's.

    Kept documents are not duplicates of each other, so each key holds few of them.
    """

    def __init__(self, candidate: float) -> None:
        self.candidate = candidate
        self.by_exact: dict[bytes, list[int]] = {}
        self.by_bucket: dict[int, list[int]] = {}
        self.by_sample: dict[int, list[int]] = {}
        self.nrare: dict[int, int] = {}

    def add(self, position: int, exact: bytes, buckets: list[int], rare: list[int]) -> None:
        self.by_exact.setdefault(exact, []).append(position)
        for key in buckets:
            self.by_bucket.setdefault(key, []).append(position)
        for key in rare:
            self.by_sample.setdefault(key, []).append(position)
        self.nrare[position] = len(rare)

    def find(self, exact: bytes, buckets: list[int], rare: list[int]) -> set[int]:
        found = set(self.by_exact.get(exact, ()))
        for key in buckets:
            found.update(self.by_bucket.get(key, ()))
        shared: dict[int, int] = {}
        for key in rare:
            for position in self.by_sample.get(key, ()):
                shared[position] = shared.get(position, 0) + 1
        for position, count in shared.items():
            if count / max(min(len(rare), self.nrare[position]), 1) >= self.candidate:
                found.add(position)
        return found
