"""The write stage: seed-format files plus `manifest.jsonl`, written so a crash loses nothing.

Order of a write: the text goes to a hidden temp file (fsynced), the manifest line is appended
(fsynced), then the temp file is renamed into place. Opening a corpus repairs what a crash left:
stray temp files are deleted, a torn last manifest line is dropped, and entries whose file never
arrived are dropped too (their input is simply processed again on the next run).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scraper.document import Document
from scraper.errors import StoreError
from scraper.files import TEMP_PREFIX, atomic_write_text, temp_in, write_fd

MANIFEST = "manifest.jsonl"
SEED_NAME = re.compile(r"^(\d{3,})_([0-9a-f]{16})\.txt$")


def manifest_entry(
    doc: Document, file: str, duplicates: Iterable[dict[str, Any]] = ()
) -> dict[str, Any]:
    return {
        "file": file,
        "id": doc.id,
        "title": doc.title,
        "url": doc.url,
        "source": doc.source,
        "site": doc.site,
        "date": doc.date,
        "author": doc.author,
        "chars": len(doc.body),
        "removed": len(doc.removed),
        "profile_miss": doc.profile_miss,
        "duplicates": list(duplicates),
    }


@dataclass
class CorpusWriter:
    """An output folder of seed-format files and its manifest."""

    out: Path

    def __post_init__(self) -> None:
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = f"cannot create output folder ({exc.strerror})"
            raise StoreError(str(self.out), reason) from exc
        for stray in self.out.glob(f"{TEMP_PREFIX}*"):
            stray.unlink(missing_ok=True)
        self.entries: list[dict[str, Any]] = self._load_manifest()
        self._next_seq = 1 + max(
            (int(m.group(1)) for p in self.out.iterdir() if (m := SEED_NAME.match(p.name))),
            default=-1,
        )

    @property
    def manifest_path(self) -> Path:
        return self.out / MANIFEST

    def _load_manifest(self) -> list[dict[str, Any]]:
        if not self.manifest_path.exists():
            return []
        entries: list[dict[str, Any]] = []
        repaired = False
        for line in self.manifest_path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                repaired = True  # a line torn by a crash
                continue
            if isinstance(entry, dict) and (self.out / str(entry.get("file"))).exists():
                entries.append(entry)
            else:
                repaired = True  # the file never arrived
        if repaired:
            self.rewrite_manifest(entries)
        return entries

    def ids(self) -> set[str]:
        """Ids already in the folder, from the manifest and from seed-format file names."""
        found = {str(e["id"]) for e in self.entries}
        found.update(m.group(2) for p in self.out.iterdir() if (m := SEED_NAME.match(p.name)))
        return found

    def next_name(self, doc: Document, ahead: int = 0) -> str:
        """The name `write` will give `doc` after `ahead` other writes (dedup indexes it first)."""
        return f"{self._next_seq + ahead:03d}_{doc.id}.txt"

    def write(self, doc: Document, duplicates: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
        """Write one document and its manifest line; returns the manifest entry."""
        name = self.next_name(doc)
        entry = manifest_entry(doc, name, duplicates)
        with temp_in(self.out) as (fd, temp):
            write_fd(fd, doc.to_seed().encode("utf-8"))
            self._append_manifest(entry)
            os.replace(temp, self.out / name)
        self._next_seq += 1
        self.entries.append(entry)
        return entry

    def _append_manifest(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self.manifest_path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def rewrite_manifest(self, entries: list[dict[str, Any]]) -> None:
        """Replace the manifest as a whole (atomically), e.g. after dedup replaced a file."""
        text = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)
        atomic_write_text(self.manifest_path, text)
        self.entries = list(entries)

    def remove(self, file: str) -> None:
        """Remove a written file and its manifest entry (manifest first: never a dangling entry)."""
        self.rewrite_manifest([e for e in self.entries if e["file"] != file])
        (self.out / file).unlink(missing_ok=True)
