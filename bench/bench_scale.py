"""`scraper clean` end to end at scale: docs/s, MB/s and peak RSS, against the I/O floor.

    python bench/bench_scale.py [--sizes 10000,100000] [--jobs 0] [--workdir DIR] [--seed 3]
                                [--runs plain,dedup,rerun,datatrove] [--anchor-src DIR]
                                [--alternate]

For each size it generates Indonesian-news-like articles of 3-6 KB into a temporary folder of
JSONL dumps of 10,000 records each (about 10% exact copies, 10% near copies, 5% truncated first
pages; every record has its own URL, as syndicated copies do), then runs the real command in a
subprocess, into a fresh folder:
  * `scraper clean DUMP -o OUT --no-dedup`, then `scraper clean DUMP -o OUT` (with dedup);
  * the same dedup command again into the same OUT (a no-op rerun: known work is skipped);
  * `--runs datatrove`: datatrove's MinHash dedup alone on the same dump, with a whitespace
    tokenizer and `--jobs` workers (`datatrove-spacy`: as shipped, spaCy's Indonesian one), the
    dedup anchor of issue 10 (`pip install -e '.[bench]'`).
Peak RSS is sampled from /proc over the command's whole process tree (the main process plus its
workers, summed) and also read from the kernel for the largest single process (wait4); the CPU
column is the user + system seconds of the command and its workers (wait4), which the load of a
shared machine disturbs less than the wall time.

With `--anchor-src DIR` (a source tree of another version, e.g. a worktree of main), each run
also runs with that tree just before, into its own folder, and the docs/s column gives the
ratio; with `--alternate`, the anchor goes first and last in turn, as the first run after a
large delete pays for it on some disks. The other anchor, measured in the same run on the same
dump: the I/O floor - read the JSONL and write one file per document (no fsync; one fsync per
file; one fsync per batch of 256). The machine is shared: the load average before and after
each run is printed. Nothing is kept: the dump and the outputs live in a temporary folder that
is deleted at the end.

Every timed run first waits for the disk to settle: on some disks (ext4 mounted with `discard`,
as here) creating a file costs 20-50 times more kernel time for a minute or more after many
files were deleted, which would bill one run for the previous run's deletes. The bench creates
200 empty files in the work folder, reads the kernel time that took, and waits (5 s between
probes, up to `--settle-max` seconds) until it is under `--settle-us` µs a file; each row gives
the last probe (`disk`), and the CPU column gives user and system seconds apart, so that the
disk's share can be told from the code's; in brackets, those of the command's main process
alone (read from /proc every 0.2 s: the last reading before it ended), which decides and
writes while the workers read and clean.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

BATCH = 256
SHARD = 10000
SYLLABLES = ["ba", "ka", "ma", "pe", "ra", "si", "tu", "la", "nga", "kan", "an", "ber", "me",
             "di", "ter", "sa", "ja", "wa", "ri", "da", "pa", "go", "ha", "lu", "ng", "ya"]
HEADERS = ["Senin, 10 Juni 2024 - 09:15 WIB", "loading...", "A A A",
           "Sabtu, 24 Mei 2025 16:40 WIB", "Penulis Dian Pratiwi | Editor Hendra"]
FOOTERS = ["Baca Berita Terkait Lainnya", "Copyright © 2024 SINDOnews.com", "All Rights Reserved",
           "Simak Video \"Uji Coba Bus Listrik\"", "(rdp/imk)", "Bagikan: Facebook Twitter"]


class Generator:
    """Articles made of sentences drawn from a large pool of pseudo-Indonesian sentences; with
    `shared` under 1, each sentence is drawn from the pool with that probability and is new
    otherwise (real articles share few sentences: see docs/scale.md)."""

    def __init__(self, seed: int, sentences: int, shared: float = 1.0) -> None:
        self.rng = random.Random(seed)
        self.vocab = sorted({"".join(self.rng.choices(SYLLABLES, k=self.rng.randint(2, 4)))
                             for _ in range(40000)})
        self.pool = [self._sentence() for _ in range(sentences)]
        self.shared = shared

    def _sentence(self) -> str:
        return " ".join(self.rng.choices(self.vocab, k=self.rng.randint(9, 18))).capitalize() + "."

    def _paragraph(self) -> str:
        count = self.rng.randint(2, 4)
        if self.shared >= 1.0:  # (the same draws as before the option: the same dumps)
            return " ".join(self.rng.choices(self.pool, k=count))
        return " ".join(self.rng.choice(self.pool) if self.rng.random() < self.shared
                        else self._sentence() for _ in range(count))

    def article(self, index: int) -> dict[str, str]:
        rng = self.rng
        target, paragraphs, size = rng.randint(3000, 6000), [], 0
        while size < target:
            paragraph = self._paragraph()
            paragraphs.append(paragraph)
            size += len(paragraph) + 1
        lines = [rng.choice(HEADERS), *paragraphs, rng.choice(FOOTERS)]
        return {"title": f"Kabar nomor {index} dari daerah", "text": "\n".join(lines),
                "url": f"https://kabar{index % 7}.example.id/berita/{index}"}

    def near_copy(self, record: dict[str, str], index: int) -> dict[str, str]:
        words = record["text"].split(" ")
        for _ in range(max(1, len(words) // 40)):  # about 2.5% of the words changed
            words[self.rng.randrange(len(words))] = "ubah"
        return {**record, "text": " ".join(words), "url": f"https://salin.example.id/{index}"}

    def first_page(self, record: dict[str, str], index: int) -> dict[str, str]:
        lines = record["text"].split("\n")
        return {**record, "text": "\n".join(lines[: max(2, len(lines) * 2 // 5)]),
                "url": f"https://halaman.example.id/{index}"}


def generate(folder: Path, n: int, seed: int, shared: float = 1.0) -> int:
    """Write `n` records into JSONL files of `SHARD` records; returns the bytes written."""
    gen = Generator(seed, sentences=min(1_000_000, max(20000, n)), shared=shared)
    recent: list[dict[str, str]] = []
    folder.mkdir()
    for start in range(0, n, SHARD):
        with (folder / f"part-{start // SHARD:05d}.jsonl").open("w", encoding="utf-8") as handle:
            _records(gen, recent, range(start, min(n, start + SHARD)), handle)
    return sum(p.stat().st_size for p in folder.iterdir())


def _records(gen: Generator, recent: list[dict[str, str]], indexes: range, handle: TextIO) -> None:
        for i in indexes:
            roll = gen.rng.random()
            if recent and roll < 0.10:
                record = {**gen.rng.choice(recent), "url": f"https://sindikasi.example.id/{i}"}
            elif recent and roll < 0.20:
                record = gen.near_copy(gen.rng.choice(recent), i)
            elif recent and roll < 0.25:
                record = gen.first_page(gen.rng.choice(recent), i)
            else:
                record = gen.article(i)
                recent.append(record)  # copies of recent articles, as in a feed
                del recent[:-1000]
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def own_cpu(pid: int) -> tuple[float, float] | None:
    """User and system CPU seconds of process `pid` alone (not its children), from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick  # utime, stime (fields 14 and 15)


def tree_rss_mb(root: int) -> float:
    """RSS of `root` and its descendants, summed, from /proc."""
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{pid}/task/{pid}/children") as handle:
                stack.extend(int(c) for c in handle.read().split())
        except OSError:
            continue
    return total / 1e6


def run_command(args: list[str], src: str | None = None, *,
                script: str | None = None) -> dict[str, float]:
    """Wall seconds, peak tree RSS (sampled) and the largest process's max RSS (kernel);
    `src`: the source tree of scraper to run (default: the installed one); `script`: run this
    file of bench/ with `args` instead of scraper."""
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": src} if src else None
    here = Path(__file__).resolve().parent
    command = [str(here / script)] if script else ["-m", "scraper"]
    # `python -m` puts the working folder first on sys.path, before PYTHONPATH: run from the
    # tree to be measured, or the anchor's runs would import this tree's scraper.
    proc = subprocess.Popen([sys.executable, *command, *args], env=env,
                            cwd=src or here.parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0.0]
    main_cpu = [(0.0, 0.0)]  # the command's own process: the last reading before it ended
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], tree_rss_mb(proc.pid))
            main_cpu[0] = own_cpu(proc.pid) or main_cpu[0]

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command + args)} failed:\n{err.decode()[-2000:]}")
    summary = err.decode().strip().splitlines()[-1]
    # ru_maxrss is in KiB; every figure here is in MB (10^6 bytes), as the tree sampler gives.
    # CPU seconds of the command and its workers (waited for by it): less noisy than the wall
    # time on a shared machine.
    return {"wall": wall, "tree_mb": peak[0], "max_mb": usage.ru_maxrss * 1024 / 1e6,
            "user": usage.ru_utime, "sys": usage.ru_stime,
            "main_user": main_cpu[0][0], "main_sys": main_cpu[0][1],
            "summary": summary}  # type: ignore[dict-item]


def cpu(result: dict[str, float]) -> str:
    """User and system CPU seconds of a run and its workers, then of its main process."""
    return (f"{result['user']:,.0f} + {result['sys']:,.0f} s (main process "
            f"{result['main_user']:,.1f} + {result['main_sys']:,.1f} s)")


def create_cost(folder: Path, files: int = 200) -> float:
    """Kernel µs to create one empty file, in a new folder under `folder`/probes. The files
    stay until the bench ends: deleting them would itself slow the next probe down."""
    (folder / "probes").mkdir(exist_ok=True)
    probe = Path(tempfile.mkdtemp(dir=folder / "probes"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_stime
    for i in range(files):
        os.close(os.open(probe / f"{i}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    return (resource.getrusage(resource.RUSAGE_SELF).ru_stime - before) * 1e6 / files


def settle(folder: Path, args: argparse.Namespace) -> str:
    """Wait until creating a file costs under `--settle-us` µs of kernel time (at most
    `--settle-max` s); returns the last probe, for the row."""
    started = time.perf_counter()
    cost = create_cost(folder)
    while cost > args.settle_us and time.perf_counter() - started < args.settle_max:
        time.sleep(5)
        cost = create_cost(folder)
    waited = time.perf_counter() - started
    note = f"{cost:.0f} µs/file" + (f" after {waited:.0f} s" if waited >= 1 else "")
    if cost > args.settle_us:
        note += " (not settled)"
    print(f"#   disk: {note}", file=sys.stderr, flush=True)
    return note


def dump_lines(folder: Path) -> Iterator[str]:
    for part in sorted(folder.iterdir()):
        with part.open(encoding="utf-8") as handle:
            yield from handle


def io_floor(dump: Path, folder: Path, limit: int, mode: str) -> float:
    """Docs/s to read the dump and write one file per document (`mode`: none, file, batch)."""
    folder.mkdir()
    count, start = 0, time.perf_counter()
    batch: list[int] = []
    manifest = os.open(folder / "manifest", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    for count, line in enumerate(dump_lines(dump), 1):
        record = json.loads(line)
        data = (record["title"] + "\n\n" + record["text"]).encode("utf-8")
        fd = os.open(folder / f"{count:07d}.txt", os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(fd, data)
        if mode == "file":
            os.fsync(fd)
        os.close(fd)
        os.write(manifest, line[:80].encode("utf-8") + b"\n")
        batch.append(count)
        if mode == "batch" and len(batch) == BATCH:
            os.fsync(manifest)
            batch.clear()
        if count == limit:
            break
    os.fsync(manifest)
    os.close(manifest)
    return count / (time.perf_counter() - start)


# The dedup anchor on the same dump: datatrove's MinHash dedup alone (no cleaning, no files
# written but its own), with `--jobs` workers for reading and signing.
DATATROVE = {"datatrove": "whitespace", "datatrove-spacy": "spacy"}


def datatrove_row(
    n: int, mb: float, dump: Path, name: str, workers: int, floor: float, disk: str
) -> str:
    before = load()
    result = run_command([str(dump), "--tokenizer", DATATROVE[name], "--workers", str(workers)],
                         script="anchor_datatrove.py")
    wall = float(result["wall"])
    row = (f"| {n:,} | datatrove MinHash dedup only, {DATATROVE[name]} tokenizer, {workers} "
           f"workers | {wall:.0f} s | {n / wall:,.0f} | {mb / wall:.1f} | "
           f"{result['tree_mb']:,.0f} MB | {result['max_mb']:,.0f} MB | {cpu(result)} | "
           f"{n / wall / floor:.2f} | {disk} | {before} → {load()} |")
    print(f"#   {name}: {result['summary']}\n{row}", file=sys.stderr, flush=True)
    return row


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def bench_size(n: int, args: argparse.Namespace, tmp: Path) -> list[str]:
    dump = tmp / f"dump-{n}.jsonl"
    started = time.perf_counter()
    size = generate(dump, n, args.seed, args.shared)
    print(f"# {n} records, {size / 1e6:.0f} MB generated in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)
    mb = size / 1e6
    rows = []
    floors = {}
    for mode in ("none", "file", "batch"):
        settle(tmp, args)
        floors[mode] = io_floor(dump, tmp / f"floor-{n}-{mode}", min(n, args.floor_docs), mode)
    print(f"# I/O floor, docs/s: {floors}", file=sys.stderr, flush=True)
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    runs = {
        "plain": ("clean --no-dedup", ["--no-dedup"], "plain"),
        "dedup": ("clean (dedup)", [], "dedup"),
        "rerun": ("same input again (no-op rerun)", [], "dedup"),
        "plain-rerun": ("same input again, --no-dedup (no-op rerun)", ["--no-dedup"], "plain"),
    }
    # With --anchor-src, each run goes with the anchor's tree and with this one: the anchor
    # first, or, with --alternate, first and last in turn (the first run after a large delete
    # pays for it on this disk, see docs/scale.md).
    trees = [(" (anchor)", args.anchor_src), ("", None)] if args.anchor_src else [("", None)]
    for number, name in enumerate(args.runs.split(",")):
        if name in DATATROVE:
            disk = settle(tmp, args)
            rows.append(datatrove_row(n, mb, dump, name, args.jobs or os.cpu_count() or 1,
                                      floors["batch"], disk))
            continue
        label, extra, out = runs[name]
        order = trees[::-1] if args.alternate and number % 2 else trees
        measured: dict[str, tuple[dict[str, float], str, str]] = {}
        for suffix, src in order:
            disk = settle(tmp, args)
            before = load()
            folder = tmp / f"out-{n}-{out}{'-anchor' if src else ''}"
            result = run_command(["clean", str(dump), "-o", str(folder), *jobs, *extra], src)
            measured[suffix] = result, disk, f"{before} → {load()}"
            # At once, with its wall: a long run's first figures survive an interruption.
            print(f"#   {label}{suffix}: {result['wall']:.0f} s, {result['tree_mb']:,.0f} MB, "
                  f"{result['summary']}", file=sys.stderr, flush=True)
        anchor_wall = float(measured[" (anchor)"][0]["wall"]) if args.anchor_src else None
        for suffix, _ in trees:  # the anchor's row first, whichever ran first
            result, disk, loads = measured[suffix]
            wall = float(result["wall"])
            ratio = anchor_wall / wall if anchor_wall and not suffix else None
            speedup = f" ({ratio:.2f}× the anchor)" if ratio else ""
            went = " (ran first)" if args.alternate and suffix == order[0][0] else ""
            rows.append(
                f"| {n:,} | `{label}`{suffix}{went} | {wall:.0f} s | {n / wall:,.0f}{speedup} | "
                f"{mb / wall:.1f} | {result['tree_mb']:,.0f} MB | {result['max_mb']:,.0f} MB | "
                f"{cpu(result)} | {n / wall / floors['batch']:.2f} | {disk} | {loads} |"
            )
            print(rows[-1], file=sys.stderr, flush=True)
    for mode, title in (("none", "no fsync"), ("file", "one fsync per file"),
                        ("batch", f"one fsync per {BATCH} files")):
        rows.append(f"| {min(n, args.floor_docs):,} | I/O floor: JSONL to one file per doc, "
                    f"{title} | — | {floors[mode]:,.0f} | — | — | — | — | — | — | — |")
    for path in tmp.iterdir():  # keep the disk use to one size at a time
        subprocess.run(["rm", "-rf", str(path)], check=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--jobs", type=int, default=0, help="--jobs for scraper (0: default)")
    parser.add_argument("--floor-docs", type=int, default=20000,
                        help="documents written for each I/O floor figure")
    parser.add_argument("--workdir", default=None, type=lambda p: str(Path(p).resolve()),
                        help="where the temporary folder goes")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--runs", default="plain,dedup,rerun",
                        help="which runs, in order: plain, dedup, rerun, plain-rerun, datatrove "
                             "(its MinHash dedup, whitespace tokenizer), datatrove-spacy")
    parser.add_argument("--anchor-src", default=None,
                        help="another source tree of scraper (e.g. a worktree of main): each "
                             "run also runs with it, just before, as the anchor")
    parser.add_argument("--alternate", action="store_true",
                        help="with --anchor-src: the anchor runs first for the first run, last "
                             "for the second, and so on")
    parser.add_argument("--shared", type=float, default=1.0,
                        help="the share of sentences drawn from the common pool; the others "
                             "are new (1: every sentence from the pool, as the issue's corpus; "
                             "0.25 shares about as much as the real dumps of docs/fidelity.md)")
    parser.add_argument("--settle-us", type=float, default=50.0,
                        help="a run starts once creating a file costs under this many µs of "
                             "kernel time (about 15-20 here on a settled disk)")
    parser.add_argument("--settle-max", type=float, default=600.0,
                        help="the longest wait for the disk to settle before a run, in seconds")
    args = parser.parse_args()
    print(f"# {os.cpu_count()} CPUs, load {load()}", file=sys.stderr)
    rows = ["| docs | run | wall | docs/s | MB/s | peak RSS (tree) | peak RSS (largest process)"
            " | CPU user + sys (tree, and main process) | × I/O floor (fsync per batch)"
            " | disk before | load before → after |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            rows += bench_size(n, args, Path(tmp))
            print("\n".join(rows), flush=True)


if __name__ == "__main__":
    main()
