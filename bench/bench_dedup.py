"""Dedup bench: signature speed (rensa vs datasketch), recall vs an exact baseline, and scaling.

    python bench/bench_dedup.py                       # everything, default sizes
    python bench/bench_dedup.py --sizes 10000,30000 --recall-docs 5000 --sig-docs 10000
    python bench/bench_dedup.py --parts signatures,recall   # skip the scaling runs
    python bench/bench_dedup.py --parts boilerplate   # recall with shared passages, cap vs none

Every measurement runs in its own child process, so that each peak RSS is its own.
Anchors, compared in the same run as ratios: datasketch for signature speed and recall; the
smallest size for scaling (docs/s at N divided by docs/s at the smallest N: near 1.0 is linear).
The exact baseline is a full inverted index over every shingle of every document: it yields the
exact Jaccard and containment of every pair that shares at least one shingle (all other pairs
have both at 0), i.e. the same answer as comparing all pairs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scraper.config import DedupConfig
from scraper.dedup import Deduplicator
from scraper.dedup.match import bucket_keys
from scraper.dedup.minhash import signatures
from scraper.dedup.text import features
from scraper.document import Document
from scraper.pipeline import Stats
from scraper.write import CorpusWriter

WORDS_PER_DOC = (400, 480)  # about 3 KB of text
# The boilerplate part: each document ends with one of this many shared passages, so each passage
# is in about 1/10 of the documents (200 of 2000: above the default containment_max_df).
BOILERPLATE_PASSAGES = 10
SYLLABLES = [
    "ka",
    "ta",
    "ra",
    "ma",
    "na",
    "sa",
    "pa",
    "la",
    "ga",
    "ba",
    "ja",
    "da",
    "ha",
    "wa",
    "ke",
    "te",
    "re",
    "me",
    "ne",
    "se",
    "pe",
    "le",
    "ki",
    "ti",
    "ri",
    "mi",
    "ni",
    "si",
    "ku",
    "tu",
    "ru",
    "mu",
    "nu",
    "su",
    "ko",
    "to",
    "ro",
    "mo",
    "an",
    "ang",
    "ung",
    "in",
]


class Corpus:
    """Synthetic Indonesian-looking text with a Zipf vocabulary (common words recur, as in news)."""

    def __init__(self, seed: int, vocab: int = 30000) -> None:
        rng = random.Random(seed)
        words: set[str] = set()
        while len(words) < vocab:
            words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
        self.vocab = np.array(sorted(words))
        weights = 1.0 / (np.arange(vocab) + 20.0)
        self.p = weights / weights.sum()
        self.rng = np.random.default_rng(seed)

    def words(self, n: int | None = None) -> list[str]:
        n = n or int(self.rng.integers(*WORDS_PER_DOC))
        return list(self.vocab[self.rng.choice(len(self.vocab), size=n, p=self.p)])

    def edit(self, words: list[str], edits: int) -> list[str]:
        out = list(words)
        for pos in self.rng.choice(len(out), size=min(edits, len(out)), replace=False):
            out[int(pos)] = str(self.vocab[int(self.rng.integers(len(self.vocab)))]) + "x"
        return out


def to_doc(words: list[str], name: str) -> Document:
    paragraphs = [" ".join(words[i : i + 60]) + "." for i in range(0, len(words), 60)]
    return Document(title=name, paragraphs=paragraphs, source=name, url=f"https://bench.id/{name}")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- children -------------------------------------------------------------------------------------
def child_signatures(args: argparse.Namespace) -> dict[str, float]:
    """Signature time per document for one backend, 1000 documents at a time.

    Only the library call is timed: normalising and shingle hashing are ours and shared.
    """
    config = DedupConfig(backend=args.backend)
    corpus = Corpus(1)
    seconds = 0.0
    for start in range(0, args.sig_docs, 1000):
        count = min(1000, args.sig_docs - start)
        feats = features([" ".join(corpus.words()) for _ in range(count)], config)
        t0 = time.perf_counter()
        signatures([f.long for f in feats], config)
        seconds += time.perf_counter() - t0
    return {
        "docs_per_s": args.sig_docs / seconds,
        "ms_per_doc": 1000 * seconds / args.sig_docs,
        "peak_rss_mb": peak_rss_mb(),
    }


def recall_corpus(n: int, seed: int) -> list[tuple[str, list[str]]]:
    """n documents: 8% near-duplicates (Jaccard 0.70-0.97), 8% contained parts (30-80% of a
    document, a few edits), 8% sharing 15-35% of their sentences with another (not duplicates)."""
    corpus = Corpus(seed)
    rng = random.Random(seed)
    docs: list[tuple[str, list[str]]] = []
    planted = n // 12
    base_count = n - 3 * planted
    for i in range(base_count):
        docs.append((f"b{i}", corpus.words()))
    for i in range(planted):
        _, base = docs[rng.randrange(base_count)]
        target = rng.uniform(0.70, 0.97)
        edits = round(len(base) * (1 - target) / (5 * (1 + target)))
        docs.append((f"n{i}", corpus.edit(base, edits)))
    for i in range(planted):
        _, base = docs[rng.randrange(base_count)]
        length = int(len(base) * rng.uniform(0.3, 0.8))
        start = rng.randrange(len(base) - length + 1)
        docs.append((f"c{i}", corpus.edit(base[start : start + length], rng.randint(0, 6))))
    for i in range(planted):
        _, base = docs[rng.randrange(base_count)]
        share = int(len(base) * rng.uniform(0.15, 0.35))
        docs.append((f"w{i}", corpus.words() + base[:share]))
    return docs


def add_boilerplate(
    docs: list[tuple[str, list[str]]], words: int, passages: int, seed: int
) -> list[tuple[str, list[str]]]:
    """Append one of `passages` shared passages of `words` words to every document: the
    disclaimers and stock paragraphs that survive cleaning, each shared by many documents."""
    corpus, rng = Corpus(seed + 1), random.Random(seed + 1)
    shared = [corpus.words(words) for _ in range(passages)]
    return [(name, ws + rng.choice(shared)) for name, ws in docs]


def exact_pairs(
    names: list[str], sets: list[frozenset[int]]
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """Pairs at Jaccard ≥ 0.8, and the other pairs at containment ≥ 0.8, computed exactly."""
    postings: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        for h in s:
            postings[h].append(i)
    near: set[tuple[str, str]] = set()
    contained: set[tuple[str, str]] = set()
    for i, s in enumerate(sets):
        shared: dict[int, int] = defaultdict(int)
        for h in s:
            for j in postings[h]:
                if j > i:
                    shared[j] += 1
        for j, inter in shared.items():
            pair = (names[i], names[j])
            if inter / (len(s) + len(sets[j]) - inter) >= 0.8:
                near.add(pair)
            elif inter / min(len(s), len(sets[j])) >= 0.8:
                contained.add(pair)
    return near, contained


def child_recall(args: argparse.Namespace) -> dict[str, float]:
    config = DedupConfig(backend=args.backend)
    if args.max_df >= 0:
        config = dataclasses.replace(config, containment_max_df=args.max_df)
    docs = recall_corpus(args.recall_docs, seed=7)
    if args.add_boilerplate:
        docs = add_boilerplate(docs, args.add_boilerplate, BOILERPLATE_PASSAGES, seed=7)
    names = [n for n, _ in docs]
    feats = features([" ".join(w) for _, w in docs], config)
    near, contained = exact_pairs(names, [f.long for f in feats])
    start = time.perf_counter()
    keys = [set(k) for k in bucket_keys(feats, config)]
    by_name = dict(zip(names, keys, strict=True))
    lsh_hits = sum(bool(by_name[a] & by_name[b]) for a, b in near)
    random.Random(3).shuffle(docs)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        stats = Stats()
        with Deduplicator(config, CorpusWriter(Path(tmp))) as dedup:
            for i in range(0, len(docs), args.batch):
                dedup.commit([to_doc(w, n) for n, w in docs[i : i + args.batch]], stats)
        seconds = time.perf_counter() - start
        lines = (Path(tmp) / "manifest.jsonl").read_text("utf-8").splitlines()
        kept = {json.loads(line)["source"] for line in lines}
    partnered = {x for pair in near | contained for x in pair}
    false_drops = sum(1 for n in names if n not in kept and n not in partnered)
    return {
        "docs": len(docs),
        "near_pairs": len(near),
        "contained_pairs": len(contained),
        "lsh_recall_near": lsh_hits / max(1, len(near)),
        "recall_near": sum(not (a in kept and b in kept) for a, b in near) / max(1, len(near)),
        "recall_contained": sum(not (a in kept and b in kept) for a, b in contained)
        / max(1, len(contained)),
        "false_drops": false_drops,
        "kept": len(kept),
        "seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def child_scaling(args: argparse.Namespace) -> dict[str, float]:
    """Commit `size` documents (10% planted copies of recent ones) in batches; time commit only."""
    config = DedupConfig(backend=args.backend)
    corpus = Corpus(11)
    rng = random.Random(11)
    recent: list[list[str]] = []
    out = Path(tempfile.mkdtemp(dir=args.workdir))
    busy = 0.0
    try:
        stats = Stats()
        with Deduplicator(config, CorpusWriter(out)) as dedup:
            for start in range(0, args.size, args.batch):
                batch = []
                for i in range(start, min(start + args.batch, args.size)):
                    if recent and rng.random() < 0.1:
                        words = corpus.edit(rng.choice(recent), rng.randint(0, 8))
                    else:
                        words = corpus.words()
                        recent = [*recent[-1999:], words]
                    batch.append(to_doc(words, f"d{i}"))
                t0 = time.perf_counter()
                dedup.commit(batch, stats)
                busy += time.perf_counter() - t0
            t0 = time.perf_counter()
        busy += time.perf_counter() - t0  # close(): the final flush
        index_mb = (out / ".scraper" / "dedup.sqlite").stat().st_size / 2**20
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {
        "docs": args.size,
        "seconds": busy,
        "docs_per_s": args.size / busy,
        "peak_rss_mb": peak_rss_mb(),
        "index_mb": index_mb,
        "kept": stats.kept["dedup"],
        "dropped": sum(stats.dropped.values()),
    }


CHILDREN = {"signatures": child_signatures, "recall": child_recall, "scaling": child_scaling}


# -- parent ---------------------------------------------------------------------------------------
def spawn(args: argparse.Namespace, child: str, **extra: object) -> dict[str, float]:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        child,
        "--workdir",
        args.workdir,
        "--sig-docs",
        str(args.sig_docs),
        "--recall-docs",
        str(args.recall_docs),
        "--batch",
        str(args.batch),
    ]
    for key, value in extra.items():
        cmd += [f"--{key.replace('_', '-')}", str(value)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def report_signatures(args: argparse.Namespace) -> None:
    rows = {b: spawn(args, "signatures", backend=b) for b in ("rensa", "datasketch")}
    print(f"\n## MinHash signatures, {args.sig_docs} docs of ~3 KB, 128 permutations")
    print("| library | docs/s | ms/doc | peak RSS MB |")
    print("|---|---|---|---|")
    for name, r in rows.items():
        print(
            f"| {name} | {r['docs_per_s']:.0f} | {r['ms_per_doc']:.3f} | {r['peak_rss_mb']:.0f} |"
        )
    ratio = rows["rensa"]["docs_per_s"] / rows["datasketch"]["docs_per_s"]
    print(f"rensa / datasketch speed: {ratio:.1f}x")


def report_recall(args: argparse.Namespace) -> None:
    rows = {b: spawn(args, "recall", backend=b) for b in ("rensa", "datasketch")}
    r0 = rows["rensa"]
    print(
        f"\n## Recall against the exact baseline, {r0['docs']:.0f} docs "
        f"({r0['near_pairs']:.0f} pairs at Jaccard >= 0.8, "
        f"{r0['contained_pairs']:.0f} more at containment >= 0.8)"
    )
    print(
        "| library | LSH alone, J>=0.8 | end to end, J>=0.8 | end to end, containment>=0.8 "
        "| false drops | kept | s | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, r in rows.items():
        print(
            f"| {name} | {r['lsh_recall_near']:.3f} | {r['recall_near']:.3f} | "
            f"{r['recall_contained']:.3f} | {r['false_drops']:.0f} | {r['kept']:.0f} | "
            f"{r['seconds']:.1f} | {r['peak_rss_mb']:.0f} |"
        )


def report_boilerplate(args: argparse.Namespace) -> None:
    """Recall and time when every document carries shared boilerplate, with the document-
    frequency cap (the default containment_max_df) against no cap (max_df 0, which selects
    containment candidates exactly as before the cap existed): the anchor, in the same run."""
    default = DedupConfig().containment_max_df
    caps = [0, default]
    rows = {
        cap: spawn(
            args,
            "recall",
            backend="rensa",
            max_df=cap,
            add_boilerplate=args.boilerplate,
            recall_docs=args.boilerplate_docs,
        )
        for cap in caps
    }
    r0 = rows[0]
    print(
        f"\n## Boilerplate: {r0['docs']:.0f} docs, each + one of {BOILERPLATE_PASSAGES} shared "
        f"passages of {args.boilerplate} words ({r0['near_pairs']:.0f} pairs at Jaccard >= 0.8, "
        f"{r0['contained_pairs']:.0f} more at containment >= 0.8), rensa"
    )
    print(
        "| containment_max_df | end to end, J>=0.8 | end to end, containment>=0.8 "
        "| false drops | kept | s | time vs no cap |"
    )
    print("|---|---|---|---|---|---|---|")
    for cap, r in rows.items():
        print(
            f"| {cap or 'none (0)'} | {r['recall_near']:.3f} | {r['recall_contained']:.3f} | "
            f"{r['false_drops']:.0f} | {r['kept']:.0f} | {r['seconds']:.1f} | "
            f"{r['seconds'] / r0['seconds']:.2f} |"
        )


def report_scaling(args: argparse.Namespace) -> None:
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = [spawn(args, "scaling", backend="rensa", size=n) for n in sizes]
    print(
        f"\n## Scaling: Deduplicator.commit with rensa, batches of {args.batch}, "
        f"folder in {args.workdir}"
    )
    print("| docs | s | docs/s | vs smallest | peak RSS MB | index MB | kept | dropped |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        ratio = r["docs_per_s"] / rows[0]["docs_per_s"]
        print(
            f"| {r['docs']:.0f} | {r['seconds']:.1f} | {r['docs_per_s']:.0f} | {ratio:.2f} | "
            f"{r['peak_rss_mb']:.0f} | {r['index_mb']:.0f} | {r['kept']:.0f} | "
            f"{r['dropped']:.0f} |"
        )
    last = rows[-1]
    if last["docs"] < 1_000_000:
        factor = 1_000_000 / last["docs"]
        print(
            f"1M docs, extrapolated linearly from {last['docs']:.0f} (not measured): "
            f"~{factor * last['seconds'] / 60:.0f} min, index ~{factor * last['index_mb']:.0f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--sig-docs", type=int, default=10000)
    parser.add_argument("--recall-docs", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument(
        "--workdir",
        default=tempfile.gettempdir(),
        help="where the bench corpus folders go (default: the temp folder)",
    )
    parser.add_argument(
        "--parts",
        default="signatures,recall,boilerplate,scaling",
        help="which parts to run (comma list)",
    )
    parser.add_argument(
        "--boilerplate",
        type=int,
        default=200,
        help="words per shared passage in the boilerplate part",
    )
    parser.add_argument("--boilerplate-docs", type=int, default=2000)
    parser.add_argument("--max-df", type=int, default=-1, help=argparse.SUPPRESS)
    parser.add_argument("--add-boilerplate", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--backend", default="rensa", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](args)))
        return
    print(f"# bench_dedup on {os.cpu_count()} cores, python {sys.version.split()[0]}")
    parts = set(args.parts.split(","))
    if "signatures" in parts:
        report_signatures(args)
    if "recall" in parts:
        report_recall(args)
    if "boilerplate" in parts:
        report_boilerplate(args)
    if "scaling" in parts:
        report_scaling(args)


if __name__ == "__main__":
    main()
