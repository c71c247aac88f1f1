"""Sets and maps of 64-bit keys: the same answers as a Python set and dict, before and after
the recent keys are merged into the sorted arrays."""

import random

import pytest

from scraper import keys64
from scraper.keys64 import KeyMap, KeySet


@pytest.fixture(autouse=True)
def small_tail(monkeypatch):
    monkeypatch.setattr(keys64, "TAIL", 7)  # merge often, so every path is taken


def test_a_key_set_answers_like_a_python_set():
    rng = random.Random(1)
    keys = [rng.randrange(2**64) for _ in range(200)] + [0, 2**64 - 1]
    seen, expected = KeySet(keys[:50]), set(keys[:50])
    for key in keys[50:] + keys[:10]:
        seen.add(key)
        expected.add(key)
    assert len(seen) == len(expected)
    assert all(k in seen for k in expected)
    assert not any(k in seen for k in (1, 2**63 + 5, -1, 2**64, "0"))
    assert list(seen) == sorted(expected)


def test_a_key_set_forgets_a_discarded_key_wherever_it_is():
    seen = KeySet([5, 9])
    seen.update([11, 12])  # in the tail
    seen.discard(9)
    seen.discard(12)
    seen.discard(404)
    assert list(seen) == [5, 11]


def test_a_key_map_keeps_the_latest_value_of_a_key():
    rng = random.Random(2)
    mapping, expected = KeyMap(), {}
    for step in range(300):
        key = rng.choice([rng.randrange(2**64), rng.randrange(20)])  # many repeats
        mapping[key] = expected[key] = step
    assert len(mapping) == len(expected)
    assert all(mapping.get(k) == v for k, v in expected.items())
    assert mapping.get(2**64) is None and mapping.get(-1) is None
    assert all((k in mapping) == (k in expected) for k in range(20))


def test_a_key_map_holds_sixteen_bytes_a_key_once_merged():
    mapping = KeyMap()
    for key in range(1000):
        mapping[key * 7919] = key
    mapping[7919] = 5  # set again: still one key
    assert len(mapping) == 1000 and mapping.get(7919) == 5
    assert mapping.nbytes() <= 16 * 1000
