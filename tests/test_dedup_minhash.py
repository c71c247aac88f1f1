"""Signatures from both libraries and the LSH band keys (scraper/dedup/minhash.py)."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest

from scraper.config import DedupConfig
from scraper.dedup.minhash import band_keys, check_config, signatures
from scraper.dedup.text import features
from scraper.errors import ConfigError

CONFIG = DedupConfig()


def _pair(jaccard_edits: int) -> tuple[str, str]:
    rng = random.Random(jaccard_edits)
    words = [f"k{rng.getrandbits(40):x}" for _ in range(1000)]
    other = list(words)
    for i in range(jaccard_edits):
        other[10 + i * 12] = f"ganti{i}"
    return " ".join(words), " ".join(other)


def test_signatures_estimate_the_jaccard():
    config = CONFIG
    a, b = features(list(_pair(20)), config)
    exact = len(a.long & b.long) / len(a.long | b.long)
    sig_a, sig_b = signatures([a.long, b.long], config)
    assert len(sig_a) == config.num_perm
    estimate = sum(x == y for x, y in zip(sig_a, sig_b, strict=True)) / config.num_perm
    assert 0.78 < exact < 0.84
    assert abs(estimate - exact) < 0.12


def test_signatures_are_stable_across_calls():
    (f,) = features([_pair(0)[0]], CONFIG)
    assert np.array_equal(signatures([f.long], CONFIG), signatures([f.long], CONFIG))
    assert signatures([], CONFIG).shape == (0, CONFIG.num_perm)


def test_band_keys_one_per_band_and_namespaced():
    (f,) = features([_pair(0)[0]], CONFIG)
    (sig,) = signatures([f.long], CONFIG)
    keys = band_keys(sig, CONFIG, 5)
    assert len(keys) == 16 and len(set(keys)) == 16
    assert all(-(2**63) <= k < 2**63 for k in keys)
    assert set(keys).isdisjoint(band_keys(sig, CONFIG, 3))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"backend": "simhash"}, "backend must be one of"),
        ({"bands": 20, "rows": 8}, "bands × rows"),
        ({"threshold": 0.0}, "threshold must be in"),
        ({"containment_sample": 0}, "containment_sample"),
        ({"containment_max_df": -1}, "containment_max_df"),
    ],
)
def test_bad_settings_are_rejected(change, message):
    with pytest.raises(ConfigError, match=message):
        check_config(dataclasses.replace(CONFIG, **change))
