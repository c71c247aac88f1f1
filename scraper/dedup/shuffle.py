"""The Dask tasks of `scraper dedup DIR --engine dask` (see `scraper.dedup.cluster`).

Every file is known by its id, its place in the sorted file list. The tasks pass numpy arrays,
a few per partition, so that Dask's shuffles move a handful of items rather than one per key:
  read_part        a partition of files read and hashed: lengths, exact keys, band keys and
                   sampled shingle hashes, each with the id of the file that holds it;
  route_keys       band keys and samples of the files that stand for their exact group, sent
                   to the partition of their key (`key % partitions`);
  find_candidates  in one key partition: the pairs that share a band key, and the pairs that share
                   rare samples (with how many), and each file's count of rare samples;
  verify_pairs     in one pair partition: band pairs, and sample pairs whose shared count reaches
                   `containment_candidate` of the smaller rare count, compared exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from scraper.config import DedupConfig
from scraper.dedup.folder import FolderReport, read_texts
from scraper.dedup.match import Quality, bucket_keys, classify, feature_quality
from scraper.dedup.text import Features, features

Ids = NDArray[np.int64]


class Key(NamedTuple):
    """A file's place in the order of the decisions: best (longest) first, then by name."""

    quality: Quality
    name: str


class Unreadable(NamedTuple):
    name: str
    reason: str  # what `dedup_folder` reports after the file's path


class Edge(NamedTuple):
    """A verified duplicate pair: `worse` is a copy of `better`."""

    worse: Key
    better: Key
    relation: str
    score: float


class Part(NamedTuple):
    """One partition of the folder, read and hashed."""

    errors: list[Unreadable]
    ids: Ids  # of its readable files
    words: Ids
    chars: Ids
    exact: NDArray[np.uint64]  # (n, 2), big-endian halves: sorts as the exact key's bytes
    bands: Ids
    band_owner: Ids
    samples: Ids  # folded sampled hashes, distinct per file
    sample_owner: Ids


def _none() -> Ids:
    return np.zeros(0, dtype=np.int64)


def _flat(parts: list[NDArray[Any]], ids: Ids) -> tuple[Ids, Ids]:
    values = np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)
    return values, np.repeat(ids, [len(p) for p in parts])


def read_part(chunk: tuple[int, list[str]], folder: str, config: DedupConfig) -> Part:
    """Read and hash the files `chunk` names (its first file has id `chunk[0]`)."""
    first, names = chunk
    report = FolderReport()
    texts = read_texts(Path(folder), names, report)
    # `read_texts` reports the unreadable files in the order given, one line each.
    unreadable = [name for name in names if name not in texts]
    errors = [Unreadable(name, line.removeprefix(f"{Path(folder) / name}: "))
              for name, line in zip(unreadable, report.errors, strict=True)]
    ids = np.array([first + i for i, name in enumerate(names) if name in texts], dtype=np.int64)
    feats = features([texts[name] for name in names if name in texts], config)
    exact = np.frombuffer(b"".join(f.exact for f in feats), dtype=">u8").reshape(-1, 2)
    bands, band_owner = _flat(bucket_keys(feats, config), ids)
    samples, sample_owner = _flat([f.folded_samples() for f in feats], ids)
    return Part(errors, ids, np.array([f.words for f in feats], dtype=np.int64),
                np.array([f.chars for f in feats], dtype=np.int64), exact.astype(np.uint64),
                bands, band_owner, samples, sample_owner)


def route_keys(part: Part, rep: Ids, partitions: int) -> list[tuple[int, str, Ids, Ids]]:
    """(partition, kind, keys, owners) of the files that stand for their exact group (the others
    hold the very same keys)."""
    out: list[tuple[int, str, Ids, Ids]] = []
    for kind, keys, owner in (("band", part.bands, part.band_owner),
                              ("sample", part.samples, part.sample_owner)):
        mine = rep[owner] == owner
        keys, owner = keys[mine], owner[mine]
        where = np.mod(keys, partitions)
        out += [(p, kind, keys[where == p], owner[where == p]) for p in range(partitions)]
    return out


def _group_pairs(keys: Ids, owner: Ids, rank: Ids, most: int = 0) -> tuple[Ids, Ids]:
    """Each two files that share a key, as codes `better * n + worse` (n: len(rank)), with the
    number of keys they share; groups larger than `most` (when > 0) are left out."""
    n = len(rank)
    order = np.lexsort((rank[owner], keys))
    keys, owner = keys[order], owner[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else _none()
    sizes = np.diff(np.r_[starts, len(keys)])
    codes: list[Ids] = []
    for size in np.unique(sizes[sizes > 1]).tolist():
        if most and size > most:
            continue
        group = starts[sizes == size]
        for b in range(1, size):
            for a in range(b):
                codes.append(owner[group + a] * n + owner[group + b])
    if not codes:
        return _none(), _none()
    found, shared = np.unique(np.concatenate(codes), return_counts=True)
    return found, shared.astype(np.int64)


class Candidates(NamedTuple):
    band_pairs: Ids
    sample_pairs: Ids
    shared: Ids  # rare samples each sample pair shares (in this key partition)
    rare_ids: Ids  # files holding rare samples here, and how many
    rare_counts: Ids


def find_candidates(
    group: tuple[int, list[tuple[int, str, Ids, Ids]]], rank: Ids, cap: int
) -> Candidates:
    """The candidate pairs of one key partition. A sample is rare when at most `cap` files hold
    it (0: no cap); each file holds a sample once."""
    items = group[1]

    def joined(kind: str) -> tuple[Ids, Ids]:
        keys = [k for _, what, k, _ in items if what == kind]
        owners = [o for _, what, _, o in items if what == kind]
        return (np.concatenate(keys) if keys else _none(),
                np.concatenate(owners) if owners else _none())

    band_pairs, _ = _group_pairs(*joined("band"), rank)
    samples, owners = joined("sample")
    sample_pairs, shared = _group_pairs(samples, owners, rank, most=cap)
    _, inverse, df = np.unique(samples, return_inverse=True, return_counts=True)
    rare = df[inverse] <= cap if cap > 0 else np.ones(len(samples), dtype=bool)
    rare_ids, rare_counts = np.unique(owners[rare], return_counts=True)
    return Candidates(band_pairs, sample_pairs, shared, rare_ids, rare_counts.astype(np.int64))


def route_pairs(found: Candidates, partitions: int) -> list[tuple[int, str, Ids, Ids]]:
    """(partition, kind, codes, shared) sent to the partition of each pair's code."""
    out: list[tuple[int, str, Ids, Ids]] = []
    for kind, codes, shared in (("band", found.band_pairs, found.band_pairs),
                                ("sample", found.sample_pairs, found.shared)):
        where = np.mod(codes, partitions)
        out += [(p, kind, codes[where == p], shared[where == p]) for p in range(partitions)]
    return out


def rare_counts(found: list[Candidates], n: int) -> Ids:
    """Each file's rare sample count, summed over key partitions."""
    total = np.zeros(n, dtype=np.int64)
    for item in found:
        np.add.at(total, item.rare_ids, item.rare_counts)
    return total


def verify_pairs(
    group: tuple[int, list[tuple[int, str, Ids, Ids]]],
    rare: Ids,
    names: list[str],
    folder: str,
    config: DedupConfig,
) -> list[Edge]:
    """The candidate pairs of one pair partition, compared exactly (`classify`)."""
    n = len(names)
    items = group[1]
    bands = [codes for _, kind, codes, _ in items if kind == "band"]
    codes = np.concatenate([c for _, kind, c, _ in items if kind == "sample"] or [_none()])
    shared = np.concatenate([s for _, kind, _, s in items if kind == "sample"] or [_none()])
    pairs, inverse = np.unique(codes, return_inverse=True)
    total = np.bincount(inverse, weights=shared, minlength=len(pairs))
    better, worse = pairs // n, pairs % n
    bound = np.maximum(np.minimum(rare[better], rare[worse]), 1)
    contained = pairs[total / bound >= config.containment_candidate]
    todo = np.unique(np.concatenate([*bands, contained]))
    return _compared(todo // n, todo % n, names, folder, config)


def _compared(
    better: Ids, worse: Ids, names: list[str], folder: str, config: DedupConfig
) -> list[Edge]:
    needed = sorted({names[i] for i in np.concatenate([better, worse]).tolist()})
    texts = read_texts(Path(folder), needed, FolderReport())
    read = [name for name in needed if name in texts]
    feats: dict[str, Features] = dict(
        zip(read, features([texts[name] for name in read], config), strict=True)
    )
    edges: list[Edge] = []
    for b, w in zip(better.tolist(), worse.tolist(), strict=True):
        x, y = feats.get(names[w]), feats.get(names[b])
        if x is not None and y is not None:
            verdict = classify(x, y, config)
            if verdict is not None:
                edges.append(Edge(Key(feature_quality(x), names[w]),
                                  Key(feature_quality(y), names[b]), *verdict))
    return edges
