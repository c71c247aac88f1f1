"""Posting lists in memory (scraper/dedup/postings.py): runs, lookups, saving and loading."""

from __future__ import annotations

import numpy as np
import pytest

from scraper.dedup import postings as postings_module
from scraper.dedup.postings import Postings


def _add_docs(postings: Postings, docs: range, keys_per_doc: int = 3) -> dict[int, list[int]]:
    """Doc d holds keys d, d + 1000 and 5000 (which every document holds); returns key → docs."""
    held: dict[int, list[int]] = {}
    for doc in docs:
        keys = [doc, doc + 1000, 5000][:keys_per_doc]
        postings.add(np.array(keys), np.full(len(keys), doc, dtype=np.uint32))
        for key in keys:
            held.setdefault(key, []).append(doc)
    return held


def test_lookups_find_every_holder_across_runs_and_runs_stay_few():
    postings = Postings("<i8")
    held = _add_docs(postings, range(1, 501))
    assert len(postings.runs) <= 12  # merged as they grow: a logarithmic number of runs
    query = np.array([5000, 5, 1005, 99999])
    where, docs = postings.lookup(query)
    found: dict[int, list[int]] = {}
    for i, doc in zip(where.tolist(), docs.tolist(), strict=True):
        found.setdefault(int(query[i]), []).append(doc)
    assert sorted(found[5000]) == held[5000] and found[5] == [5] and found[1005] == [5]
    assert 99999 not in found
    assert postings.counts(query).tolist() == [500, 1, 1, 0]


def test_saved_blobs_load_back_to_the_same_lists():
    postings = Postings("<u4")
    _add_docs(postings, range(1, 50))
    first = postings.take_pending()
    _add_docs(postings, range(50, 80))
    second = postings.take_pending()
    assert postings.pending == [] and postings.take_pending() == b""
    again = Postings("<u4")
    again.load([first, second])
    query = np.arange(0, 5001, dtype=np.uint32)
    assert np.array_equal(again.counts(query), postings.counts(query))
    assert np.array_equal(np.sort(again.lookup(query)[1]), np.sort(postings.lookup(query)[1]))
    assert again.pending == []  # what was loaded is saved already


@pytest.mark.parametrize("dtype", ["<i8", "<u4"])
@pytest.mark.parametrize("directory_min", [1, postings_module.DIRECTORY_MIN])
def test_merged_runs_hold_every_posting_of_random_keys_in_key_order(
    dtype, directory_min, monkeypatch
):
    """With and without directories over the runs, and with keys at both ends of the type."""
    monkeypatch.setattr(postings_module, "DIRECTORY_MIN", directory_min)
    rng = np.random.default_rng(5)
    info = np.iinfo(dtype)
    pool = np.concatenate(
        [rng.integers(info.min, info.max, 30, dtype=dtype, endpoint=True),
         np.array([info.min, info.max, 0, 1], dtype=dtype)]
    )
    postings, held = Postings(dtype), {}
    for doc in range(1, 300):
        keys = rng.choice(pool, size=int(rng.integers(0, 6)))
        postings.add(keys, np.full(len(keys), doc, dtype=np.uint32))
        for key in keys.tolist():
            held.setdefault(key, []).append(doc)
    for run_keys, _ in postings.runs:
        assert np.all(run_keys[1:] >= run_keys[:-1])
    absent = rng.integers(info.min, info.max, 30, dtype=dtype)
    query = np.unique(np.concatenate([pool, absent]))
    where, docs = postings.lookup(query)
    found: dict[int, list[int]] = {}
    for i, doc in zip(where.tolist(), docs.tolist(), strict=True):
        found.setdefault(int(query[i]), []).append(doc)
    assert {k: sorted(v) for k, v in found.items()} == held
    assert postings.counts(query).tolist() == [len(held.get(k, [])) for k in query.tolist()]


@pytest.mark.parametrize("directory_min", [1, postings_module.DIRECTORY_MIN])
def test_one_search_gives_counts_and_the_holders_of_the_keys_wanted(directory_min, monkeypatch):
    monkeypatch.setattr(postings_module, "DIRECTORY_MIN", directory_min)
    postings = Postings("<u4")
    held = _add_docs(postings, range(1, 200))
    query = np.array([5000, 7, 1007, 4, 99999], dtype=np.uint32)
    for keys, presorted in ((query, False), (np.sort(query), True)):
        found = postings.search(keys, presorted)
        assert found.counts().tolist() == [len(held.get(int(k), [])) for k in keys]
        wanted = keys != 5000  # the frequent key's holders are not gathered
        where, docs = found.holders(wanted)
        pairs = sorted(zip(keys[where].tolist(), docs.tolist(), strict=True))
        assert pairs == sorted((int(k), d) for k in keys[wanted] for d in held.get(int(k), []))
