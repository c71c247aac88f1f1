"""The Dask engine against local processes: `scraper clean` and `scraper dedup DIR`, same run.

    python bench/bench_scale_dask.py [--docs 10000] [--no-dedup] [--seed 3] [--workdir DIR]
                                     [--anchor-src DIR] [--clean-only]

Generates the corpus of bench_scale.py (Indonesian-news-like articles of 3-6 KB, with exact,
near and truncated copies) into a temporary folder, then runs the real commands in subprocesses,
each into a fresh folder:
  * `scraper clean` with `--jobs 1` (the anchor), `--jobs 2`, and `--engine dask` on a
    LocalCluster of 1 and 2 single-threaded worker processes (start-up included); the workers
    read their own partitions of the dump (byte ranges of its JSONL file). Dedup is on (hashed
    on the Dask workers); `--no-dedup` turns it off in every run. With `--anchor-src DIR` (a
    source tree of another version, e.g. `git archive main`), the Dask runs are repeated with
    that tree: there the client reads the dump and ships the records;
  * `scraper dedup DIR` on copies of one folder written with `--no-dedup`: locally (the anchor)
    and with `--engine dask` on 1 and 2 workers (signatures, shuffles and verification on the
    workers);
  * how fast this process alone reads the dump (`read_dumps`, what the client of a Dask run does
    when it reads: stdin, `--store`, `--explain`), and how long it takes to cut the dump into
    partitions (all the client does with file inputs).
`--clean-only` leaves out `scraper dedup DIR`.
Prints docs/s and the ratio of each run against its anchor, and checks that the runs of each
command left the same manifest and files. The machine is shared: the load average before and
after is printed. Nothing is kept.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_scale import generate, run_command

CLEAN_RUNS = [("local --jobs 1", ["--jobs", "1"]), ("local --jobs 2", ["--jobs", "2"]),
              ("dask, 1 worker", ["--engine", "dask", "--jobs", "1"]),
              ("dask, 2 workers", ["--engine", "dask", "--jobs", "2"])]
DEDUP_RUNS = [("local", 0), ("dask, 1 worker", 1), ("dask, 2 workers", 2)]  # Dask workers


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def folder_digest(folder: Path) -> str:
    """One hash over the names and bytes of the folder's top-level files (not its index)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def bench_clean(dump: Path, tmp: Path, docs: int, dedup: bool, anchor_src: str | None) -> None:
    print(f"\n### scraper clean, dedup {'on' if dedup else 'off'}")
    print("| run | wall s | docs/s | vs --jobs 1 |\n|---|---|---|---|")
    anchor, outputs = 0.0, set()
    runs = [(name, flags, None) for name, flags in CLEAN_RUNS]
    if anchor_src:  # the same Dask runs with the other tree
        runs += [(f"{name} (anchor tree)", flags, anchor_src) for name, flags in CLEAN_RUNS
                 if "dask" in flags]
    for number, (name, flags, src) in enumerate(runs):
        out = tmp / f"clean-{number}"
        extra = [] if dedup else ["--no-dedup"]
        result = run_command(["clean", str(dump), "-o", str(out), *flags, *extra], src)
        rate = docs / result["wall"]
        anchor = anchor or rate
        print(f"| {name} | {result['wall']:.1f} | {rate:.0f} | {rate / anchor:.2f}x |", flush=True)
        outputs.add(folder_digest(out))
        shutil.rmtree(out)
    print("every run wrote the same corpus" if len(outputs) == 1
          else "MISMATCH: the runs wrote different corpora")


def bench_dedup(dump: Path, tmp: Path) -> None:
    base = tmp / "undeduplicated"
    run_command(["clean", str(dump), "-o", str(base), "--no-dedup"])
    files = sum(1 for _ in base.glob("*.txt"))
    print(f"\n### scraper dedup DIR, {files} files written with --no-dedup")
    print("| run | wall s | files/s | vs local |\n|---|---|---|---|")
    anchor, outputs = 0.0, set()
    for number, (name, workers) in enumerate(DEDUP_RUNS):
        folder = tmp / f"dedup-{number}"
        shutil.copytree(base, folder)
        flags = ["--engine", "dask", "-c", str(engine_config(tmp, workers))] if workers else []
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "scraper", "dedup", str(folder), *flags],
                              capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"scraper dedup failed:\n{done.stderr[-2000:]}")
        rate = files / wall
        anchor = anchor or rate
        summary = done.stdout.strip().splitlines()[-1]
        print(f"| {name} | {wall:.1f} | {rate:.0f} | {rate / anchor:.2f}x | {summary}",
              flush=True)
        outputs.add(folder_digest(folder))
        shutil.rmtree(folder)
    print("every run left the same folder" if len(outputs) == 1
          else "MISMATCH: the runs left different folders")


def engine_config(tmp: Path, workers: int) -> Path:
    """A config file that asks for a LocalCluster of `workers` processes."""
    path = tmp / f"engine-{workers}.toml"
    path.write_text(f"[engine]\nworkers = {workers}\n")
    return path


def bench_read(dump: Path, tmp: Path, docs: int) -> None:
    """Docs/s of the client's share of a Dask run: reading the dump and checking known work
    when it reads (stdin, `--store`, `--explain`); cutting it into partitions otherwise."""
    from scraper.config import Config
    from scraper.dask_engine import PARTITION_BYTES, partitions
    from scraper.pipeline import read_dumps
    from scraper.stats import Stats

    started = time.perf_counter()
    count = sum(1 for _ in read_dumps([str(dump)], tmp / "none", Config(), Stats()))
    rate = count / (time.perf_counter() - started)
    print(f"\n### the client's read: {count} records at {rate:.0f} docs/s (of {docs})")
    started = time.perf_counter()
    cut = sum(1 for _ in partitions([str(dump)], tmp / "none", PARTITION_BYTES))
    print(f"the client cuts the dump into {cut} partitions in "
          f"{(time.perf_counter() - started) * 1000:.1f} ms (the workers read them)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=10000)
    parser.add_argument("--no-dedup", dest="dedup", action="store_false",
                        help="scraper clean without dedup (default: with)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--workdir", default=None, type=lambda p: str(Path(p).resolve()),
                        help="where the temporary folder goes")
    parser.add_argument("--anchor-src", default=None,
                        help="a source tree of another version: its Dask runs as well")
    parser.add_argument("--clean-only", action="store_true", help="leave out scraper dedup DIR")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as name:
        tmp = Path(name)
        dump = tmp / "dump"
        size = generate(dump, args.docs, args.seed)
        print(f"## {args.docs} docs ({size / 1e6:.1f} MB)")
        print(f"load before: {load()}")
        bench_clean(dump, tmp, args.docs, args.dedup, args.anchor_src)
        if not args.clean_only:
            bench_dedup(dump, tmp)
        bench_read(dump, tmp, args.docs)
        print(f"\nload after: {load()}")


if __name__ == "__main__":
    main()
