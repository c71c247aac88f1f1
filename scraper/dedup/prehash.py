"""Dedup features hashed ahead of the dedup stage, where the document was cleaned.

The Dask engine hashes each cleaned document on the worker that cleaned it (`prehash`: the
repeated paragraphs dropped, the features, the LSH bucket keys), and sends them back with the
document. The dedup stage then only hashes what it was not given (`complete`): documents the
corpus pass changed on the way, or everything in a local run. Both call the same functions on
the same text, so the decisions are the same as when the dedup stage hashes everything itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from scraper.config import DedupConfig
from scraper.dedup.match import bucket_keys
from scraper.dedup.text import Features, prepare
from scraper.document import Document

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
