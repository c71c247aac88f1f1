"""Cleaning throughput: MB/s of the clean stage on one core, against another version of it.

    python bench/bench_clean.py [--mb 50] [--small-mb 10] [--seed 7] [--anchor-src DIR]
                                [--corpus dumps|scale]

It generates dirty dumps deterministically from our own sentence templates and realistic chrome
of several outlets (page headers, captions, "Baca juga" inserts glued and on their own lines,
ad markers, glued paragraphs, promos, footers, sign-offs), parses them as `scraper clean` does
(`parse_dump`), and times `Cleaner.run` - the stage the CLI runs, corpus pass included. The
input files are not written to disk, so the figure is the cleaner's, not the disk's. Times are
CPU seconds of a process pinned to one core (wall-clock MB/s is printed too: on a shared
machine it is lower, because other processes take turns on the core).

No other tool removes this chrome, so the anchor is another version of this cleaner:
`--anchor-src DIR` names a source tree of scraper (e.g. `git worktree add /tmp/main-src main`).
Each tree runs in its own child process, one after the other, with the same corpus and the same
protocol, and the report gives this tree's speed as a multiple of the anchor's and says whether
the two cleaned the corpus into identical text. The parse-only part (parse+clean minus the
clean stage) is the floor that reading the dumps costs. The cost per MB at 50 MB over that at
10 MB should be close to 1.0 if the cost grows linearly. Each size runs `--repeat` times
(interleaved) after a warm-up and the fastest run is reported (the machine is shared; the
fastest run is the one least disturbed by other processes). The end-to-end rows time the whole
`scraper clean` command in one process (read, clean, dedup, write), so they include the disk.

`--corpus scale` times the same protocol on the records that `bench_scale.py` generates for
issue 10 instead (JSONL records with a title and a URL: long paragraphs of pseudo-Indonesian
sentences, one header and one footer line each, 10% exact and 10% near copies).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_scale import Generator, _records

from scraper.clean import Cleaner
from scraper.config import CleanConfig, Config, override
from scraper.document import Document, parse_dump
from scraper.pipeline import run_clean
from scraper.profiles import load_profiles
from scraper.stats import Stats

TARGET_MB_S = 10.0
SCALE_SENTENCES = 20_000  # bench_scale.py's sentence pool for runs of up to 20k records
SUBJECTS = ["Pemerintah daerah", "Menteri Keuangan", "Warga desa", "Tim peneliti", "Polisi",
            "Kepala dinas", "Para pedagang", "Gubernur", "Komisi pemilihan", "Petani muda"]
VERBS = ["meresmikan", "membahas", "menolak", "mengusulkan", "menyiapkan", "memeriksa",
         "mengumumkan", "meninjau", "mendukung", "menunda"]
OBJECTS = ["anggaran perbaikan jalan", "program bantuan pangan", "jadwal uji coba bus listrik",
           "rencana pembangunan pasar", "data penerima subsidi", "izin usaha tambang rakyat",
           "kebijakan harga beras", "pembangunan jembatan gantung", "layanan kesehatan keliling"]
TAILS = ["pada Senin pagi", "di kantor gubernur", "dalam rapat terbatas", "sejak pekan lalu",
         "bersama para tokoh masyarakat", "menjelang akhir tahun anggaran", "di hadapan wartawan"]
QUOTES = ["“Kami ingin semua warga merasakan manfaatnya,” ujarnya.",
          "“Prosesnya akan kami awasi bersama,” kata dia.",
          "\"Tidak ada pungutan apa pun,\" tegasnya."]
HEADLINES = ["Harga Cabai Turun Jelang Akhir Pekan", "Pasar Lama Akan Direnovasi Tahun Depan",
             "Bus Listrik Mulai Melayani Rute Baru", "Stok Beras Dipastikan Aman"]
SITES = {
    "sindonews": (["Senin, 10 Juni 2024 - 09:15 WIB", "loading...", "A A A"],
                  ["(abd)", "Dapatkan berita terkini dan kejutan menarik dari SINDOnews.com, "
                   "Klik Disini untuk mendaftarkan diri anda sekarang juga!",
                   "Baca Berita Terkait Lainnya", "Copyright © 2024 SINDOnews.com",
                   "All Rights Reserved", "read/ rendering in 0.3120 seconds (0.1#10.140)"]),
    "detik": (["Rizky Ananda - detikNews", "Sabtu, 24 Mei 2025 16:40 WIB"],
              ["Simak Video \"Uji Coba Bus Listrik\"", "[Gambas:Video 20detik]", "(rdp/imk)",
               "Tag", "bus listrik", "transportasi"]),
    "kompas": (["Kompas.com - 10/06/2025, 21:23 WIB", "Penulis Dian Pratiwi | Editor Hendra"],
               ["Simak breaking news dan berita pilihan kami langsung di ponselmu. Pilih saluran "
                "andalanmu akses berita Kompas.com WhatsApp Channel."]),
    "other": (["Rabu, 3 April 2024 | 10:05 WIB", "Oleh: Rina Wulandari"],
              ["Bagikan: Facebook Twitter WhatsApp", "Komentar (3)",
               "© 2024 Kabar Kota. All rights reserved."]),
}


def _sentence(rng: random.Random) -> str:
    return (f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
            f"{rng.choice(TAILS)}, sebagaimana disampaikan dalam keterangan resmi nomor "
            f"{rng.randint(1, 999)}.")


def _paragraph(rng: random.Random) -> str:
    text = " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))
    roll = rng.random()
    if roll < 0.08:
        text += f" Baca juga: {rng.choice(HEADLINES)} Warga berharap hal itu segera terwujud."
    elif roll < 0.15:
        text += "Berikut rincian lengkapnya dari dinas terkait."  # a glued paragraph
    elif roll < 0.25:
        text += " " + rng.choice(QUOTES)
    return text


def make_dump(rng: random.Random, index: int) -> str:
    site = rng.choice(list(SITES))
    header, footer = SITES[site]
    title = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS).capitalize()} Program Nomor {index}"
    lines = [*header, "Suasana rapat di balai kota. Foto/Dok. Humas"]
    for k in range(rng.randint(6, 14)):
        lines.append(_paragraph(rng))
        if k % 4 == 2:
            lines.append(rng.choice(["ADVERTISEMENT", "SCROLL TO CONTINUE WITH CONTENT",
                                     f"Baca juga: {rng.choice(HEADLINES)}", "Foto/AP", title]))
    lines += footer
    return title + "\n\n" + "\n".join(lines)


def make_corpus(mb: float, seed: int) -> list[str]:
    rng, texts, size, limit = random.Random(seed), [], 0, int(mb * 1_000_000)
    while size < limit:
        text = make_dump(rng, len(texts))
        texts.append(text)
        size += len(text.encode("utf-8"))
    return texts


def make_scale_corpus(mb: float, seed: int) -> list[str]:
    """`bench_scale.py`'s records, as JSONL lines, up to `mb` MB."""
    generator, recent = Generator(seed, sentences=SCALE_SENTENCES), []
    lines: list[str] = []
    size, limit = 0, int(mb * 1_000_000)
    while size < limit:
        batch = io.StringIO()
        _records(generator, recent, range(len(lines), len(lines) + 100), batch)
        for line in batch.getvalue().splitlines():
            lines.append(line)
            size += len(line.encode("utf-8"))
    return lines


def parse(item: str, index: int) -> Document:
    """A dump as `scraper clean` reads it: a text, or a JSONL record (`--corpus scale`)."""
    if not item.startswith("{"):
        return parse_dump(item, source=f"dump{index}")
    record = json.loads(item)
    doc = parse_dump(record["text"], source=f"record{index}")
    doc.title, doc.url = record["title"], record["url"]
    return doc


def time_clean(texts: list[str], cleaner: Cleaner) -> tuple[float, float, float, str]:
    """CPU seconds for parse + clean and for the clean stage alone, wall seconds for parse +
    clean, and a digest of the output (to tell that two trees clean alike). CPU time is what one
    core spends, whatever else runs."""
    wall, start = time.perf_counter(), time.process_time()
    docs: list[Document] = [parse(t, i) for i, t in enumerate(texts)]
    parsed = time.process_time()
    cleaned = list(cleaner.run(docs, Stats()))
    done = time.process_time()
    digest = hashlib.sha256()
    for doc in cleaned:
        digest.update(doc.to_seed().encode("utf-8") + b"\0")
    return done - start, done - parsed, time.perf_counter() - wall, digest.hexdigest()


def time_command(path: Path, dedup: bool) -> tuple[float, float, int]:
    """CPU and wall seconds of the whole `scraper clean` path on one JSONL dump: read, extract,
    clean, (dedup), write. Each run writes into a fresh output folder."""
    # One process: the CPU time of this process is the whole command's.
    config = override(override(Config(), "dedup", enabled=dedup), "clean", jobs=1)
    with tempfile.TemporaryDirectory(dir=path.parent) as out:
        wall, start = time.perf_counter(), time.process_time()
        written = run_clean([str(path)], Path(out), config, Stats()).written
        return time.process_time() - start, time.perf_counter() - wall, written


def command_rows(sizes: list[tuple[str, list[str], float]], workdir: str | None) -> list[Row]:
    """`scraper clean` end to end, with and without dedup, on the same texts as JSONL dumps."""
    rows = []
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        for label, texts, mb in sizes:
            path = Path(tmp) / f"{label}.jsonl"
            lines = (t if t.startswith("{") else json.dumps(
                {"title": f"dump {i}", "text": t.split("\n\n", 1)[-1]}, ensure_ascii=False)
                for i, t in enumerate(texts))
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            for dedup in (False, True):
                cpu, wall, written = time_command(path, dedup)
                name = f"scraper clean {label} {'with dedup' if dedup else '--no-dedup'}"
                rows.append({"name": name, "mb": mb, "cpu": cpu, "wall": wall, "docs": written})
    return rows


Row = dict[str, Any]


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Every figure of one tree (the `scraper` this process imports), in this process."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    cleaner = Cleaner(CleanConfig(), load_profiles())
    make = make_scale_corpus if args.corpus == "scale" else make_corpus
    big = make(args.mb, args.seed)
    small: list[str] = []
    size = 0.0
    for text in big:
        if size >= args.small_mb:
            break
        small.append(text)
        size += len(text.encode("utf-8")) / 1e6
    sizes = [("small", small, size), ("large", big, sum(len(t.encode()) for t in big) / 1e6)]
    time_clean(big[:200], cleaner)  # warm-up: regex caches, first-touch allocations
    runs: dict[str, list[tuple[float, float, float, str]]] = {label: [] for label, _, _ in sizes}
    for _ in range(max(1, args.repeat)):  # interleaved, so that neither size runs on a cold heap
        for label, texts, _mb in sizes:
            runs[label].append(time_clean(texts, cleaner))
    clean = [{"name": label, "mb": mb, "docs": len(texts), "total": min(runs[label])[0],
              "stage": min(runs[label])[1], "wall": min(runs[label])[2],
              "output": runs[label][0][3]} for label, texts, mb in sizes]
    command = [] if args.skip_command else command_rows(sizes, args.workdir)
    return {"clean": clean, "command": command}


def run_tree(tree: str, args: argparse.Namespace) -> dict[str, Any]:
    """`measure` in a child process that imports `scraper` from the source tree `tree`."""
    argv = [sys.executable, __file__, "--child", "--mb", str(args.mb), "--small-mb",
            str(args.small_mb), "--seed", str(args.seed), "--repeat", str(args.repeat),
            "--corpus", args.corpus]
    argv += ["--skip-command"] if args.skip_command else []
    argv += ["--workdir", args.workdir] if args.workdir else []
    env = {**os.environ, "PYTHONPATH": tree}
    done = subprocess.run(argv, env=env, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def report(label: str, result: dict[str, Any], anchor: dict[str, Any] | None) -> None:
    print(f"== {label}")
    for row, base in zip(result["clean"], (anchor or result)["clean"], strict=True):
        mb = row["mb"]
        print(f"{row['name']}: {mb:5.1f} MB  parse+clean {row['total']:5.2f} s CPU = "
              f"{mb / row['total']:5.1f} MB/s (wall {mb / row['wall']:5.1f} MB/s)   clean stage "
              f"{row['stage']:5.2f} s CPU = {mb / row['stage']:5.1f} MB/s = "
              f"{mb / row['stage'] / TARGET_MB_S:.2f}x target ({row['docs']} docs)"
              + (f"   {base['stage'] / row['stage']:.2f}x the anchor's clean stage, output "
                 f"{'identical' if base['output'] == row['output'] else 'DIFFERENT'}"
                 if anchor else ""))
    small, large = result["clean"]
    ratio = (large["stage"] / large["mb"]) / (small["stage"] / small["mb"])
    print(f"time per MB, {large['mb']:.0f} MB vs {small['mb']:.0f} MB: clean stage {ratio:.2f}x "
          "(1.00 = linear)")
    for row, base in zip(result["command"], (anchor or result)["command"], strict=True):
        print(f"{row['name']:34} {row['mb']:5.1f} MB  {row['cpu']:6.2f} s CPU = "
              f"{row['mb'] / row['cpu']:5.1f} MB/s = {row['docs'] / row['cpu']:6.0f} docs/s "
              f"(wall {row['mb'] / row['wall']:5.1f} MB/s)  {row['docs']} files written"
              + (f"   {base['cpu'] / row['cpu']:.2f}x the anchor" if anchor else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=50.0)
    parser.add_argument("--small-mb", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", default=None, help="folder for the end-to-end runs' files")
    parser.add_argument("--skip-command", action="store_true",
                        help="skip the end-to-end `scraper clean` runs")
    parser.add_argument("--anchor-src", default=None,
                        help="another source tree of scraper (e.g. a worktree of main) measured "
                             "the same way in the same run, as the anchor")
    parser.add_argument("--corpus", choices=("dumps", "scale"), default="dumps",
                        help="the generated dirty dumps (default), or bench_scale.py's records")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args)))
        return
    here = str(Path(__file__).resolve().parent.parent)
    corpus = "bench_scale.py records" if args.corpus == "scale" else "generated dirty dumps"
    print(f"{args.mb:.0f} MB of {corpus} (seed {args.seed}); each tree in its own "
          "process on one core, the anchor first")
    anchor = run_tree(args.anchor_src, args) if args.anchor_src else None
    if anchor is not None:
        report(f"anchor: {args.anchor_src}", anchor, None)
    report(f"this tree: {here}", run_tree(here, args), anchor)


if __name__ == "__main__":
    main()
