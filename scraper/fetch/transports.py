"""The two network transports, both pinned to the addresses `HostGuard` checked.

- `aiohttp` (default): httpx's API over an aiohttp connection pool (`httpx-aiohttp`). It costs
  far less CPU per request than httpx's own pool (see docs/fetch.md, Performance), but speaks
  HTTP/1.1 only.
- `httpx`: httpx's own pool (httpcore) with HTTP/2 where the server offers it through ALPN.

Either way the URL keeps its host name, so the Host header, TLS SNI and certificate checks use the
name, while the TCP connection goes to an address the guard has already checked (no DNS
rebinding between check and connect).
"""

from __future__ import annotations

import functools
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import aiohttp
import httpcore
import httpx
from aiohttp.abc import AbstractResolver, ResolveResult
from httpx_aiohttp import AiohttpTransport

from scraper.fetch.security import HostGuard

BACKENDS = ("aiohttp", "httpx")


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context (certifi's CA bundle, as httpx uses) per process.

    Loading the CA bundle takes ~40 ms, which a short run would otherwise pay per transport.
    """
    return httpx.create_ssl_context()


class _GuardResolver(AbstractResolver):
    """aiohttp resolver that answers with the guard's checked addresses only."""

    def __init__(self, guard: HostGuard) -> None:
        self._guard = guard

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await self._guard.check(host)
        return [
            ResolveResult(
                hostname=host,
                host=ip,
                port=port,
                family=socket.AF_INET6 if ":" in ip else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for ip in addresses
        ]

    async def close(self) -> None:
        return None


class _GuardBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that connects to the guard's checked addresses only."""

    def __init__(self, guard: HostGuard) -> None:
        self._guard = guard
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._guard.check(host)
        error: Exception | None = None
        for ip in addresses:
            try:
                return await self._inner.connect_tcp(
                    ip,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                error = exc
        raise error or httpcore.ConnectError(f"cannot connect to {host}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are never used by the fetcher")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _PinnedHTTPTransport(httpx.AsyncHTTPTransport):
    def __init__(self, guard: HostGuard, limits: httpx.Limits) -> None:
        super().__init__(verify=_tls_context(), http2=True, limits=limits)
        # httpx has no public hook for the network backend; the pool is rebuilt with ours.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=_tls_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=True,
            network_backend=_GuardBackend(guard),
        )


def build_transport(
    backend: str, guard: HostGuard, max_connections: int
) -> httpx.AsyncBaseTransport:
    """A pooled transport for `backend` ("aiohttp" or "httpx") that only reaches checked hosts."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    if backend == "httpx":
        return _PinnedHTTPTransport(guard, limits)

    def session() -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            resolver=_GuardResolver(guard),
            use_dns_cache=False,  # every new connection asks the guard
            limit=max_connections,
            ssl=_tls_context(),
        )
        # Cookies are not kept: every page is fetched as a fresh visitor.
        client = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())
        # aiohttp silently re-sends a GET once after a reset; tenacity owns retries (and counts
        # them), so turn that off where this aiohttp version has it (a private switch).
        if hasattr(client, "_retry_connection"):
            client._retry_connection = False
        return client

    return AiohttpTransport(verify=_tls_context(), client=session)
