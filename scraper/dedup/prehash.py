"""Dedup features hashed ahead of the dedup stage, where the document was cleaned.

The Dask engine hashes each cleaned document on the worker that cleaned it (`prehash`: the
repeated paragraphs dropped, the features, the LSH bucket keys), and sends them back with the
document. The dedup stage then only hashes what it was not given (`complete`): documents the
corpus pass changed on the way, or everything in a local run. Both call the same functions on
the same text, so the decisions are the same as when the dedup stage hashes everything itself.
Worker processes do the same (`scraper.parallel`). On the way back, `pack` puts many documents'
hashes into a few flat arrays, which pickle faster than a Features object per document;
`unpack` makes the very same features again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scraper.config import DedupConfig
from scraper.dedup.match import bucket_keys
from scraper.dedup.text import EXACT_BYTES, Features, prepare
from scraper.document import Document

_NO_SHORT = np.zeros(0, dtype=np.uint64)

# The document as the dedup stage writes it, its features and its LSH bucket keys.
Prehashed = tuple[Document, Features, NDArray[np.int64]]


def prehash(docs: list[Document], config: DedupConfig) -> list[Prehashed]:
    """`prepare` and `bucket_keys` for `docs` (each document's result is its own)."""
    if not docs:
        return []
    prepared, feats = prepare(docs, config)
    return list(zip(prepared, feats, bucket_keys(feats, config), strict=True))


def complete(
    docs: list[Document], given: Sequence[Prehashed | None] | None, config: DedupConfig
) -> tuple[list[Document], list[Features], list[NDArray[np.int64]]]:
    """The prepared documents, features and bucket keys of `docs`: from `given` where it holds
    them (hashed from the very same document), hashed here for the others."""
    out: list[Prehashed | None] = list(given) if given is not None else [None] * len(docs)
    missing = [i for i, item in enumerate(out) if item is None]
    for i, item in zip(missing, prehash([docs[i] for i in missing], config), strict=True):
        out[i] = item
    done = [item for item in out if item is not None]
    return [d for d, _, _ in done], [f for _, f, _ in done], [b for _, _, b in done]


# What `pack` makes of many documents' hashes: a few flat arrays and their offsets, in place of
# a Features object and two or three small arrays a document.
Packed = tuple[
    bytes,  # the exact keys, 16 bytes each
    NDArray[np.int64],  # words, chars and sample: three rows
    NDArray[np.uint64], NDArray[np.int64],  # long shingle hashes, offsets
    NDArray[np.uint64], NDArray[np.int64],  # short shingle hashes, offsets
    NDArray[np.bool_],  # which documents have short shingle hashes
    NDArray[np.int64], NDArray[np.int64],  # bucket keys, offsets
    NDArray[np.uint32], NDArray[np.int64],  # folded samples (the containment keys), offsets
]


def _flat(
    parts: Sequence[NDArray[Any]], dtype: type
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in parts], out=offsets[1:])
    flat: NDArray[Any] = (
        np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)
    )
    return flat, offsets


def pack(hashes: Sequence[tuple[Features, NDArray[np.int64]]]) -> Packed:
    """The features and bucket keys of many documents as a few flat arrays: a worker sends
    them back pickled, and one array pickles in the time of one small one (`unpack`)."""
    feats = [f for f, _ in hashes]  # (every exact key is EXACT_BYTES long: see `_features`)
    sizes = np.array([(f.words, f.chars, f.sample) for f in feats], dtype=np.int64).reshape(-1, 3)
    long, long_at = _flat([f.long_hashes for f in feats], np.uint64)
    short, short_at = _flat([_NO_SHORT if f.short_hashes is None else f.short_hashes
                             for f in feats], np.uint64)
    has_short = np.array([f.short_hashes is not None for f in feats], dtype=np.bool_)
    buckets, bucket_at = _flat([keys for _, keys in hashes], np.int64)
    folded, folded_at = _flat([f.folded_samples() for f in feats], np.uint32)
    return (b"".join(f.exact for f in feats), sizes.T.copy(), long, long_at, short, short_at,
            has_short, buckets, bucket_at, folded, folded_at)


def unpack(packed: Packed) -> list[tuple[Features, NDArray[np.int64]]]:
    """The features and bucket keys `pack` packed, equal to the ones it was given (the arrays
    are views of the packed ones)."""
    exact, sizes, long, long_at, short, short_at, has_short, buckets, bucket_at = packed[:9]
    folded, folded_at = packed[9:]
    out: list[tuple[Features, NDArray[np.int64]]] = []
    rows = zip(
        sizes[0].tolist(), sizes[1].tolist(), sizes[2].tolist(), long_at.tolist(),
        long_at[1:].tolist(), short_at.tolist(), short_at[1:].tolist(), has_short.tolist(),
        bucket_at.tolist(), bucket_at[1:].tolist(), folded_at.tolist(), folded_at[1:].tolist(),
        strict=False,
    )
    for i, (words, chars, sample, l0, l1, s0, s1, with_short, b0, b1, f0, f1) in enumerate(rows):
        feats = Features(
            words=words,
            chars=chars,
            exact=exact[i * EXACT_BYTES : (i + 1) * EXACT_BYTES],
            long_hashes=long[l0:l1],
            short_hashes=short[s0:s1] if with_short else None,
            sample=sample,
            folded=folded[f0:f1],
        )
        out.append((feats, buckets[b0:b1]))
    return out
