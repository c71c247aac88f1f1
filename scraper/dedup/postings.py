"""Posting lists in memory: key → documents, as sorted numpy runs, saved as one blob per batch.

A run is a pair of arrays (keys sorted, documents in step). New postings become a small run, and
the last two runs are merged while the older one is not much bigger (a log-structured merge), so a
lookup searches O(log n) runs and a posting is copied O(log n) times. Runs stop growing at
`MAX_RUN` postings, which bounds the extra memory a merge needs.

Lookups are vectorised: one search per run for all the keys of a batch. A binary search over a
run of millions of keys misses the cache at each of its ~23 steps, which made lookups cost
~14 ms per run and batch at 8M postings; a large run therefore gets a directory (the start of
each range of key prefixes, 0.25 to 0.5 bytes a posting), and a key is searched only inside its
prefix's range, a few dozen postings of uniform hashes. That search is a compiled loop (numba):
as numpy passes over the whole batch it took ~23 µs a document at 10 000 documents. `search`
finds the ranges once; the counts and the holders (of only the keys wanted) come from them.

Persistence is the caller's: `take_pending()` hands over the postings added since the last call
as one blob of records, and `load(blobs)` rebuilds the lists from the blobs saved so far.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import DTypeLike, NDArray

from scraper.dedup.hashing import compiled

MAX_RUN = 1 << 23  # 8M postings: at most ~100 MB copied by one merge
DIRECTORY_MIN = 1 << 16  # smaller runs are searched with `np.searchsorted` alone

Run = tuple[NDArray[np.generic], NDArray[np.uint32]]


@compiled
def _merge_sorted(
    older_keys: NDArray[np.generic],
    older_docs: NDArray[np.uint32],
    newer_keys: NDArray[np.generic],
    newer_docs: NDArray[np.uint32],
) -> tuple[NDArray[np.generic], NDArray[np.uint32]]:
    size = len(older_keys) + len(newer_keys)
    keys, docs = np.empty(size, dtype=older_keys.dtype), np.empty(size, dtype=np.uint32)
    i = j = 0
    for w in range(size):
        # The older posting goes first among equal keys.
        if j == len(newer_keys) or (i < len(older_keys) and older_keys[i] <= newer_keys[j]):
            keys[w], docs[w] = older_keys[i], older_docs[i]
            i += 1
        else:
            keys[w], docs[w] = newer_keys[j], newer_docs[j]
            j += 1
    return keys, docs


def _merge(older: Run, newer: Run) -> Run:
    """Two sorted runs as one, the older run's postings first among equal keys: one compiled
    pass over both (the result is the only memory it takes)."""
    keys, docs = _merge_sorted(older[0], older[1], newer[0], newer[1])
    return keys, docs


def _ordered(keys: NDArray[np.generic]) -> NDArray[np.uint64]:
    """Keys as unsigned ints in the same order (signed ones with their sign bit flipped)."""
    if keys.dtype.kind == "i":
        return keys.astype(np.int64).view(np.uint64) ^ np.uint64(1 << 63)
    return keys.astype(np.uint64)


def _directory(keys: NDArray[np.generic]) -> tuple[NDArray[np.int64], int]:
    """For sorted `keys`: where each prefix of `bits` bits starts (one entry per 16-32 keys),
    with a last entry len(keys); and the shift that takes a key to its prefix."""
    width = keys.dtype.itemsize * 8
    bits = min(width, max(1, len(keys).bit_length() - 5))
    shift = width - bits
    starts = np.arange(1 << bits, dtype=np.uint64) << np.uint64(shift)  # ordered values
    if keys.dtype.kind == "i":
        firsts = (starts ^ np.uint64(1 << 63)).view(np.int64).astype(keys.dtype)
    else:
        firsts = starts.astype(keys.dtype)
    at = np.append(np.searchsorted(keys, firsts), len(keys))
    return at.astype(np.int64), shift


@compiled
def _narrow(
    keys: NDArray[np.generic],
    query: NDArray[np.generic],
    start: NDArray[np.int64],
    end: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Where each query's postings start and end inside its range [start, end) of the sorted
    `keys` (`np.searchsorted`'s two sides, searched in that range only)."""
    left, right = np.empty(len(query), np.int64), np.empty(len(query), np.int64)
    for i in range(len(query)):
        value, low, high = query[i], start[i], end[i]
        while low < high:
            mid = (low + high) >> 1
            if keys[mid] < value:
                low = mid + 1
            else:
                high = mid
        left[i], high = low, end[i]
        while low < high:
            mid = (low + high) >> 1
            if keys[mid] <= value:
                low = mid + 1
            else:
                high = mid
        right[i] = low
    return left, right


class Found:
    """The postings of some keys (`Postings.search`): for each run, where each key's postings
    start and end (keys in sorted order; `order` takes them back to the order asked, None when
    they were asked in that order)."""

    def __init__(
        self,
        order: NDArray[np.intp] | None,
        ranges: list[tuple[NDArray[np.int64], NDArray[np.int64]]],
        run_docs: list[NDArray[np.uint32]],
        size: int,
    ) -> None:
        self.order, self.ranges, self.run_docs = order, ranges, run_docs
        self.size = size

    def counts(self) -> NDArray[np.int64]:
        """How many postings each key has (documents holding it, deleted ones included)."""
        total = np.zeros(self.size, dtype=np.int64)
        for low, high in self.ranges:
            total += high - low
        if self.order is None:
            return total
        out = np.empty_like(total)
        out[self.order] = total
        return out

    def holders(
        self, wanted: NDArray[np.bool_] | None = None
    ) -> tuple[NDArray[np.int64], NDArray[np.uint32]]:
        """Every (i, doc) such that doc holds key i; only for the keys `wanted` (all: None).
        Run by run, keys in sorted order, a key's holders in the order of its run."""
        if wanted is None:
            chosen = np.ones(self.size, dtype=np.bool_)
        else:
            chosen = wanted if self.order is None else wanted[self.order]
        totals = [int((high - low)[chosen].sum()) for low, high in self.ranges]
        query = np.empty(sum(totals), dtype=np.int64)
        docs = np.empty(sum(totals), dtype=np.uint32)
        filled = 0
        for (low, high), run_docs, total in zip(self.ranges, self.run_docs, totals, strict=True):
            if total:
                filled = _gather(low, high, chosen, run_docs, query, docs, filled)
        return (query if self.order is None else self.order[query]), docs


@compiled
def _gather(
    low: NDArray[np.int64],
    high: NDArray[np.int64],
    chosen: NDArray[np.bool_],
    run_docs: NDArray[np.uint32],
    query: NDArray[np.int64],
    docs: NDArray[np.uint32],
    filled: int,
) -> int:
    """Append the (key, doc) hits of one run to `query` and `docs` from `filled` on; returns
    where the next run's hits go (one loop instead of numpy's repeat and cumsum temporaries)."""
    for i in range(len(low)):
        if chosen[i]:
            for position in range(low[i], high[i]):
                query[filled], docs[filled] = i, run_docs[position]
                filled += 1
    return filled


class Postings:
    """The documents holding each key, for one kind of key (LSH band keys, sampled hashes)."""

    def __init__(self, key_dtype: DTypeLike) -> None:
        self.record = np.dtype([("key", key_dtype), ("doc", "<u4")])
        self.key_dtype = np.dtype(key_dtype)
        self.runs: list[Run] = []
        self._directories: list[tuple[NDArray[np.int64], int] | None] = []  # in step with runs
        self.pending: list[Run] = []  # added since the last persist, in the order added

    # -- building -------------------------------------------------------------------------------
    def load(self, blobs: Iterable[bytes]) -> None:
        """The posting lists saved as `blobs` (from `take_pending`), and nothing else."""
        self.runs, self.pending, self._directories = [], [], []
        for blob in blobs:  # blob by blob: memory never holds two copies of the whole index
            records = np.frombuffer(blob, dtype=self.record)
            self._add_run(records["key"].copy(), records["doc"].copy())

    def add(self, keys: NDArray[np.generic], docs: NDArray[np.uint32]) -> None:
        """Postings (keys[i], docs[i]); documents must come in increasing order over calls."""
        if len(keys) == 0:
            return
        keys = np.asarray(keys, dtype=self.key_dtype)
        docs = np.asarray(docs, dtype=np.uint32)
        self.pending.append((keys, docs))
        self._add_run(keys, docs)

    def _add_run(self, keys: NDArray[np.generic], docs: NDArray[np.uint32]) -> None:
        # Keys often come sorted (a batch's samples): checking is much cheaper than sorting.
        if len(keys) > 1 and not np.all(np.greater_equal(keys[1:], keys[:-1])):
            order = np.argsort(keys, kind="stable")
            keys, docs = keys[order], docs[order]
        self.runs.append((keys, docs))
        self._directories.append(None)
        while len(self.runs) > 1:
            older, newer = self.runs[-2], self.runs[-1]
            size = len(older[0]) + len(newer[0])
            if len(older[0]) > 2 * len(newer[0]) or size > MAX_RUN:
                break
            self.runs[-2:] = [_merge(older, newer)]
            self._directories[-2:] = [None]

    def take_pending(self) -> bytes:
        """The postings added since the last call, as one blob of (key, doc) records."""
        records = np.empty(sum(len(k) for k, _ in self.pending), dtype=self.record)
        start = 0
        for keys, docs in self.pending:
            records["key"][start : start + len(keys)] = keys
            records["doc"][start : start + len(keys)] = docs
            start += len(keys)
        self.pending = []
        return records.tobytes()

    # -- lookups -------------------------------------------------------------------------------
    def search(self, keys: NDArray[np.generic], presorted: bool = False) -> Found:
        """Where each of `keys` is in every run: its document count, and its holders on demand.
        `presorted`: the keys are in increasing order already."""
        keys = np.asarray(keys, dtype=self.key_dtype)
        # Sorted queries walk each run in order: far fewer cache misses than random probes.
        order = None if presorted else np.argsort(keys, kind="stable")
        if order is not None:
            keys = keys[order]
        ranges = [self._bounds(at, keys) for at in range(len(self.runs))]
        return Found(order, ranges, [docs for _, docs in self.runs], len(keys))

    def lookup(self, keys: NDArray[np.generic]) -> tuple[NDArray[np.int64], NDArray[np.uint32]]:
        """Every (i, doc) such that doc holds keys[i]."""
        return self.search(keys).holders()

    def counts(self, keys: NDArray[np.generic]) -> NDArray[np.int64]:
        """How many postings each key has (documents holding it, deleted ones included)."""
        return self.search(keys).counts()

    def _bounds(
        self, at: int, keys: NDArray[np.generic]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Where the sorted `keys` start and end in run `at` (`np.searchsorted`'s two sides)."""
        run_keys = self.runs[at][0]
        if len(run_keys) < DIRECTORY_MIN:
            left = np.searchsorted(run_keys, keys, side="left").astype(np.int64)
            return left, np.searchsorted(run_keys, keys, side="right").astype(np.int64)
        if self._directories[at] is None:
            self._directories[at] = _directory(run_keys)
        directory, shift = self._directories[at]  # type: ignore[misc]
        prefix = (_ordered(keys) >> np.uint64(shift)).astype(np.intp)
        start, end = directory[prefix], directory[prefix + 1]
        left, right = _narrow(run_keys, keys, start, end)
        return left, right

    def nbytes(self) -> int:
        directories = sum(d[0].nbytes for d in self._directories if d is not None)
        return directories + sum(k.nbytes + d.nbytes for k, d in self.runs)
