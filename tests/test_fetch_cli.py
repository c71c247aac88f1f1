"""`scraper fetch` end to end, in a subprocess, against the local fault server."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import threading

import pytest
from fetch_server import FaultServer, Reply

PAGE = b"<html><body><p>Isi berita.</p></body></html>"
CONFIG = """
[fetch]
delay = 0.0
backoff_base = 0.01
allow_private_networks = ["127.0.0.0/8"]
user_agent = "uji-bot/1.0 (+https://example.org/bot)"
"""


@pytest.fixture
def server():
    with FaultServer() as running:
        running.route("/page", lambda r: Reply(body=PAGE))
        running.route("/old", lambda r: Reply(301, headers={"Location": "/page"}))
        running.route("/gone", lambda r: Reply(410))
        yield running


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "scraper.toml"
    path.write_text(CONFIG)
    return str(path)


def scraper(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scraper", *args], capture_output=True,
                          text=True, timeout=60)


def test_json_lines_and_exit_1_when_a_url_failed(server, config, tmp_path):
    urls = [server.url("/old"), server.url("/gone")]
    done = scraper("fetch", "-c", config, "--json", "--store", str(tmp_path / "store"), *urls)
    assert done.returncode == 1
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [set(line) >= {"url", "final_url", "status", "bytes", "attempts", "error"}
            for line in lines] == [True, True]
    # Completion order: the redirect's extra hop lets /gone finish first.
    ok, gone = sorted(lines, key=lambda line: urls.index(line["url"]))
    assert (ok["url"], ok["final_url"], ok["status"], ok["bytes"]) == (
        urls[0], server.url("/page"), 200, len(PAGE))
    assert (ok["attempts"], ok["error"]) == (1, None)
    assert (gone["status"], gone["error"], gone["attempts"]) == (410, "HTTPStatusError", 1)
    assert done.stderr.strip() == f"scraper: error: {urls[1]}: HTTP 410"
    assert server.requests("/page")[0].headers["user-agent"].startswith("uji-bot/1.0")


def test_text_lines_and_exit_0(server, config):
    done = scraper("fetch", "-c", config, server.url("/old"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["200", str(len(PAGE)), "B", "attempts=1", server.url("/old"),
                                   "->", server.url("/page")]


def test_offline_run_reads_the_store_only(server, config, tmp_path):
    store = str(tmp_path / "store")
    assert scraper("fetch", "-c", config, "--store", store, server.url("/page")).returncode == 0
    before = len(server.log)
    done = scraper("fetch", "-c", config, "--store", store, "--offline", "--json",
                   server.url("/page"), server.url("/never"))
    assert done.returncode == 1
    page, never = (json.loads(line) for line in done.stdout.splitlines())
    assert (page["status"], page["bytes"], page["attempts"]) == (200, len(PAGE), 0)
    assert never["error"] == "NotInStoreError"
    assert len(server.log) == before


def test_flags_override_the_config_file(server, config):
    # The file allows loopback; --allow-private with another range takes that away again.
    done = scraper("fetch", "-c", config, "--allow-private", "10.0.0.0/8", "--json",
                   server.url("/page"))
    assert json.loads(done.stdout)["error"] == "BlockedAddressError"
    assert server.log == []


def test_offline_without_a_store_is_a_usage_error(config):
    done = scraper("fetch", "-c", config, "--offline", "http://a.test/")
    assert done.returncode == 2
    assert "page store" in done.stderr


def test_a_bad_config_value_is_a_usage_error(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[fetch]\nconcurrency = 0\n")
    done = scraper("fetch", "-c", str(path), "http://a.test/")
    assert done.returncode == 2
    assert "concurrency" in done.stderr


def test_export_warc_of_the_store(server, config, tmp_path):
    store, warc = str(tmp_path / "store"), tmp_path / "pages.warc.gz"
    assert scraper("fetch", "-c", config, "--store", store, server.url("/page")).returncode == 0
    done = scraper("fetch", "-c", config, "--store", store, "--export-warc", str(warc))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "exported 1 pages" in done.stderr
    assert warc.read_bytes()[:2] == b"\x1f\x8b"  # gzip; test_fetch_archive reads records


def test_no_urls_and_no_export_is_a_usage_error(config):
    done = scraper("fetch", "-c", config)
    assert done.returncode == 2
    assert "at least one URL" in done.stderr


def test_each_result_is_printed_as_soon_as_it_completes(server, config):
    released = threading.Event()

    async def slow(request):
        # Held until the test has seen the fast URL's line (at most 10 s, to bound the test).
        for _ in range(500):
            if released.is_set():
                break
            await asyncio.sleep(0.02)
        return Reply(body=PAGE)

    server.route("/slow", slow)
    fast = server.url("/page")
    with subprocess.Popen(
        [sys.executable, "-m", "scraper", "fetch", "-c", config, "--ignore-robots",
         "--per-host-concurrency", "2", server.url("/slow"), fast],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as child:
        try:
            first = child.stdout.readline()  # arrives while /slow is still unanswered
            assert first.startswith("200") and first.rstrip().endswith(fast)
        finally:
            released.set()
        rest = child.stdout.read()
        assert child.wait(timeout=30) == 0
    assert rest.rstrip().endswith(server.url("/slow"))


def test_sigterm_stops_after_the_url_in_flight(server, config):
    served = threading.Event()

    async def slow(request):
        served.set()
        await asyncio.sleep(0.5)
        return Reply(body=PAGE)

    server.route("/slow", slow)
    urls = [server.url(f"/slow?n={i}") for i in range(20)]
    with subprocess.Popen(
        [sys.executable, "-m", "scraper", "fetch", "-c", config, "--ignore-robots", *urls],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as child:
        assert served.wait(timeout=20)
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=30)
    assert child.returncode == 143
    lines = out.splitlines()
    assert 1 <= len(lines) <= 2 and all(line.startswith("200") for line in lines)
    assert len(server.requests("/slow")) <= 2  # the other URLs were never requested
    assert "SIGTERM" in err


def test_a_url_that_cannot_be_taken_apart_is_one_error_line(server, config):
    done = scraper("fetch", "-c", config, "http://[::1", server.url("/page"))
    assert done.returncode == 1
    assert done.stderr == "scraper: error: http://[::1: not a valid URL (Invalid IPv6 URL)\n"
    assert "200" in done.stdout and len(server.requests("/page")) == 1
