"""How widely documents share sentences: a real corpus against the scale bench's generator.

    scraper clean DUMPS -o CORPUS --no-dedup      # e.g. the real dumps of docs/fidelity.md
    python bench/bench_sharing.py CORPUS [--shares 1,0.25,0.05]

The cost of finding containment candidates grows with how many other documents hold each
sampled shingle hash of a document (`scraper.dedup.batch`). For the corpus files of CORPUS (the
bodies dedup compares, over 500 characters) and for as many original articles of
`bench_scale.py`'s generator at each `--shared` value (pool of 20,000 sentences, header and
footer lines left out), it prints the share of sampled keys held by two documents or more and
the mean number of other holders of a document's keys. Nothing is timed.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_scale import Generator

from scraper.config import DedupConfig
from scraper.dedup.text import body_text, features, file_paragraphs

MIN_CHARS = 500


def sharing(texts: list[str]) -> tuple[int, float, float]:
    """(documents, share of keys held by 2+ of them, mean other holders of a document's keys)."""
    texts = [t for t in texts if len(t) > MIN_CHARS]
    feats = features(texts, DedupConfig())
    holders: Counter[int] = Counter()
    for f in feats:
        holders.update(f.folded_samples().tolist())
    shared = sum(1 for count in holders.values() if count > 1) / max(1, len(holders))
    others = [sum(holders[k] - 1 for k in f.folded_samples().tolist()) for f in feats]
    return len(texts), shared, float(np.mean(others)) if others else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path, help="corpus files (`scraper clean` output)")
    parser.add_argument("--shares", default="1,0.25,0.05")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    files = sorted(args.corpus.glob("*.txt"))
    real = [body_text(file_paragraphs(p.read_text("utf-8"))) for p in files]
    print("| corpus | documents | keys held by 2+ | other holders a document |")
    print("|---|---|---|---|")
    rows = [(f"{args.corpus.name} (real)", real)]
    for share in (float(s) for s in args.shares.split(",")):
        generator = Generator(args.seed, sentences=20000, shared=share)
        articles = [generator.article(i)["text"].split("\n")[1:-1] for i in range(len(real))]
        rows.append((f"generator, --shared {share:g}", ["\n".join(a) for a in articles]))
    for name, texts in rows:
        docs, shared, others = sharing(texts)
        print(f"| {name} | {docs:,} | {100 * shared:.1f}% | {others:.1f} |")


if __name__ == "__main__":
    main()
