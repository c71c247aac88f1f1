"""MinHash signatures from a maintained library, and the LSH band keys stored in the index.

The banding is ours (16 bands × 8 rows by default), computed for a whole batch at once with
numpy, because the keys live in our own index: the probability that a pair at Jaccard s shares
a band is 1 - (1 - s**rows)**bands, 0.95 at s = 0.8 for 16 × 8.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence, Set
from itertools import chain

import numpy as np
from numpy.typing import NDArray
from rensa import RMinHash

from scraper.config import DedupConfig
from scraper.dedup import hashing
from scraper.errors import ConfigError

# rensa computes the signatures; datasketch was dropped (rensa does all the work, issue 10).
BACKENDS = ("rensa",)
# Bumped when the word, shingle or band hashing changes: the index is then rebuilt.
KEYS_VERSION = 2


def check_config(config: DedupConfig) -> None:
    """Reject settings that cannot work, naming the key."""
    where = "[dedup]"
    if config.backend not in BACKENDS:
        raise ConfigError(
            where, f"backend must be one of {', '.join(BACKENDS)}: {config.backend!r}"
        )
    if config.bands * config.rows > config.num_perm or config.bands < 1 or config.rows < 1:
        raise ConfigError(where, "bands × rows must be between 1 and num_perm")
    for key in ("threshold", "containment", "containment_candidate"):
        value = getattr(config, key)
        if not 0.0 < value <= 1.0:
            raise ConfigError(where, f"{key} must be in (0, 1]: {value}")
    if config.index_buffer_docs < 1 or config.index_mmap_mb < 0 or config.containment_max_df < 0:
        raise ConfigError(
            where, "index_buffer_docs must be ≥ 1; index_mmap_mb and containment_max_df ≥ 0"
        )
    if config.containment_sample < 1 or config.short_shingle_size < 1 or config.shingle_size < 1:
        raise ConfigError(where, "containment_sample and shingle sizes must be at least 1")


def library_version(config: DedupConfig) -> str:
    """Identifies how signatures and token hashes were made; a change means rebuilding the index."""
    from importlib.metadata import version

    from rensa import RMinHash

    return f"rensa-{version('rensa')}-alg{RMinHash.ALGORITHM_VERSION}-keys{KEYS_VERSION}"


def signatures(
    hash_sets: Sequence[NDArray[np.uint64] | Collection[int]], config: DedupConfig
) -> NDArray[np.uint32]:
    """One MinHash signature (a row of num_perm unsigned 32-bit values) per set of shingle hashes;
    rensa reads the whole batch from one flat buffer."""
    if not hash_sets:
        return np.zeros((0, config.num_perm), dtype=np.uint32)
    arrays = [np.asarray(list(s) if isinstance(s, Set) else s, dtype=np.uint64) for s in hash_sets]
    offsets = np.zeros(len(arrays) + 1, dtype=np.uint64)
    np.cumsum([len(a) for a in arrays], out=offsets[1:])
    matrix = RMinHash.digest_matrix_from_flat_token_hashes(
        np.concatenate(arrays), offsets, config.num_perm, config.seed
    )
    # to_rows() is the matrix's only export; fromiter skips numpy's nested-list inference.
    values = chain.from_iterable(matrix.to_rows())
    count = len(arrays) * config.num_perm
    return np.fromiter(values, dtype=np.uint32, count=count).reshape(len(arrays), config.num_perm)


def band_key_matrix(
    signatures: NDArray[np.uint32], config: DedupConfig, namespace: int
) -> NDArray[np.int64]:
    """One signed 64-bit bucket key per band of each signature (rows: documents); `namespace`
    keeps shingle sizes apart."""
    return hashing.band_keys(signatures, config.bands, config.rows, namespace)


def band_keys(signature: Sequence[int], config: DedupConfig, namespace: int) -> list[int]:
    """The bucket keys of one signature."""
    row = np.asarray(signature, dtype=np.uint32).reshape(1, -1)
    keys: list[int] = band_key_matrix(row, config, namespace)[0].tolist()
    return keys
