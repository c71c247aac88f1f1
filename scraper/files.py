"""Atomic file writes: a temp file in the same folder, fsynced, then `os.replace`.

A reader never sees half a file, and a crash leaves at most a stray temp file, which the
corpus writer deletes when it opens a folder.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_PREFIX = ".tmp-"


def _file_mode() -> int:
    """The mode `open()` would give a new file: 0666 less the umask (mkstemp makes 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def temp_in(folder: Path) -> Iterator[tuple[int, Path]]:
    fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=folder)
    try:
        os.fchmod(fd, _file_mode())
        yield fd, Path(name)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def write_fd(fd: int, data: bytes) -> None:
    """Write `data`, fsync and close `fd`."""
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_new(path: Path, data: bytes) -> None:
    """Create `path` (it must not exist) with the mode `open()` gives and write `data`, not
    fsynced (a group commit syncs later); a failure removes it. Cheaper than `temp_in` for a
    writer that names its own temp files: no random names and no chmod."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # (the umask applies)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temp file in the same folder and `os.replace`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with temp_in(path.parent) as (fd, temp):
        write_fd(fd, data)
        os.replace(temp, path)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
