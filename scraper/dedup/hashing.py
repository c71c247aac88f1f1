"""Compiled hashing kernels for dedup: the words of texts and their n-gram shingles.

Words were hashed with numpy passes over the bytes of a batch (~116 µs per 3 KB document, many
temporary arrays); these loops, compiled once by numba (and cached on disk), read each byte once
and compute the very same hashes, so an index made by either compares equal
(`docs/scale.md` has the measurements of the alternatives).

Word hash: tabulation hashing, a random 64-bit value per (position in the word mod 64, byte)
summed over the word, finished with splitmix64. Shingle hash: a polynomial over the word hashes,
finished the same way, so that every bit (the containment sample looks at the low ones) is well
mixed. All arithmetic is on uint64 and wraps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

_F = TypeVar("_F", bound=Callable[..., Any])

TABLE = np.random.default_rng(0x5EED).integers(0, 2**64, size=64 * 256, dtype=np.uint64)
_POLY = np.uint64(0x9E3779B97F4A7C15)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_LOW32 = np.uint64(0xFFFFFFFF)


def compiled(function: _F) -> _F:
    """numba's `njit`, cached on disk, so a run compiles nothing after the first one."""
    return cast(_F, numba.njit(cache=True, nogil=True)(function))


@compiled
def mix(value: np.uint64) -> np.uint64:
    """splitmix64's finaliser."""
    value ^= value >> _S30
    value *= _MIX1
    value ^= value >> _S27
    value *= _MIX2
    value ^= value >> _S31
    return value


def _fold_table() -> NDArray[np.uint16]:
    """For each byte: 0 when it is not a word byte, else the byte the word hash reads (ASCII
    letters in lower case). Word bytes: ASCII letters and digits, and every byte of a non-ASCII
    character (the text was prepared so that only letters and digits are left among those)."""
    fold = np.zeros(256, dtype=np.uint16)
    for byte in range(256):
        if byte >= 128 or 48 <= byte <= 57 or 65 <= byte <= 90 or 97 <= byte <= 122:
            fold[byte] = byte | 32 if byte < 128 else byte
    return fold


FOLD = _fold_table()
ONE_PASS_BYTES = 8 << 20  # 8 MB: 32 MB of room at most


@compiled
def _count_words(
    data: NDArray[np.uint8], starts: NDArray[np.int64], fold: NDArray[np.uint16]
) -> int:
    count = 0
    for t in range(len(starts) - 1):
        inside = False
        for i in range(starts[t], starts[t + 1]):
            word = fold[data[i]] != 0
            if word and not inside:
                count += 1
            inside = word
    return count


@compiled
def _hash_words(
    data: NDArray[np.uint8],
    starts: NDArray[np.int64],
    table: NDArray[np.uint64],
    fold: NDArray[np.uint16],
    capacity: int,
) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    hashes = np.empty(capacity, dtype=np.uint64)
    offsets = np.zeros(len(starts), dtype=np.int64)
    k = 0
    for t in range(len(starts) - 1):
        acc, position = np.uint64(0), 0
        for i in range(starts[t], starts[t + 1]):
            folded = fold[data[i]]
            if folded:
                acc += table[((position & 63) << 8) | folded]
                position += 1
            elif position:
                hashes[k] = mix(acc)
                k += 1
                acc, position = np.uint64(0), 0
        if position:
            hashes[k] = mix(acc)
            k += 1
        offsets[t + 1] = k
    return hashes[:k], offsets


def hash_words(
    data: NDArray[np.uint8], starts: NDArray[np.int64]
) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    """The hashes of the words of texts concatenated in `data`, text t being
    data[starts[t]:starts[t + 1]]; and each text's offsets into them (len(starts)).

    A word is a run of ASCII letters and digits (case folded) and non-ASCII bytes."""
    # Up to a batch's size, room for the most words the bytes can hold (every other byte a
    # separator) costs less than counting them first; past it, memory matters more.
    if len(data) <= ONE_PASS_BYTES:
        capacity = (len(data) + len(starts)) // 2 + 1
    else:
        capacity = _count_words(data, starts, FOLD)
    hashes, offsets = _hash_words(data, starts, TABLE, FOLD, capacity)
    return hashes, offsets


@compiled
def _ngrams(
    hashes: NDArray[np.uint64],
    offsets: NDArray[np.int64],
    size: int,
    wanted: NDArray[np.bool_],
) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    out_offsets = np.zeros(len(offsets), dtype=np.int64)
    for d in range(len(offsets) - 1):
        words = offsets[d + 1] - offsets[d]
        count = words - min(size, words) + 1 if words and wanted[d] else 0
        out_offsets[d + 1] = out_offsets[d] + count
    out = np.empty(out_offsets[-1], dtype=np.uint64)
    for d in range(len(offsets) - 1):
        first, n = offsets[d], min(size, offsets[d + 1] - offsets[d])
        for j in range(out_offsets[d + 1] - out_offsets[d]):
            acc = np.uint64(0)
            for k in range(n):
                acc = acc * _POLY + hashes[first + j + k]
            out[out_offsets[d] + j] = mix(acc)
    return out, out_offsets


def shingles(
    hashes: NDArray[np.uint64],
    offsets: NDArray[np.int64],
    size: int,
    wanted: NDArray[np.bool_] | None = None,
) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    """The `size`-word shingle hashes of each text (word hashes and offsets from `hash_words`),
    concatenated, and each text's offsets into them. A text shorter than `size` words is one
    shingle; a text without words has none, and so has one whose `wanted` is False."""
    if wanted is None:
        wanted = np.ones(len(offsets) - 1, dtype=np.bool_)
    out, out_offsets = _ngrams(hashes, offsets, size, wanted)
    return out, out_offsets


@compiled
def _sequence_keys(hashes: NDArray[np.uint64], offsets: NDArray[np.int64]) -> NDArray[np.uint64]:
    keys = np.zeros(len(offsets) - 1, dtype=np.uint64)
    for t in range(len(offsets) - 1):
        acc = np.uint64(0)
        for j in range(offsets[t + 1] - offsets[t]):
            acc += mix(hashes[offsets[t] + j] ^ (np.uint64(j) * _POLY))
        keys[t] = acc
    return keys


def sequence_keys(hashes: NDArray[np.uint64], offsets: NDArray[np.int64]) -> NDArray[np.uint64]:
    """A 64-bit key per text over its words and their positions (0 for a text without words):
    equal word sequences give equal keys."""
    keys: NDArray[np.uint64] = _sequence_keys(hashes, offsets)
    return keys


@compiled
def _band_keys(
    signatures: NDArray[np.uint32], bands: int, rows: int, namespace: int
) -> NDArray[np.uint64]:
    keys = np.empty((signatures.shape[0], bands), dtype=np.uint64)
    for d in range(signatures.shape[0]):
        for b in range(bands):
            acc = (np.uint64(namespace) << np.uint64(32)) + np.uint64(b)
            for r in range(rows):
                acc = acc * _POLY + np.uint64(signatures[d, b * rows + r])
            keys[d, b] = mix(acc)
    return keys


def band_keys(
    signatures: NDArray[np.uint32], bands: int, rows: int, namespace: int
) -> NDArray[np.int64]:
    """One signed 64-bit bucket key per band of each signature (rows: documents): a polynomial
    over the band's values, seeded with the band number and `namespace`, then mixed."""
    keys: NDArray[np.uint64] = _band_keys(np.ascontiguousarray(signatures), bands, rows, namespace)
    return keys.view(np.int64)


@compiled
def _sampled(
    hashes: NDArray[np.uint64], offsets: NDArray[np.int64], sample: int
) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    # A power of two (the usual sample) is tested with a mask: a 64-bit division is slow.
    divisor, mask = np.uint64(sample), np.uint64(sample - 1)
    power = sample & (sample - 1) == 0
    picked = np.empty(len(hashes), dtype=np.bool_)
    count = 0
    for i in range(len(hashes)):
        picked[i] = (hashes[i] & mask) == 0 if power else hashes[i] % divisor == 0
        count += picked[i]
    out = np.empty(count, dtype=np.uint64)
    out_offsets = np.zeros(len(offsets), dtype=np.int64)
    k = 0
    for t in range(len(offsets) - 1):
        for i in range(offsets[t], offsets[t + 1]):
            if picked[i]:
                out[k] = hashes[i]
                k += 1
        out_offsets[t + 1] = k
    return out, out_offsets


def sampled(
    hashes: NDArray[np.uint64], offsets: NDArray[np.int64], sample: int
) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    """The hashes divisible by `sample` of each text (hashes[offsets[t]:offsets[t + 1]]),
    concatenated, and each text's offsets into them."""
    out, out_offsets = _sampled(hashes, offsets, sample)
    return out, out_offsets


@compiled
def _distinct_per_text(
    values: NDArray[np.uint32], offsets: NDArray[np.int64]
) -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
    out = np.empty_like(values)
    out_offsets = np.zeros(len(offsets), dtype=np.int64)
    k = 0
    for t in range(len(offsets) - 1):
        part = np.sort(values[offsets[t] : offsets[t + 1]])
        for i in range(len(part)):
            if i == 0 or part[i] != part[i - 1]:
                out[k] = part[i]
                k += 1
        out_offsets[t + 1] = k
    return out[:k].copy(), out_offsets


def distinct_per_text(
    values: NDArray[np.uint32], offsets: NDArray[np.int64]
) -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
    """The distinct values of each text, sorted, concatenated; and each text's offsets."""
    out, out_offsets = _distinct_per_text(values, offsets)
    return out, out_offsets


def fold_samples(samples: Sequence[int] | NDArray[np.integer]) -> NDArray[np.uint32]:
    """Sampled hashes as the 32-bit keys of the containment index (both halves xor-ed: a
    sampled hash has its low bits at zero). A collision only adds a candidate, which the exact
    check then drops."""
    if isinstance(samples, np.ndarray):
        values = samples.astype(np.uint64)  # int64 or uint64: the same 64 bits
    else:
        values = np.asarray(samples, dtype=np.int64).view(np.uint64)
    return ((values ^ (values >> np.uint64(32))) & _LOW32).astype(np.uint32)
