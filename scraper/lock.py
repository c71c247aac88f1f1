"""One writer per folder: an advisory lock on `FOLDER/.scraper/lock`.

Every command that writes to an output folder or a page store holds this lock while it works.
The kernel's `flock` decides who holds it, so a lock left by a process that died (even by
SIGKILL) is free again at once: there is no stale lock to clean up, only a stale *note*. The
holder writes its pid and start time into the file, so a second writer can say who is in its way.

    with folder_lock(out, "scraper clean"):
        ...  # LockedError (exit 3) when another process holds the lock

The lock is re-entrant within a process: a command may hold it around a library call that
takes it again (`run_clean`, `dedup_folder`). Worker processes are started with "spawn", so
they never inherit it, and a killed run's workers cannot keep it alive.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scraper.errors import LockedError, StoreError

STATE_DIR = ".scraper"
LOCK_NAME = "lock"
# Folders this process holds, with how many nested `folder_lock` blocks hold each.
_held: dict[Path, int] = {}


def lock_path(folder: Path) -> Path:
    return folder / STATE_DIR / LOCK_NAME


def _holder(fd: int) -> str:
    """The note the holder left: "pid N since TIME (COMMAND)", or a plain fallback."""
    try:
        note = os.pread(fd, 512, 0).decode("utf-8", "replace").strip()
    except OSError:
        note = ""
    return note or "another process (it has not written its pid yet)"


@contextmanager
def folder_lock(folder: Path, command: str = "scraper") -> Iterator[None]:
    """Hold `folder`'s writer lock for the duration of the block; raise LockedError if taken."""
    key = folder.resolve()
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    path = lock_path(folder)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise StoreError(str(folder), f"cannot create the lock file ({exc.strerror})") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(str(folder), f"in use by {_holder(fd)}") from None
        started = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime())
        note = f"pid {os.getpid()} since {started} ({command})\n".encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, note, 0)
        _held[key] = 1
        try:
            yield
        finally:
            del _held[key]
    finally:
        os.close(fd)  # closing the only descriptor releases the lock
