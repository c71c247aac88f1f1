"""`scraper clean` on a Dask LocalCluster of 1 and 2 workers against local `--jobs 1` / `--jobs 2`.

    python bench/bench_scale_dask.py [--docs 10000] [--dedup] [--seed 3] [--workdir DIR]

Generates the corpus of bench_scale.py (Indonesian-news-like articles of 3-6 KB, with exact,
near and truncated copies) into a temporary folder, then runs the real command in a subprocess
four times, each into a fresh folder: `--jobs 1`, `--jobs 2`, `--engine dask --jobs 1` and
`--engine dask --jobs 2` (a LocalCluster of that many single-threaded worker processes, its
start-up included in the wall time). Without `--dedup` the runs pass `--no-dedup`: dedup stays on
the client, so it would cap every engine alike. Prints docs/s and the ratio of each run against
`--jobs 1` of the same session (the anchor), and checks that every run wrote the same manifest.
The machine is shared: the load average before and after is printed. Nothing is kept.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from bench_scale import generate, run_command

RUNS = [("local --jobs 1", ["--jobs", "1"]), ("local --jobs 2", ["--jobs", "2"]),
        ("dask, 1 worker", ["--engine", "dask", "--jobs", "1"]),
        ("dask, 2 workers", ["--engine", "dask", "--jobs", "2"])]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=10000)
    parser.add_argument("--dedup", action="store_true", help="keep dedup on (default: off)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--workdir", default=None, help="where the temporary folder goes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        dump = Path(tmp) / "dump"
        size = generate(dump, args.docs, args.seed)
        print(f"## {args.docs} docs ({size / 1e6:.1f} MB), dedup {'on' if args.dedup else 'off'}")
        print(f"load before: {load()}")
        print("| run | wall s | docs/s | vs --jobs 1 |\n|---|---|---|---|")
        anchor, manifests = 0.0, set()
        for number, (name, flags) in enumerate(RUNS):
            out = Path(tmp) / f"out-{number}"
            extra = [] if args.dedup else ["--no-dedup"]
            result = run_command(["clean", str(dump), "-o", str(out), *flags, *extra])
            rate = args.docs / result["wall"]
            anchor = anchor or rate
            print(f"| {name} | {result['wall']:.1f} | {rate:.0f} | {rate / anchor:.2f}x |",
                  flush=True)
            manifests.add((out / "manifest.jsonl").read_bytes())
        print(f"load after: {load()}")
        print("every run wrote the same manifest" if len(manifests) == 1
              else "MISMATCH: the runs wrote different manifests")


if __name__ == "__main__":
    main()
