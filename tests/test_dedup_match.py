"""Exact verification of candidate pairs (scraper/dedup/match.py), on synthetic and real text."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from scraper.config import DedupConfig
from scraper.dedup.match import CONTAINED, EXACT, NEAR, classify
from scraper.dedup.text import body_text, features, file_paragraphs

CONFIG = DedupConfig()
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def words(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"k{rng.getrandbits(40):x}" for _ in range(n)]


def edited(base: list[str], edits: int) -> list[str]:
    """Replace `edits` words, 12 apart: each edit changes 5 of the 5-gram shingles."""
    out = list(base)
    for i in range(edits):
        out[6 + i * 12] = f"ganti{i}"
    return out


def verdict(a: list[str], b: list[str]):
    fa, fb = features([" ".join(a), " ".join(b)], CONFIG)
    return classify(fa, fb, CONFIG)


def test_jaccard_090_is_a_near_duplicate_and_050_is_not():
    base = words(1000, 1)
    near = verdict(base, edited(base, 10))  # (996 - 50) / (996 + 50) = 0.904
    assert near is not None and near[0] == NEAR and near[1] == pytest.approx(0.904, abs=0.002)
    assert verdict(base, edited(base, 66)) is None  # 0.502; containment 0.67


def test_page_one_is_contained_in_the_whole_article_either_way():
    whole = words(1200, 2)
    page_one = whole[:400]
    for a, b in ((page_one, whole), (whole, page_one)):
        result = verdict(a, b)
        assert result is not None and result[0] == CONTAINED and result[1] == 1.0


def test_exact_copies():
    base = words(300, 3)
    assert verdict(base, [w.upper() for w in base]) == (EXACT, 1.0)


def test_short_documents_compare_on_three_word_shingles():
    base = words(40, 4)
    one_edit = edited(base, 1)
    # 5-grams: (36-5)/(36+5) = 0.76 would miss it; 3-grams: (38-3)/(38+3) = 0.85.
    result = verdict(base, one_edit)
    assert result is not None and result[0] == NEAR and result[1] == pytest.approx(35 / 41)


def _seed(prefix: str):
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return features([body_text(file_paragraphs(path.read_text(encoding="utf-8")))], CONFIG)[0]


def test_seed_003_is_contained_in_000():
    result = classify(_seed("003"), _seed("000"), CONFIG)
    assert result is not None and result[0] == CONTAINED and result[1] > 0.85


@pytest.mark.parametrize("other", ["001", "002", "004"])
def test_wire_copy_sharing_articles_are_not_duplicates_of_000(other):
    assert classify(_seed(other), _seed("000"), CONFIG) is None
    assert classify(_seed("000"), _seed(other), CONFIG) is None
