"""`FetchResult`: what one URL's fetch produced, success or failure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def conditional_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from a response's (lower-case) ETag / Last-Modified.

    The one place that knows the pairing: the page store and the run state both use it.
    """
    found = {
        "If-None-Match": headers.get("etag"),
        "If-Modified-Since": headers.get("last-modified"),
    }
    return {name: value for name, value in found.items() if value}


@dataclass(frozen=True)
class FetchResult:
    """The outcome of fetching `url`. A failure has `error` set and never raises.

    `attempts` is 1 plus the number of retries (redirect hops are not attempts; robots.txt is not
    counted). `status` is the last HTTP status seen, or None when no response came back.
    `text` is the body decoded (see `charset.decode_body`), None when there is no body.
    """

    url: str
    final_url: str | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    text: str | None = None
    attempts: int = 0
    error: str | None = None
    reason: str | None = None
    fetched_at: str = field(default_factory=utc_now)
    not_modified: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> dict[str, object]:
        """The CLI's JSON line: url, final_url, status, bytes, attempts, error (+ reason)."""
        return {
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "bytes": len(self.body),
            "attempts": self.attempts,
            "error": self.error,
            "reason": self.reason,
        }
