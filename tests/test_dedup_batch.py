"""The candidates of a whole batch (scraper/dedup/batch.py)."""

from __future__ import annotations

import random

import numpy as np

from scraper.config import DedupConfig
from scraper.dedup.batch import _shared_enough, find_candidates
from scraper.dedup.index import GONE, OK, PENDING, REPLACED, Index
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


def _shared_enough_by_sorting(owners, holders, state, nrare, nsamples, candidate):
    """The same answer the plain numpy way: count (owner, holder) pairs with np.unique."""
    live = (state[holders] == OK) | (state[holders] == PENDING)
    pairs, shared = np.unique((owners[live] << 32) | holders[live].astype(np.int64),
                              return_counts=True)
    who, docs = pairs >> 32, pairs & 0xFFFFFFFF
    keep = shared / np.maximum(np.minimum(nrare[who], nsamples[docs]), 1) >= candidate
    return set(zip(who[keep].tolist(), docs[keep].tolist(), strict=True))


def test_shared_enough_counts_hits_per_pair_and_skips_documents_not_live():
    rng = np.random.default_rng(5)
    for owners_n, docs_n, hits in [(1, 3, 10), (40, 500, 20_000), (256, 20_000, 60_000)]:
        owners = rng.integers(0, owners_n, hits).astype(np.int64)
        # Clustered holders, as when documents share sentences: many pairs repeat.
        holders = ((owners * 7 + rng.integers(0, 12, hits)) % docs_n).astype(np.uint32)
        state = rng.choice(np.array([OK, PENDING, REPLACED, GONE], dtype=np.int8), docs_n,
                           p=[0.6, 0.2, 0.1, 0.1])
        nrare = rng.integers(0, 60, owners_n).astype(np.int64)
        nsamples = rng.integers(0, 60, docs_n).astype(np.int32)
        who, docs = _shared_enough(owners, holders, state, nrare, nsamples, 0.5)
        found = list(zip(who.tolist(), docs.tolist(), strict=True))
        assert len(found) == len(set(found))  # each pair once
        expected = _shared_enough_by_sorting(owners, holders, state, nrare, nsamples, 0.5)
        assert expected and set(found) == expected
    none = np.zeros(0, dtype=np.int64)
    who, docs = _shared_enough(none, none.astype(np.uint32), state, nrare, nsamples, 0.5)
    assert len(who) == len(docs) == 0
