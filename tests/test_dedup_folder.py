"""`scraper dedup DIR [--dry-run]` on existing folders (dedup/folder.py, commands/dedup.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from scraper.config import DedupConfig
from scraper.dedup import Deduplicator, dedup_folder
from scraper.document import Document, read_seed
from scraper.pipeline import Stats
from scraper.write import CorpusWriter

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scraper", *args], capture_output=True, text=True, timeout=60
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def foreign_folder(tmp_path: Path) -> Path:
    """The raw seeds under names another tool might use, and no manifest."""
    folder = tmp_path / "foreign"
    folder.mkdir()
    for path in sorted(SEEDS.glob("*.txt")):
        shutil.copy(path, folder / f"artikel-{path.name[:3]}.txt")
    return folder


def test_dry_run_reports_and_changes_nothing(tmp_path):
    folder = foreign_folder(tmp_path)
    before = snapshot(folder)
    result = run("dedup", str(folder), "--dry-run")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "would remove artikel-003.txt: contained in artikel-000.txt (containment 0.9"
    )
    assert lines[-1] == "5 files: 4 kept, 1 to remove (dry run: nothing changed)"
    assert snapshot(folder) == before


def test_dedup_a_foreign_folder_removes_003_and_writes_a_manifest(tmp_path):
    folder = foreign_folder(tmp_path)
    result = run("dedup", str(folder))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "5 files: 4 kept, 1 removed"
    assert sorted(p.name for p in folder.glob("*.txt")) == [
        "artikel-000.txt",
        "artikel-001.txt",
        "artikel-002.txt",
        "artikel-004.txt",
    ]
    entries = {
        e["file"]: e for e in map(json.loads, (folder / "manifest.jsonl").read_text().splitlines())
    }
    assert set(entries) == {
        "artikel-000.txt",
        "artikel-001.txt",
        "artikel-002.txt",
        "artikel-004.txt",
    }
    assert entries["artikel-000.txt"]["duplicates"] == [
        {"source": str(folder / "artikel-003.txt"), "url": None}
    ]
    # Again: nothing left to remove; and the installed index serves the next `scraper clean`.
    again = run("dedup", str(folder))
    assert again.stdout.splitlines() == ["4 files: 4 kept, 0 removed"]
    stats = Stats()
    with Deduplicator(DedupConfig(), CorpusWriter(folder)) as dedup:
        assert dedup.commit([read_seed(SEEDS / "003_4385f095f8e57eb4.txt")], stats) == []
    assert stats.dropped == {("dedup", "contained"): 1}


def test_dedup_a_scraper_folder_carries_duplicates_over(tmp_path):
    folder = tmp_path / "out"
    writer = CorpusWriter(folder)  # written without dedup: one file per input
    docs = [read_seed(p) for p in sorted(SEEDS.glob("*.txt"))]
    docs[3].url = "https://example.id/page-1"
    for doc in docs:
        writer.write(doc, duplicates=[{"source": f"mirror/{Path(doc.source).name}", "url": None}])
    report = dedup_folder(folder, DedupConfig())
    assert [(d.file[:3], d.keeper[:3], d.relation) for d in report.removed] == [
        ("003", "000", "contained")
    ]
    entries = [json.loads(line) for line in (folder / "manifest.jsonl").read_text().splitlines()]
    assert [e["file"][:3] for e in entries] == ["000", "001", "002", "004"]
    assert entries[0]["duplicates"] == [
        {"source": "mirror/000_828710dd0518d4aa.txt", "url": None},
        {"source": str(SEEDS / "003_4385f095f8e57eb4.txt"), "url": "https://example.id/page-1"},
        {"source": "mirror/003_4385f095f8e57eb4.txt", "url": None},
    ]


def test_an_unreadable_file_is_reported_and_the_rest_deduplicated(tmp_path):
    folder = foreign_folder(tmp_path)
    (folder / "rusak.txt").write_bytes(b"\xff\xfe\x00binary")
    result = run("dedup", str(folder))
    assert result.returncode == 1
    assert result.stderr.strip() == f"scraper: error: {folder / 'rusak.txt'}: not UTF-8 text"
    assert not (folder / "artikel-003.txt").exists()
    assert (folder / "rusak.txt").exists()


def test_a_missing_folder_is_a_one_line_error(tmp_path):
    result = run("dedup", str(tmp_path / "nope"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"scraper: error: {tmp_path / 'nope'}: not a folder"


def test_exact_copies_in_a_folder(tmp_path):
    folder = tmp_path / "copies"
    folder.mkdir()
    text = Document(title="Judul", paragraphs=["Satu dua tiga empat lima enam."]).to_seed()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(text, encoding="utf-8")
    report = dedup_folder(folder, DedupConfig())
    assert [(d.file, d.keeper, d.relation) for d in report.removed] == [
        ("b.txt", "a.txt", "exact-duplicate"),
        ("c.txt", "a.txt", "exact-duplicate"),
    ]
    assert sorted(p.name for p in folder.glob("*.txt")) == ["a.txt"]
