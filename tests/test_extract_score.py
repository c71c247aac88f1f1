from __future__ import annotations

import pytest

from scraper.extract.score import score_doc, summarise


def test_identical_disjoint_and_partial() -> None:
    text = "satu dua tiga empat lima enam"
    assert score_doc(text, text).precision == 1.0
    assert score_doc("a b c d", "e f g h").recall == 0.0
    half = score_doc("satu dua tiga empat lima", text)  # 2 of the truth's 3 shingles
    assert half.precision == 1.0 and half.recall == pytest.approx(2 / 3)


def test_empty_prediction_and_empty_truth() -> None:
    empty = score_doc("", "satu dua tiga empat")
    assert empty.precision is None and empty.recall == 0.0
    both = score_doc("", "")
    assert (both.precision, both.recall) == (1.0, 1.0)


def test_summary_is_the_harmonic_mean_of_the_averages() -> None:
    s = summarise([score_doc("a b c d", "a b c d"), score_doc("a b c d e", "x y z w")])
    assert s.precision == pytest.approx(0.5) and s.recall == pytest.approx(0.5)
    assert s.f1 == pytest.approx(0.5)
