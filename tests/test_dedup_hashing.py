"""The compiled hashing kernels (scraper/dedup/hashing.py) against the formulas they document.

The index persists band keys and sampled shingle hashes, so these values are a file format: a
change must bump `KEYS_VERSION` (minhash.py), and these tests say when one happened.
"""

from __future__ import annotations

import numpy as np

from scraper.dedup.hashing import (
    TABLE,
    band_keys,
    hash_words,
    sampled,
    sequence_keys,
    shingles,
)

M64 = (1 << 64) - 1
POLY = 0x9E3779B97F4A7C15


def mix(value: int) -> int:
    value ^= value >> 30
    value = (value * 0xBF58476D1CE4E5B9) & M64
    value ^= value >> 27
    value = (value * 0x94D049BB133111EB) & M64
    return value ^ (value >> 31)


def word_hash(word: bytes) -> int:
    folded = [b | 32 if b < 128 else b for b in word]
    return mix(sum(int(TABLE[((k & 63) << 8) | b]) for k, b in enumerate(folded)) & M64)


def polynomial(values: list[int], start: int = 0) -> int:
    acc = start
    for value in values:
        acc = (acc * POLY + value) & M64
    return acc


def _hash(texts: list[bytes]) -> tuple[list[int], list[int]]:
    starts = np.cumsum([0] + [len(t) for t in texts], dtype=np.int64)
    hashes, offsets = hash_words(np.frombuffer(b"".join(texts), dtype=np.uint8), starts)
    return hashes.tolist(), offsets.tolist()


def test_words_are_runs_of_letters_digits_and_non_ascii_bytes_folded_to_lower_case():
    text = "Kim Jong-un, di PYONGYANG 2024! Tōkyō".encode()
    expected = [b"kim", b"jong", b"un", b"di", b"pyongyang", b"2024", "tōkyō".encode()]
    hashes, offsets = _hash([text])
    assert hashes == [word_hash(w) for w in expected]
    assert offsets == [0, len(expected)]


def test_each_text_has_its_own_words_even_when_texts_touch():
    hashes, offsets = _hash([b"satu dua", b"tiga", b"", b"--", b"empat"])
    assert offsets == [0, 2, 3, 3, 3, 4]
    # "dua" and "tiga" are adjacent in the buffer but stay two words.
    assert hashes == [word_hash(w) for w in (b"satu", b"dua", b"tiga", b"empat")]


def test_a_word_longer_than_64_bytes_wraps_its_positions():
    word = bytes(range(97, 123)) * 3  # 78 letters
    assert _hash([word])[0] == [word_hash(word)]


def test_the_hashes_are_pinned():
    # Indexes written since KEYS_VERSION 2 hold keys made from exactly these values.
    assert _hash([b"Putin"])[0] == [0x1C1206A4C91136CC]
    hashes, offsets = _hash([b"Satu dua tiga empat lima"])
    (shingle,) = shingles(np.array(hashes, dtype=np.uint64), np.array(offsets), 5)[0].tolist()
    assert shingle == 0xCC6452E4FF6D205F


def test_shingles_are_mixed_polynomials_over_n_words_and_short_texts_are_one_shingle():
    words = np.array([11, 22, 33, 44], dtype=np.uint64)
    offsets = np.array([0, 4, 4, 6], dtype=np.int64)
    out, at = shingles(np.concatenate([words, words[:2]]), offsets, 3)
    assert at.tolist() == [0, 2, 2, 3]
    assert out.tolist() == [
        mix(polynomial([11, 22, 33])),
        mix(polynomial([22, 33, 44])),
        mix(polynomial([11, 22])),  # two words, fewer than 3: one shingle of both
    ]


def test_shingles_can_be_skipped_per_text():
    words = np.arange(1, 11, dtype=np.uint64)
    out, at = shingles(words, np.array([0, 5, 10], dtype=np.int64), 3, np.array([False, True]))
    assert at.tolist() == [0, 0, 3]
    assert out.tolist() == [mix(polynomial(list(range(k, k + 3)))) for k in (6, 7, 8)]


def test_sequence_keys_depend_on_the_words_and_their_order():
    words = np.array([5, 6, 6, 5, 5, 6], dtype=np.uint64)
    keys = sequence_keys(words, np.array([0, 2, 4, 6, 6], dtype=np.int64)).tolist()
    assert keys[0] == keys[2] != keys[1]
    assert keys[3] == 0
    assert keys[0] == (mix(5 ^ 0) + mix(6 ^ POLY)) & M64


def test_band_keys_hash_each_band_with_its_number_and_namespace():
    signatures = np.arange(12, dtype=np.uint32).reshape(2, 6)
    keys = band_keys(signatures, bands=2, rows=3, namespace=5)
    assert keys.dtype == np.int64 and keys.shape == (2, 2)
    expected = [
        [mix(polynomial(row[b * 3 : b * 3 + 3], (5 << 32) + b)) for b in range(2)]
        for row in signatures.tolist()
    ]
    assert keys.view(np.uint64).tolist() == expected


def test_sampled_keeps_the_hashes_divisible_by_the_sample_of_each_text():
    rng = np.random.default_rng(3)
    hashes = rng.integers(0, 2**64, 500, dtype=np.uint64)
    offsets = np.array([0, 0, 120, 500], dtype=np.int64)
    for sample in (1, 3, 8, 10):  # powers of two take a mask, the others a division
        out, at = sampled(hashes, offsets, sample)
        for t in range(3):
            text = hashes[offsets[t] : offsets[t + 1]].tolist()
            assert out[at[t] : at[t + 1]].tolist() == [h for h in text if h % sample == 0]


def test_one_letter_words_fill_the_room_a_batch_is_given():
    """Every other byte a separator: the most words bytes can hold, hashed in one pass."""
    texts = [b"a b c", b"d", b"", b"e f"]
    hashes, offsets = _hash(texts)
    assert hashes == [word_hash(w) for w in b"a b c d e f".split()]
    assert offsets == [0, 3, 4, 4, 6]
