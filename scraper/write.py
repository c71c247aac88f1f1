"""The write stage: seed-format files plus `manifest.jsonl`, written in batches so a crash
loses nothing and costs one fsync per batch.

Order of a batch write (`CorpusWriter.write_batch`):
  1. every text goes to a hidden temp file (not fsynced one by one);
  2. the batch's manifest lines are appended, then fsynced once;
  3. the temp files are renamed into place, in order.
With `background=True` a thread does these steps while the caller makes the next batch; at most
one batch is in flight, and whatever must follow it onto disk waits for `settle()`.
Opening a corpus repairs what a crash left: stray temp files are deleted, a torn last manifest
line is dropped, and entries whose file never arrived (or arrived empty, after a power loss) are
dropped too, with that file. Their input is simply processed again on the next run, under the
same names, because files are named in order. So no manifest line outlives its file.

The manifest is never held in memory: the writer keeps the ids of the folder as 64-bit ints and
the byte offset of each entry's line, in sorted numpy arrays (`keys64.KeyMap`: 16 bytes a
document), and streams the file whenever it must be rewritten.
Lines are split on `\\n` alone (a title may hold U+2028), and a file name that is not UTF-8 is
written with `\\udcXX` escapes, which read back to the same name.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from scraper.document import Document
from scraper.errors import StoreError
from scraper.files import TEMP_PREFIX, temp_in, write_new
from scraper.keys64 import KeyMap, KeySet

MANIFEST = "manifest.jsonl"
SEED_NAME = re.compile(r"^(\d{3,})_([0-9a-f]{16})\.txt$")
DEFAULT_BATCH_SIZE = 256

Entry = dict[str, Any]
# A document to write and the copies its manifest entry lists as duplicates.
BatchItem = tuple[Document, Iterable[Entry]]


def manifest_entry(doc: Document, file: str, duplicates: Iterable[Entry] = ()) -> Entry:
    entry: Entry = {
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
        "dateline": doc.extra.get("dateline"),
        "duplicates": list(duplicates),
    }
    # Set by the relevance stage: the score and the key terms shared with the examples.
    if "relevance" in doc.extra:
        entry["relevance"] = doc.extra["relevance"]
        entry["terms"] = doc.extra.get("terms", [])
    return entry


def encode_entry(entry: Entry) -> bytes:
    """One manifest line. A lone surrogate (a non-UTF-8 file name) becomes a JSON `\\udcXX`."""
    return (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")


def id_number(doc_id: str) -> int | None:
    """A document id (16 hex digits) as the int the id index holds; None for anything else."""
    try:
        return int(doc_id, 16) if len(doc_id) == 16 else None
    except ValueError:
        return None


def manifest_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(offset, line) for each `\\n`-terminated line; a torn last line is not yielded."""
    if not path.exists():
        return
    offset = 0
    with path.open("rb") as handle:
        for line in handle:  # binary files split on b"\n" alone
            if line.endswith(b"\n"):
                yield offset, line
            offset += len(line)


def parse_entry(line: bytes) -> Entry | None:
    try:
        entry = json.loads(line)
    except ValueError:  # torn by a crash, or not ours
        return None
    return entry if isinstance(entry, dict) and "file" in entry else None


def read_entries(path: Path) -> Iterator[Entry]:
    """The manifest's entries, streamed (torn or foreign lines skipped)."""
    for _, line in manifest_lines(path):
        entry = parse_entry(line)
        if entry is not None:
            yield entry


class _InFlight:
    """One batch's file system work at a time, run by a thread while the caller goes on.

    Creating, filling and renaming a file are system calls, which let go of the GIL: done here,
    they overlap with the run's next batch (reading, cleaning, dedup decisions) instead of
    holding up the one process that writes. `settle` waits for the batch in flight and raises
    what it raised.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="corpus-writer")
        self._pending: Future[None] | None = None

    def submit(self, work: Callable[[], None]) -> None:
        self.settle()
        self._pending = self._pool.submit(work)

    def settle(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        try:
            self.settle()
        finally:
            self._pool.shutdown()


class CorpusWriter:
    """An output folder of seed-format files and its manifest.

    Public API (used by the pipeline, dedup, and any command that writes a corpus):
      write_batch(items) -> entries     group commit: one fsync for the whole batch
      settle()                          wait for the batch in flight (`background=True`)
      write(doc, duplicates=()) -> entry
      next_name(doc, ahead=0) -> str    the name the `ahead`-th next write will use
      known(doc_id) -> bool             is this id in the folder (manifest or file name)?
      entry(file) -> dict | None        one manifest entry, read from disk
      entries_of(files) -> iterator     (file, entry or None) for each, the manifest opened once
      entries() -> iterator             every entry, streamed from disk
      rewrite(transform, extra=())      stream the manifest through `transform`, atomically
      append_entries(entries)           add entries for files already in the folder
      remove(file)                      drop a file and its entry (entry first)
    The caller holds the folder's lock (`scraper.lock.folder_lock`).
    """

    def __init__(self, out: Path, *, background: bool = False) -> None:
        """`background`: a batch's files are written by a thread while the caller goes on
        (`_InFlight`); every method that reads the folder waits for it first. Then `close()`
        the writer when done."""
        self.out = out
        self._in_flight: _InFlight | None = None
        self._temps = 0  # temp files named so far
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = f"cannot create output folder ({exc.strerror})"
            raise StoreError(str(out), reason) from exc
        for stray in out.glob(f"{TEMP_PREFIX}*"):
            stray.unlink(missing_ok=True)
        self._offsets = KeyMap()  # id -> offset of its manifest line (16 bytes an id)
        self._foreign: dict[str, int] = {}  # file name (not seed-named) -> offset
        self._size = 0
        self._load_manifest()
        self._opened_size = self._size  # lines from here on were written by this writer
        self._next_seq = 0
        self._file_ids = KeySet()  # ids of seed-named files the manifest does not list
        self._scan_files()
        self._in_flight = _InFlight() if background else None

    def settle(self) -> None:
        """Wait until the last batch is on disk; raises the error that writing it met."""
        if self._in_flight is not None:
            self._in_flight.settle()

    def close(self) -> None:
        """Wait for the batch in flight and stop the writing thread."""
        if self._in_flight is not None:
            in_flight, self._in_flight = self._in_flight, None
            in_flight.close()

    @property
    def manifest_path(self) -> Path:
        return self.out / MANIFEST

    def _scan_files(self) -> None:
        with os.scandir(self.out) as found:
            for item in found:
                if match := SEED_NAME.match(item.name):
                    self._next_seq = max(self._next_seq, int(match.group(1)) + 1)
                    number = int(match.group(2), 16)
                    if number not in self._offsets:
                        self._file_ids.add(number)

    def _load_manifest(self) -> None:
        """Index the manifest; rewrite it without torn lines and entries whose file is gone."""
        repaired = self.manifest_path.exists() and not _ends_cleanly(self.manifest_path)
        for offset, line in manifest_lines(self.manifest_path):
            entry = parse_entry(line)
            if entry is None or not self._arrived(str(entry["file"])):
                repaired = True
                continue
            self._remember(entry, offset)
            self._size = offset + len(line)
        if repaired:
            self.rewrite(lambda entry: entry if self._arrived(str(entry["file"])) else None)

    def _arrived(self, file: str) -> bool:
        """The file exists and is not empty (a power loss can leave an unsynced file empty)."""
        try:
            return os.stat(self.out / file).st_size > 0
        except (OSError, ValueError):
            return False

    def _remember(self, entry: Entry, offset: int) -> None:
        file = str(entry["file"])
        number = id_number(str(entry.get("id", "")))
        if SEED_NAME.match(file) and number is not None:
            self._offsets[number] = offset
        else:
            self._foreign[file] = offset

    # -- reading ---------------------------------------------------------------------------------
    def known(self, doc_id: str) -> bool:
        number = id_number(doc_id)
        return number is not None and (number in self._offsets or number in self._file_ids)

    def written_here(self, doc_id: str) -> bool:
        """Was this id written by this writer (in this run), not found in the folder?"""
        number = id_number(doc_id)
        offset = None if number is None else self._offsets.get(number)
        return offset is not None and offset >= self._opened_size

    def entry(self, file: str) -> Entry | None:
        with contextlib.closing(self.entries_of([file])) as found:
            return next(found)[1]

    def entries_of(self, files: Iterable[str]) -> Generator[tuple[str, Entry | None], None, None]:
        """Each file with its manifest entry (None: not listed), the manifest opened once for
        all of them (a flush asks for thousands)."""
        self.settle()
        with contextlib.ExitStack() as stack:
            handle: BinaryIO | None = None
            for file in files:
                match = SEED_NAME.match(file)
                offset = (
                    self._offsets.get(int(match.group(2), 16)) if match else self._foreign.get(file)
                )
                if offset is None:
                    yield file, None
                    continue
                if handle is None:
                    handle = stack.enter_context(self.manifest_path.open("rb"))
                handle.seek(offset)
                entry = parse_entry(handle.readline())
                yield file, entry if entry is not None and entry["file"] == file else None

    def entry_for_id(self, doc_id: str) -> Entry | None:
        number = id_number(doc_id)
        offset = None if number is None else self._offsets.get(number)
        if offset is None:
            return None
        self.settle()
        with self.manifest_path.open("rb") as handle:
            handle.seek(offset)
            return parse_entry(handle.readline())

    def entries(self) -> Iterator[Entry]:
        self.settle()
        return read_entries(self.manifest_path)

    def __len__(self) -> int:
        return len(self._offsets) + len(self._foreign)

    # -- writing ---------------------------------------------------------------------------------
    def next_name(self, doc: Document, ahead: int = 0) -> str:
        """The name `write` will give `doc` after `ahead` other writes (dedup indexes it first)."""
        return f"{self._next_seq + ahead:03d}_{doc.id}.txt"

    def write(self, doc: Document, duplicates: Iterable[Entry] = ()) -> Entry:
        """Write one document and its manifest line; returns the manifest entry."""
        return self.write_batch([(doc, duplicates)])[0]

    def write_batch(self, items: Sequence[BatchItem]) -> list[Entry]:
        """Write documents as one group commit; returns their manifest entries, in order.

        Files are named in the order given. After a crash, reopening keeps a prefix of the
        batch (the files renamed before it) and drops the rest, which the next run redoes.
        With `background=True` the files are written after this returns (`settle` waits).
        """
        self.settle()  # one batch in flight at most, committed in order
        entries = [
            manifest_entry(doc, self.next_name(doc, ahead), dups)
            for ahead, (doc, dups) in enumerate(items)
        ]
        if not entries:
            return []
        texts = [doc.to_seed().encode("utf-8", "replace") for doc, _ in items]
        lines = [encode_entry(e) for e in entries]
        names = [str(e["file"]) for e in entries]
        work = partial(self._commit, texts, names, b"".join(lines))
        if self._in_flight is None:
            work()
        else:
            self._in_flight.submit(work)
        self._remember_lines(entries, lines)
        self._next_seq += len(entries)
        return entries

    def _commit(self, texts: list[bytes], names: list[str], lines: bytes) -> None:
        """Temp files, then the manifest lines (one fsync), then the renames in order."""
        temps: list[Path] = []
        renamed = 0
        try:
            for data in texts:
                temp = self._temp_name()
                write_new(temp, data)  # not fsynced: the batch's commit is
                temps.append(temp)
            self._append_lines(lines)
            for temp, name in zip(temps, names, strict=True):
                os.replace(temp, self.out / name)
                renamed += 1
        finally:
            for temp in temps[renamed:]:
                temp.unlink(missing_ok=True)

    def _temp_name(self) -> Path:
        """A temp file name no one else uses: the folder's lock makes this the only writer, and
        opening it removed every temp file (only one thread of a run writes files)."""
        self._temps += 1
        return self.out / f"{TEMP_PREFIX}{os.getpid()}-{self._temps}"

    def _append_lines(self, lines: bytes) -> None:
        with self.manifest_path.open("ab") as handle:
            handle.write(lines)
            handle.flush()
            os.fsync(handle.fileno())

    def _remember_lines(self, entries: list[Entry], lines: list[bytes]) -> None:
        for entry, line in zip(entries, lines, strict=True):
            self._remember(entry, self._size)
            self._size += len(line)

    def append_entries(self, entries: Iterable[Entry]) -> None:
        """Add manifest entries for files that are already in the folder (adopted files)."""
        self.settle()
        listed = list(entries)
        if listed:
            lines = [encode_entry(e) for e in listed]
            self._append_lines(b"".join(lines))
            self._remember_lines(listed, lines)

    def rewrite(
        self, transform: Callable[[Entry], Entry | None], extra: Iterable[Entry] = ()
    ) -> None:
        """Replace the manifest, atomically, streaming: each entry through `transform` (None
        drops it), then `extra` appended. Memory stays flat whatever the manifest's size."""
        self.settle()
        self._offsets, self._foreign, self._size = KeyMap(), {}, 0
        old = read_entries(self.manifest_path)
        with temp_in(self.out) as (fd, temp):
            with os.fdopen(fd, "wb") as handle:
                for entry in _chain_kept(old, transform, extra):
                    line = encode_entry(entry)
                    handle.write(line)
                    self._remember(entry, self._size)
                    self._size += len(line)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.manifest_path)
        self._opened_size = self._size  # (a rewrite happens on open and on close)

    def remove(self, file: str) -> None:
        """Remove a written file and its manifest entry (manifest first: never a dangling entry)."""
        self.rewrite(lambda entry: None if entry["file"] == file else entry)
        (self.out / file).unlink(missing_ok=True)
        if match := SEED_NAME.match(file):
            self._file_ids.discard(int(match.group(2), 16))


def _ends_cleanly(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell() == 0:
            return True
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def _chain_kept(
    old: Iterable[Entry], transform: Callable[[Entry], Entry | None], extra: Iterable[Entry]
) -> Iterator[Entry]:
    for entry in old:
        changed = transform(entry)
        if changed is not None:
            yield changed
    yield from extra
