"""Fetch throughput, against its bound and against Scrapy, on one local server in the same run.

    python bench/bench_fetch.py [--pages 200] [--frontier 100000] [--skip-scrapy]

A server process (this file with --serve) listens on 127.0.0.2 ... 127.0.0.9 (8 "hosts"), answers
every page after a fixed latency, and counts, per host, the most requests it had open at once.
Clients run with per_host_concurrency 4, concurrency 32, delay 0, robots.txt obeyed (the server
answers 404 there). The bound is hosts x per_host_concurrency / latency pages/s. Figures:

1. our Fetcher (both backends), Scrapy, and bare aiohttp with two semaphores (no robots, no
   retries, no store: the ceiling this machine allows right now) at 50 ms latency: pages/s, % of
   the bound, client CPU per page, and the server-side maximum of requests open at once per host;
2. raw loopback throughput at 0 ms latency (ours and Scrapy);
3. peak RSS of a child process that fetches a frontier of --frontier URLs at 0 ms latency.

Client and server run in separate processes, so the client CPU figures are the client's own.
Only loopback addresses are used. Every loop is bounded by the URL count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import ClassVar

HOSTS = [f"127.0.0.{i}" for i in range(2, 10)]
CONTROL = "127.0.0.1"
PAGE = (
    b"<!doctype html><html><head><meta charset='utf-8'><title>Berita</title></head><body>"
    + b"<p>Jakarta - Pemerintah mengumumkan kebijakan baru untuk pelabuhan.</p>" * 420
    + b"</body></html>"
)  # about 30 KB, like a news article page


# ----------------------------------------------------------------------------- the server


class _Server(asyncio.Protocol):
    # Shared by every connection of the server process.
    latency: ClassVar[float] = 0.0
    in_flight: ClassVar[Counter[str]] = Counter()
    max_in_flight: ClassVar[Counter[str]] = Counter()
    served: ClassVar[int] = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.host = transport.get_extra_info("sockname")[0]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            self._handle(head.split(b" ", 2)[1])

    def _handle(self, path: bytes) -> None:
        cls = type(self)
        if path == b"/__stats":
            stats = {"max_in_flight": dict(cls.max_in_flight), "served": cls.served}
            cls.max_in_flight, cls.served = Counter(), 0
            return self._send(200, json.dumps(stats).encode(), "application/json")
        if path == b"/robots.txt":
            return self._send(404, b"", "text/plain")
        cls.in_flight[self.host] += 1
        cls.max_in_flight[self.host] = max(cls.max_in_flight[self.host], cls.in_flight[self.host])
        if cls.latency:
            asyncio.get_running_loop().call_later(cls.latency, self._page)
        else:
            self._page()

    def _page(self) -> None:
        cls = type(self)
        cls.in_flight[self.host] -= 1
        cls.served += 1
        self._send(200, PAGE, "text/html; charset=utf-8")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        if self.transport.is_closing():
            return
        head = f"HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n\r\n"
        self.transport.write(head.encode() + body)  # type: ignore[attr-defined]


async def _serve(latency: float) -> None:
    _Server.latency = latency
    loop = asyncio.get_running_loop()
    first = await loop.create_server(_Server, CONTROL, 0)
    port = first.sockets[0].getsockname()[1]
    for host in HOSTS:
        await loop.create_server(_Server, host, port)
    print(port, flush=True)
    # The parent closes our stdin when it is done: stop then (bounded by the parent's life).
    await loop.run_in_executor(None, sys.stdin.read)


def start_server(latency: float) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(latency)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline())


def stop_server(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(timeout=10)


def server_stats(port: int) -> dict[str, object]:
    import httpx

    stats: dict[str, object] = httpx.get(f"http://{CONTROL}:{port}/__stats", timeout=5).json()
    return stats


def urls_for(port: int, pages: int) -> list[str]:
    return [f"http://{host}:{port}/p/{i}" for host in HOSTS for i in range(pages)]


# ----------------------------------------------------------------------------- the clients


def run_bare_aiohttp(urls: list[str]) -> dict[str, float]:
    """The ceiling: aiohttp with a global and a per-host semaphore and nothing else."""
    import aiohttp

    async def go() -> int:
        total = asyncio.Semaphore(32)
        hosts = {host: asyncio.Semaphore(4) for host in HOSTS}
        connector = aiohttp.TCPConnector(limit=32)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def one(url: str) -> bool:
                host = hosts[url.split("/")[2].split(":")[0]]
                async with host, total, session.get(url) as response:
                    await response.read()
                    return response.status == 200

            return sum(await asyncio.gather(*(one(url) for url in urls)))

    cpu, start = time.process_time(), time.perf_counter()
    ok = asyncio.run(go())
    return {"pages": ok, "seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}


def run_ours(urls: list[str], backend: str) -> dict[str, float]:
    from scraper.config import FetchConfig
    from scraper.fetch import Fetcher

    config = FetchConfig(
        delay=0, per_host_concurrency=4, concurrency=32, backend=backend,
        allow_private_networks=["127.0.0.0/8"],
    )

    async def go() -> int:
        ok = 0
        async with Fetcher(config) as fetcher:
            async for result in fetcher.fetch_many(urls):
                ok += result.ok
        return ok

    cpu, start = time.process_time(), time.perf_counter()
    ok = asyncio.run(go())
    return {"pages": ok, "seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}


def scrapy_child(port: int, pages: int) -> None:
    """Run Scrapy with the same settings; print pages, seconds (spider open to close), CPU."""
    import scrapy
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    marks: dict[str, float] = {}
    count = Counter[str]()

    class Bench(scrapy.Spider):  # type: ignore[misc]
        name = "bench"
        start_urls = urls_for(port, pages)

        def parse(self, response: scrapy.http.Response) -> None:
            count["ok"] += response.status == 200

    process = CrawlerProcess(settings={
        "CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 4, "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": True, "RETRY_TIMES": 2, "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "ERROR", "USER_AGENT": "bench",
    })
    crawler = process.create_crawler(Bench)

    def opened() -> None:
        marks["open"], marks["cpu"] = time.perf_counter(), time.process_time()

    def closed() -> None:
        marks["close"], marks["cpu"] = time.perf_counter(), time.process_time() - marks["cpu"]

    crawler.signals.connect(opened, signal=signals.spider_opened)
    crawler.signals.connect(closed, signal=signals.spider_closed)
    process.crawl(crawler)
    process.start()
    seconds = marks["close"] - marks["open"]
    print(json.dumps({"pages": count["ok"], "seconds": seconds, "cpu": marks["cpu"]}))


def run_scrapy(port: int, pages: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--scrapy-child", str(port), str(pages)],
        capture_output=True, text=True, check=True, timeout=600,
    )
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def rss_child(port: int, frontier: int) -> None:
    import scraper.fetch  # noqa: F401  (imports are not the frontier's cost)

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per_host = -(-frontier // len(HOSTS))
    urls = urls_for(port, per_host)[:frontier]
    figures = run_ours(urls, "aiohttp")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({**figures, "base_mb": base, "peak_mb": peak}))


# ----------------------------------------------------------------------------- the report


def _line(name: str, runs: list[dict[str, float]], bound: float | None) -> str:
    """The median run by pages/s, with every run's rate, CPU and server-side peak."""
    rates = sorted(f["pages"] / f["seconds"] for f in runs)
    f = sorted(runs, key=lambda r: r["pages"] / r["seconds"])[len(runs) // 2]
    rate = f["pages"] / f["seconds"]
    share = f" {100 * rate / bound:5.1f}% of bound" if bound else ""
    peak = max(int(r["peak"]) for r in runs)
    return (
        f"  {name:<16} {int(f['pages']):>5} pages {rate:7.1f} pages/s{share}"
        f"  CPU {1000 * f['cpu'] / max(f['pages'], 1):4.2f} ms/page"
        f"  server max open/host {peak}  (runs: {', '.join(f'{r:.0f}' for r in rates)})"
    )


def bench_latency(pages: int, skip_scrapy: bool, latency: float, repeat: int) -> dict[str, float]:
    """Median pages/s per client; runs of the clients are interleaved to share the noise."""
    proc, port = start_server(latency)
    bound = len(HOSTS) * 4 / latency if latency else None
    print(f"latency {latency * 1000:.0f} ms, {len(HOSTS)} hosts x {pages} pages, "
          f"per_host_concurrency 4, concurrency 32, delay 0, median of {repeat}"
          + (f"; bound {bound:.0f} pages/s" if bound else ""), flush=True)
    urls = urls_for(port, pages)
    clients = {"fetcher/aiohttp": lambda: run_ours(urls, "aiohttp"),
               "fetcher/httpx": lambda: run_ours(urls, "httpx"),
               "bare aiohttp": lambda: run_bare_aiohttp(urls)}
    if not skip_scrapy:
        clients["scrapy"] = lambda: run_scrapy(port, pages)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in clients}
    try:
        for _ in range(repeat):
            for name, run in clients.items():
                server_stats(port)  # reset the server's counters
                figures = run()
                per_host = server_stats(port)["max_in_flight"]
                assert isinstance(per_host, dict)
                runs[name].append({**figures, "peak": max(per_host.values(), default=0)})
    finally:
        stop_server(proc)
    for name, done in runs.items():
        print(_line(name, done, bound), flush=True)
    return {name: sorted(f["pages"] / f["seconds"] for f in done)[repeat // 2]
            for name, done in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=200, help="pages per host (default 200)")
    parser.add_argument("--frontier", type=int, default=100_000, help="URLs in the RSS run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per client (median)")
    parser.add_argument("--skip-scrapy", action="store_true")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores shared with other work)")
    rates = bench_latency(args.pages, args.skip_scrapy, 0.05, args.repeat)
    bound = len(HOSTS) * 4 / 0.05
    ours = rates["fetcher/aiohttp"]
    versus = f", {ours / rates['bare aiohttp']:.2f} x bare aiohttp"
    if "scrapy" in rates:
        versus += f", {ours / rates['scrapy']:.2f} x Scrapy (target >= 1.00)"
    print(f"  => fetcher/aiohttp: {ours / bound:.2f} x bound (target >= 0.90){versus}")
    zero = bench_latency(args.pages, args.skip_scrapy, 0.0, args.repeat)
    if "scrapy" in zero:
        print(f"  => raw loopback: {zero['fetcher/aiohttp'] / zero['scrapy']:.2f} x Scrapy")
    proc, port = start_server(0.0)
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--rss-child", str(port), str(args.frontier)],
            capture_output=True, text=True, check=True, timeout=900,
        )
    finally:
        stop_server(proc)
    f = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"frontier of {args.frontier} URLs at 0 ms: {int(f['pages'])} pages"
          f" in {f['seconds']:.1f} s ({f['pages'] / f['seconds']:.0f} pages/s);"
          f" peak RSS {f['peak_mb']:.0f} MB"
          f" (after imports {f['base_mb']:.0f} MB)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    if sys.argv[1:2] == ["--serve"]:
        asyncio.run(_serve(float(sys.argv[2])))
    elif sys.argv[1:2] == ["--scrapy-child"]:
        scrapy_child(int(sys.argv[2]), int(sys.argv[3]))
    elif sys.argv[1:2] == ["--rss-child"]:
        rss_child(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
