"""Word hashing for dedup: the ways to turn texts into one 64-bit hash per normalised word.

    python bench/bench_word_hashing.py                 # 10 batches of 1000 documents
    python bench/bench_word_hashing.py --docs 20000

The task, for each way, is what dedup asks of it: a batch of texts in, the hash of every word
(lower case, runs of letters and digits) and each text's offsets out, as numpy arrays. The corpus
is bench_dedup's (ASCII Indonesian-looking text, about 3.6 KB a document). Each way runs three
times on the same batches; the best CPU time counts. The anchor is the numpy passes dedup used
before (kept here as they were); `same hashes` says whether a way gives the index's own hashes
(any other way changes the persisted keys, so the index would be rebuilt).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_dedup import PlantedCorpus
from scraper.dedup.hashing import TABLE
from scraper.dedup.text import word_hashes

Hashes = tuple[NDArray[np.uint64], NDArray[np.int64]]
_WORD = re.compile(r"[a-z0-9]+")
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _offsets(counts: list[int]) -> NDArray[np.int64]:
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets


def numpy_passes(texts: list[str]) -> Hashes:
    """The anchor: dedup's word hashing before numba, a few numpy passes over all the bytes
    (ASCII texts only, which this corpus is)."""
    data = np.frombuffer("\n".join(texts).encode("ascii"), dtype=np.uint8)
    folded = data | np.uint8(32)
    is_word = (data >= 128) | (folded - np.uint8(97) < 26) | (data - np.uint8(48) < 10)
    edges = np.diff(is_word.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    lengths = ends - starts
    word_bytes = np.where(data < 128, folded, data)[is_word]
    first = np.zeros(len(lengths), dtype=np.intp)
    np.cumsum(lengths[:-1], out=first[1:])
    step = np.ones(len(word_bytes), dtype=np.intp)
    step[first[1:]] = 1 - lengths[:-1]
    slot = np.cumsum(step)
    slot -= 1
    slot &= 63
    slot <<= 8
    slot |= word_bytes
    hashes = np.add.reduceat(np.take(TABLE, slot), first)
    hashes ^= hashes >> np.uint64(30)
    hashes *= _MIX1
    hashes ^= hashes >> np.uint64(27)
    hashes *= _MIX2
    hashes ^= hashes >> np.uint64(31)
    text_starts = _offsets([len(t) + 1 for t in texts])
    return hashes, np.searchsorted(starts, text_starts).astype(np.int64)


def numba_kernel(texts: list[str]) -> Hashes:
    """Ours: `scraper.dedup.text.word_hashes`, one compiled pass over the bytes."""
    return word_hashes(texts)


def _words(texts: list[str]) -> list[list[str]]:
    return [_WORD.findall(t.lower()) for t in texts]


def rensa_token_sets(texts: list[str]) -> Hashes:
    """Python tokenising, then rensa's `RMinHash.hash_token_sets` (Rust) for the hashes."""
    from rensa import RMinHash

    words = _words(texts)
    hashed = RMinHash.hash_token_sets(words)
    flat = np.fromiter((h for doc in hashed for h in doc), dtype=np.uint64)
    return flat, _offsets([len(w) for w in words])


def xxhash_words(texts: list[str]) -> Hashes:
    """Python tokenising, then xxh3-64 per word."""
    from xxhash import xxh3_64_intdigest

    words = _words(texts)
    hashed = (xxh3_64_intdigest(w.encode()) for doc in words for w in doc)
    flat = np.fromiter(hashed, dtype=np.uint64)
    return flat, _offsets([len(w) for w in words])


def polars_kernels(texts: list[str]) -> Hashes:
    """polars string kernels: lower case, extract the words, explode, hash (polars' hash is
    not stable across its versions, so the index would depend on the polars version)."""
    import polars as pl

    words = pl.Series(texts).str.to_lowercase().str.extract_all(r"[a-z0-9]+")
    counts = words.list.len().to_list()
    flat = words.explode().drop_nulls().hash(seed=1).to_numpy().astype(np.uint64)
    return flat, _offsets(counts)


def pyarrow_kernels(texts: list[str]) -> Hashes:
    """pyarrow: lower case and split in C++, dictionary-encode the words, then xxh3-64 on the
    distinct words only (pyarrow has no per-value hash kernel)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from xxhash import xxh3_64_intdigest

    lowered = pc.utf8_lower(pa.array(texts))
    words = pc.split_pattern_regex(lowered, r"[^a-z0-9]+")
    flat = pc.list_flatten(words)
    flat = flat.filter(pc.not_equal(flat, ""))
    encoded = pc.dictionary_encode(flat)
    distinct = np.fromiter(
        (xxh3_64_intdigest(w.encode()) for w in encoded.dictionary.to_pylist()), dtype=np.uint64
    )
    hashes = distinct[encoded.indices.to_numpy()]
    parents = pc.list_parent_indices(words).to_numpy()
    empty = pc.equal(pc.list_flatten(words), "").to_numpy(zero_copy_only=False)
    counts = np.bincount(parents[~empty], minlength=len(texts))
    return hashes, _offsets(counts.tolist())


WAYS: dict[str, tuple[Callable[[list[str]], Hashes], bool]] = {
    "numpy passes (dedup before, the anchor)": (numpy_passes, True),
    "numba kernel (dedup now)": (numba_kernel, True),
    "rensa hash_token_sets (Python tokenising)": (rensa_token_sets, False),
    "xxhash xxh3-64 per word (Python tokenising)": (xxhash_words, False),
    "polars extract_all + hash": (polars_kernels, False),
    "pyarrow split + dictionary + xxhash": (pyarrow_kernels, False),
}


def best_cpu(function: Callable[[list[str]], Hashes], batches: list[list[str]]) -> float:
    function(batches[0][:10])  # imports, compilation or the disk cache: not timed
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for batch in batches:
            function(batch)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    texts = [text for _, text in PlantedCorpus(args.docs).shuffled()]
    batches = [texts[i : i + args.batch] for i in range(0, len(texts), args.batch)]
    reference = numpy_passes(batches[0])
    size = sum(len(t) for t in texts) / len(texts)
    print(f"# word hashing, {args.docs:,} documents of {size:,.0f} bytes, batches of {args.batch}")
    print("| way | CPU µs/doc | vs numpy passes | words agree | same hashes |")
    print("|---|---|---|---|---|")
    anchor = 0.0
    for label, (function, same) in WAYS.items():
        try:
            seconds = best_cpu(function, batches)
        except ImportError as exc:
            print(f"| {label} | not installed ({exc.name}) | - | - | - |")
            continue
        anchor = anchor or seconds
        hashes, offsets = function(batches[0])
        agree = np.array_equal(offsets, reference[1])
        assert not same or np.array_equal(hashes, reference[0]), label
        print(
            f"| {label} | {seconds * 1e6 / len(texts):,.1f} | {anchor / seconds:.1f}x | "
            f"{'yes' if agree else 'NO'} | {'yes' if same else 'no'} |"
        )


if __name__ == "__main__":
    main()
