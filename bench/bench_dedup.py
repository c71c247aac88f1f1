"""Dedup bench: the dedup stage alone against anchors, with recall against an exact baseline.

    python bench/bench_dedup.py                        # 10k and 100k documents
    python bench/bench_dedup.py --sizes 10000 --spacy-max 0   # quick: no spaCy anchor
    python bench/bench_dedup.py --anchors ours,rensa          # only some of the runs
    python bench/bench_dedup.py --phases --sizes 10000        # CPU time per phase of ours
    python bench/bench_dedup.py --anchors ours --anchor-src /work/wt/main-copy   # ours, then
                                                   # the same stage from another source tree

Every run is a child process, so that each peak RSS is its own. The runs, on the same corpus:
  - ours: `Deduplicator.commit` in batches of --batch documents into a fresh folder. The stage
    alone is timed: commit and close, minus the time the writer spends writing (its files and
    manifest lines, one fsync per batch, and the manifest rewrite at close: the writer's
    business, measured by bench_scale.py). Candidate files read back for verification are part
    of the stage; loading the compiled hashing kernels once per process is timed apart. Wall
    and CPU time are both reported: on a shared machine the CPU figure is the steadier one.
  - rensa: bare rensa LSH in a short script (Python shingling, `RMinHashLSH`, 16 × 8 bands, a
    document is dropped when the LSH reports a kept candidate, no verification).
  - datatrove: its MinHash dedup as shipped (spaCy's Indonesian tokenizer; only up to
    --spacy-max documents, it runs at ~120 docs/s) and with a whitespace tokenizer, one worker
    (bench/anchor_datatrove.py).
With `--anchor-src DIR` (a source tree of another version, e.g. a worktree of main), each of our
runs also runs with that tree first, in a child process whose PYTHONPATH and working folder are
that tree (the bench checks which `scraper` the child imported), and the report gives the CPU
ratio and whether both wrote the very same corpus (files and manifest, compared by digest).
The exact baseline is every pair of documents sharing a 5-word shingle, with its exact Jaccard
and containment (pairs that share none are at 0 for both): the same answer as comparing all pairs.
Recall counts a planted pair as found when the two are not both kept.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

# The tree whose `scraper` is measured: this one, or the anchor's (set by `spawn` with
# PYTHONPATH, since this script's own folder comes first on sys.path): see SRC_ENV.
sys.path.insert(0, os.environ.get("BENCH_DEDUP_SRC") or str(Path(__file__).resolve().parent.parent))

import scraper
from scraper.config import DedupConfig
from scraper.dedup import Deduplicator
from scraper.dedup.match import bucket_keys
from scraper.dedup.text import features, normalize_words
from scraper.document import Document
from scraper.stats import Stats
from scraper.write import BatchItem, CorpusWriter

SRC_ENV = "BENCH_DEDUP_SRC"
WORDS_PER_DOC = (400, 480)  # about 3 KB of text
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
        rng = np.random.default_rng(seed)
        words: set[str] = set()
        while len(words) < vocab:
            count = int(rng.integers(2, 5))
            words.add("".join(SYLLABLES[int(k)] for k in rng.integers(len(SYLLABLES), size=count)))
        self.vocab = sorted(words)
        weights = 1.0 / (np.arange(vocab) + 20.0)
        self.cdf = np.cumsum(weights / weights.sum())

    def words(self, rng: np.random.Generator, n: int | None = None) -> list[str]:
        n = n or int(rng.integers(*WORDS_PER_DOC))
        picks = np.searchsorted(self.cdf, rng.random(n)).clip(max=len(self.vocab) - 1)
        return [self.vocab[i] for i in picks.tolist()]

    def edit(self, rng: np.random.Generator, words: list[str], edits: int) -> list[str]:
        out = list(words)
        for pos in rng.choice(len(out), size=min(edits, len(out)), replace=False).tolist():
            out[pos] = self.vocab[int(rng.integers(len(self.vocab)))] + "x"
        return out


class PlantedCorpus:
    """n documents: 8% near-duplicates (Jaccard 0.70-0.97), 8% contained parts (a first page or
    another 30-80% slice, a few edits), 8% sharing 15-35% of their text with another (not
    duplicates), the rest unrelated. Each document is made from its number alone, so any size
    streams in flat memory and every run sees the same corpus."""

    def __init__(self, n: int, seed: int = 7) -> None:
        self.n, self.seed = n, seed
        self.corpus = Corpus(seed)
        self.planted = n // 12
        self.bases = n - 3 * self.planted

    def _base(self, i: int) -> list[str]:
        return self.corpus.words(np.random.default_rng([self.seed, 0, i]))

    def doc(self, i: int) -> tuple[str, list[str]]:
        """The i-th document, as (name, words)."""
        if i < self.bases:
            return f"b{i}", self._base(i)
        kind, k = divmod(i - self.bases, self.planted)
        rng = np.random.default_rng([self.seed, 1 + kind, k])
        base = self._base(int(rng.integers(self.bases)))
        if kind == 0:
            target = rng.uniform(0.70, 0.97)
            edits = round(len(base) * (1 - target) / (5 * (1 + target)))
            return f"n{k}", self.corpus.edit(rng, base, edits)
        if kind == 1:
            length = int(len(base) * rng.uniform(0.3, 0.8))
            start = 0 if rng.random() < 0.5 else int(rng.integers(len(base) - length + 1))
            return f"c{k}", self.corpus.edit(
                rng, base[start : start + length], int(rng.integers(7))
            )
        share = int(len(base) * rng.uniform(0.15, 0.35))
        return f"w{k}", self.corpus.words(rng) + base[:share]

    def shuffled(self) -> Iterator[tuple[str, str]]:
        """Every document as (name, text), in a fixed shuffled order."""
        for i in np.random.default_rng(self.seed + 3).permutation(self.n).tolist():
            name, words = self.doc(i)
            yield name, " ".join(words)


def recall_corpus(n: int, seed: int) -> list[tuple[str, list[str]]]:
    """The planted corpus as a list of (name, words), in number order (small n only)."""
    corpus = PlantedCorpus(n, seed)
    return [corpus.doc(i) for i in range(n)]


def to_doc(words: list[str], name: str) -> Document:
    paragraphs = [" ".join(words[i : i + 60]) + "." for i in range(0, len(words), 60)]
    return Document(title=name, paragraphs=paragraphs, source=name, url=f"https://bench.id/{name}")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def batches(corpus: PlantedCorpus, size: int) -> Iterator[list[tuple[str, str]]]:
    batch: list[tuple[str, str]] = []
    for item in corpus.shuffled():
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# -- children -------------------------------------------------------------------------------------
class BenchWriter(CorpusWriter):
    """A corpus writer that counts the time it spends writing (files, the manifest and its
    rewrite at the end), to leave it out."""

    def __init__(self, out: Path) -> None:
        super().__init__(out)
        self.clock = Stopwatch()

    def write_batch(self, items: Sequence[BatchItem]) -> list[dict[str, Any]]:
        with self.clock.timing():
            return super().write_batch(items)

    def rewrite(self, transform: Any, extra: Any = ()) -> None:
        with self.clock.timing():
            super().rewrite(transform, extra)


class PhaseClock:
    """Exclusive CPU time spent in named functions of the stage (a function's time leaves out the
    time of the other timed functions it calls), by patching them in this child process."""

    # (module, class or "", function) -> phase.
    TIMED: ClassVar[dict[tuple[str, str, str], str]] = {
        ("prehash", "", "prepare"): "text features (words, shingles, exact key)",
        ("prehash", "", "bucket_keys"): "signatures and band keys",
        ("deduplicator", "", "find_candidates"): "candidate lookups (index + batch)",
        ("deduplicator", "Deduplicator", "_load_many"): "reading candidates back",
        ("deduplicator", "", "classify"): "exact verification",
        ("deduplicator", "Deduplicator", "_decide"): "decisions (the rest)",
        ("deduplicator", "Deduplicator", "_index_kept"): "indexing the kept ones",
        ("index", "Index", "set_state"): "index state updates",
        ("index", "Index", "merge"): "saving the keys",
        ("deduplicator", "Deduplicator", "flush"): "flush (deleting replaced files)",
        ("deduplicator", "Deduplicator", "commit"): "commit (the rest)",
    }

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(self.TIMED.values(), 0.0)
        self._inner: list[float] = []

    def install(self) -> None:
        import importlib

        for (module, cls, name), phase in self.TIMED.items():
            owner: Any = importlib.import_module(f"scraper.dedup.{module}")
            owner = getattr(owner, cls) if cls else owner
            if hasattr(owner, name):  # another tree (--anchor-src) may not have it
                setattr(owner, name, self._timed(phase, getattr(owner, name)))
        for name in ("write_batch", "rewrite"):
            timed = self._timed("writing (left out)", getattr(BenchWriter, name))
            setattr(BenchWriter, name, timed)

    def _timed(self, phase: str, function: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            self._inner.append(0.0)
            try:
                return function(*args, **kwargs)
            finally:
                spent = time.process_time() - start
                self.seconds[phase] = self.seconds.get(phase, 0.0) + spent - self._inner.pop()
                if self._inner:
                    self._inner[-1] += spent

        return timed


class Stopwatch:
    """Wall and CPU seconds, added up over the timed sections."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    @contextmanager
    def timing(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall += time.perf_counter() - wall
            self.cpu += time.process_time() - cpu


def warm_up(config: DedupConfig, workdir: str) -> None:
    """Load the compiled kernels (numba's disk cache; compiled on a first run): one small batch
    through the whole stage, a copy and a page of one document included."""
    bucket_keys(features(["satu dua tiga empat lima enam"], config), config)
    words = Corpus(1, vocab=500).words(np.random.default_rng(1), 300)
    docs = [to_doc(words, "a"), to_doc(words[:150], "b"), to_doc(words[::-1], "c")]
    with (
        tempfile.TemporaryDirectory(dir=workdir) as tmp,
        Deduplicator(config, CorpusWriter(Path(tmp))) as dedup,
    ):
        dedup.commit(docs[:1], Stats())
        dedup.commit(docs[1:], Stats())


def corpus_digest(folder: Path) -> str:
    """A digest of the corpus: every file's name and bytes, and the manifest."""
    digest = hashlib.sha256()
    for path in [*sorted(folder.glob("*.txt")), folder / "manifest.jsonl"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def child_ours(args: argparse.Namespace) -> dict[str, Any]:
    clock = PhaseClock()
    if args.phases:
        clock.install()
    corpus = PlantedCorpus(args.size)
    config = DedupConfig()
    startup, stage = Stopwatch(), Stopwatch()
    with startup.timing():
        warm_up(config, args.workdir)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        writer = BenchWriter(Path(tmp))
        stats = Stats()
        with stage.timing():
            dedup = Deduplicator(config, writer)
        for batch in batches(corpus, args.batch):
            docs = [to_doc(text.split(), name) for name, text in batch]
            for doc in docs:  # the pipeline knows each id before dedup (it skips known ids)
                _ = doc.id
            with stage.timing():
                dedup.commit(docs, stats)
        index_bytes = dedup.index.memory_bytes()
        with stage.timing():
            dedup.close()
        kept = [str(e["source"]) for e in writer.entries()]
        digest = corpus_digest(Path(tmp))
        sqlite_mb = (Path(tmp) / ".scraper" / "dedup.sqlite").stat().st_size / 2**20
    seconds, cpu = stage.wall - writer.clock.wall, stage.cpu - writer.clock.cpu
    return {
        "docs": args.size,
        "seconds": seconds,
        "docs_per_s": args.size / seconds,
        "docs_per_cpu_s": args.size / cpu,
        "corpus_digest": digest,
        "scraper_src": str(Path(scraper.__file__).resolve().parent.parent),
        "startup_seconds": startup.wall,
        "writer_seconds": writer.clock.wall,
        "peak_rss_mb": peak_rss_mb(),
        "index_bytes_per_doc": index_bytes / len(kept),
        "sqlite_mb": sqlite_mb,
        "kept_ids": kept,
        "phases": clock.seconds,
    }


def _python_shingles(text: str) -> set[str]:
    words = normalize_words(text)
    return {" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))}


def child_rensa(args: argparse.Namespace) -> dict[str, Any]:
    from rensa import RMinHash, RMinHashLSH

    corpus = PlantedCorpus(args.size)
    lsh = RMinHashLSH(threshold=0.8, num_perm=128, num_bands=16)
    kept: list[str] = []
    seconds = 0.0
    for batch in batches(corpus, args.batch):
        start = time.perf_counter()
        for name, text in batch:
            minhash = RMinHash(num_perm=128, seed=1)
            minhash.update(list(_python_shingles(text)))
            if not lsh.query(minhash):
                lsh.insert(len(kept), minhash)
                kept.append(name)
        seconds += time.perf_counter() - start
    return {
        "docs": args.size,
        "seconds": seconds,
        "docs_per_s": args.size / seconds,
        "peak_rss_mb": peak_rss_mb(),
        "kept_ids": kept,
    }


def child_datatrove(args: argparse.Namespace) -> dict[str, Any]:
    from bench.anchor_datatrove import run_datatrove

    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        data = Path(tmp) / "corpus.jsonl"
        with data.open("w", encoding="utf-8") as handle:
            for name, text in PlantedCorpus(args.size).shuffled():
                handle.write(json.dumps({"id": name, "text": text}) + "\n")
        result = run_datatrove(data, args.tokenizer)
    result["kept_ids"] = sorted(result["kept_ids"])
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def child_baseline(args: argparse.Namespace) -> dict[str, Any]:
    """Every pair at Jaccard >= 0.8 ("near"), and the other pairs at containment >= 0.8."""
    config = DedupConfig()
    corpus = PlantedCorpus(args.size)
    names: list[str] = []
    hashes: list[np.ndarray] = []
    for start in range(0, args.size, 1000):
        items = [corpus.doc(i) for i in range(start, min(start + 1000, args.size))]
        names += [name for name, _ in items]
        hashes += [f.long_set() for f in features([" ".join(w) for _, w in items], config)]
    sizes = np.array([len(h) for h in hashes], dtype=np.int64)
    owner = np.repeat(np.arange(len(hashes), dtype=np.int64), sizes)
    flat = np.concatenate(hashes)
    del hashes
    order = np.argsort(flat, kind="stable")
    flat, owner = flat[order], owner[order]
    starts = np.flatnonzero(np.r_[True, flat[1:] != flat[:-1]])
    counts = np.diff(np.r_[starts, len(flat)])
    codes: list[np.ndarray] = []
    for size in np.unique(counts[counts > 1]).tolist():
        group_starts = starts[counts == size]
        for a in range(size):
            for b in range(a + 1, size):
                x, y = owner[group_starts + a], owner[group_starts + b]
                codes.append(np.minimum(x, y) * len(names) + np.maximum(x, y))
    pairs, shared = np.unique(np.concatenate(codes), return_counts=True)
    a, b = pairs // len(names), pairs % len(names)
    jaccard = shared / (sizes[a] + sizes[b] - shared)
    contained = shared / np.minimum(sizes[a], sizes[b])
    near = jaccard >= config.threshold
    cont = ~near & (contained >= config.containment)
    return {
        "near": [
            [names[i], names[j]] for i, j in zip(a[near].tolist(), b[near].tolist(), strict=True)
        ],
        "contained": [
            [names[i], names[j]] for i, j in zip(a[cont].tolist(), b[cont].tolist(), strict=True)
        ],
        "names": names,
    }


CHILDREN = {
    "ours": child_ours,
    "rensa": child_rensa,
    "datatrove": child_datatrove,
    "baseline": child_baseline,
}


# -- parent ---------------------------------------------------------------------------------------
def spawn(
    args: argparse.Namespace, child: str, size: int, src: str | None = None, **extra: object
) -> dict[str, Any]:
    """Run a child; `src`: the source tree whose `scraper` it measures (default: this one)."""
    cmd = [sys.executable, __file__, "--child", child, "--size", str(size)]
    cmd += ["--workdir", args.workdir, "--batch", str(args.batch)]
    for key, value in extra.items():
        cmd += [f"--{key}"] if value is True else [f"--{key}", str(value)]
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": src, SRC_ENV: src} if src else None
    with tempfile.TemporaryFile("w+") as out:
        subprocess.run(cmd, stdout=out, check=True, cwd=src or root, env=env)
        out.seek(0)
        result: dict[str, Any] = json.loads(out.read().strip().splitlines()[-1])
    measured = result.get("scraper_src")
    if measured is not None and measured != str(Path(src or root).resolve()):
        raise SystemExit(f"the {child} run measured {measured}, not {src or root}")
    return result


def score(result: dict[str, Any], baseline: dict[str, Any]) -> dict[str, Any]:
    """Recall on the near and contained pairs, and drops of documents in no pair."""
    kept = set(result.pop("kept_ids"))
    partnered = {x for pair in baseline["near"] + baseline["contained"] for x in pair}
    for kind in ("near", "contained"):
        pairs = baseline[kind]
        result[f"recall_{kind}"] = sum(not (a in kept and b in kept) for a, b in pairs) / max(
            1, len(pairs)
        )
    result["false_drops"] = sum(
        1 for n in baseline["names"] if n not in kept and n not in partnered
    )
    result["kept"] = len(kept)
    return result


Run = tuple[str, str, dict[str, Any], "str | None"]  # label, child, its options, source tree


def runs_for(args: argparse.Namespace, size: int) -> list[Run]:
    anchors = args.anchors.split(",")
    plan: list[Run] = []
    if "ours" in anchors:
        if args.anchor_src:
            plan.append(("scraper dedup stage, anchor tree", "ours", {}, args.anchor_src))
        plan.append(("scraper dedup stage", "ours", {}, None))
    if "rensa" in anchors:
        plan.append(("bare rensa LSH (Python shingling)", "rensa", {}, None))
    if "datatrove" in anchors:
        if size <= args.spacy_max:
            plan.append(
                ("datatrove MinHash, as shipped (spaCy id)", "datatrove",
                 {"tokenizer": "spacy"}, None)
            )
        plan.append(
            ("datatrove MinHash, whitespace tokenizer", "datatrove",
             {"tokenizer": "whitespace"}, None)
        )
    return plan


def report(args: argparse.Namespace, size: int) -> None:
    baseline = spawn(args, "baseline", size)
    results = []
    for label, child, extra, src in runs_for(args, size):
        try:
            results.append((label, score(spawn(args, child, size, src, **extra), baseline)))
        except subprocess.CalledProcessError as exc:
            print(f"{label}: failed ({exc})", file=sys.stderr)
    anchor = next(
        (r for label, r in results if label.startswith("datatrove") and "whitespace" in label), None
    )
    print(
        f"\n### {size:,} documents ({len(baseline['near']):,} pairs at Jaccard >= 0.8, "
        f"{len(baseline['contained']):,} more at containment >= 0.8), batches of {args.batch}"
    )
    print(
        "| run | docs/s | CPU µs/doc | vs datatrove (whitespace) | peak RSS MB | recall near "
        "| recall contained | false drops | kept |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for label, r in results:
        ratio = f"{r['docs_per_s'] / anchor['docs_per_s']:.1f}x" if anchor else "-"
        cpu = f"{1e6 / r['docs_per_cpu_s']:,.1f}" if "docs_per_cpu_s" in r else "-"
        print(
            f"| {label} | {r['docs_per_s']:,.0f} | {cpu} | {ratio} | {r['peak_rss_mb']:,.0f} | "
            f"{r['recall_near']:.3f} | {r['recall_contained']:.3f} | {r['false_drops']} | "
            f"{r['kept']:,} |"
        )
    for label, r in results:
        if "index_bytes_per_doc" in r:
            print(
                f"{label}: in-memory index {r['index_bytes_per_doc']:.0f} bytes per kept "
                f"document, SQLite file {r['sqlite_mb']:.0f} MB; writer time left out: "
                f"{r['writer_seconds']:.1f} s; {r['docs_per_cpu_s']:,.0f} docs per CPU second; "
                f"loading the compiled kernels once: {r['startup_seconds']:.2f} s (not in docs/s)"
            )
    ours = [r for label, r in results if label.startswith("scraper dedup stage")]
    if args.anchor_src and len(ours) == 2:
        old, new = ours
        same = "the same corpus" if old["corpus_digest"] == new["corpus_digest"] else "DIFFERENT"
        print(
            f"anchor {old['scraper_src']}: {1e6 / old['docs_per_cpu_s']:,.1f} CPU µs/doc; "
            f"this tree: {1e6 / new['docs_per_cpu_s']:,.1f} "
            f"({new['docs_per_cpu_s'] / old['docs_per_cpu_s']:.2f}x "
            f"the anchor's docs per CPU second); files and manifest: {same}"
        )


def phase_report(args: argparse.Namespace, size: int) -> None:
    """Where our stage's time goes: microseconds per document in each phase (exclusive); with
    --anchor-src, the anchor tree's phases beside."""
    trees = ([("anchor", args.anchor_src)] if args.anchor_src else []) + [("this tree", None)]
    results = [(name, spawn(args, "ours", size, src, phases=True)) for name, src in trees]
    print(f"\n### phases of the scraper dedup stage, {size:,} documents, batches of {args.batch}")
    for name, result in results:
        print(
            f"{name} ({result['scraper_src']}): {result['docs_per_s']:,.0f} docs/s, "
            f"{result['docs_per_cpu_s']:,.0f} docs per CPU second (timing wrappers included)"
        )
    if len(results) == 2:
        same = results[0][1]["corpus_digest"] == results[1][1]["corpus_digest"]
        print(f"files and manifest: {'the same corpus' if same else 'DIFFERENT'}")
    print("\n| phase | " + " | ".join(f"CPU µs/doc, {name}" for name, _ in results) + " |")
    print("|---|" + "---|" * len(results))
    for phase in results[-1][1]["phases"]:
        cells = [f"{r['phases'].get(phase, 0.0) * 1e6 / size:,.1f}" for _, r in results]
        print(f"| {phase} | " + " | ".join(cells) + " |")
    totals = [
        sum(v for k, v in r["phases"].items() if "left out" not in k) * 1e6 / size
        for _, r in results
    ]
    print("| the stage (writing left out) | " + " | ".join(f"{t:,.1f}" for t in totals) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--anchors", default="ours,rensa,datatrove")
    parser.add_argument("--spacy-max", type=int, default=10000, help="largest size for spaCy")
    parser.add_argument("--workdir", default=tempfile.gettempdir())
    parser.add_argument(
        "--phases", action="store_true",
        help="time the phases of our stage (no anchors but --anchor-src)",
    )
    parser.add_argument(
        "--anchor-src", default=None,
        help="also run our stage from this source tree (e.g. a worktree of main), as the anchor",
    )
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--tokenizer", default="spacy", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](args)))
        return
    print(f"# bench_dedup on {os.cpu_count()} cores, python {sys.version.split()[0]}")
    for size in (int(s) for s in args.sizes.split(",")):
        if args.phases:
            phase_report(args, size)
        else:
            report(args, size)


if __name__ == "__main__":
    main()
