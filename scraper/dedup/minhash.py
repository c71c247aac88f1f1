"""MinHash signatures from a maintained library, and the LSH band keys stored in the index.

The banding is ours (16 bands × 8 rows by default) because the keys live in SQLite, not in a
library's in-memory table: the probability that a pair at Jaccard s shares a band is
1 - (1 - s**rows)**bands, 0.95 at s = 0.8 for 16 × 8.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence

from scraper.config import DedupConfig
from scraper.errors import ConfigError

BACKENDS = ("rensa", "datasketch")
_MASK32 = 0xFFFFFFFF


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

    parts = [f"rensa-{version('rensa')}-alg{RMinHash.ALGORITHM_VERSION}"]
    if config.backend == "datasketch":
        parts.append(f"datasketch-{version('datasketch')}")
    return "+".join(parts)


def signatures(hash_sets: Sequence[frozenset[int]], config: DedupConfig) -> list[list[int]]:
    """One MinHash signature (num_perm unsigned 32-bit values) per set of shingle hashes."""
    if not hash_sets:
        return []
    if config.backend == "datasketch":
        return _datasketch(hash_sets, config)
    from rensa import RMinHash

    matrix = RMinHash.digest_matrix_from_token_hash_sets(
        [list(s) for s in hash_sets], config.num_perm, config.seed
    )
    rows: list[list[int]] = matrix.to_rows()
    return rows


def _identity(value: int) -> int:
    return value


def _datasketch(hash_sets: Sequence[frozenset[int]], config: DedupConfig) -> list[list[int]]:
    from datasketch import MinHash

    out: list[list[int]] = []
    for hashes in hash_sets:
        minhash = MinHash(num_perm=config.num_perm, seed=config.seed, hashfunc=_identity)
        # datasketch's permutations expect 32-bit token hashes.
        minhash.update_batch([h & _MASK32 for h in hashes])
        out.append([int(v) for v in minhash.hashvalues])
    return out


def band_keys(signature: Sequence[int], config: DedupConfig, namespace: int) -> list[int]:
    """One signed 64-bit bucket key per band; `namespace` keeps shingle sizes apart."""
    keys: list[int] = []
    for band in range(config.bands):
        chunk = signature[band * config.rows : (band + 1) * config.rows]
        data = struct.pack(f"<HH{len(chunk)}I", namespace, band, *chunk)
        digest = hashlib.blake2b(data, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def to_signed(value: int) -> int:
    """SQLite integers are signed 64-bit."""
    return value - (1 << 64) if value >= 1 << 63 else value
