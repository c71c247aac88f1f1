"""The page store, conditional re-fetch (ETag / Last-Modified -> 304) and offline mode."""

from __future__ import annotations

import gzip
import json

import pytest
from fetch_server import (
    FaultServer,
    LoopbackOnlyTransport,
    Reply,
    Request,
    fetch_in_turn,
    loopback_config,
)

from scraper.errors import ConfigError
from scraper.fetch import BlockingFetcher, Fetcher, FetchResult, PageStore, fetch_sync
from scraper.fetch.store import INDEX

PAGE = "<html><body><p>Presiden meresmikan “jalan tol” baru.</p></body></html>".encode()
VALIDATORS = {"ETag": '"v1"', "Last-Modified": "Wed, 20 Nov 2024 10:00:00 GMT"}


def conditional(request: Request) -> Reply:
    if request.headers.get("if-none-match") == '"v1"':
        return Reply(304, headers=VALIDATORS)
    return Reply(body=PAGE, headers={"Content-Type": "text/html; charset=utf-8", **VALIDATORS})


@pytest.fixture
def server():
    with FaultServer() as running:
        running.route("/page", conditional)
        running.route("/other", lambda r: Reply(body=b"<p>lain</p>"))
        yield running


def test_pages_are_stored_with_their_metadata(server, tmp_path):
    store = PageStore(tmp_path)
    (result,) = fetch_in_turn(loopback_config(), server.url("/page"), store=store)
    assert result.ok
    stored = PageStore(tmp_path).get(server.url("/page"))  # a fresh open reads the index
    assert stored is not None
    assert (stored.body, stored.status, stored.final_url) == (PAGE, 200, server.url("/page"))
    assert stored.headers["etag"] == '"v1"'
    assert stored.text == PAGE.decode()
    assert stored.fetched_at == result.fetched_at
    entry = json.loads((tmp_path / INDEX).read_text().splitlines()[0])
    body_file = tmp_path / "objects" / entry["sha256"][:2] / f"{entry['sha256']}.gz"
    assert gzip.decompress(body_file.read_bytes()) == PAGE


def test_refetch_is_conditional_and_304_means_unchanged(server, tmp_path):
    store = PageStore(tmp_path)
    url = server.url("/page")
    first, second = fetch_in_turn(loopback_config(), url, url, store=store)
    assert (first.status, first.not_modified) == (200, False)
    assert (second.status, second.not_modified, second.body) == (304, True, PAGE)
    assert second.text == first.text
    sent = server.requests("/page")[1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == VALIDATORS["Last-Modified"]
    assert "if-none-match" not in server.requests("/page")[0].headers
    assert PageStore(tmp_path).get(server.url("/page")).status == 200  # the body stays a 200


def test_offline_serves_the_store_and_never_touches_the_network(server, tmp_path):
    fetch_in_turn(loopback_config(), server.url("/page"), store=PageStore(tmp_path))
    before = len(server.log)
    page, missing = fetch_in_turn(loopback_config(), server.url("/page"), server.url("/missing"),
                          store=PageStore(tmp_path), offline=True,
                          transport=LoopbackOnlyTransport())
    assert (page.body, page.status, page.attempts) == (PAGE, 200, 0)
    assert (missing.error, missing.body) == ("NotInStoreError", b"")
    assert len(server.log) == before


def test_offline_needs_a_store():
    with pytest.raises(ConfigError, match="page store"):
        Fetcher(loopback_config(), offline=True)


def test_failures_are_not_stored(server, tmp_path):
    store = PageStore(tmp_path)
    fetch_in_turn(loopback_config(), server.url("/nothing-here"), store=store)
    assert len(store) == 0


def test_identical_bodies_are_stored_once(tmp_path):
    store = PageStore(tmp_path)
    for url in ("http://a.test/1", "http://b.test/2"):
        store.put(FetchResult(url=url, final_url=url, status=200, body=PAGE))
    assert len(store) == 2
    assert len(list((tmp_path / "objects").rglob("*.gz"))) == 1
    assert [r.url for r in store] == ["http://a.test/1", "http://b.test/2"]


def test_a_torn_index_line_is_dropped_and_appends_stay_valid(tmp_path):
    store = PageStore(tmp_path)
    store.put(FetchResult(url="http://a.test/1", status=200, body=PAGE))
    with (tmp_path / INDEX).open("ab") as handle:
        handle.write(b'[1, 2]\n{"sha256": "ab"}\n')  # lines that are not entries
        handle.write(b'{"url": "http://a.test/2", "sha')  # a crash mid-line
    reopened = PageStore(tmp_path)
    assert list(reopened.urls()) == ["http://a.test/1"]
    reopened.put(FetchResult(url="http://a.test/3", status=200, body=b"<p>3</p>"))
    assert list(PageStore(tmp_path).urls()) == ["http://a.test/1", "http://a.test/3"]


def test_an_entry_without_its_body_file_is_dropped(tmp_path):
    store = PageStore(tmp_path)
    store.put(FetchResult(url="http://a.test/1", status=200, body=PAGE))
    for body_file in (tmp_path / "objects").rglob("*.gz"):
        body_file.unlink()
    assert PageStore(tmp_path).get("http://a.test/1") is None


def test_fetch_sync_keeps_input_order(server):
    urls = [server.url("/other"), server.url("/page"), server.url("/nothing")]
    results = fetch_sync(urls, loopback_config(concurrency=4, per_host_concurrency=2))
    assert [r.url for r in results] == urls
    assert [r.ok for r in results] == [True, True, False]


def test_blocking_fetcher_gives_bytes_or_none(server):
    with BlockingFetcher(loopback_config()) as fetcher:
        assert fetcher.fetch_bytes(server.url("/page")) == PAGE
        assert fetcher.fetch_bytes(server.url("/nothing")) is None


def test_an_unreadable_stored_body_is_an_error_line_offline(tmp_path):
    store = PageStore(tmp_path)
    store.put(FetchResult(url="http://a.test/1", status=200, body=PAGE))
    for body_file in (tmp_path / "objects").rglob("*.gz"):
        body_file.write_bytes(b"not gzip")
    (result,) = fetch_in_turn(loopback_config(), "http://a.test/1", store=store, offline=True)
    assert (result.error, result.body) == ("StoreError", b"")
    assert "unreadable" in (result.reason or "")
