import errno
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from support import ROOT

from scraper.document import Document
from scraper.write import MANIFEST, CorpusWriter


def doc(body: str, source: str = "in.txt") -> Document:
    return Document(title="Judul", paragraphs=[body], source=source)


def manifest(out):
    return [json.loads(line) for line in (out / MANIFEST).read_bytes().split(b"\n") if line]


def test_writes_numbered_files_and_a_manifest(tmp_path):
    writer = CorpusWriter(tmp_path)
    first = writer.write(doc("Satu."))
    second = writer.write(doc("Dua.", "b.txt"), duplicates=[{"source": "c.txt", "url": None}])
    assert first["file"] == f"000_{first['id']}.txt" and second["file"].startswith("001_")
    assert (tmp_path / first["file"]).read_text() == "Judul\n\nSatu."
    entries = manifest(tmp_path)
    assert [e["file"] for e in entries] == [first["file"], second["file"]]
    assert set(entries[0]) >= {"file", "id", "title", "url", "source", "site", "date", "author",
                               "chars", "removed", "duplicates"}
    assert entries[1]["duplicates"] == [{"source": "c.txt", "url": None}]


def test_numbering_continues_after_the_highest_file(tmp_path):
    (tmp_path / "041_0123456789abcdef.txt").write_text("x\n\ny")
    entry = CorpusWriter(tmp_path).write(doc("Tiga."))
    assert entry["file"].startswith("042_")
    assert CorpusWriter(tmp_path).known("0123456789abcdef")


def test_open_repairs_a_torn_manifest_and_dangling_entries(tmp_path):
    writer = CorpusWriter(tmp_path)
    kept = writer.write(doc("Satu."))
    with (tmp_path / MANIFEST).open("a") as handle:
        handle.write(json.dumps({"file": "009_ffffffffffffffff.txt", "id": "f"}) + "\n")
        handle.write('{"file": "010_')  # a crash mid-line
    (tmp_path / ".tmp-leftover").write_text("half")
    reopened = CorpusWriter(tmp_path)
    assert [e["file"] for e in reopened.entries()] == [kept["file"]]
    assert [e["file"] for e in manifest(tmp_path)] == [kept["file"]]
    assert not (tmp_path / ".tmp-leftover").exists()


def test_a_crash_during_write_leaves_no_file_and_no_entry(tmp_path, monkeypatch):
    writer = CorpusWriter(tmp_path)

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        writer.write(doc("Satu."))
    monkeypatch.undo()
    reopened = CorpusWriter(tmp_path)
    assert list(reopened.entries()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST]


def test_remove_drops_the_file_and_its_entry(tmp_path):
    writer = CorpusWriter(tmp_path)
    a = writer.write(doc("Satu."))
    b = writer.write(doc("Dua."))
    writer.remove(a["file"])
    assert not (tmp_path / a["file"]).exists()
    assert [e["file"] for e in manifest(tmp_path)] == [b["file"]]


def test_entries_of_reads_many_entries_with_the_manifest_opened_once(tmp_path, monkeypatch):
    writer = CorpusWriter(tmp_path)
    written = writer.write_batch(write_batch_test_docs(3))
    (tmp_path / "lain.txt").write_text("Judul\n\nDitulis alat lain.")  # in no entry
    opened = []
    real_open = type(tmp_path).open
    monkeypatch.setattr(type(tmp_path), "open",
                        lambda self, *a, **k: opened.append(self.name) or real_open(self, *a, **k))
    files = [written[2]["file"], "lain.txt", written[0]["file"], "tidak-ada.txt"]
    found = list(writer.entries_of(files))
    assert [file for file, _ in found] == files
    assert [entry and entry["source"] for _, entry in found] == ["in2.txt", None, "in0.txt", None]
    assert opened == [MANIFEST]
    assert writer.entry(written[1]["file"]) == written[1]
    assert list(CorpusWriter(tmp_path / "kosong").entries_of(["a.txt"])) == [("a.txt", None)]


def write_batch_test_docs(n):
    return [(doc(f"Kalimat nomor {i}.", f"in{i}.txt"), ()) for i in range(n)]


def test_a_batch_is_one_commit_named_in_order(tmp_path):
    writer = CorpusWriter(tmp_path)
    entries = writer.write_batch(write_batch_test_docs(5))
    assert [e["file"][:3] for e in entries] == ["000", "001", "002", "003", "004"]
    assert [e["file"] for e in manifest(tmp_path)] == [e["file"] for e in entries]
    assert all(writer.known(e["id"]) and writer.entry(e["file"]) == e for e in entries)


def test_a_crash_mid_batch_keeps_the_renamed_prefix_only(tmp_path, monkeypatch):
    writer = CorpusWriter(tmp_path)
    renamed = []
    real_replace = os.replace

    def dying_replace(src, dst):
        if len(renamed) == 2:
            raise OSError("killed")
        renamed.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", dying_replace)
    with pytest.raises(OSError):
        writer.write_batch(write_batch_test_docs(5))
    monkeypatch.undo()
    reopened = CorpusWriter(tmp_path)  # repairs: the three lines without files go
    assert [e["file"][:3] for e in manifest(tmp_path)] == ["000", "001"]
    assert reopened.next_name(doc("x"))[:3] == "002"  # the redone records get the same names


def test_an_empty_file_left_by_a_power_loss_is_dropped_with_its_entry(tmp_path):
    entries = CorpusWriter(tmp_path).write_batch(write_batch_test_docs(2))
    (tmp_path / entries[1]["file"]).write_bytes(b"")
    CorpusWriter(tmp_path)
    assert [e["file"] for e in manifest(tmp_path)] == [entries[0]["file"]]


# -- SIGKILL a real `scraper clean` at several points: the rerun gives the uninterrupted corpus.

RECORDS = 240


def article(i: int) -> dict:
    sentences = [f"Petani desa {i} memanen padi di sawah blok {i * 11 + k} pada musim kemarau."
                 for k in range(8)]
    return {"title": f"Panen {i}", "text": "\n".join(sentences)}


def crash_dump(path):
    rows = []
    for i in range(RECORDS):
        rows.append(article(i))
        if i % 10 == 3:
            rows.append(article(i - 2))  # an exact copy of an earlier record
        if i % 10 == 7:  # a longer copy of an earlier record: it replaces the written file
            longer = article(i - 5)
            longer["text"] += "\nHarga gabah naik tipis pekan ini."
            rows.append(longer)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def command(source, out, jobs=1):
    return [sys.executable, "-m", "scraper", "clean", str(source), "-o", str(out),
            "--batch-size", "4", "--jobs", str(jobs)]


ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def corpus_bytes(out):
    """The corpus as a user sees it: every file's bytes, and the manifest's."""
    return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}


def manifest_lines(out):
    try:
        return (out / "manifest.jsonl").read_bytes().count(b"\n")
    except OSError:
        return 0


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    base = tmp_path_factory.mktemp("crash")
    source = crash_dump(base / "in.jsonl")
    out = base / "whole"
    subprocess.run(command(source, out), env=ENV, check=True, capture_output=True, timeout=300)
    return source, corpus_bytes(out)


# With --jobs 2 the workers read the dump themselves; the corpus is that of --jobs 1.
@pytest.mark.parametrize(("after", "jobs"), [(1, 1), (40, 1), (150, 1), (40, 2)])
def test_a_rerun_after_sigkill_equals_the_uninterrupted_run(tmp_path, uninterrupted, after, jobs):
    source, expected = uninterrupted
    out = tmp_path / "out"
    proc = subprocess.Popen(command(source, out, jobs), env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while manifest_lines(out) < after and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL  # killed mid-run, not after it ended
    assert manifest_lines(out) < len(expected) - 1
    rerun = subprocess.run(command(source, out, jobs), env=ENV, capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert corpus_bytes(out) == expected


def test_the_manifest_names_a_profile_miss(tmp_path):
    missed = doc("Teks artikel yang dibaca oleh ekstraktor umum.")
    missed.profile_miss = "detik:body_not_found"
    writer = CorpusWriter(tmp_path)
    writer.write(missed)
    writer.write(doc("Teks lain yang dibaca dengan profil situsnya.", source="b.txt"))
    assert [e["profile_miss"] for e in manifest(tmp_path)] == ["detik:body_not_found", None]


def test_batches_written_in_the_background_land_in_order_with_nothing_left_over(tmp_path):
    writer = CorpusWriter(tmp_path, background=True)
    entries = writer.write_batch(write_batch_test_docs(5)) + writer.write_batch(
        write_batch_test_docs(8)[5:])
    writer.close()
    assert [e["file"][:3] for e in entries] == [f"{i:03d}" for i in range(8)]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([MANIFEST] + [
        e["file"] for e in entries])
    assert [(tmp_path / e["file"]).read_text() for e in entries] == [
        f"Judul\n\nKalimat nomor {i}." for i in range(8)]
    assert oct((tmp_path / entries[0]["file"]).stat().st_mode & 0o777) == oct(
        (tmp_path / MANIFEST).stat().st_mode & 0o777)  # a new file's mode, not mkstemp's 0600


def test_reading_the_folder_waits_for_the_batch_in_flight(tmp_path):
    writer = CorpusWriter(tmp_path, background=True)
    entries = writer.write_batch(write_batch_test_docs(40))
    assert writer.entry(entries[-1]["file"]) == entries[-1]  # read from disk, after the write
    assert [e["file"] for e in writer.entries()] == [e["file"] for e in entries]
    writer.close()


def test_a_background_write_error_is_raised_by_the_next_call_and_leaves_no_temp_file(
    tmp_path, monkeypatch
):
    writer = CorpusWriter(tmp_path, background=True)
    real_replace = os.replace

    def full_disk(src, dst):
        if str(dst).endswith(".txt") and "003_" in str(dst):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", full_disk)
    writer.write_batch(write_batch_test_docs(6))  # returns before the files are written
    with pytest.raises(OSError, match="No space left"):
        writer.settle()
    writer.close()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]
    reopened = CorpusWriter(tmp_path)  # the files renamed before the error are kept
    assert [e["file"][:3] for e in reopened.entries()] == ["000", "001", "002"]
