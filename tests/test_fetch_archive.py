"""The page store exported as WARC, read back with warcio."""

from __future__ import annotations

from warcio.archiveiterator import ArchiveIterator

from scraper.fetch import FetchResult, PageStore, export_warc

PAGE = "<html><body><p>Harga “cabai” naik.</p></body></html>".encode()


def test_every_stored_page_becomes_a_response_record(tmp_path):
    store = PageStore(tmp_path / "store")
    store.put(FetchResult(
        url="http://a.test/lama", final_url="http://a.test/baru", status=200, body=PAGE,
        headers={"content-type": "text/html; charset=utf-8", "content-encoding": "gzip",
                 "content-length": "31", "etag": '"v1"'},
        fetched_at="2026-11-21T10:00:00+00:00",
    ))
    store.put(FetchResult(url="http://b.test/", status=200, body=b"<p>b</p>"))
    target = tmp_path / "pages.warc.gz"
    assert export_warc(store, target) == 2
    with target.open("rb") as handle:
        records = [(r.rec_headers, r.http_headers, r.content_stream().read())
                   for r in ArchiveIterator(handle)]
    (warc, http, body), (warc_b, _, body_b) = records
    assert warc.get_header("WARC-Type") == "response"
    assert warc.get_header("WARC-Target-URI") == "http://a.test/lama"
    assert warc.get_header("WARC-Refers-To-Target-URI") == "http://a.test/baru"
    assert warc.get_header("WARC-Date") == "2026-11-21T10:00:00Z"
    assert http.get_statuscode() == "200"
    assert http.get_header("etag") == '"v1"'
    assert http.get_header("content-encoding") is None  # the body is stored decoded
    assert http.get_header("content-length") == str(len(PAGE))
    assert body == PAGE
    assert (warc_b.get_header("WARC-Target-URI"), body_b) == ("http://b.test/", b"<p>b</p>")
    assert not list(tmp_path.glob(".tmp-*"))
