"""Inputs cut into partitions that a worker process reads by itself (local pool or Dask).

The process that cuts them only looks at file sizes: a partition is a group of whole files, or
one byte range of a large JSONL file (a range holds the lines that start in it). A worker reads
a partition (`read_partition`) with the names a plain read gives each record (`file#index`), once
it knows where its range starts in the file: the number of its first line and the index of its
first record (`Base`), which follow from counting the ranges before it (`count_piece`, no JSON
parsing).
"""

from __future__ import annotations

import dataclasses
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from scraper.config import Config
from scraper.document import Document
from scraper.sources.dumps import (
    JsonlRange,
    count_range,
    documents,
    jsonl_range,
    read_input,
    record_name,
    walk_inputs,
)
from scraper.stats import Stats

# A partition: one byte range of a JSONL file, or whole files up to this many bytes or files.
PARTITION_BYTES = 1 << 20
PARTITION_FILES = 64
JSONL_SUFFIXES = (".jsonl", ".ndjson")
Base = tuple[int, int]  # the number of a range's first line, and the index of its first record
FIRST: Base = (1, 0)


@dataclass(frozen=True)
class Piece:
    """One input of a partition: a whole file, or (`part`) one byte range of a JSONL file."""

    name: str
    part: JsonlRange | None = None


Partition = list[Piece]


def partitions(inputs: list[str], out: Path, size: int) -> Iterator[Partition]:
    """The files of `inputs` in input order, cut into partitions (file sizes only, no reading)."""
    group: Partition = []
    held = 0
    for name in walk_inputs(inputs, exclude=out):
        ranges = _ranges(name, size)
        if ranges is None:
            group.append(Piece(name))
            held += _size(name) or 0
            if len(group) >= PARTITION_FILES or held >= size:
                yield group
                group, held = [], 0
            continue
        if group:
            yield group
            group, held = [], 0
        yield from ([Piece(name, part)] for part in ranges)
    if group:
        yield group


def under(inputs: list[str], size: int) -> bool:
    """Whether `inputs` hold fewer than `size` bytes together. Every file below a folder counts
    (more than is read: it errs towards "no"), and the walk stops once the total reaches
    `size`, unsorted: a folder of a million files is not listed in full."""
    total = 0
    for name in inputs:
        for path in _files_below(name):
            total += _size(path) or 0
            if total >= size:
                return False
    return True


def _files_below(name: str) -> Iterator[str]:
    if not os.path.isdir(name):
        yield name
        return
    with os.scandir(name) as entries:
        for entry in entries:
            # Not into linked folders, as the input walk does not (and a link loop would not end).
            below = entry.is_dir(follow_symlinks=False)
            yield from _files_below(entry.path) if below else [entry.path]


def _size(name: str) -> int | None:
    try:
        return os.stat(name).st_size
    except OSError:
        return None


def _ranges(name: str, size: int) -> list[JsonlRange] | None:
    """Byte ranges of a readable JSONL file; None for a file that is read whole (any other
    kind, or one that cannot be read: its worker reports it as a local read does)."""
    total = _size(name)
    if not name.lower().endswith(JSONL_SUFFIXES) or total is None or not os.access(name, os.R_OK):
        return None
    count = max(1, -(-total // size))
    return [JsonlRange(start=k * size, end=(k + 1) * size if k < count - 1 else None,
                       last=k == count - 1) for k in range(count)]


def count_piece(config: Config, piece: Piece) -> tuple[int, int]:
    """The lines and records of a range (what the base of the next range adds)."""
    assert piece.part is not None
    return count_range(piece.name, config.clean, piece.part)


def next_base(base: Base, counted: tuple[int, int]) -> Base:
    return base[0] + counted[0], base[1] + counted[1]


def continues(partition: Partition) -> bool:
    """Is the partition a range of a JSONL file that the next partition goes on with?"""
    part = partition[0].part
    return part is not None and not part.last


def read_partition(config: Config, url: str | None, debug: bool, partition: Partition,
                   base: Base) -> tuple[list[Document], Stats]:
    """Read a partition, with the names, errors and counts of a plain read (`base`: where its
    range starts; ignored for whole files)."""
    stats = Stats(debug=debug)
    docs: list[Document] = []
    for piece in partition:
        if piece.part is None:
            items = read_input(piece.name, config.clean, url=url)
        else:
            part = dataclasses.replace(piece.part, first_line=base[0], first_index=base[1])
            items = jsonl_range(piece.name, config.clean, part)
        docs += documents(piece.name, items, stats)
    return docs, stats


def rename_range(docs: list[Document], partition: Partition, base: Base) -> None:
    """Name the documents of a range read from `FIRST` as a read from `base` names them; its
    read had no errors, so its n-th document is its n-th record."""
    if base != FIRST:
        for index, doc in enumerate(docs, start=base[1]):
            doc.source = record_name(partition[0].name, index)


S = TypeVar("S")


def in_two_steps(reads: Iterable[S], settle: Callable[[S], None],
                 cleaning: deque[Any], limit: int) -> Iterator[Any]:
    """The cleaned results, in input order, of partitions read in a first step: each submitted
    read is settled (`settle` queues its cleaning on `cleaning`) once `limit` reads are in
    flight, and a cleaning result is yielded once `limit` are, so at most `2 × limit` tasks are
    pending. `cleaning` holds futures, local or Dask: the local pool and the Dask engine share
    this."""
    reading: deque[S] = deque()
    for read in reads:
        reading.append(read)
        if len(reading) >= limit:
            settle(reading.popleft())
        if len(cleaning) >= limit:
            yield cleaning.popleft().result()
    while reading or cleaning:
        if reading:
            settle(reading.popleft())
        if cleaning and (len(cleaning) >= limit or not reading):
            yield cleaning.popleft().result()
