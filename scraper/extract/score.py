"""The AEB score: 4-token shingle overlap between a prediction and the truth.

Scored the way scrapinghub's article-extraction-benchmark does it: tokens are `\\w+`, each text is
a multiset of 4-token shingles, TP/FP/FN are normalised to sum to 1, precision and recall are
averaged over documents and F1 is the harmonic mean of the two averages. Used by the quality
floor test and by `bench/bench_extract.py`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+")
SHINGLE = 4


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text)
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(max(len(tokens) - SHINGLE + 1, 0)))


@dataclass(frozen=True)
class DocScore:
    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float | None:
        if self.tp + self.fp == 0:
            return None
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        if self.tp + self.fn == 0:
            return None
        return self.tp / (self.tp + self.fn)


def score_doc(predicted: str, truth: str) -> DocScore:
    pred, true = shingles(predicted), shingles(truth)
    tp = sum((pred & true).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    if total == 0:
        # Both empty: a perfect answer to an empty question.
        return DocScore(1.0, 0.0, 0.0)
    return DocScore(tp / total, fp / total, fn / total)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


@dataclass(frozen=True)
class Summary:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def summarise(scores: Iterable[DocScore]) -> Summary:
    scores = list(scores)
    precisions = [s.precision for s in scores if s.precision is not None]
    recalls = [s.recall for s in scores if s.recall is not None]
    return Summary(_mean(precisions), _mean(recalls))
