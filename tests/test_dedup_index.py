"""The index: lookups through memory and the saved keys, merges, fingerprints."""

from __future__ import annotations

import numpy as np
import pytest

from scraper.dedup.index import OK, PENDING, REPLACED, Index
from scraper.errors import StoreError


def add(index: Index, file: str, buckets: list[int], samples: list[int], state: int = OK) -> int:
    with index.transaction():
        return index.add(file, file.encode(), 100, 600, buckets, samples, state)


def test_lookups_see_rows_in_the_buffer_and_after_a_merge(tmp_path):
    index = Index(tmp_path / "i.sqlite", "fp")
    a = add(index, "a.txt", [1, 2], [10, 20, 30])
    assert [r.file for r in index.by_buckets([2, 99])] == ["a.txt"]
    index.merge()
    b = add(index, "b.txt", [2, 3], [20, 30, 40])  # b stays in the buffer
    assert sorted(r.file for r in index.by_buckets([2])) == ["a.txt", "b.txt"]
    shared = {row.file: n for row, n in index.by_samples([20, 30, 40])}
    assert shared == {"a.txt": 2, "b.txt": 3}
    assert [r.doc for r in index.unmerged()] == [b]
    index.merge()
    assert index.unmerged() == [] and index.buffered == 0
    assert {r.doc for r in index.by_buckets([2])} == {a, b}
    index.close()


def test_replaced_and_deleted_documents_are_not_candidates(tmp_path):
    index = Index(tmp_path / "i.sqlite", "fp")
    a = add(index, "a.txt", [1], [10])
    index.merge()
    b = add(index, "b.txt", [1], [10], PENDING)
    with index.transaction():
        index.set_state([a], REPLACED, replaced_by=b)
    assert [r.file for r in index.by_buckets([1])] == ["b.txt"]
    assert [r.file for r, _ in index.by_samples([10])] == ["b.txt"]
    with index.transaction():
        index.delete(a, [1], [10])
        index.delete(b, [1], [10])
    assert index.by_buckets([1]) == [] and index.by_samples([10]) == []
    assert index.count() == 0
    index.close()


def test_a_new_fingerprint_empties_the_index(tmp_path):
    index = Index(tmp_path / "i.sqlite", "one")
    add(index, "a.txt", [1], [10])
    index.merge()
    index.close()
    same = Index(tmp_path / "i.sqlite", "one")
    assert not same.rebuilt and same.count() == 1
    same.close()
    other = Index(tmp_path / "i.sqlite", "two")
    assert other.rebuilt and other.count() == 0
    other.close()


def test_a_failed_transaction_leaves_nothing(tmp_path):
    index = Index(tmp_path / "i.sqlite", "fp")
    with pytest.raises(RuntimeError), index.transaction():
        index.add("a.txt", b"x", 1, 1, [1], [2], OK)
        raise RuntimeError
    assert index.count() == 0 and index.by_buckets([1]) == []
    index.close()


def test_an_unusable_index_path_is_a_store_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="cannot open the dedup index"):
        Index(tmp_path / "file" / "i.sqlite", "fp")


def test_frequent_sampled_hashes_are_left_out_and_the_threshold_is_applied(tmp_path):
    index = Index(tmp_path / "i.sqlite", "fp")
    for k in range(4):
        add(index, f"f{k}.txt", [], [1, 100 + k])  # hash 1 is in every document
    index.merge()
    add(index, "a.txt", [], [1, 2, 3, 4])  # in the buffer: the frequency counts both
    assert index.count_rare([1], 5) == 1 and index.count_rare([1], 4) == 0
    assert index.count_rare([1, 2, 3], 0) == 3  # 0: no cap
    # Hash 1 is in 5 documents, over the cap of 3: only a.txt shares what is left.
    assert {r.file: n for r, n in index.by_samples([1, 2, 3], max_df=3)} == {"a.txt": 2}
    assert len(index.by_samples([1, 2, 3])) == 5
    # f*.txt share 1 of min(3 query hashes, 2 samples) = 0.5; a.txt shares 3 of 3.
    assert len(index.by_samples([1, 2, 3], candidate=0.5)) == 5
    assert [r.file for r, _ in index.by_samples([1, 2, 3], candidate=0.6)] == ["a.txt"]
    assert index.by_samples([1], max_df=3) == []
    index.close()


def test_nsamples_stores_the_count_given_at_indexing(tmp_path):
    index = Index(tmp_path / "i.sqlite", "fp")
    with index.transaction():
        a = index.add("a.txt", b"a", 10, 60, [], [1, 2, 3, 4], OK, 1)
    # a.txt counts 1 sample: sharing hash 1 alone is a containment of 1 / min(2, 1) = 1.0.
    assert [(r.doc, r.nsamples, n) for r, n in index.by_samples([1, 9], candidate=1.0)] == [
        (a, 1, 1)
    ]
    index.close()


def test_documents_stop_counting_a_hash_when_it_crosses_the_cap(tmp_path):
    index = Index(tmp_path / "i.sqlite", "fp")

    def add_capped(file: str, samples: list[int]) -> int:
        with index.transaction():
            rare = index.count_rare(samples, 3)
            return index.add(file, file.encode(), 10, 60, [], samples, OK, rare, 3)

    docs = [add_capped(f"f{k}.txt", [1, 100 + k]) for k in range(3)]
    index.merge()
    assert [r.nsamples for r in index.rows(docs)] == [2, 2, 2]
    docs.append(add_capped("f3.txt", [1, 103]))  # the 4th document with hash 1: over the cap
    assert [r.nsamples for r in index.rows(docs)] == [1, 1, 1, 1]
    docs.append(add_capped("f4.txt", [1, 104]))  # already over: counted once only
    assert [r.nsamples for r in index.rows(docs)] == [1, 1, 1, 1, 1]
    # Without a count_rare just before, add finds the crossing hashes itself.
    with index.transaction():
        late = [index.add(f"g{k}.txt", b"g", 10, 60, [], [7], OK, 1, 3) for k in range(4)]
    assert [r.nsamples for r in index.rows(late)] == [0, 0, 0, 0]
    index.close()


def test_queued_duplicates_read_back_per_file_in_the_order_queued(tmp_path):
    index = Index(tmp_path / "i.sqlite", "fp")
    with index.transaction():
        index.add_dup("001_a.txt", "dump.jsonl:3", "https://b.example.id/1")
        index.add_dup("002_b.txt", "dump.jsonl:4", None)
        index.add_dup("001_a.txt", "dump.jsonl:9", "https://c.example.id/2")
        index.add_dup("010_é.txt", None, "https://d.example.id/3")
        index.add_dup("010_z.txt", None, "https://d.example.id/4")
    queued = index.dups()
    files = ["001_a.txt", "002_b.txt", "010_z.txt", "010_é.txt"]
    assert len(queued) == 4 and sorted(queued) == files and list(queued.in_order()) == files
    assert queued["001_a.txt"] == [
        ("dump.jsonl:3", "https://b.example.id/1"), ("dump.jsonl:9", "https://c.example.id/2")
    ]
    assert queued.get("002_b.txt") == [("dump.jsonl:4", None)]
    assert queued.get("003_c.txt", []) == [] and "003_c.txt" not in queued
    with index.transaction():
        index.clear_dups()
    assert not index.dups() and index.dups_for("001_a.txt") == []
    index.close()


def test_states_set_on_a_run_of_ids_or_on_scattered_ones_reach_the_rows(tmp_path):
    index = Index(tmp_path / "i.sqlite", "fp")
    with index.transaction():
        docs = [index.add(f"{k}.txt", bytes([k]), 10, 60, [k], [], PENDING) for k in range(6)]
    with index.transaction():
        index.set_state(docs[1:4], OK)  # consecutive ids: one statement
        index.set_state([docs[0], docs[5]], REPLACED, docs[2])
    assert [r.doc for r in index.in_state(PENDING)] == [docs[4]]
    assert [(r.doc, r.replaced_by) for r in index.in_state(REPLACED)] == [
        (docs[0], docs[2]), (docs[5], docs[2])
    ]
    assert [r.state for r in index.rows(docs[1:4])] == [OK] * 3
    assert index.live(np.array(docs)).tolist() == [False, True, True, True, True, False]
    index.close()
