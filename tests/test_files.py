"""Atomic and group-committed file writes."""

from __future__ import annotations

import os

import pytest

from scraper.files import atomic_write_bytes, write_new


def test_write_new_creates_a_file_with_the_mode_open_gives(tmp_path):
    write_new(tmp_path / "a.txt", b"isi berita")
    atomic_write_bytes(tmp_path / "b.txt", b"lain")
    (tmp_path / "c.txt").write_bytes(b"biasa")
    assert (tmp_path / "a.txt").read_bytes() == b"isi berita"
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    assert modes["a.txt"] == modes["c.txt"] == modes["b.txt"]


def test_write_new_never_overwrites(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"lama")
    with pytest.raises(FileExistsError):
        write_new(tmp_path / "a.txt", b"baru")
    assert (tmp_path / "a.txt").read_bytes() == b"lama"


def test_a_failed_write_leaves_no_file(tmp_path, monkeypatch):
    def disk_full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_new(tmp_path / "a.txt", b"isi")
    assert not (tmp_path / "a.txt").exists()
