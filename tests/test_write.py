import json
import os

import pytest

from scraper.document import Document
from scraper.write import MANIFEST, CorpusWriter


def doc(body: str, source: str = "in.txt") -> Document:
    return Document(title="Judul", paragraphs=[body], source=source)


def manifest(out):
    return [json.loads(line) for line in (out / MANIFEST).read_text().splitlines()]


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
    assert "0123456789abcdef" in CorpusWriter(tmp_path).ids()


def test_open_repairs_a_torn_manifest_and_dangling_entries(tmp_path):
    writer = CorpusWriter(tmp_path)
    kept = writer.write(doc("Satu."))
    with (tmp_path / MANIFEST).open("a") as handle:
        handle.write(json.dumps({"file": "009_ffffffffffffffff.txt", "id": "f"}) + "\n")
        handle.write('{"file": "010_')  # a crash mid-line
    (tmp_path / ".tmp-leftover").write_text("half")
    reopened = CorpusWriter(tmp_path)
    assert [e["file"] for e in reopened.entries] == [kept["file"]]
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
    assert reopened.entries == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST]


def test_remove_drops_the_file_and_its_entry(tmp_path):
    writer = CorpusWriter(tmp_path)
    a = writer.write(doc("Satu."))
    b = writer.write(doc("Dua."))
    writer.remove(a["file"])
    assert not (tmp_path / a["file"]).exists()
    assert [e["file"] for e in manifest(tmp_path)] == [b["file"]]


def test_the_manifest_names_a_profile_miss(tmp_path):
    missed = doc("Teks artikel yang dibaca oleh ekstraktor umum.")
    missed.profile_miss = "detik:body_not_found"
    writer = CorpusWriter(tmp_path)
    writer.write(missed)
    writer.write(doc("Teks lain yang dibaca dengan profil situsnya.", source="b.txt"))
    assert [e["profile_miss"] for e in manifest(tmp_path)] == ["detik:body_not_found", None]
