"""Work a folder has already done, known before cleaning: `OUT/.scraper/seen.u64`.

Each record that reached its end in a committed batch (written, or dropped as a duplicate or as
a repeated id) leaves a 64-bit key: the id of its URL when it has one (that id is known before
cleaning), else a hash of the raw record. A later run skips a record whose key is here before
it spends any time on it, so a rerun on the same input costs about what reading it costs.

The file is append-only, 8 bytes a key; a torn tail (a crash mid-append) is ignored. It is not
fsynced: a lost key only means that record is cleaned again and then dropped as known.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from scraper.document import Document, document_id
from scraper.keys64 import U64, KeySet
from scraper.lock import STATE_DIR

SEEN_NAME = "seen.u64"
KEY_DTYPE = np.dtype("=u8")  # the machine's byte order, as the file always had (array "Q")


def record_key(doc: Document) -> int | None:
    """The key of a record as read (before extract and clean); None if it cannot have one."""
    try:
        if doc.url:
            return int(document_id(doc.url, ""), 16)
        digest = hashlib.sha256()
        digest.update((doc.title or "").encode("utf-8", "surrogatepass"))
        for paragraph in doc.paragraphs:
            digest.update(b"\n" + paragraph.encode("utf-8", "surrogatepass"))
        html = doc.extra.get("html")
        if isinstance(html, bytes):
            digest.update(b"\0" + html)
        return int.from_bytes(digest.digest()[:8], "big")
    except (ValueError, UnicodeError):  # a URL that cannot be canonicalised or hashed
        return None


def url_key(url: str) -> int | None:
    try:
        return int(document_id(url, ""), 16)
    except (ValueError, UnicodeError):
        return None


class SeenKeys:
    """Keys of earlier runs (`before`) and of this run (`now`): 8 bytes a key, in memory."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / STATE_DIR / SEEN_NAME
        self.before = KeySet(_read_keys(self.path))
        self.now = KeySet()
        self._unsaved: list[int] = []

    def __contains__(self, key: int) -> bool:
        return key in self.before or key in self.now

    def add(self, keys: list[int]) -> None:
        """Remember keys of a batch handed to the writer; `save` writes them to the file."""
        fresh = [k for k in keys if k not in self]
        self.now.update(fresh)
        self._unsaved.extend(fresh)

    def save(self) -> None:
        """Append the keys added so far (once their batch is on disk, never before)."""
        if not self._unsaved:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as handle:
            handle.write(np.array(self._unsaved, dtype=KEY_DTYPE).tobytes())
        self._unsaved = []


def _read_keys(path: Path) -> U64:
    """The keys of the file, without a torn tail."""
    if not path.exists():
        return np.zeros(0, dtype=np.uint64)
    with path.open("rb") as handle:
        return np.fromfile(handle, dtype=KEY_DTYPE, count=path.stat().st_size // 8)
