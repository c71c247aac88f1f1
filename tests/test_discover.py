"""`scraper discover`: the crawl over feeds and sitemaps (with a fake loader), then the command
end to end against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from fetch_server import FaultServer, Reply

from scraper.cli import main
from scraper.sources.discover import Loaded, Options, discover, site_of

XML = {"Content-Type": "application/xml; charset=utf-8"}
RSS_TYPE = {"Content-Type": "application/rss+xml"}
CONFIG = """
[fetch]
delay = 0.0
backoff_base = 0.01
allow_private_networks = ["127.0.0.0/8"]
"""


def urlset(*entries: tuple[str, str | None]) -> bytes:
    rows = "".join(
        f"<url><loc>{loc}</loc>{f'<lastmod>{date}</lastmod>' if date else ''}</url>"
        for loc, date in entries
    )
    return (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{rows}</urlset>").encode()


def sitemap_index(*entries: tuple[str, str | None]) -> bytes:
    rows = "".join(
        f"<sitemap><loc>{loc}</loc>{f'<lastmod>{date}</lastmod>' if date else ''}</sitemap>"
        for loc, date in entries
    )
    return (f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}'
            f"</sitemapindex>").encode()


def rss(*items: tuple[str, str]) -> bytes:
    body = "".join(f"<item><link>{link}</link><pubDate>{date}</pubDate></item>"
                   for link, date in items)
    return f'<rss version="2.0"><channel><title>Kanal</title>{body}</channel></rss>'.encode()


def fake_loader(documents: dict[str, bytes]):
    batches: list[list[str]] = []

    async def load(batch: list[str]) -> list[Loaded]:
        batches.append(list(batch))
        return [Loaded(s, data=documents[s], url=s) if s in documents
                else Loaded(s, error="HTTP 404") for s in batch]

    return load, batches


def run(sources, documents, **options):
    load, batches = fake_loader(documents)
    return asyncio.run(discover(sources, load, Options(**options))), batches


# --- the crawl --------------------------------------------------------------------------------

SITE = "https://www.contohberita.co.id"


def test_nested_indexes_are_followed_two_levels_deep_and_no_further():
    documents = {
        f"{SITE}/sitemap.xml": sitemap_index((f"{SITE}/sitemap-berita.xml", None)),
        f"{SITE}/sitemap-berita.xml": sitemap_index((f"{SITE}/sitemap-berita-1.xml", None)),
        f"{SITE}/sitemap-berita-1.xml": sitemap_index((f"{SITE}/terlalu-dalam.xml", None)),
        f"{SITE}/terlalu-dalam.xml": urlset((f"{SITE}/read/1", None)),
    }
    found, batches = run([f"{SITE}/sitemap.xml"], documents)
    assert batches == [[f"{SITE}/sitemap.xml"], [f"{SITE}/sitemap-berita.xml"],
                       [f"{SITE}/sitemap-berita-1.xml"]]
    assert (found.found, found.errors) == ([], [])
    assert found.notes == [(f"{SITE}/sitemap-berita-1.xml",
                            "sitemap index nested deeper than 2 levels, not followed")]


def test_child_sitemaps_are_bounded_per_source_newest_first():
    children = [(f"{SITE}/sitemap-2025-{m:02d}.xml", f"2025-{m:02d}-28") for m in range(1, 7)]
    documents = {f"{SITE}/sitemap.xml": sitemap_index(*children)}
    documents |= {loc: urlset((f"{SITE}/read/{loc[-6:-4]}", date)) for loc, date in children}
    found, batches = run([f"{SITE}/sitemap.xml"], documents, max_sitemaps=2)
    assert batches[1] == [f"{SITE}/sitemap-2025-06.xml", f"{SITE}/sitemap-2025-05.xml"]
    assert [f.url for f in found.found] == [f"{SITE}/read/06", f"{SITE}/read/05"]
    assert found.notes == [(f"{SITE}/sitemap.xml", "4 child sitemaps over the limit of 2 "
                                                   "not followed")]


def test_since_skips_old_child_sitemaps_and_old_entries_but_keeps_undated():
    documents = {
        f"{SITE}/sitemap.xml": sitemap_index((f"{SITE}/baru.xml", "2025-05-31"),
                                             (f"{SITE}/lama.xml", "2025-01-31")),
        f"{SITE}/baru.xml": urlset((f"{SITE}/read/baru", "2025-05-20T10:00:00+07:00"),
                                   (f"{SITE}/read/kemarin", "2025-04-30T23:00:00+07:00"),
                                   (f"{SITE}/read/tanpa-tanggal", None)),
        f"{SITE}/lama.xml": urlset((f"{SITE}/read/lama", "2025-01-02")),
    }
    since = datetime(2025, 5, 1, tzinfo=UTC)
    found, batches = run([f"{SITE}/sitemap.xml"], documents, since=since)
    assert batches[1] == [f"{SITE}/baru.xml"]
    assert [f.url for f in found.found] == [f"{SITE}/read/baru", f"{SITE}/read/tanpa-tanggal"]


def test_dedup_by_canonical_url_keeps_the_newest_date_and_same_site_filters():
    feed = rss((f"{SITE}/read/1?utm_source=rss#atas", "Mon, 02 Jun 2025 08:00:00 +0700"),
               ("https://iklan.example.com/promo", "Mon, 02 Jun 2025 09:00:00 +0700"),
               ("https://daerah.contohberita.co.id/read/9", "Mon, 02 Jun 2025 07:00:00 +0700"))
    documents = {f"{SITE}/rss": feed,
                 f"{SITE}/sitemap.xml": urlset((f"{SITE}/read/1/", "2025-06-01T08:00:00+07:00"))}
    found, _ = run([f"{SITE}/sitemap.xml", f"{SITE}/rss"], documents, same_site=True)
    assert [(f.url, f.published, f.source) for f in found.found] == [
        (f"{SITE}/read/1", "2025-06-02T08:00:00+07:00", f"{SITE}/rss"),
        ("https://daerah.contohberita.co.id/read/9", "2025-06-02T07:00:00+07:00", f"{SITE}/rss"),
    ]
    everything, _ = run([f"{SITE}/rss"], documents)
    assert "https://iklan.example.com/promo" in [f.url for f in everything.found]


def test_a_failed_or_malformed_source_is_an_error_and_the_rest_go_on():
    documents = {"rusak.xml": b"<rss><channel>", f"{SITE}/rss": rss((f"{SITE}/a", ""))}
    found, _ = run(["hilang.xml", "rusak.xml", f"{SITE}/rss"], documents)
    assert [f.url for f in found.found] == [f"{SITE}/a"]
    assert [subject for subject, _ in found.errors] == ["hilang.xml", "rusak.xml"]
    assert found.errors[1][1].startswith("malformed XML (no element found")


def test_site_of():
    assert site_of("https://kanal.contohberita.co.id/x") == "contohberita.co.id"
    assert site_of("http://127.0.0.1:8080/sitemap.xml") == "127.0.0.1"
    assert site_of("feeds/rss.xml") is None


# --- the command, against a real server --------------------------------------------------------


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "scraper.toml"
    path.write_text(CONFIG)
    return str(path)


@pytest.fixture
def server():
    with FaultServer() as running:
        base = running.url("")
        running.route("/sitemap.xml", lambda r: Reply(body=sitemap_index(
            (f"{base}/sitemap-news.xml", "2025-06-02T10:00:00+07:00"),
            (f"{base}/sitemap-2025-05.xml", "2025-05-31T23:00:00+07:00"),
            (f"{base}/sitemap-2024-12.xml", "2024-12-31T23:00:00+07:00"),
        ), headers=XML))
        running.route("/sitemap-news.xml", lambda r: Reply(body=urlset(
            (f"{base}/read/2025/06/02/banjir-rob", "2025-06-02T09:30:00+07:00"),
            (f"{base}/read/2025/06/01/harga-beras", "2025-06-01T15:00:00+07:00"),
        ), headers=XML))
        running.route("/sitemap-2025-05.xml", lambda r: Reply(body=urlset(
            (f"{base}/read/2025/05/20/mudik", "2025-05-20T08:00:00+07:00"),
            (f"{base}/read/2025/06/01/harga-beras/", "2025-05-31T10:00:00+07:00"),
        ), headers=XML))
        running.route("/sitemap-2024-12.xml", lambda r: Reply(body=urlset(
            (f"{base}/read/2024/12/25/natal", "2024-12-25T08:00:00+07:00"),
        ), headers=XML))
        running.route("/rss", lambda r: Reply(body=rss(
            (f"{base}/read/2025/06/03/gempa?utm_source=rss", "Tue, 03 Jun 2025 01:00:00 GMT"),
            ("https://luar.example.com/berita/x", "Tue, 03 Jun 2025 02:00:00 GMT"),
        ), headers=RSS_TYPE))
        yield running


def cli(capsys, *args):
    status = main(["discover", *args])
    out, err = capsys.readouterr()
    return status, out.splitlines(), err.splitlines()


def test_index_children_and_a_feed_newest_first(server, config, capsys):
    status, out, err = cli(capsys, "-c", config, server.url("/sitemap.xml"), server.url("/rss"))
    base = server.url("")
    assert (status, err) == (0, [])
    assert out == [
        "https://luar.example.com/berita/x",
        f"{base}/read/2025/06/03/gempa",
        f"{base}/read/2025/06/02/banjir-rob",
        f"{base}/read/2025/06/01/harga-beras",
        f"{base}/read/2025/05/20/mudik",
        f"{base}/read/2024/12/25/natal",
    ]


def test_since_same_site_and_json_lines(server, config, capsys):
    status, out, err = cli(capsys, "-c", config, "--json", "--since", "2025-06-01",
                           "--same-site", server.url("/sitemap.xml"), server.url("/rss"))
    base = server.url("")
    assert (status, err) == (0, [])
    assert [json.loads(line) for line in out] == [
        {"url": f"{base}/read/2025/06/03/gempa", "published": "2025-06-03T01:00:00+00:00",
         "source": f"{base}/rss"},
        {"url": f"{base}/read/2025/06/02/banjir-rob", "published": "2025-06-02T09:30:00+07:00",
         "source": f"{base}/sitemap-news.xml"},
        {"url": f"{base}/read/2025/06/01/harga-beras", "published": "2025-06-01T15:00:00+07:00",
         "source": f"{base}/sitemap-news.xml"},
    ]
    # Child sitemaps last changed before --since are not fetched at all.
    assert server.requests("/sitemap-2024-12.xml") == []
    assert server.requests("/sitemap-2025-05.xml") == []


def test_a_404_source_is_exit_1_and_the_other_source_is_still_printed(server, config, capsys):
    missing = server.url("/sitemap-hilang.xml")
    status, out, err = cli(capsys, "-c", config, "--max-urls", "1", missing, server.url("/rss"))
    assert status == 1
    assert out == ["https://luar.example.com/berita/x"]
    assert err == [f"scraper: error: {missing}: HTTP 404"]


def test_days_counts_back_from_now_and_a_local_file_source(config, capsys, tmp_path):
    now = datetime.now(UTC)
    feed = tmp_path / "kanal.xml"
    feed.write_bytes(urlset(
        ("https://www.contohberita.co.id/read/hari-ini", (now - timedelta(hours=3)).isoformat()),
        ("https://www.contohberita.co.id/read/minggu-lalu", (now - timedelta(days=8)).isoformat()),
    ))
    status, out, err = cli(capsys, "-c", config, "--days", "2", str(feed))
    assert (status, out, err) == (0, ["https://www.contohberita.co.id/read/hari-ini"], [])


def test_robots_txt_applies_to_feeds(server, config, capsys):
    server.route("/robots.txt", lambda r: Reply(body=b"User-agent: *\nDisallow: /rss\n",
                                                headers={"Content-Type": "text/plain"}))
    status, out, err = cli(capsys, "-c", config, server.url("/rss"))
    assert (status, out) == (1, [])
    assert len(err) == 1 and err[0].startswith(f"scraper: error: {server.url('/rss')}: ")
    assert "robots.txt" in err[0]


def test_store_re_fetches_a_feed_conditionally(server, config, capsys, tmp_path):
    body = rss(("https://www.contohberita.co.id/read/1", "Tue, 03 Jun 2025 01:00:00 GMT"))

    def feed(request):
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return Reply(body=body, headers={**RSS_TYPE, "ETag": '"v1"'})

    server.route("/feed", feed)
    store = str(tmp_path / "feeds")
    first = cli(capsys, "-c", config, "--store", store, server.url("/feed"))
    second = cli(capsys, "-c", config, "--store", store, server.url("/feed"))
    assert first == second == (0, ["https://www.contohberita.co.id/read/1"], [])
    assert [r.headers.get("if-none-match") for r in server.requests("/feed")] == [None, '"v1"']


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "kemarin"], "scraper: error: --since: not an ISO 8601 date: 'kemarin'"),
        (["--days", "0"], "scraper: error: --days: must be more than 0, not 0.0"),
        (["--max-urls", "0"], "scraper: error: --max-urls: must be at least 1, not 0"),
    ],
)
def test_bad_flag_values_are_usage_errors(args, message, capsys, tmp_path):
    status, out, err = cli(capsys, *args, str(tmp_path / "tidak-dibaca.xml"))
    assert (status, out, err) == (2, [], [message])


def test_as_a_user_runs_it(tmp_path):
    """One real subprocess: the entry point, stdout for xargs, one error line on stderr."""
    feed = tmp_path / "rss.xml"
    feed.write_bytes(rss(("https://www.contohberita.co.id/read/1", "Tue, 03 Jun 2025 01:00 GMT")))
    done = subprocess.run([sys.executable, "-m", "scraper", "discover", str(feed),
                           str(tmp_path / "hilang.xml")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert done.stdout == "https://www.contohberita.co.id/read/1\n"
    assert done.stderr == f"scraper: error: {tmp_path / 'hilang.xml'}: no such file or folder\n"


def test_the_output_feeds_scraper_fetch(server, config, capsys, tmp_path):
    """The cron recipe: `scraper discover ... | xargs scraper fetch --store pages/`."""
    page = b"<html><head><title>Berita</title></head><body><p>Isi berita.</p></body></html>"
    for path in ("/read/2025/06/02/banjir-rob", "/read/2025/06/01/harga-beras"):
        server.route(path, lambda r: Reply(body=page))
    status, urls, _ = cli(capsys, "-c", config, server.url("/sitemap-news.xml"))
    assert status == 0
    store = tmp_path / "pages"
    assert main(["fetch", "-c", config, "--store", str(store), *urls]) == 0
    fetched = [json.loads(line)["url"] for line in (store / "index.jsonl").read_text().splitlines()]
    assert sorted(fetched) == sorted(urls)


def test_private_addresses_are_refused_without_allow_private_networks(server, tmp_path, capsys):
    strict = tmp_path / "strict.toml"
    strict.write_text("[fetch]\ndelay = 0.0\n")
    status, out, err = cli(capsys, "-c", str(strict), server.url("/rss"))
    assert (status, out, len(err)) == (1, [], 1)
    reason = "refused: 127.0.0.1 is a loopback address"
    assert err == [f"scraper: error: {server.url('/rss')}: {reason}"]
    assert server.log == []


def test_a_local_file_over_max_bytes_is_refused_unread(tmp_path, capsys):
    small = tmp_path / "small.toml"
    small.write_text("[fetch]\nmax_bytes = 64\n")
    feed = tmp_path / "besar.xml"
    feed.write_bytes(rss(("https://www.contohberita.co.id/read/1", "")) * 3)
    status, out, err = cli(capsys, "-c", str(small), str(feed))
    assert (status, out) == (1, [])
    assert err == [f"scraper: error: {feed}: larger than [fetch] max_bytes (64 bytes)"]


def test_one_fetcher_per_run_robots_once_and_the_delay_holds_across_levels(server, tmp_path,
                                                                            capsys):
    polite = tmp_path / "polite.toml"
    polite.write_text(CONFIG.replace("delay = 0.0", "delay = 0.2"))
    status, out, _ = cli(capsys, "-c", str(polite), server.url("/sitemap.xml"))
    assert (status, len(out)) == (0, 4)
    assert len(server.requests("/robots.txt")) == 1
    times = sorted(r.at for r in server.log if r.path != "/robots.txt")
    assert len(times) == 4  # the index, then its three children
    # The delay is 0.2 s x 0.5-1.5 between requests to one host, index to children included.
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.05


def test_allow_private_on_the_command_line_as_for_fetch(server, tmp_path, capsys):
    strict = tmp_path / "strict.toml"
    strict.write_text("[fetch]\ndelay = 0.0\n")
    status, out, err = cli(capsys, "-c", str(strict), "--allow-private", "127.0.0.0/8",
                           server.url("/rss"))
    assert (status, err) == (0, [])
    assert out and server.requests("/rss")


def test_a_source_that_is_no_url_has_no_site():
    assert site_of("http://[::1") is None
