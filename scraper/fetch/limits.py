"""Policies as data: which statuses are retried, which content types are pages, config checks."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime

import httpx

from scraper.config import FetchConfig
from scraper.errors import ConfigError, TooLargeError, UnsupportedContentError
from scraper.fetch.transports import BACKENDS

# Scrapy's RETRY_HTTP_CODES: transient server-side or throttling answers.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 522, 524})
# The server says "too much": the host's delay doubles.
BACKOFF_STATUSES = frozenset({429, 503})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PAGE_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "application/xml",
        "text/xml",
        "application/rss+xml",
        "application/atom+xml",
    }
)


# What a discovery run also reads: gzipped sitemaps served as files, plain-text sitemaps and
# robots.txt.
SOURCE_TYPES = PAGE_TYPES | {"application/gzip", "application/x-gzip", "text/plain"}


def check_content_type(
    url: str, content_type: str | None, accepted: frozenset[str] = PAGE_TYPES
) -> None:
    """Only HTML, XHTML and XML/RSS/Atom pass (or `accepted`); a missing header is given the
    benefit of doubt."""
    if not content_type:
        return
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime not in accepted:
        raise UnsupportedContentError(url, f"content type {mime!r} is not HTML/XML")


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds from now: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def validate_config(config: FetchConfig) -> None:
    """Reject values that would make the fetcher hang, spin or refuse everything."""
    positive_ints = ("per_host_concurrency", "concurrency", "max_attempts", "max_bytes")
    for name in positive_ints:
        if getattr(config, name) < 1:
            raise ConfigError(f"[fetch] {name}", f"must be at least 1, got {getattr(config, name)}")
    positive_floats = (
        "connect_timeout", "read_timeout", "page_timeout", "retry_after_cap", "max_delay"
    )
    for name in positive_floats:
        if getattr(config, name) <= 0:
            raise ConfigError(f"[fetch] {name}", f"must be above 0, got {getattr(config, name)}")
    for name in ("delay", "backoff_base", "max_redirects"):
        if getattr(config, name) < 0:
            raise ConfigError(
                f"[fetch] {name}", f"must not be negative, got {getattr(config, name)}"
            )
    if config.backend not in BACKENDS:
        raise ConfigError("[fetch] backend", f"must be one of {', '.join(BACKENDS)}")
    if not config.user_agent.strip():
        raise ConfigError("[fetch] user_agent", "must not be empty")


async def read_capped(
    url: str, response: httpx.Response, headers: dict[str, str], limit: int
) -> bytes:
    """The decoded body, aborted as soon as it passes `limit` bytes (so a gzip bomb stops)."""
    declared = headers.get("content-length", "")
    if "content-encoding" not in headers and declared.isdigit() and int(declared) > limit:
        raise TooLargeError(url, f"Content-Length {declared} is over the {limit}-byte limit")
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        if total > limit:
            raise TooLargeError(url, f"body is over the {limit}-byte limit (after decompression)")
        chunks.append(chunk)
    return b"".join(chunks)
