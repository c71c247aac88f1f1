"""Which URLs and addresses the fetcher may touch.

Every host is resolved *before* a connection is made, and every address it resolves to must be
public (not private, loopback, link-local, multicast, reserved or unspecified) unless the
`allow_private_networks` setting lets it through. The checked addresses are remembered for the
run, and the transports connect to exactly those addresses (see `transports.py`), so a DNS answer
that changes between the check and the connect (DNS rebinding) cannot reach a private address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import SplitResult, urlsplit

from scraper.errors import BlockedAddressError, ConfigError, TransportError, UnsupportedSchemeError

Resolver = Callable[[str], Awaitable[list[str]]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = frozenset({"http", "https"})


def check_scheme(url: str) -> SplitResult:
    """Refuse anything but http and https (no file:, ftp:, data:, javascript: ...)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError as exc:
        raise UnsupportedSchemeError(url, f"not a valid URL ({exc})") from exc
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsupportedSchemeError(url, f"scheme {parts.scheme or '(none)'!r} is not http/https")
    if not parts.hostname:
        raise UnsupportedSchemeError(url, "URL has no host")
    return parts


async def system_resolver(host: str) -> list[str]:
    """Resolve `host` with the system resolver (getaddrinfo, run off the event loop)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class AddressPolicy:
    """The `allow_private_networks` setting: False, True, or a list of allowed CIDR ranges."""

    def __init__(self, allow: bool | list[str]) -> None:
        self.allow_all = allow is True
        self.networks: list[IPNetwork] = []
        if isinstance(allow, list):
            for cidr in allow:
                try:
                    self.networks.append(ipaddress.ip_network(cidr, strict=False))
                except ValueError as exc:
                    raise ConfigError("allow_private_networks", f"bad CIDR {cidr!r}") from exc

    def refusal(self, ip: str) -> str | None:
        """Why `ip` may not be contacted ("a private address"), or None when it may."""
        try:
            addr: IPAddress = ipaddress.ip_address(ip.split("%", 1)[0])
        except ValueError:
            return "not an IP address"
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
            addr = addr.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
        if self.allow_all or any(addr in net for net in self.networks):
            return None
        # The allowed ranges name the addresses to contact, never the far end of a tunnel.
        if isinstance(addr, ipaddress.IPv6Address):
            for form, inner in _embedded_ipv4(addr):
                kind = _special_kind(inner)
                if kind is not None:
                    return f"a {form} address embedding a {kind} address ({inner})"
            if addr.sixtofour is not None:
                # 6to4 leads to the IPv4 address checked above. Older Pythons (3.11.2 here) call
                # all of 2002::/16 private, which would refuse a public server's 6to4 address.
                return None
        kind = _special_kind(addr)
        return None if kind is None else f"a {kind} address"


# Well-known NAT64 prefixes: the last 32 bits are the IPv4 address the gateway connects to.
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def _embedded_ipv4(addr: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """The IPv4 addresses that an IPv6 address leads to through a tunnel or a gateway: 6to4
    (2002::/16), Teredo (2001::/32: server and client) and NAT64. A relay on the way would
    connect to them, so they must pass the same checks."""
    found: list[tuple[str, ipaddress.IPv4Address]] = []
    if addr.sixtofour is not None:
        found.append(("6to4", addr.sixtofour))
    if addr.teredo is not None:
        found.extend(("Teredo", inner) for inner in addr.teredo)
    if any(addr in net for net in _NAT64):
        found.append(("NAT64", ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)))
    return found


def _special_kind(addr: IPAddress) -> str | None:
    checks = (
        ("loopback", addr.is_loopback),
        ("link-local", addr.is_link_local),
        # fec0::/10, deprecated but still routed inside some sites.
        ("site-local", isinstance(addr, ipaddress.IPv6Address) and addr.is_site_local),
        ("multicast", addr.is_multicast),
        ("unspecified", addr.is_unspecified),
        ("reserved", addr.is_reserved),
        ("private", addr.is_private),
        # is_global also excludes shared address space (100.64.0.0/10) and similar ranges.
        ("non-public", not addr.is_global),
    )
    return next((name for name, hit in checks if hit), None)


class HostGuard:
    """Resolves hosts once per run and refuses those with any non-allowed address."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver | None = None) -> None:
        self.policy = policy
        self._resolver = resolver or system_resolver
        self._checked: dict[str, list[str]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def check(self, host: str, subject: str | None = None) -> list[str]:
        """The checked addresses of `host`; raises BlockedAddressError naming `subject`."""
        host = host.strip("[]").lower()
        found = self._checked.get(host)
        if found is not None:
            return found
        lock = self._locks.setdefault(host, asyncio.Lock())
        async with lock:
            if host not in self._checked:
                self._checked[host] = await self._resolve_and_check(host, subject or host)
        return self._checked[host]

    async def _resolve_and_check(self, host: str, subject: str) -> list[str]:
        if _is_ip(host):
            addresses = [host]
        else:
            try:
                addresses = await self._resolver(host)
            except (OSError, UnicodeError) as exc:
                raise TransportError(subject, f"cannot resolve {host} ({exc})") from exc
        if not addresses:
            raise TransportError(subject, f"{host} resolves to no address")
        for ip in addresses:
            reason = self.policy.refusal(ip)
            if reason is not None:
                where = f"{ip} is" if ip == host else f"{host} resolves to {ip},"
                raise BlockedAddressError(subject, f"refused: {where} {reason}")
        return addresses


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True
