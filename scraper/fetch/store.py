"""The raw page store: content-addressed gzip bodies plus an append-only JSON-lines index.

    STORE/
      index.jsonl                one line per fetch: url, final_url, status, headers, sha256,
                                 bytes, fetched_at (the last line for a URL wins)
      objects/ab/<sha256>.gz     the body (decompressed from the wire, then gzipped by us)

A body is written (temp file + rename) before its index line, and the index line is flushed and
fsynced, so a crash loses at most the fetch in progress. Opening the store drops a torn last index
line and any entry whose body file is missing. Identical bodies are stored once. The folder can
be archived as it is (tar, zip); `gzip -dc objects/ab/<sha>.gz` gives back the exact bytes.
One process writes a store at a time.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scraper.charset import decode_body
from scraper.errors import StoreError
from scraper.fetch.result import FetchResult, conditional_headers
from scraper.files import atomic_write_bytes

INDEX = "index.jsonl"
OBJECTS = "objects"


class PageStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._entries: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        try:
            (self.root / OBJECTS).mkdir(parents=True, exist_ok=True)
            self._load()
        except OSError as exc:
            raise StoreError(str(self.root), f"cannot open page store ({exc.strerror})") from exc

    def _load(self) -> None:
        index = self.root / INDEX
        if not index.exists():
            return
        data = index.read_bytes()
        if data and not data.endswith(b"\n"):
            # A crash tore the last line: cut it so the next append starts on a fresh line.
            keep = data.rfind(b"\n") + 1
            with index.open("r+b") as handle:
                handle.truncate(keep)
            data = data[:keep]
        for line in data.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if not isinstance(entry, dict):
                continue
            url, digest = entry.get("url"), entry.get("sha256")
            found = isinstance(digest, str) and self._object_path(digest).exists()
            if isinstance(url, str) and found:
                self._entries[url] = entry

    def _object_path(self, digest: str) -> Path:
        return self.root / OBJECTS / digest[:2] / f"{digest}.gz"

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, url: object) -> bool:
        return url in self._entries

    def put(self, result: FetchResult) -> None:
        """Store a successful fetch (a 304 re-records the stored body with the new time)."""
        digest = hashlib.sha256(result.body).hexdigest()
        path = self._object_path(digest)
        entry = {
            "url": result.url,
            "final_url": result.final_url,
            "status": result.status,
            "headers": result.headers,
            "sha256": digest,
            "bytes": len(result.body),
            "fetched_at": result.fetched_at,
        }
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            if not path.exists():
                atomic_write_bytes(path, gzip.compress(result.body, compresslevel=6, mtime=0))
            with self._lock, (self.root / INDEX).open("ab") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
                self._entries[result.url] = entry
        except OSError as exc:
            raise StoreError(str(self.root), f"cannot write page store ({exc.strerror})") from exc

    def get(self, url: str) -> FetchResult | None:
        """The last stored fetch of `url`, with body and decoded text, or None."""
        entry = self._entries.get(url)
        if entry is None:
            return None
        try:
            body = gzip.decompress(self._object_path(entry["sha256"]).read_bytes())
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise StoreError(str(self.root), f"body of {url} is unreadable ({exc})") from exc
        headers: dict[str, str] = entry["headers"]
        return FetchResult(
            url=url,
            final_url=entry["final_url"],
            status=entry["status"],
            headers=headers,
            body=body,
            text=decode_body(body, headers.get("content-type")),
            attempts=0,
            fetched_at=entry["fetched_at"],
        )

    def get_entry(self, url: str) -> dict[str, Any] | None:
        """The index entry of `url` (no body), or None."""
        return self._entries.get(url)

    def validators(self, url: str) -> dict[str, str]:
        """Conditional-request headers (If-None-Match / If-Modified-Since) for a stored URL."""
        entry = self._entries.get(url)
        if entry is None:
            return {}
        return conditional_headers(entry["headers"])

    def urls(self) -> Iterator[str]:
        return iter(list(self._entries))

    def __iter__(self) -> Iterator[FetchResult]:
        """Every stored page, in the order first stored."""
        for url in self.urls():
            result = self.get(url)
            if result is not None:
                yield result
