"""A real HTTP/1.1 test server on 127.0.0.1 (port 0) with fault endpoints and a request log.

It runs an asyncio server in a thread, handles keep-alive and concurrent connections, and gives
each test full control of the wire: a route can answer late, reset the connection, send a gzip
bomb or redirect anywhere. The log records every request as the server saw it (time, host, path,
headers), and `max_in_flight` the most requests one host (or, under "*", all hosts together) had
open at once.

    with FaultServer() as server:
        server.route("/page", lambda req: Reply(body=b"<html>..."))
        url = server.url("/page")
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus

import httpx

from scraper.config import FetchConfig
from scraper.fetch import Fetcher, FetchResult


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    host: str
    at: float = field(default_factory=time.monotonic)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html"})
    delay: float = 0.0  # seconds before the status line is sent
    trickle: float = 0.0  # when set, the body goes out 8 bytes at a time, this many seconds apart


class Reset:
    """Close the connection with a TCP RST instead of answering."""


@dataclass
class Raw:
    """Send these exact bytes, then close: for malformed responses."""

    data: bytes


Handler = Callable[[Request], "Reply | Reset | Raw | Awaitable[Reply | Reset | Raw]"]


class FaultServer:
    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.log: list[Request] = []
        self.in_flight: Counter[str] = Counter()
        self.max_in_flight: Counter[str] = Counter()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def requests(self, path: str) -> list[Request]:
        """Requests for `path` (the query string is ignored)."""
        return [r for r in self.log if r.path.split("?", 1)[0] == path]

    def __enter__(self) -> FaultServer:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        future.result(timeout=5)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client went away, or the server is stopping
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        request = Request(method, path, headers, headers.get("host", ""))
        self.log.append(request)
        host = request.host
        for key in (host, "*"):
            self.in_flight[key] += 1
            self.max_in_flight[key] = max(self.max_in_flight[key], self.in_flight[key])
        try:
            handler = self.routes.get(path.split("?", 1)[0])
            reply = handler(request) if handler else Reply(404, b"not found")
            if not isinstance(reply, Reply | Reset | Raw):
                reply = await reply
            if isinstance(reply, Reset):
                _reset(writer)
                return False
            if isinstance(reply, Raw):
                writer.write(reply.data)
                await writer.drain()
                return False
            await asyncio.sleep(reply.delay)
            wire = _encode(reply)
            if not reply.trickle:
                writer.write(wire)
                await writer.drain()
            else:
                head_end = len(wire) - len(reply.body)
                writer.write(wire[:head_end])
                for start in range(head_end, len(wire), 8):
                    await asyncio.sleep(reply.trickle)
                    writer.write(wire[start : start + 8])
                    await writer.drain()
        finally:
            self.in_flight[host] -= 1
            self.in_flight["*"] -= 1
        closing = {headers.get("connection", ""), reply.headers.get("Connection", "")}
        return "close" not in {value.lower() for value in closing}


def _encode(reply: Reply) -> bytes:
    known = {status.value: status.phrase for status in HTTPStatus}
    reason = known.get(reply.status, "")
    lines = [f"HTTP/1.1 {reply.status} {reason}"]
    lines += [f"{name}: {value}" for name, value in reply.headers.items()]
    lines.append(f"Content-Length: {len(reply.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + reply.body


def _reset(writer: asyncio.StreamWriter) -> None:
    sock: socket.socket = writer.get_extra_info("socket")
    # Linger on with a zero timeout: close() sends RST, the client sees "connection reset".
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def sequence(*replies: Reply | Reset | Raw) -> Handler:
    """A handler that answers with `replies` in turn, then repeats the last one."""
    remaining = list(replies)

    def handler(request: Request) -> Reply | Reset | Raw:
        return remaining.pop(0) if len(remaining) > 1 else remaining[0]

    return handler


def loopback_config(**overrides: object) -> FetchConfig:
    """A fast config that may reach 127.0.0.0/8 and nothing else private."""
    values: dict[str, object] = {
        "delay": 0.0,
        "backoff_base": 0.01,
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "retry_after_cap": 2.0,
        "allow_private_networks": ["127.0.0.0/8"],
        **overrides,
    }
    return FetchConfig(**values)  # type: ignore[arg-type]


class LoopbackOnlyTransport(httpx.AsyncBaseTransport):
    """Wraps a real transport and fails the test before any request leaves for a non-loopback host.

    The fetcher must refuse such hosts itself; reaching this check is a test failure, not a refusal.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.inner = inner or httpx.AsyncHTTPTransport()
        self.hosts: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        self.hosts.append(host)
        if host not in ("127.0.0.1", "localhost"):
            raise AssertionError(f"the fetcher tried to reach {host}")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def forbidden_resolver(table: dict[str, list[str]]) -> Callable[[str], Awaitable[list[str]]]:
    """A resolver answering from `table` only; any other name fails the test (no real DNS)."""

    async def resolve(host: str) -> list[str]:
        if host not in table:
            raise AssertionError(f"unexpected DNS lookup of {host}")
        return table[host]

    return resolve


def fetch_in_turn(config: FetchConfig, *urls: str, **options: object) -> list[FetchResult]:
    """Fetch `urls` one after another with one Fetcher (`options` go to Fetcher)."""

    async def go() -> list[FetchResult]:
        async with Fetcher(config, **options) as fetcher:  # type: ignore[arg-type]
            return [await fetcher.fetch(url) for url in urls]

    return asyncio.run(go())


def fetch_together(
    config: FetchConfig, urls: list[str], **options: object
) -> dict[str, FetchResult]:
    """Fetch `urls` concurrently through `fetch_many`; results by URL."""

    async def go() -> dict[str, FetchResult]:
        async with Fetcher(config, **options) as fetcher:  # type: ignore[arg-type]
            return {result.url: result async for result in fetcher.fetch_many(urls)}

    return asyncio.run(go())
