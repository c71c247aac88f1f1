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
from scraper.dedup.hashing import compiled
from scraper.dedup.index import OK, PENDING, Index, Row
from scraper.dedup.text import Features

# A key held by more documents of a batch than this pairs each with the best this many only.
_GROUP_HEAD = 64


@dataclass
class Candidates:
    """The candidates of each document of a batch (by position in the batch)."""

    index_docs: list[set[int]]  # indexed doc ids
    peers: list[set[int]]  # positions of better documents of the batch
    rows: dict[int, Row]  # every indexed candidate's row
    # Each document's distinct folded samples, concatenated (document i's are
    # samples[sample_at[i]:sample_at[i + 1]]), and for each sample the indexed documents holding
    # it. One array for the batch: a thousand small ones cost more to make than to search.
    samples: NDArray[np.uint32]
    sample_at: NDArray[np.int64]
    sample_order: NDArray[np.int64]  # positions in `samples` by sample, then position
    sample_df: NDArray[np.int64]
    rare: NDArray[np.int64]  # how many of each document's samples are rare: its `nsamples`

    def kept_samples(
        self, positions: Sequence[int]
    ) -> tuple[NDArray[np.uint32], NDArray[np.int64], NDArray[np.int64]]:
        """The samples of the documents at `positions` (increasing), in increasing order of
        sample then document; for each one, the index in `positions` of its document and
        its `sample_df`."""
        owner = np.repeat(np.arange(len(self.sample_at) - 1), np.diff(self.sample_at))
        row = np.full(len(self.sample_at) - 1, -1, dtype=np.int64)
        row[list(positions)] = np.arange(len(positions))
        order = self.sample_order[row[owner[self.sample_order]] >= 0]
        return self.samples[order], row[owner[order]], self.sample_df[order]


def _owners(parts: Sequence[NDArray[Any]]) -> NDArray[np.int64]:
    return np.repeat(np.arange(len(parts), dtype=np.int64), [len(p) for p in parts])


def _concat(parts: Sequence[NDArray[Any]], dtype: type) -> NDArray[Any]:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def find_candidates(
    index: Index,
    feats: list[Features],
    buckets: list[NDArray[np.int64]],
    rank: NDArray[np.int64],
    config: DedupConfig,
) -> Candidates:
    """The candidates of each document of a batch; `rank` is each one's place in the order
    of the decisions (best first): a document's peers are better documents of the batch."""
    index_docs: list[set[int]] = [set() for _ in feats]
    peers: list[set[int]] = [set() for _ in feats]
    rows: dict[int, Row] = {}
    # Exact keys: one query per few hundred documents.
    exact_rows = index.by_exact_many([f.exact for f in feats])
    for i, f in enumerate(feats):
        for row in exact_rows.get(f.exact, []):
            index_docs[i].add(row.doc)
            rows[row.doc] = row
    exact = np.frombuffer(b"".join(f.exact[:8] for f in feats), dtype="<i8")
    for later, earlier, _ in zip(*_earlier_pairs(*_by_key(exact, np.arange(len(feats))), rank),
                                 strict=True):
        peers[later].add(earlier)
    # LSH bands: one vectorised lookup for the whole batch.
    all_buckets, owner = _by_key(_concat(buckets, np.int64), _owners(buckets))
    query, docs = index.bucket_pairs(all_buckets, presorted=True)
    for i, doc in zip(owner[query].tolist(), docs.tolist(), strict=True):
        index_docs[i].add(doc)
    for later, earlier, _ in zip(*_earlier_pairs(all_buckets, owner, rank), strict=True):
        peers[later].add(earlier)
    samples, sample_at, where, df, rare = _containment(
        index, feats, rank, config, index_docs, peers
    )
    missing = {d for found in index_docs for d in found} - rows.keys()
    rows.update((row.doc, row) for row in index.rows(sorted(missing)))
    return Candidates(index_docs, peers, rows, samples, sample_at, where, df, rare)


def _by_key(
    keys: NDArray[Any], owner: NDArray[np.int64]
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    """Keys and their owners, sorted by key."""
    order = np.argsort(keys, kind="stable")
    return keys[order], owner[order]


def _earlier_pairs(
    keys: NDArray[Any], owner: NDArray[np.int64], rank: NDArray[np.int64]
) -> tuple[list[int], list[int], list[int]]:
    """(later, earlier, shared keys) for each two documents of a batch that share keys, the
    earlier one better (smaller rank); `keys` sorted, each held at most once by a document."""
    if len(keys) < 2:
        return [], [], []
    # Only keys held more than once pair documents: most keys of a batch are held once.
    repeated = np.zeros(len(keys), dtype=bool)
    same = keys[1:] == keys[:-1]
    repeated[1:] |= same
    repeated[:-1] |= same
    keys, owner = keys[repeated], owner[repeated]
    order = np.lexsort((rank[owner], keys))
    keys, owner = keys[order], owner[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, len(keys)])
    later: list[NDArray[np.int64]] = []
    earlier: list[NDArray[np.int64]] = []
    for size in np.unique(sizes).tolist():
        group = starts[sizes == size]
        for b in range(1, size):
            for a in range(min(b, _GROUP_HEAD)):
                later.append(owner[group + b])
                earlier.append(owner[group + a])
    if not later:
        return [], [], []
    n = len(rank)
    codes, shared = np.unique(
        np.concatenate(later) * n + np.concatenate(earlier), return_counts=True
    )
    return (codes // n).tolist(), (codes % n).tolist(), shared.tolist()


def _samples(feats: list[Features]) -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
    """The distinct folded samples of each document, concatenated, and each one's offsets."""
    parts = [f.folded_samples() for f in feats]
    offsets = np.zeros(len(feats) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in parts], out=offsets[1:])
    return _concat(parts, np.uint32), offsets


def _sorted_positions(samples: NDArray[np.uint32]) -> NDArray[np.int64]:
    """The positions of `samples` in increasing order of sample, then position (one sort of
    the 64-bit packed pairs: cheaper than a stable argsort)."""
    packed = (samples.astype(np.uint64) << np.uint64(32)) | np.arange(len(samples), dtype=np.uint64)
    return (np.sort(packed) & np.uint64(0xFFFFFFFF)).astype(np.int64)


def _containment(
    index: Index,
    feats: list[Features],
    rank: NDArray[np.int64],
    config: DedupConfig,
    index_docs: list[set[int]],
    peers: list[set[int]],
) -> tuple[
    NDArray[np.uint32], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]
]:
    """Add the containment candidates; return the documents' folded samples and their offsets
    (`_samples`), their positions in sorted order, the samples' document frequencies in the
    index and each document's rare count.

    A pair is a candidate when it shares at least `containment_candidate` of the smaller of
    the two documents' rare sample counts."""
    samples, key_at = _samples(feats)
    owner = np.repeat(np.arange(len(feats), dtype=np.int64), np.diff(key_at))
    # One sort by sample serves the index search, the counts in the batch and the pairs.
    where = _sorted_positions(samples)
    keys, owner_by_key = samples[where], owner[where]
    found = index.keys["samples"].search(keys, presorted=True)
    df = np.empty(len(samples), dtype=np.int64)
    df[where] = found.counts()
    rare = np.ones(len(samples), dtype=bool)
    cap = config.containment_max_df
    if cap > 0 and len(samples):
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        sizes = np.diff(np.r_[starts, len(keys)])
        rare[where] = df[where] + np.repeat(sizes, sizes) - 1 <= cap
    nrare = np.bincount(owner[rare], minlength=len(feats)).astype(np.int64)
    rare_by_key = rare[where]
    # Indexed documents: shared rare samples over the smaller of the two sample counts.
    query, holders = found.holders(rare_by_key)
    who, docs = _shared_enough(
        owner_by_key[query], holders, index.state, nrare, index.nsamples,
        config.containment_candidate,
    )
    for i, doc in zip(who.tolist(), docs.tolist(), strict=True):
        index_docs[i].add(doc)
    # Documents of the batch, in the same way.
    pairs_in_batch = _earlier_pairs(keys[rare_by_key], owner_by_key[rare_by_key], rank)
    for later, earlier, count in zip(*pairs_in_batch, strict=True):
        if count / max(min(nrare[later], nrare[earlier]), 1) >= config.containment_candidate:
            peers[later].add(earlier)
    return samples, key_at, where, df, nrare


_EMPTY = np.uint32(0xFFFFFFFF)  # no doc id: doc ids stay far below 2**32 - 1


@compiled
def _shared_enough(
    owners: NDArray[np.int64],
    holders: NDArray[np.uint32],
    state: NDArray[np.int8],
    nrare: NDArray[np.int64],
    nsamples: NDArray[np.int32],
    candidate: float,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The (document of the batch, live indexed document) pairs whose shared rare samples
    (hits: the owner of each sample looked up, and one document holding it) reach `candidate`
    of the smaller of the two documents' rare counts (at least 1)."""
    # Group the live hits by document of the batch (a counting sort: the owners are few).
    starts = np.zeros(len(nrare) + 1, np.int64)
    for p in range(len(owners)):
        if state[holders[p]] == OK or state[holders[p]] == PENDING:
            starts[owners[p] + 1] += 1
    largest = 0
    for o in range(len(nrare)):
        largest = max(largest, starts[o + 1])
        starts[o + 1] += starts[o]
    grouped = np.empty(starts[-1], np.uint32)
    fill = starts[:-1].copy()
    for p in range(len(owners)):
        if state[holders[p]] == OK or state[holders[p]] == PENDING:
            grouped[fill[owners[p]]] = holders[p]
            fill[owners[p]] += 1
    # Count each group's holders in a small open-addressing table (a few hundred hits a
    # document: it stays in the cache, where a sort of the whole batch's pairs did not).
    bits = 1
    while (1 << bits) < 2 * largest:
        bits += 1
    mask = (1 << bits) - 1
    table = np.full(1 << bits, _EMPTY, np.uint32)
    counts = np.zeros(1 << bits, np.int64)
    used = np.empty(1 << bits, np.int64)
    who = np.empty(starts[-1], np.int64)
    docs = np.empty(starts[-1], np.int64)
    k = 0
    for o in range(len(nrare)):
        n_used = 0
        for p in range(starts[o], starts[o + 1]):
            doc = grouped[p]
            slot = (np.int64(doc) * 0x9E3779B1) & mask
            while table[slot] != doc and table[slot] != _EMPTY:
                slot = (slot + 1) & mask
            if table[slot] == _EMPTY:
                table[slot] = doc
                used[n_used] = slot
                n_used += 1
            counts[slot] += 1
        for u in range(n_used):
            slot = used[u]
            doc = table[slot]
            bound = max(min(nrare[o], np.int64(nsamples[doc])), 1)
            if counts[slot] / bound >= candidate:
                who[k], docs[k] = o, doc
                k += 1
            table[slot], counts[slot] = _EMPTY, 0
    return who[:k], docs[:k]
