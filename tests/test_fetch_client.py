"""The Fetcher against a real HTTP server on 127.0.0.1 with fault endpoints.

Async code runs through `asyncio.run` inside plain tests (no pytest-asyncio needed). Timing
checks are lower bounds with margins, read from the server's own request log.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Iterator

import pytest
from fetch_server import (
    FaultServer,
    Raw,
    Reply,
    Reset,
    fetch_in_turn,
    loopback_config,
    sequence,
)

from scraper.config import FetchConfig
from scraper.fetch import Fetcher, FetchResult

BACKENDS = ["aiohttp", "httpx"]
PAGE = b"<html><head><title>Berita</title></head><body><p>Isi berita.</p></body></html>"


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as running:
        running.route("/page", lambda r: Reply(body=PAGE))
        yield running


def fetch(config: FetchConfig, *urls: str, **options: object) -> list[FetchResult]:
    return fetch_in_turn(config, *urls, **options)


def fetch_one(config: FetchConfig, url: str, **options: object) -> FetchResult:
    return fetch_in_turn(config, url, **options)[0]


# ----------------------------------------------------------------------------- retries


@pytest.mark.parametrize("backend", BACKENDS)
def test_503_twice_then_200_succeeds_on_the_third_attempt(server, backend):
    server.route("/flaky", sequence(Reply(503), Reply(503), Reply(body=PAGE)))
    result = fetch_one(loopback_config(backend=backend), server.url("/flaky"))
    assert (result.status, result.error, result.attempts) == (200, None, 3)
    assert result.text is not None and "Isi berita." in result.text
    assert len(server.requests("/flaky")) == 3


def test_429_waits_for_retry_after_seconds(server):
    server.route("/busy", sequence(Reply(429, headers={"Retry-After": "1"}), Reply(body=PAGE)))
    result = fetch_one(loopback_config(), server.url("/busy"))
    assert (result.status, result.attempts) == (200, 2)
    first, second = server.requests("/busy")
    assert second.at - first.at >= 0.9


def test_retry_after_is_capped(server):
    server.route("/busy", sequence(Reply(429, headers={"Retry-After": "3600"}), Reply(body=PAGE)))

    async def go() -> FetchResult:
        async with Fetcher(loopback_config(retry_after_cap=0.3)) as fetcher:
            # Bounded: a broken cap would wait the full hour, and fails here in 10 s instead.
            return await asyncio.wait_for(fetcher.fetch(server.url("/busy")), timeout=10)

    result = asyncio.run(go())
    assert (result.status, result.attempts) == (200, 2)
    first, second = server.requests("/busy")
    assert 0.25 <= second.at - first.at < 2.0  # the cap (0.3 s) plus scheduling, not 3600 s


def test_persistent_500_is_retried_then_reported(server):
    server.route("/broken", lambda r: Reply(500))
    result = fetch_one(loopback_config(max_attempts=3), server.url("/broken"))
    assert (result.status, result.error, result.attempts) == (500, "HTTPStatusError", 3)
    assert len(server.requests("/broken")) == 3


@pytest.mark.parametrize("status", [404, 410, 403])
def test_client_errors_are_not_retried(server, status):
    server.route("/gone", lambda r: Reply(status))
    result = fetch_one(loopback_config(), server.url("/gone"))
    assert (result.status, result.error, result.attempts) == (status, "HTTPStatusError", 1)
    assert result.reason == f"HTTP {status}"
    assert len(server.requests("/gone")) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_connection_reset_is_retried(server, backend):
    server.route("/reset-once", sequence(Reset(), Reply(body=PAGE)))
    server.route("/reset", lambda r: Reset())
    ok, failed = fetch(loopback_config(backend=backend), server.url("/reset-once"),
                       server.url("/reset"))
    assert (ok.status, ok.attempts) == (200, 2)
    assert (failed.error, failed.status, failed.attempts) == ("TransportError", None, 3)
    assert len(server.requests("/reset")) == 3


@pytest.mark.parametrize("backend", BACKENDS)
def test_response_slower_than_the_read_timeout_fails(server, backend):
    server.route("/slow", lambda r: Reply(body=PAGE, delay=1.5))
    config = loopback_config(backend=backend, read_timeout=0.2, max_attempts=2)
    result = fetch_one(config, server.url("/slow"))
    assert (result.error, result.attempts) == ("TransportError", 2)
    assert result.reason is not None and "Timeout" in result.reason
    assert len(server.requests("/slow")) == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_trickling_page_is_cut_at_page_timeout(server, backend):
    # Each read arrives well within read_timeout, but the page as a whole would take ~2.5 s.
    server.route("/drip", lambda r: Reply(body=PAGE, trickle=0.25))
    config = loopback_config(backend=backend, read_timeout=1.0, page_timeout=0.4,
                             max_attempts=1)
    result = fetch_one(config, server.url("/drip"))
    assert (result.error, result.status) == ("TransportError", 200)
    assert "page_timeout" in (result.reason or "")


# ----------------------------------------------------------------------------- limits


def test_body_over_the_limit_is_refused_and_not_retried(server):
    server.route("/big", lambda r: Reply(body=b"<p>" + b"x" * 50_000))
    result = fetch_one(loopback_config(max_bytes=10_000), server.url("/big"))
    assert (result.error, result.body) == ("TooLargeError", b"")
    assert len(server.requests("/big")) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_gzip_bomb_is_aborted_while_streaming(server, backend):
    bomb = gzip.compress(b"\0" * 20_000_000)
    assert len(bomb) < 100_000  # small on the wire, 20 MB once inflated
    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
    server.route("/bomb", lambda r: Reply(body=bomb, headers=headers))
    result = fetch_one(loopback_config(backend=backend, max_bytes=1_000_000), server.url("/bomb"))
    assert result.error == "TooLargeError"
    assert "after decompression" in (result.reason or "")


def test_gzip_page_is_decompressed(server):
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
    server.route("/gz", lambda r: Reply(body=gzip.compress(PAGE), headers=headers))
    result = fetch_one(loopback_config(), server.url("/gz"))
    assert (result.status, result.body) == (200, PAGE)
    assert "gzip" in server.requests("/gz")[0].headers["accept-encoding"]


def test_non_page_content_type_is_refused(server):
    server.route("/logo", lambda r: Reply(body=b"\x89PNG", headers={"Content-Type": "image/png"}))
    result = fetch_one(loopback_config(), server.url("/logo"))
    assert (result.error, result.status) == ("UnsupportedContentError", 200)


@pytest.mark.parametrize("kind", ["application/rss+xml", "application/atom+xml",
                                  "application/xhtml+xml", "text/xml; charset=utf-8"])
def test_feed_and_xml_types_are_pages(server, kind):
    server.route("/feed", lambda r: Reply(body=b"<rss/>", headers={"Content-Type": kind}))
    assert fetch_one(loopback_config(), server.url("/feed")).ok


def test_mislabelled_charset_still_decodes(server):
    text = "Menteri berkata, “Kami tidak akan mundur,” di Jakarta – Senin."
    page = f"<html><body><p>{text}</p></body></html>".encode()
    headers = {"Content-Type": "text/html; charset=iso-8859-1"}
    server.route("/label", lambda r: Reply(body=page, headers=headers))
    result = fetch_one(loopback_config(), server.url("/label"))
    assert result.text is not None and text in result.text


# ----------------------------------------------------------------------------- redirects


def test_redirect_is_followed_and_final_url_recorded(server):
    server.route("/old", lambda r: Reply(301, headers={"Location": "/page"}))
    result = fetch_one(loopback_config(), server.url("/old"))
    assert (result.status, result.final_url, result.attempts) == (200, server.url("/page"), 1)
    assert result.url == server.url("/old")


def test_redirect_loop_stops_after_max_redirects(server):
    server.route("/a", lambda r: Reply(302, headers={"Location": "/b"}))
    server.route("/b", lambda r: Reply(302, headers={"Location": "/a"}))
    result = fetch_one(loopback_config(), server.url("/a"))
    assert result.error == "TooManyRedirects"
    assert len(server.requests("/a")) + len(server.requests("/b")) == 6  # first hop + 5


def test_exactly_max_redirects_is_allowed(server):
    for i in range(3):
        server.route(f"/hop{i}", lambda r, i=i: Reply(302, headers={"Location": f"/hop{i + 1}"}))
    server.route("/hop3", lambda r: Reply(body=PAGE))
    assert fetch_one(loopback_config(max_redirects=3), server.url("/hop0")).ok
    result = fetch_one(loopback_config(max_redirects=2), server.url("/hop0"))
    assert result.error == "TooManyRedirects"


@pytest.mark.parametrize("backend", BACKENDS)
def test_malformed_response_is_a_transport_error(server, backend):
    server.route("/garbage", lambda r: Raw(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\nbody"))
    result = fetch_one(loopback_config(backend=backend, max_attempts=1), server.url("/garbage"))
    assert (result.error, result.status) == ("TransportError", None)
    assert "\n" not in (result.reason or "")  # one line, for the CLI


@pytest.mark.parametrize("url", ["http://[::1/berita", "http://berita.test:99999/"])
def test_invalid_url_is_an_error_result(url):
    result = fetch_one(loopback_config(), url)
    assert result.error == "UnsupportedSchemeError"
    assert "not a valid URL" in (result.reason or "")
