"""How work flows through `scraper run`: sources in turn, batches fetched ahead, and the frontier
an earlier run left, resumed on a real loopback server whose feed changes between runs."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

from fetch_server import FaultServer, Reply
from support import ROOT

from scraper.cli import main
from scraper.commands.run import recorder
from scraper.config import load_config
from scraper.fetch import PageStore
from scraper.flow import prefetched, round_robin
from scraper.pipeline import run_collect
from scraper.state import State
from scraper.stats import Stats

WORDS = ("kota", "warga", "banjir", "jalan", "harga", "beras", "pasar", "menteri", "rapat",
         "sekolah", "guru", "rumah", "kapal", "nelayan", "hujan", "listrik", "desa", "petani")


def test_round_robin_takes_one_of_each_in_turn():
    streams = [iter("abc"), iter(""), iter("de"), iter("f")]
    assert "".join(round_robin(streams)) == "adfbec"


def test_prefetched_fetches_ahead_in_order_and_bounded():
    started: list[int] = []
    lock = threading.Lock()

    def fetch(urls):
        with lock:
            started.append(int(urls[0]))
        time.sleep(0.01)
        return [f"page {url}" for url in urls]

    class Item:
        def __init__(self, n):
            self.url = str(n)

    batches = ([Item(n)] for n in range(6))
    seen = []
    for batch, results in prefetched(batches, fetch, 2):
        # While batch n is handled, batches up to n + 2 have been asked for, never more.
        assert max(started) <= int(batch[0].url) + 2
        seen.append((batch[0].url, results))
    assert seen == [(str(n), [f"page {n}"]) for n in range(6)]


class NewsSite:
    """A feed of article links on a FaultServer; `listed` is what the feed shows now."""

    def __init__(self, server: FaultServer, count: int) -> None:
        self.server = server
        self.listed = [f"/berita/{n}" for n in range(count)]
        server.route("/rss", self._rss)
        for n in range(count + 10):
            server.route(f"/berita/{n}", self._article)

    def url(self, path: str) -> str:
        return self.server.url(path)

    def _rss(self, request):
        items = "".join(f"<item><title>Berita {p}</title><link>{self.url(p)}</link></item>"
                        for p in self.listed)
        body = f"<rss><channel><title>x</title>{items}</channel></rss>".encode()
        return Reply(body=body, headers={"Content-Type": "application/rss+xml"})

    def _article(self, request):
        rng = random.Random(request.path)
        title = " ".join(rng.choice(WORDS) for _ in range(5)).capitalize()
        paragraphs = "".join("<p>" + " ".join(rng.choice(WORDS) for _ in range(40)) + ".</p>"
                             for _ in range(4))
        body = (f"<html><head><title>{title}</title><link rel='canonical' "
                f"href='{self.url(request.path)}'></head><body><article><h1>{title}</h1>"
                f"{paragraphs}</article></body></html>").encode()
        return Reply(body=body, headers={"Content-Type": "text/html; charset=utf-8"})

    def requested(self) -> Counter[str]:
        return Counter(r.path for r in self.server.log if r.path.startswith("/berita/"))


def write_config(path, site: NewsSite):
    path.write_text(
        "[fetch]\ndelay = 0.0\nconcurrency = 10\nallow_private_networks = [\"127.0.0.0/8\"]\n\n"
        f"[run]\nbatch_size = 5\n\n[[sources]]\nurl = \"{site.url('/rss')}\"\nkind = \"feed\"\n",
        encoding="utf-8")
    return path


def written_paths(out) -> list[str]:
    lines = (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return ["/" + json.loads(line)["url"].split("/", 3)[3] for line in lines]


def test_a_killed_run_s_pending_urls_are_processed_after_they_left_the_feed(tmp_path):
    with FaultServer() as server:
        site = NewsSite(server, 40)
        config = write_config(tmp_path / "scraper.toml", site)
        out, store = tmp_path / "out", tmp_path / "store"
        command = [sys.executable, "-m", "scraper", "run", "-c", str(config), "-o", str(out),
                   "--store", str(store), "--log-format", "json"]
        with subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True) as proc:
            assert proc.stderr is not None
            for line in proc.stderr:
                if '"event": "kept"' in line:
                    break
            proc.kill()
            proc.stderr.read()
            assert proc.wait(timeout=60) == -signal.SIGKILL
        first = set(written_paths(out)) if (out / "manifest.jsonl").exists() else set()
        pages = PageStore(store)
        with State.open(out) as state:  # fetched, or pending but stored before its record
            left = [*state.unprocessed(), *state.due()]
        stored = {"/" + url.split("/", 3)[3] for url in left if pages.get(url) is not None}
        assert len(first) < 40  # killed mid-way
        before = site.requested()
        # The feed moves on: the articles the killed run did not finish are no longer listed.
        site.listed = [f"/berita/{n}" for n in range(40, 43)]
        assert main(["run", "-c", str(config), "-o", str(out), "--store", str(store)]) == 0
        again = site.requested() - before
    written = written_paths(out)
    assert sorted(written) == sorted(f"/berita/{n}" for n in range(43))  # once each, none lost
    # A page the killed run had stored but not processed is read from the store.
    assert not stored & set(again)


def test_pages_fetched_ahead_of_a_stop_come_from_the_store_next_time(tmp_path, capsys):
    with FaultServer() as server:
        site = NewsSite(server, 30)
        config = load_config(write_config(tmp_path / "scraper.toml", site))
        out, store = tmp_path / "out", str(tmp_path / "store")
        events: list[str] = []

        def heard(event, **fields):
            events.append(event)
            record(event, **fields)

        with State.open(out) as state:
            record = recorder(state)  # what `scraper run` records in the frontier
            report = run_collect(config, out, store, Stats(), frontier=state,
                                 should_stop=lambda: "kept" in events, on_event=heard)
            stored = list(state.unprocessed())
            pending = list(state.due())
        # One batch written; the batches fetched ahead of the stop (lookahead: concurrency 10 /
        # batch 5, two of them, and one that may have started) wait in the store, the rest of
        # the feed is pending.
        assert report.stopped and report.written == 5
        assert len(stored) in (10, 15) and len(stored) + len(pending) == 25
        site.listed = []  # the feed is emptied: only the frontier is left
        before = site.requested()
        assert main(["run", "-c", str(tmp_path / "scraper.toml"), "-o", str(out), "--store",
                     store]) == 0
        again = site.requested() - before
    assert sorted(written_paths(out)) == sorted(f"/berita/{n}" for n in range(30))
    assert set(again) == {"/" + url.split("/", 3)[3] for url in pending}
    assert "(+25 left by an earlier run)" in capsys.readouterr().err


def test_an_article_written_but_not_recorded_is_settled_by_the_next_run(tmp_path, capsys):
    with FaultServer() as server:
        site = NewsSite(server, 5)
        config = str(write_config(tmp_path / "scraper.toml", site))
        out, store = tmp_path / "out", str(tmp_path / "store")
        assert main(["run", "-c", config, "-o", str(out), "--store", store]) == 0
        url = site.url("/berita/3")
        with State.open(out) as state:  # killed between the write and its record
            state.record(url, "pending")
        site.listed = []
        capsys.readouterr()
        assert main(["run", "-c", config, "-o", str(out), "--store", store]) == 0
        assert "(+1 left by an earlier run)" in capsys.readouterr().err
        with State.open(out) as state:
            assert state.outcome(url) == "kept"
        assert main(["run", "-c", config, "-o", str(out), "--store", store]) == 0
        assert "left by an earlier run" not in capsys.readouterr().err
    assert sorted(written_paths(out)) == [f"/berita/{n}" for n in range(5)]
