"""Sets and maps of 64-bit keys (document ids, record keys) that take 8 or 16 bytes a key.

A Python set of ints costs about 70 bytes a key and a dict of int to int about 110, which made
the id index and the known-work keys grow by ~0.2 KB a document: 200 MB at a million documents.
Here the keys live in a sorted numpy array (their values in a second one, in step), and recent
inserts in a small Python set or dict that is merged into the arrays once it holds `TAIL` keys.
A lookup checks the tail, then binary-searches the array: a few microseconds.

    KeySet(keys=())                 `key in s`, s.add(key), s.update(keys), s.discard(key),
                                    len(s), iter(s)
    KeyMap()                        `m[key] = value` (the latest wins), m.get(key), key in m
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from numpy.typing import NDArray

TAIL = 1 << 16  # recent keys kept in Python: ~7 MB at most, merged in one vectorised step

U64 = NDArray[np.uint64]


def _position(keys: U64, key: int) -> int:
    """The index of `key` in the sorted `keys`, or -1."""
    if not len(keys) or not 0 <= key < 1 << 64:  # (empty: the first TAIL keys of a run)
        return -1
    at = int(keys.searchsorted(np.uint64(key)))
    return at if at < len(keys) and int(keys[at]) == key else -1


def _merged(old: U64, new: U64, old_values: U64, new_values: U64) -> tuple[U64, U64]:
    """Both sorted-by-key runs as one, a key once, with its value from `new` when in both."""
    keys = np.concatenate([old, new])
    order = np.argsort(keys, kind="stable")  # equal keys: the old one first
    keys, values = keys[order], np.concatenate([old_values, new_values])[order]
    last = np.ones(len(keys), dtype=bool)
    last[:-1] = keys[1:] != keys[:-1]
    return keys[last], values[last]


def _array(keys: Iterable[int]) -> U64:
    return np.fromiter(keys, dtype=np.uint64)


class KeySet:
    """A set of keys in [0, 2**64)."""

    def __init__(self, keys: Iterable[int] | U64 = ()) -> None:
        values = keys if isinstance(keys, np.ndarray) else _array(keys)
        self._keys: U64 = np.unique(values.astype(np.uint64, copy=False))
        self._tail: set[int] = set()

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and (key in self._tail or _position(self._keys, key) >= 0)

    def add(self, key: int) -> None:
        if key not in self:
            self._tail.add(key)
            if len(self._tail) >= TAIL:
                self._flush()

    def update(self, keys: Iterable[int]) -> None:
        for key in keys:
            self.add(key)

    def discard(self, key: int) -> None:
        """Remove `key` if present (a copy of the array: for rare removals)."""
        self._tail.discard(key)
        if (at := _position(self._keys, key)) >= 0:
            self._keys = np.delete(self._keys, at)

    def _flush(self) -> None:
        if self._tail:
            self._keys = np.union1d(self._keys, _array(self._tail))
            self._tail = set()

    def __len__(self) -> int:
        return len(self._keys) + len(self._tail)

    def __iter__(self) -> Iterator[int]:
        """The keys in increasing order."""
        self._flush()
        return iter(self._keys.tolist())

    def nbytes(self) -> int:
        return int(self._keys.nbytes)


class KeyMap:
    """A map from keys in [0, 2**64) to values in [0, 2**64); setting a key again replaces it."""

    def __init__(self) -> None:
        self._keys: U64 = np.zeros(0, dtype=np.uint64)
        self._values: U64 = np.zeros(0, dtype=np.uint64)
        self._tail: dict[int, int] = {}
        self._size = 0  # distinct keys

    def __setitem__(self, key: int, value: int) -> None:
        if key not in self._tail and _position(self._keys, key) < 0:
            self._size += 1
        self._tail[key] = value
        if len(self._tail) >= TAIL:
            self._flush()

    def get(self, key: int) -> int | None:
        if key in self._tail:
            return self._tail[key]
        at = _position(self._keys, key)
        return int(self._values[at]) if at >= 0 else None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and self.get(key) is not None

    def _flush(self) -> None:
        keys = _array(self._tail)
        order = np.argsort(keys)
        values = _array(self._tail.values())[order]
        self._keys, self._values = _merged(self._keys, keys[order], self._values, values)
        self._tail = {}

    def __len__(self) -> int:
        return self._size

    def nbytes(self) -> int:
        return int(self._keys.nbytes + self._values.nbytes)
