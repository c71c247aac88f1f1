"""Address and scheme refusals. No packet leaves for anything but loopback.

Refusals of loopback itself are tested with private networks denied. Names that resolve to private
addresses, and redirects to 169.254.169.254 / 10.0.0.1, go through an injected resolver (answers
from a table, fails the test on any other name) and a transport that fails the test if it is ever
asked to reach a host other than 127.0.0.1.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fetch_server import (
    FaultServer,
    LoopbackOnlyTransport,
    Reply,
    fetch_in_turn,
    forbidden_resolver,
    loopback_config,
)

from scraper.errors import BlockedAddressError, ConfigError, UnsupportedSchemeError
from scraper.fetch import FetchResult
from scraper.fetch.security import AddressPolicy, HostGuard, check_scheme

PAGE = b"<html><body><p>Isi.</p></body></html>"


def run(config, url, **options) -> FetchResult:
    return fetch_in_turn(config, url, **options)[0]


@pytest.fixture
def server():
    with FaultServer() as running:
        running.route("/page", lambda r: Reply(body=PAGE))
        yield running


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_loopback_is_refused_when_private_networks_are_denied(server, host):
    config = loopback_config(allow_private_networks=False)
    result = run(config, server.url("/page", host=host))
    assert result.error == "BlockedAddressError"
    assert "loopback" in (result.reason or "")
    assert result.attempts == 0
    assert server.log == []


@pytest.mark.parametrize("target", ["169.254.169.254", "10.0.0.1"])
def test_redirect_to_a_private_address_is_refused_before_connecting(server, target):
    server.route("/go", lambda r: Reply(302, headers={"Location": f"http://{target}/latest/"}))
    transport = LoopbackOnlyTransport()
    result = run(loopback_config(), server.url("/go"), transport=transport,
                 resolver=forbidden_resolver({}))
    assert result.error == "BlockedAddressError"
    assert result.final_url == f"http://{target}/latest/"
    assert transport.hosts == ["127.0.0.1", "127.0.0.1"]  # robots.txt and /go only


TUNNELLED = [
    ("2002:7f00:1::1", "a 6to4 address embedding a loopback address (127.0.0.1)"),
    ("2002:a9fe:a9fe::1", "a 6to4 address embedding a link-local address (169.254.169.254)"),
    ("2002:0a00:0001::1", "a 6to4 address embedding a private address (10.0.0.1)"),
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe",
     "a Teredo address embedding a private address (10.0.0.1)"),
    ("64:ff9b::a9fe:a9fe", "a NAT64 address embedding a link-local address (169.254.169.254)"),
    ("64:ff9b:1::7f00:1", "a NAT64 address embedding a loopback address (127.0.0.1)"),
    ("fec0::1", "a site-local address"),
]


@pytest.mark.parametrize(("ip", "reason"), TUNNELLED)
def test_redirect_to_an_address_tunnelling_to_a_private_one_is_refused(server, ip, reason):
    # Loopback is allowed here (the test server), and still 2002:7f00:1::1 is refused: the
    # allowed ranges name addresses to contact, not the far end of a tunnel.
    server.route("/go", lambda r: Reply(302, headers={"Location": f"http://[{ip}]/latest/"}))
    transport = LoopbackOnlyTransport()
    result = run(loopback_config(), server.url("/go"), transport=transport,
                 resolver=forbidden_resolver({}))
    assert (result.error, result.reason) == ("BlockedAddressError", f"refused: {ip} is {reason}")
    assert transport.hosts == ["127.0.0.1", "127.0.0.1"]  # robots.txt and /go only


@pytest.mark.parametrize("ip", ["2002:0808:0808::1", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_public_ipv6_and_6to4_of_public_ipv4_are_allowed(ip):
    assert AddressPolicy(False).refusal(ip) is None


def test_redirect_to_a_name_resolving_to_a_private_address_is_refused(server):
    server.route("/go", lambda r: Reply(301, headers={"Location": "http://intranet.test/admin"}))
    transport = LoopbackOnlyTransport()
    resolver = forbidden_resolver({"intranet.test": ["10.1.2.3"]})
    result = run(loopback_config(), server.url("/go"), transport=transport, resolver=resolver)
    assert result.error == "BlockedAddressError"
    assert "intranet.test" not in transport.hosts


def test_a_name_with_any_private_address_is_refused():
    transport = LoopbackOnlyTransport()
    resolver = forbidden_resolver({"mixed.test": ["93.184.216.34", "192.168.1.10"]})
    result = run(loopback_config(), "http://mixed.test/berita", transport=transport,
                 resolver=resolver)
    assert result.error == "BlockedAddressError"
    assert "192.168.1.10" in (result.reason or "")
    assert transport.hosts == []


@pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
def test_connections_go_to_the_checked_address(server, backend):
    # news.test exists only in the injected resolver: reaching the server proves the transport
    # connected to the address the guard checked, with the Host header kept.
    resolver = forbidden_resolver({"news.test": ["127.0.0.1"]})
    result = run(loopback_config(backend=backend), server.url("/page", host="news.test"),
                 resolver=resolver)
    assert (result.status, result.body) == (200, PAGE)
    assert server.requests("/page")[0].host == f"news.test:{server.port}"


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://127.0.0.1/x",
                                      "javascript:alert(1)"])
def test_redirect_to_another_scheme_is_refused(server, location):
    server.route("/go", lambda r: Reply(302, headers={"Location": location}))
    result = run(loopback_config(), server.url("/go"))
    assert result.error == "UnsupportedSchemeError"
    assert len(server.log) == 2  # robots.txt and /go


def test_file_url_is_refused_without_any_request():
    transport = LoopbackOnlyTransport()
    result = run(loopback_config(), "file:///etc/passwd", transport=transport)
    assert (result.error, result.attempts) == ("UnsupportedSchemeError", 0)
    assert transport.hosts == []


def test_a_mock_transport_sees_the_bot_headers():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, content=PAGE, headers={"Content-Type": "text/html"})

    config = loopback_config(user_agent="uji-bot/1.0 (+https://example.org/bot)")
    result = run(config, "https://berita.test/a", transport=httpx.MockTransport(handler),
                 resolver=forbidden_resolver({"berita.test": ["93.184.216.34"]}))
    assert result.ok
    assert [r.headers["user-agent"] for r in seen] == ["uji-bot/1.0 (+https://example.org/bot)"] * 2
    assert seen[1].headers["host"] == "berita.test"


# ----------------------------------------------------------------------------- units


@pytest.mark.parametrize(("ip", "kind"), [
    ("127.0.0.1", "loopback"), ("10.0.0.1", "private"), ("192.168.0.5", "private"),
    ("172.16.3.4", "private"), ("169.254.169.254", "link-local"), ("224.0.0.1", "multicast"),
    ("0.0.0.0", "unspecified"), ("240.0.0.1", "reserved"), ("100.64.0.1", "non-public"),
    ("::1", "loopback"), ("fe80::1", "link-local"), ("fc00::1", "private"),
    ("::ffff:10.0.0.1", "private"),
])
def test_policy_refuses_special_addresses(ip, kind):
    reason = AddressPolicy(False).refusal(ip)
    assert reason is not None and kind in reason


def test_policy_allows_public_and_listed_ranges():
    policy = AddressPolicy(["127.0.0.0/8", "fd00::/8"])
    assert policy.refusal("93.184.216.34") is None
    assert policy.refusal("127.0.0.2") is None
    assert policy.refusal("fd12::1") is None
    assert policy.refusal("10.0.0.1") is not None
    assert AddressPolicy(True).refusal("10.0.0.1") is None


def test_policy_rejects_a_bad_cidr():
    with pytest.raises(ConfigError, match="bad CIDR"):
        AddressPolicy(["10.0.0.0/33"])


def test_guard_resolves_each_host_once_per_run():
    calls: list[str] = []

    async def resolver(host: str) -> list[str]:
        calls.append(host)
        return ["93.184.216.34"]

    async def go() -> None:
        guard = HostGuard(AddressPolicy(False), resolver)
        await asyncio.gather(*(guard.check("berita.test") for _ in range(5)))
        with pytest.raises(BlockedAddressError):
            await guard.check("10.0.0.1")

    asyncio.run(go())
    assert calls == ["berita.test"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "data:text/html,hi", "gopher://x/",
                                 "http:///nohost"])
def test_check_scheme_refuses(url):
    with pytest.raises(UnsupportedSchemeError):
        check_scheme(url)
