"""Exact verification of candidate pairs (scraper/dedup/match.py), on synthetic and real text."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from scraper.config import DedupConfig
from scraper.dedup import Deduplicator
from scraper.dedup.match import CONTAINED, EXACT, NEAR, classify
from scraper.dedup.text import body_text, features, file_paragraphs
from scraper.document import Document
from scraper.pipeline import Stats
from scraper.write import CorpusWriter

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


# -- candidates when many documents share text ----------------------------------------------------
BOILERPLATE = words(300, 900)  # a disclaimer that every document below carries
CAPPED = DedupConfig(containment_max_df=5)


def doc(ws: list[str], name: str) -> Document:
    paragraphs = [" ".join(ws[i : i + 60]) + "." for i in range(0, len(ws), 60)]
    return Document(title=name, paragraphs=paragraphs, source=f"in/{name}", url=None)


@pytest.fixture
def candidate_counts(monkeypatch):
    """The number of candidates each document that has some was given (indexed and from its own
    batch)."""
    counts: list[int] = []
    original = Deduplicator._candidates

    def counting(self, *args):
        indexed, in_batch = original(self, *args)
        counts.append(len(indexed) + len(in_batch))
        return indexed, in_batch

    monkeypatch.setattr(Deduplicator, "_candidates", counting)
    return counts


def commit_batch(out: Path, docs: list[Document]) -> tuple[list[dict], Stats]:
    stats = Stats()
    with Deduplicator(CAPPED, CorpusWriter(out)) as dedup:
        return dedup.commit(docs, stats), stats


def test_shared_boilerplate_does_not_make_every_document_a_candidate(tmp_path, candidate_counts):
    # 30 articles, 60% of each is the same disclaimer: without a document-frequency cap every
    # earlier article became a candidate of every new one (and was re-read and compared).
    others = [doc(words(200, 100 + i) + BOILERPLATE, f"d{i}") for i in range(30)]
    whole = words(400, 7)
    page = doc(whole[:160] + BOILERPLATE, "page1")
    entries, stats = commit_batch(tmp_path, [*others, page, doc(whole + BOILERPLATE, "whole")])
    assert stats.dropped == {("dedup", "contained"): 1}
    assert len(entries) == 31 and "in/page1" not in {e["source"] for e in entries}
    # Only the first documents, while the disclaimer is still under the cap, see each other; and
    # the few whose MinHash band happens to fall wholly in the disclaimer share that LSH bucket.
    assert 0 < len(candidate_counts) <= 32
    assert max(candidate_counts) <= 2 * CAPPED.containment_max_df
    assert sum(candidate_counts) <= 3 * CAPPED.containment_max_df**2


def test_contained_page_with_boilerplate_is_replaced_by_the_whole_article_later(
    tmp_path, candidate_counts
):
    others = [doc(words(200, 100 + i) + BOILERPLATE, f"d{i}") for i in range(30)]
    whole = words(900, 8)  # Jaccard with page 1 is 0.38: LSH will not find the pair
    # Page 1 comes last in its batch (it is the shortest), when the disclaimer is frequent.
    entries, _ = commit_batch(tmp_path, [*others, doc(whole[:160] + BOILERPLATE, "page1")])
    assert len(entries) == 31
    entries, stats = commit_batch(tmp_path, [doc(whole + BOILERPLATE, "whole")])
    # Containment is judged on the hashes under the cap on both sides: page 1 indexed only its
    # own text's samples, so the disclaimer neither helps nor hides the match.
    assert stats.dropped == {("dedup", "replaced-by-longer"): 1}
    assert [d["source"] for d in entries[0]["duplicates"]] == ["in/page1"]
    assert candidate_counts[-1] == 1
