"""An end-to-end scheduled run over a local test web: wall time, pages/s against the politeness
bound, and peak RSS of each step.

    python bench/bench_run.py [--articles 1000 10000] [--hosts 8] [--latency 0.02]
                              [--per-host-concurrency 2] [--mode fetch+clean|run] [--twice]

A server process (this file with --serve) plays a multi-host news web on 127.0.0.2 ... : each
host has /sitemap.xml listing its articles and /robots.txt (404), and answers every request
after a fixed latency. Articles are generated (different words each, so dedup keeps them all)
and never leave the machine.

The run is the README's scheduled run, one step per child process, each timed and measured
(peak RSS from wait4):

    fetch+clean   scraper discover SITEMAPS  ->  scraper fetch --store PAGES URL...
                  ->  scraper clean --store PAGES -o OUT
    run           scraper run over the sitemaps as [[sources]]

The one place that knows the commands is STEPS. The politeness bound is hosts x
per_host_concurrency / latency pages/s (delay 0 here); the fetch step's pages/s, counted after
the start-up of a child that only starts (`scraper --version`, the anchor measured in the same
run), is reported as a share of it. `--twice` runs everything a second time over
the same folders, which should fetch nothing new and add nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

CONTROL = "127.0.0.1"
WORDS = (
    "pemerintah", "kota", "jakarta", "warga", "banjir", "jalan", "harga", "beras", "pasar",
    "menteri", "rapat", "sekolah", "guru", "kesehatan", "rumah", "sakit", "pelabuhan", "kapal",
    "nelayan", "hujan", "listrik", "desa", "petani", "panen", "bank", "rupiah", "ekspor",
    "impor", "gempa", "bantuan", "polisi", "sidang", "hakim", "pemilu", "partai", "calon",
    "suara", "data", "laporan", "proyek", "jembatan", "kereta", "bandara", "penerbangan",
    "wisata", "pantai", "budaya", "festival", "musik", "olahraga",
)


# ----------------------------------------------------------------------------- the test web


def article(host: str, n: int) -> bytes:
    rng = random.Random(f"{host}/{n}")
    title = " ".join(rng.choice(WORDS) for _ in range(6)).capitalize()
    paragraphs = "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + ".</p>"
        for _ in range(6)
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        f"<link rel='canonical' href='http://{host}/berita/{n}'></head><body><article>"
        f"<h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode()


def sitemap(host: str, port: int, count: int) -> bytes:
    urls = "".join(
        f"<url><loc>http://{host}:{port}/berita/{n}</loc>"
        f"<lastmod>2026-12-0{1 + n % 3}T06:00:00+07:00</lastmod></url>"
        for n in range(count)
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>"
    ).encode()


class _Web(asyncio.Protocol):
    latency: ClassVar[float] = 0.0
    articles: ClassVar[int] = 0
    port: ClassVar[int] = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.host = transport.get_extra_info("sockname")[0]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            path = head.split(b" ", 2)[1].decode()
            asyncio.get_running_loop().call_later(self.latency, self._answer, path)

    def _answer(self, path: str) -> None:
        cls = type(self)
        if path == "/sitemap.xml":
            self._send(200, sitemap(self.host, cls.port, cls.articles), "application/xml")
        elif path.startswith("/berita/") and path[8:].isdigit() and int(path[8:]) < cls.articles:
            self._send(200, article(self.host, int(path[8:])), "text/html; charset=utf-8")
        else:
            self._send(404, b"", "text/plain")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        if self.transport.is_closing():
            return
        head = f"HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n\r\n"
        self.transport.write(head.encode() + body)  # type: ignore[attr-defined]


async def _serve(latency: float, articles: int, hosts: list[str]) -> None:
    _Web.latency, _Web.articles = latency, articles
    loop = asyncio.get_running_loop()
    first = await loop.create_server(_Web, CONTROL, 0)
    _Web.port = first.sockets[0].getsockname()[1]
    for host in hosts:
        await loop.create_server(_Web, host, _Web.port)
    print(_Web.port, flush=True)
    await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes our stdin


# ----------------------------------------------------------------------------- the run


class Context:
    def __init__(self, work: Path, hosts: list[str], port: int) -> None:
        self.work, self.hosts, self.port = work, hosts, port
        self.config = work / "scraper.toml"
        self.pages, self.out, self.urls = work / "pages", work / "corpus", work / "urls.txt"

    def sitemaps(self) -> list[str]:
        return [f"http://{host}:{self.port}/sitemap.xml" for host in self.hosts]

    def discovered(self) -> list[str]:
        return self.urls.read_text().split()


Step = tuple[str, Callable[[Context], list[str]], bool]  # name, argv, stdout -> urls.txt
STEPS: dict[str, list[Step]] = {
    "fetch+clean": [
        ("discover", lambda c: ["discover", "-c", str(c.config), "--same-site", *c.sitemaps()],
         True),
        ("fetch", lambda c: ["fetch", "-c", str(c.config), "--store", str(c.pages),
                             *c.discovered()], False),
        ("clean", lambda c: ["clean", "-c", str(c.config), "--store", str(c.pages),
                             "-o", str(c.out)], False),
    ],
    # The sitemaps are the config's [[sources]] (written by main); `run` discovers by itself.
    "run": [
        ("run", lambda c: ["run", "-c", str(c.config), "-o", str(c.out), "--store",
                           str(c.pages), "--log-format", "json"], False),
    ],
}


def run_step(ctx: Context, name: str, argv: list[str], capture: bool) -> dict[str, float]:
    """One step in a child process: wall seconds, CPU seconds and peak RSS (MB) from wait4."""
    output = ctx.urls.open("w") if capture else subprocess.DEVNULL
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "scraper", *argv], stdout=output,
                             stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if capture:
        output.close()  # type: ignore[union-attr]
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024, "exit": child.returncode}


def one_pass(ctx: Context, mode: str, label: str, bound: float, startup: float) -> None:
    total = 0.0
    for name, argv, capture in STEPS[mode]:
        stored_before = count_stored(ctx)
        figures = run_step(ctx, name, argv(ctx), capture)
        total += figures["seconds"]
        line = (f"  {label} {name:<9} {figures['seconds']:7.2f} s  CPU {figures['cpu']:6.2f} s"
                f"  peak RSS {figures['rss_mb']:6.1f} MB  exit {figures['exit']:.0f}")
        if name in ("fetch", "run"):
            # `run` skips what an earlier run settled: count the pages it added to the store.
            pages = (len(ctx.discovered()) if name == "fetch"
                     else count_stored(ctx) - stored_before)
            rate = pages / max(figures["seconds"] - startup, 1e-3)
            line += (f"  {pages} pages, {rate:7.1f} pages/s after start-up"
                     f" = {rate / bound:5.1%} of bound")
        print(line, flush=True)
    written = len(list(ctx.out.glob("*.txt"))) if ctx.out.is_dir() else 0
    print(f"  {label} total     {total:7.2f} s  corpus {written} files", flush=True)


def count_stored(ctx: Context) -> int:
    index = ctx.pages / "index.jsonl"
    return sum(1 for _ in index.open()) if index.is_file() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000],
                        help="articles in all; several sizes run one after another")
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--per-host-concurrency", type=int, default=2)
    parser.add_argument("--mode", choices=sorted(STEPS), default="fetch+clean")
    parser.add_argument("--twice", action="store_true", help="run again over the same folders")
    args = parser.parse_args()
    hosts = [f"127.0.0.{i}" for i in range(2, 2 + args.hosts)]
    for articles in args.articles:
        one_size(args, hosts, -(-articles // args.hosts))


def one_size(args: argparse.Namespace, hosts: list[str], per_host: int) -> None:
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(args.latency), str(per_host), *hosts],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert server.stdout is not None and server.stdin is not None
    try:
        port = int(server.stdout.readline())
        with tempfile.TemporaryDirectory(prefix="bench-run-") as work:
            ctx = Context(Path(work), hosts, port)
            ctx.config.write_text(
                "[fetch]\ndelay = 0.0\nconcurrency = 64\n"
                f"per_host_concurrency = {args.per_host_concurrency}\n"
                'allow_private_networks = ["127.0.0.0/8"]\n\n'
                + "".join(f'[[sources]]\nurl = "{url}"\nkind = "sitemap"\nsame_site = true\n\n'
                          for url in ctx.sitemaps())
            )
            bound = args.hosts * args.per_host_concurrency / args.latency
            print(f"{args.mode}: {args.hosts} hosts x {per_host} articles, latency "
                  f"{args.latency * 1000:.0f} ms, per_host_concurrency "
                  f"{args.per_host_concurrency}, delay 0; bound {bound:.0f} pages/s", flush=True)
            # The anchor: a child that only starts up (imports every command) and exits.
            startup = run_step(ctx, "start-up", ["--version"], False)
            print(f"  start-up        {startup['seconds']:7.2f} s  "
                  f"peak RSS {startup['rss_mb']:6.1f} MB", flush=True)
            one_pass(ctx, args.mode, "first ", bound, startup["seconds"])
            if args.twice:
                one_pass(ctx, args.mode, "second", bound, startup["seconds"])
    finally:
        server.stdin.close()
        server.wait(timeout=10)

if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        asyncio.run(_serve(float(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]))
    else:
        main()
