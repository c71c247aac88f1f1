"""The candidates of a whole batch (scraper/dedup/batch.py)."""

from __future__ import annotations

import random

import numpy as np

from scraper.config import DedupConfig
from scraper.dedup.batch import find_candidates
from scraper.dedup.index import OK, Index
from scraper.dedup.match import bucket_keys
from scraper.dedup.text import features

CONFIG = DedupConfig()


def words(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"k{rng.getrandbits(40):x}" for _ in range(n)]


def test_copies_and_pages_in_one_batch_are_peers_of_the_better_ones_only(tmp_path):
    whole, other = words(900, 1), words(500, 2)
    texts = [" ".join(whole[:300]), " ".join(other), " ".join(whole), " ".join(whole)]
    feats = features(texts, CONFIG)
    rank = np.array([3, 2, 0, 1])  # the order of the decisions: whole, its copy, other, page 1
    index = Index(tmp_path / "i.sqlite", "fp")
    found = find_candidates(index, feats, bucket_keys(feats, CONFIG), rank, CONFIG)
    assert found.peers == [{2, 3}, set(), set(), {2}]  # page 1 (contained) and the copy
    assert found.index_docs == [set(), set(), set(), set()]
    assert found.rare.tolist() == np.diff(found.sample_at).tolist()  # nothing is frequent yet
    index.close()


def test_indexed_documents_are_found_by_band_and_by_samples(tmp_path):
    whole = words(900, 3)
    index = Index(tmp_path / "i.sqlite", "fp")
    (indexed,) = features([" ".join(whole)], CONFIG)
    found = find_candidates(index, [indexed], bucket_keys([indexed], CONFIG), np.zeros(1), CONFIG)
    (bands,) = bucket_keys([indexed], CONFIG)
    with index.transaction():
        (doc,) = index.add_many(
            [("whole.txt", indexed.exact, indexed.words, indexed.chars, int(found.rare[0]))],
            (bands, np.zeros(len(bands), dtype=np.int64)),
            found.kept_samples([0])[:2],
            OK,
        )
    near, page, unrelated = features(
        [" ".join(["beda", *whole[1:]]), " ".join(whole[:250]), " ".join(words(400, 4))], CONFIG
    )
    batch = [near, page, unrelated]
    found = find_candidates(index, batch, bucket_keys(batch, CONFIG), np.arange(3), CONFIG)
    assert found.index_docs == [{doc}, {doc}, set()]
    assert set(found.rows) == {doc} and found.rows[doc].file == "whole.txt"
    index.close()


def test_each_document_has_its_distinct_folded_samples(tmp_path):
    texts = [" ".join(words(600, 5)), "", " ".join(words(3, 6)), " ".join(words(600, 5) * 2)]
    feats = features(texts, CONFIG)
    index = Index(tmp_path / "i.sqlite", "fp")
    found = find_candidates(index, feats, bucket_keys(feats, CONFIG), np.arange(4), CONFIG)
    per_doc = np.split(found.samples, found.sample_at[1:-1])
    for f, samples in zip(feats, per_doc, strict=True):
        assert samples.dtype == np.uint32
        assert samples.tolist() == sorted({(h ^ (h >> 32)) & 0xFFFFFFFF for h in f.samples})
    assert per_doc[1].tolist() == []
    # The same text twice over holds each of its samples once (and maybe one where they join).
    assert set(per_doc[0].tolist()) <= set(per_doc[3].tolist())
    assert len(per_doc[3]) <= len(per_doc[0]) + 4
    # The samples of some documents, by sample: each with its document's place among them.
    kept, holder, df = found.kept_samples([0, 3])
    assert sorted(zip(kept.tolist(), holder.tolist(), strict=True)) == sorted(
        [(k, 0) for k in per_doc[0].tolist()] + [(k, 1) for k in per_doc[3].tolist()]
    )
    assert np.all(kept[1:] >= kept[:-1]) and df.tolist() == [0] * len(kept)
    index.close()
