"""Politeness, checked from the server's own request log: robots.txt, delays, concurrency."""

from __future__ import annotations

import asyncio
import itertools
import socket
from urllib.parse import urlsplit

import pytest
from fetch_server import (
    FaultServer,
    Reply,
    fetch_in_turn,
    fetch_together,
    forbidden_resolver,
    loopback_config,
    sequence,
)

from scraper.fetch.politeness import Politeness, Robots, interleave_by_host

PAGE = b"<html><body><p>Isi.</p></body></html>"
TEXT = {"Content-Type": "text/plain"}
ROBOTS = b"User-agent: *\nDisallow: /private\nCrawl-delay: 0.3\n"


@pytest.fixture
def server():
    with FaultServer() as running:
        for path in ("/a", "/b", "/c", "/d", "/private/x", "/private"):
            running.route(path, lambda r: Reply(body=PAGE))
        yield running


def page_starts(server: FaultServer) -> list[float]:
    return [r.at for r in server.log if r.path != "/robots.txt"]


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def test_robots_disallow_and_crawl_delay_are_obeyed(server):
    server.route("/robots.txt", lambda r: Reply(body=ROBOTS, headers=TEXT))
    paths = ["/a", "/private/x", "/b", "/private", "/c"]
    results = fetch_together(loopback_config(delay=0.0), [server.url(p) for p in paths])
    refused = {p for p in paths if results[server.url(p)].error == "RobotsDisallowed"}
    assert refused == {"/private/x", "/private"}
    assert not any(r.path.startswith("/private") for r in server.log)
    assert len(server.requests("/robots.txt")) == 1
    assert len(page_starts(server)) == 3
    # Crawl-delay 0.3 beats delay 0, from the robots.txt request on.
    assert min(gaps([r.at for r in server.log])) >= 0.27


def test_robots_5xx_disallows_for_now(server):
    server.route("/robots.txt", lambda r: Reply(503))
    results = fetch_together(loopback_config(), [server.url("/a"), server.url("/b")])
    assert {r.error for r in results.values()} == {"RobotsDisallowed"}
    assert "disallowed for now" in (results[server.url("/a")].reason or "")
    assert page_starts(server) == []


def _closed_port() -> int:
    with socket.socket() as probe:  # bound, then closed: nothing listens there
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
def test_unreachable_robots_txt_names_the_connect_error_and_fetches_nothing(backend):
    url = f"http://127.0.0.1:{_closed_port()}/berita"
    (result,) = fetch_together(loopback_config(backend=backend, max_attempts=1), [url]).values()
    assert (result.error, result.reason, result.attempts) == (
        "RobotsDisallowed", "connection refused; robots.txt unreachable, no page fetched", 0)


@pytest.mark.parametrize("status", [404, 401, 403])
def test_robots_4xx_allows_everything(server, status):
    server.route("/robots.txt", lambda r: Reply(status))
    results = fetch_together(loopback_config(), [server.url("/a"), server.url("/private/x")])
    assert all(r.ok for r in results.values())


def test_robots_can_be_ignored_when_configured(server):
    server.route("/robots.txt", lambda r: Reply(body=b"User-agent: *\nDisallow: /\n"))
    results = fetch_together(loopback_config(respect_robots=False), [server.url("/a")])
    assert results[server.url("/a")].ok
    assert server.requests("/robots.txt") == []


def test_robots_rules_for_our_user_agent(server):
    robots = b"User-agent: uji-bot\nDisallow: /b\n\nUser-agent: *\nDisallow: /a\n"
    server.route("/robots.txt", lambda r: Reply(body=robots, headers=TEXT))
    config = loopback_config(user_agent="uji-bot/1.0 (+https://example.org/bot)")
    results = fetch_together(config, [server.url("/a"), server.url("/b")])
    assert results[server.url("/a")].ok
    assert results[server.url("/b")].error == "RobotsDisallowed"
    assert server.requests("/a")[0].headers["user-agent"].startswith("uji-bot/1.0")


def test_delay_spaces_requests_to_one_host(server):
    paths = ["/a", "/b", "/c", "/d"]
    fetch_together(loopback_config(delay=0.2, concurrency=8), [server.url(p) for p in paths])
    # Randomised x0.5-1.5: never closer than half the delay.
    assert min(gaps(page_starts(server))) >= 0.09


def test_per_host_concurrency_is_held(server):
    server.route("/slow", lambda r: Reply(body=PAGE, delay=0.15))
    urls = [server.url(f"/slow?n={i}") for i in range(8)]
    results = fetch_together(loopback_config(per_host_concurrency=2, concurrency=16), urls)
    assert all(r.ok for r in results.values())
    host = f"127.0.0.1:{server.port}"
    assert server.max_in_flight[host] == 2


def test_overall_concurrency_is_held(server):
    server.route("/slow", lambda r: Reply(body=PAGE, delay=0.15))
    names = ["a.test", "b.test", "c.test"]
    resolver = forbidden_resolver({name: ["127.0.0.1"] for name in names})
    urls = [server.url(f"/slow?n={i}", host=name) for i in range(2) for name in names]
    config = loopback_config(per_host_concurrency=4, concurrency=2, respect_robots=False)
    results = fetch_together(config, urls, resolver=resolver)
    assert all(r.ok for r in results.values())
    assert server.max_in_flight["*"] == 2


def test_hosts_do_not_wait_for_each_other(server):
    server.route("/slow", lambda r: Reply(body=PAGE, delay=0.3))
    urls = [server.url("/slow?n=1"), server.url("/slow?n=2"),
            server.url("/slow?n=3", host="other.test")]
    resolver = forbidden_resolver({"other.test": ["127.0.0.1"]})
    fetch_together(loopback_config(per_host_concurrency=1), urls, resolver=resolver)
    # One at a time per host, but the two hosts were served at the same time.
    assert server.max_in_flight[f"127.0.0.1:{server.port}"] == 1
    assert server.max_in_flight["*"] == 2


def test_back_off_doubles_the_host_delay():
    politeness = Politeness(per_host_concurrency=1, delay=0.0, backoff_base=0.2)
    assert politeness.delay("berita.test") == 0.0
    politeness.back_off("berita.test")
    assert politeness.delay("berita.test") == pytest.approx(0.2)
    politeness.back_off("berita.test")
    assert politeness.delay("berita.test") == pytest.approx(0.4)
    assert politeness.delay("lain.test") == 0.0


def test_503_slows_the_host_down(server):
    server.route("/busy", lambda r: Reply(503))
    config = loopback_config(delay=0.0, backoff_base=0.2, max_attempts=1)
    fetch_in_turn(config, server.url("/busy"), server.url("/a"), server.url("/b"))
    starts = page_starts(server)
    assert len(starts) == 3
    assert min(gaps(starts)) >= 0.18  # delay 0 became 0.2 after the 503


def test_crawl_delay_is_not_randomised_below_itself():
    politeness = Politeness(per_host_concurrency=1, delay=0.1, backoff_base=1.0)
    politeness.set_crawl_delay("berita.test", 2.0)
    assert all(politeness.delay("berita.test") >= 2.0 for _ in range(50))


def test_a_failed_robots_txt_is_asked_for_again_later():
    answers = [(503, b""), (200, b"User-agent: *\nDisallow: /x\n")]
    asked: list[str] = []

    async def fetch(url: str) -> tuple[int | None, bytes]:
        asked.append(url)
        return answers.pop(0)

    async def go() -> list[str | None]:
        robots = Robots("uji-bot", fetch, recheck_after=0.1)
        page = "http://a.test/berita"
        verdicts = [(await robots.check(page, urlsplit(page)))[0] for _ in range(2)]
        await asyncio.sleep(0.15)
        for url in (page, page, "http://a.test/x"):
            verdicts.append((await robots.check(url, urlsplit(url)))[0])
        return verdicts

    verdicts = asyncio.run(go())
    assert verdicts[:2] == ["robots.txt HTTP 503: disallowed for now"] * 2
    assert verdicts[2:] == [None, None, "disallowed by robots.txt"]
    assert asked == ["http://a.test/robots.txt"] * 2  # once per failure window, then kept


def test_back_off_eases_back_to_the_configured_delay():
    politeness = Politeness(per_host_concurrency=1, delay=0.1, backoff_base=0.2, max_delay=1.0)
    for _ in range(6):
        politeness.back_off("berita.test")
    assert politeness.current_delay("berita.test") == pytest.approx(1.0)  # capped at max_delay
    seen = []
    for _ in range(12):
        politeness.recover("berita.test")
        seen.append(politeness.current_delay("berita.test"))
    assert seen[0] == pytest.approx(0.55)  # halfway from 1.0 to the floor 0.1
    assert seen == sorted(seen, reverse=True)
    assert seen[-1] == 0.1


def test_recovery_stops_at_the_crawl_delay():
    politeness = Politeness(per_host_concurrency=1, delay=0.1, backoff_base=1.0)
    politeness.set_crawl_delay("berita.test", 2.0)
    politeness.back_off("berita.test")
    assert politeness.current_delay("berita.test") == pytest.approx(4.0)
    for _ in range(20):
        politeness.recover("berita.test")
    assert politeness.current_delay("berita.test") == 2.0


def test_the_server_sees_the_gaps_shrink_back_after_429_and_503(server):
    # The site is overloaded for three requests, then well again.
    server.route("/busy", sequence(Reply(503), Reply(429), Reply(503), Reply(body=PAGE)))
    config = loopback_config(delay=0.05, backoff_base=0.1, max_attempts=1)
    urls = [server.url("/busy") for _ in range(3)] + [server.url(f"/a?n={i}") for i in range(9)]
    results = fetch_in_turn(config, *urls)
    assert [r.status for r in results[:4]] == [503, 429, 503, 200]
    steps = gaps(page_starts(server))
    # Doubling from backoff_base: 0.1, 0.2, 0.4 after the third failure ...
    assert max(steps) >= 0.38
    peak = steps.index(max(steps))
    # ... then each success halves the distance to the configured 0.05: 0.225, 0.1375, 0.094
    # (jitter only matters once the back-off is below 0.075) ...
    easing = steps[peak + 1 : peak + 4]
    assert all(later < earlier - 0.02 for earlier, later in itertools.pairwise(easing))
    # ... and the last gaps are the configured delay's again (without recovery: 0.4 each).
    assert max(steps[-3:]) < 0.15


def test_the_server_sees_recovery_stop_at_crawl_delay(server):
    server.route("/robots.txt", lambda r: Reply(body=b"User-agent: *\nCrawl-delay: 0.3\n",
                                               headers=TEXT))
    server.route("/busy", sequence(Reply(503), Reply(body=PAGE)))
    config = loopback_config(delay=0.0, backoff_base=0.3, max_attempts=1)
    urls = [server.url("/busy")] + [server.url(f"/a?n={i}") for i in range(6)]
    fetch_in_turn(config, *urls)
    steps = gaps(page_starts(server))
    assert max(steps) >= 0.55  # 0.3 doubled
    assert all(0.27 <= step < 0.4 for step in steps[-3:])  # back to Crawl-delay, not below


def test_urls_that_are_no_urls_are_interleaved_too():
    urls = ["http://[::1", "https://a.test/1", "https://a.test/2", "https://b.test/1"]
    assert interleave_by_host(urls) == [
        "http://[::1", "https://a.test/1", "https://b.test/1", "https://a.test/2"]
