"""`Deduplicator` against an output folder: seeds, replacement, order, re-runs, crash repair."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from scraper.config import DedupConfig
from scraper.dedup import REPEATED_PARAGRAPH, Deduplicator
from scraper.dedup.deduplicator import INDEX_DIR, INDEX_NAME
from scraper.document import Document, parse_seed, read_seed
from scraper.pipeline import Stats
from scraper.write import CorpusWriter

CONFIG = DedupConfig()
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
# Chrome lines of the raw seeds, dropped here because the cleaner is not this stage's business.
CHROME = ("Foto/", "loading...", "A A A", "Halaman", "Lihat Juga", "Copyright", "All Rights")


def seed_docs() -> list[Document]:
    docs = []
    for path in sorted(SEEDS.glob("*.txt")):
        doc = read_seed(path)
        doc.paragraphs = [p for p in doc.paragraphs if not p.startswith(CHROME)]
        doc.url = f"https://example.id/{path.name[:3]}"
        docs.append(doc)
    return docs


def words(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"k{rng.getrandbits(40):x}" for _ in range(n)]


def article(ws: list[str], name: str, per_paragraph: int = 60) -> Document:
    paragraphs = [
        " ".join(ws[i : i + per_paragraph]) + "." for i in range(0, len(ws), per_paragraph)
    ]
    return Document(
        title=name, paragraphs=paragraphs, source=f"in/{name}", url=f"https://x.id/{name}"
    )


def commit(
    out: Path, docs: list[Document], config: DedupConfig = CONFIG
) -> tuple[list[dict], Stats]:
    stats = Stats()
    with Deduplicator(config, CorpusWriter(out)) as dedup:
        entries = dedup.commit(docs, stats)
    return entries, stats


def manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text("utf-8").splitlines()]


def corpus(out: Path) -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in sorted(out.glob("*.txt"))}


def consistent(out: Path) -> None:
    """Every manifest entry has its file, every file its entry, and the index knows each file."""
    files = set(corpus(out))
    assert {e["file"] for e in manifest(out)} == files
    import sqlite3

    db = sqlite3.connect(out / INDEX_DIR / INDEX_NAME)
    assert {r[0] for r in db.execute("SELECT file FROM docs")} == files
    assert db.execute("SELECT COUNT(*) FROM docs WHERE state != 0").fetchone()[0] == 0
    db.close()


def bodies(out: Path) -> set[str]:
    return {text.split("\n\n", 1)[1] for text in corpus(out).values()}


def test_seeds_keep_four_files_and_000_lists_003(tmp_path):
    entries, stats = commit(tmp_path, seed_docs())
    assert [Path(e["source"]).name[:3] for e in entries] == ["000", "001", "002", "004"]
    assert entries[0]["duplicates"] == [
        {"source": str(SEEDS / "003_4385f095f8e57eb4.txt"), "url": "https://example.id/003"}
    ]
    assert stats.dropped == {("dedup", "contained"): 1}
    assert len(corpus(tmp_path)) == 4
    consistent(tmp_path)


def test_exact_duplicates_write_one_file_listing_the_other_copies(tmp_path):
    ws = words(300, 1)
    copies = [article(ws, f"copy{i}") for i in range(3)]
    copies[2].paragraphs = [p.upper() for p in copies[2].paragraphs]  # same after normalising
    entries, stats = commit(tmp_path, copies)
    assert len(entries) == 1 and len(corpus(tmp_path)) == 1
    listed = {(d["source"], d["url"]) for d in entries[0]["duplicates"]}
    assert listed | {(entries[0]["source"], entries[0]["url"])} == {
        (f"in/copy{i}", f"https://x.id/copy{i}") for i in range(3)
    }
    assert stats.dropped == {("dedup", "exact-duplicate"): 2}


def test_near_duplicates_at_090_are_caught_and_at_050_are_not(tmp_path):
    caught = missed = 0
    for seed in range(12):
        base = words(600, 100 + seed)
        near, far = list(base), list(base)
        for i in range(6):  # (596 - 30) / (596 + 30) = 0.90
            near[3 + i * 40] = f"ganti{i}"
        for i in range(40):  # (596 - 200) / (596 + 200) = 0.50
            far[3 + i * 14] = f"ubah{i}"
        out = tmp_path / str(seed)
        commit(out, [article(base, "a"), article(near, "b")])
        caught += len(corpus(out)) == 1
        commit(out / "far", [article(base, "a"), article(far, "b")])
        missed += len(corpus(out / "far")) == 2
    assert (caught, missed) == (12, 12)


def test_articles_sharing_some_sentences_are_all_kept(tmp_path):
    wire = words(120, 7)
    a = article(words(400, 8) + wire, "a")
    b = article(wire + words(300, 9), "b")
    entries, _ = commit(tmp_path, [a, b])
    assert len(entries) == 2


@pytest.mark.parametrize("order", ["page-first", "whole-first"])
def test_containment_keeps_the_whole_article_in_one_batch(tmp_path, order):
    ws = words(900, 3)
    whole, page = article(ws, "whole"), article(ws[:300], "page1")
    batch = [page, whole] if order == "page-first" else [whole, page]
    entries, stats = commit(tmp_path, batch)
    assert [e["source"] for e in entries] == ["in/whole"]
    assert entries[0]["duplicates"] == [{"source": "in/page1", "url": "https://x.id/page1"}]
    assert stats.dropped == {("dedup", "contained"): 1}


def test_containment_across_runs_replaces_the_earlier_shorter_file(tmp_path):
    ws = words(900, 4)
    page = article(ws[:300], "page1")
    page_copy = article(ws[:300], "page1-copy")
    (first,), _ = commit(tmp_path, [page, page_copy])
    assert first["duplicates"] == [{"source": "in/page1-copy", "url": "https://x.id/page1-copy"}]
    entries, stats = commit(tmp_path, [article(ws, "whole")])
    assert stats.dropped == {("dedup", "replaced-by-longer"): 1}
    assert not (tmp_path / first["file"]).exists()
    assert [e["source"] for e in manifest(tmp_path)] == ["in/whole"]
    # The replaced file and the duplicates it had are carried over to the longer copy.
    assert {d["source"] for d in manifest(tmp_path)[0]["duplicates"]} == {
        "in/page1",
        "in/page1-copy",
    }
    consistent(tmp_path)
    # And the other way round: the whole article first, page 1 later is dropped.
    other = tmp_path / "other"
    commit(other, [article(ws, "whole")])
    entries, stats = commit(other, [page])
    assert entries == [] and stats.dropped == {("dedup", "contained"): 1}
    assert bodies(other) == bodies(tmp_path)
    assert manifest(other)[0]["duplicates"] == [{"source": "in/page1", "url": "https://x.id/page1"}]
    consistent(other)


def _mixed_inputs() -> list[Document]:
    docs = seed_docs()
    for k in range(4):
        ws = words(500, 50 + k)
        docs += [article(ws, f"w{k}"), article(ws[: 150 + 40 * k], f"p{k}"), article(ws, f"c{k}")]
        near = list(ws)
        near[10] = "beda"
        docs.append(article(near, f"n{k}"))
    return docs


def test_the_same_inputs_in_any_order_keep_the_same_set(tmp_path):
    docs = _mixed_inputs()
    expected: set[str] | None = None
    for trial in range(5):
        shuffled = random.Random(trial).sample(docs, len(docs))
        out = tmp_path / f"one-batch-{trial}"
        commit(out, shuffled)
        split = tmp_path / f"two-runs-{trial}"
        commit(split, shuffled[: trial * 4])
        commit(split, shuffled[trial * 4 :])
        expected = expected or bodies(out)
        assert bodies(out) == expected
        assert bodies(split) == expected
        consistent(split)
    assert expected is not None and len(expected) == 4 + 4  # 4 seeds left, one per synthetic story


def test_running_again_adds_nothing(tmp_path):
    docs = _mixed_inputs()
    commit(tmp_path, docs)
    before_files, before_manifest = corpus(tmp_path), (tmp_path / "manifest.jsonl").read_bytes()
    entries, stats = commit(tmp_path, docs)
    assert entries == [] and stats.kept["dedup"] == 0
    assert corpus(tmp_path) == before_files
    assert (tmp_path / "manifest.jsonl").read_bytes() == before_manifest


def test_repeated_paragraphs_inside_a_document_are_dropped(tmp_path):
    doc = article(words(200, 5), "r")
    doc.paragraphs.insert(2, doc.paragraphs[0].lower())
    (entry,), _ = commit(tmp_path, [doc])
    assert entry["removed"] == 1
    assert (
        parse_seed(corpus(tmp_path)[entry["file"]]).paragraphs
        == article(words(200, 5), "r").paragraphs
    )
    assert REPEATED_PARAGRAPH == "dedup:repeated-paragraph"


class Crash(Exception):
    pass


def test_crash_between_index_update_and_file_write_is_repaired(tmp_path, monkeypatch):
    docs = [article(words(400, 20 + i), f"d{i}") for i in range(4)]
    renamed = []
    real_replace = os.replace

    def dying_replace(src, dst):
        if len(renamed) == 2:
            raise Crash  # the process dies after the manifest commit, before the third rename
        renamed.append(Path(dst).name)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", dying_replace)
    dedup = Deduplicator(CONFIG, CorpusWriter(tmp_path))
    with pytest.raises(Crash):
        dedup.commit(docs, Stats())
    dedup.index.close()  # the process is gone: no flush, no close
    monkeypatch.setattr(os, "replace", real_replace)
    writes = [e["source"] for e in manifest(tmp_path) if e["file"] in renamed]
    assert len(writes) == 2
    assert len(corpus(tmp_path)) == 2
    # Another tool adds two files meanwhile: the folder holds as many files as the index has rows.
    for name in ("x.txt", "y.txt"):
        (tmp_path / name).write_text(article(words(100, len(name) + ord(name[0])), name).to_seed())
    # The next run repairs: no entry for the missing files, and their inputs are written now.
    entries, stats = commit(tmp_path, docs)
    assert sorted(e["source"] for e in entries) == sorted(
        d.source for d in docs if d.source not in writes
    )
    assert stats.dropped == {("dedup", "exact-duplicate"): 2}
    assert len(corpus(tmp_path)) == 6
    consistent(tmp_path)


@pytest.mark.parametrize("background", [False, True])
def test_the_next_batch_of_one_run_replaces_a_shorter_file_of_the_last(tmp_path, background):
    """The last batch's rows are marked written after the next batch is decided: a row that
    batch replaced must stay replaced, and its file go."""
    ws = words(900, 5)
    stats = Stats()
    writer = CorpusWriter(tmp_path, background=background)
    with Deduplicator(CONFIG, writer) as dedup:
        (first,) = dedup.commit([article(ws[:300], "page1")], stats)
        dedup.commit([article(ws, "whole")], stats)
    writer.close()
    assert stats.dropped == {("dedup", "replaced-by-longer"): 1}
    assert not (tmp_path / first["file"]).exists()
    assert [e["source"] for e in manifest(tmp_path)] == ["in/whole"]
    consistent(tmp_path)


def test_crash_before_a_replaced_file_is_deleted_is_repaired(tmp_path, monkeypatch):
    ws = words(900, 6)
    commit(tmp_path, [article(ws[:300], "page1")])
    monkeypatch.setattr(Deduplicator, "flush", lambda self: None)  # dies before the flush
    dedup = Deduplicator(CONFIG, CorpusWriter(tmp_path))
    dedup.commit([article(ws, "whole")], Stats())
    dedup.index.close()
    assert len(corpus(tmp_path)) == 2  # both still there, the short one marked REPLACED
    monkeypatch.undo()
    commit(tmp_path, [])
    assert [e["source"] for e in manifest(tmp_path)] == ["in/whole"]
    assert manifest(tmp_path)[0]["duplicates"] == [
        {"source": "in/page1", "url": "https://x.id/page1"}
    ]
    consistent(tmp_path)


def test_files_the_index_does_not_know_are_indexed_on_open(tmp_path):
    ws = words(600, 7)
    commit(tmp_path, [article(words(300, 8), "other")])
    # Another tool drops a file in; the index learns it, and a copy of it is then a duplicate.
    (tmp_path / "foreign.txt").write_text(article(ws, "f").to_seed(), encoding="utf-8")
    entries, stats = commit(tmp_path, [article(ws, "copy")])
    assert entries == [] and stats.dropped == {("dedup", "exact-duplicate"): 1}
    foreign = [e for e in manifest(tmp_path) if e["file"] == "foreign.txt"]
    assert foreign[0]["duplicates"] == [{"source": "in/copy", "url": "https://x.id/copy"}]
    consistent(tmp_path)


def test_an_unreadable_foreign_file_does_not_stop_the_run(tmp_path):
    commit(tmp_path, [article(words(300, 12), "a")])
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00")
    entries, _ = commit(tmp_path, [article(words(300, 13), "b")])
    assert len(entries) == 1
    assert "binary.txt" not in {e["file"] for e in manifest(tmp_path)}


def test_changed_settings_rebuild_the_index_from_the_files(tmp_path):
    ws = words(600, 9)
    commit(tmp_path, [article(ws, "a")])
    changed = DedupConfig(seed=2)
    entries, stats = commit(tmp_path, [article(ws[:400], "part")], changed)
    assert entries == [] and stats.dropped == {("dedup", "contained"): 1}
    consistent(tmp_path)


def test_disabled_dedup_writes_one_file_per_input_and_a_later_run_indexes_them(tmp_path):
    ws = words(300, 10)
    entries, _ = commit(tmp_path, [article(ws, "a"), article(ws, "b")], DedupConfig(enabled=False))
    assert len(entries) == 2 and len(corpus(tmp_path)) == 2
    entries, stats = commit(tmp_path, [article(ws, "c")])
    assert entries == [] and stats.dropped == {("dedup", "exact-duplicate"): 1}
    consistent(tmp_path)


def test_the_same_input_twice_in_a_batch_is_listed_once(tmp_path):
    doc = article(words(300, 11), "same")
    (entry,), stats = commit(tmp_path, [doc, doc, article(words(300, 11), "other")])
    # Equal copies: the smallest URL is kept, whatever the order; the other input is listed once.
    assert entry["source"] == "in/other"
    assert entry["duplicates"] == [{"source": "in/same", "url": "https://x.id/same"}]
    assert stats.dropped == {("dedup", "exact-duplicate"): 2}


def _near(ws: list[str]) -> list[str]:
    out = list(ws)
    out[5] = "beda"
    return out


@pytest.mark.parametrize("buffer_docs", [1, 20000])
def test_index_rows_survive_merges_and_reopening(tmp_path, buffer_docs):
    config = DedupConfig(index_buffer_docs=buffer_docs)
    stories = [words(500, 30 + i) for i in range(5)]
    commit(tmp_path, [article(ws, f"s{i}") for i, ws in enumerate(stories)], config)
    entries, stats = commit(
        tmp_path, [article(_near(ws), f"n{i}") for i, ws in enumerate(stories)], config
    )
    assert entries == [] and stats.dropped == {("dedup", "near-duplicate"): 5}


def test_index_rows_lost_with_a_killed_process_are_rebuilt_from_the_files(tmp_path):
    ws = words(500, 40)
    # Keys are saved every 2 documents: after one document they are only in memory.
    dedup = Deduplicator(DedupConfig(index_buffer_docs=2), CorpusWriter(tmp_path))
    dedup.commit([article(ws, "a")], Stats())
    dedup.index.db.close()  # killed: the unsaved keys were only in memory
    import sqlite3

    def saved_band_keys() -> int:
        db = sqlite3.connect(tmp_path / INDEX_DIR / INDEX_NAME)
        blobs = db.execute("SELECT blob FROM keys WHERE kind = 'lsh'").fetchall()
        db.close()
        return sum(len(blob) for (blob,) in blobs) // 12  # (int64 key, uint32 doc) records

    assert saved_band_keys() == 0
    entries, stats = commit(tmp_path, [article(_near(ws), "b")])
    assert entries == [] and stats.dropped == {("dedup", "near-duplicate"): 1}
    assert saved_band_keys() == 16


def test_reopening_a_folder_reads_no_corpus_file_it_indexed(tmp_path, monkeypatch):
    commit(tmp_path, [article(words(400, 50 + i), f"s{i}") for i in range(20)])
    reads: list[str] = []
    real_read = Path.read_text

    def counting(self, *args, **kwargs):
        if self.suffix == ".txt":
            reads.append(self.name)
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counting)
    entries, stats = commit(tmp_path, [article(words(400, 99), "new")])
    assert len(entries) == 1 and reads == []  # the keys come from the index, not the files
    entries, stats = commit(tmp_path, [article(_near(words(400, 53)), "copy")])
    assert entries == [] and stats.dropped == {("dedup", "near-duplicate"): 1}
    assert len(reads) == 1  # only the candidate, read to verify it exactly


def test_a_file_named_in_another_encoding_is_left_alone(tmp_path):
    import os

    from scraper.cli import main

    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text("Judul\n\nPetani desa memanen padi di sawah pada musim ini.")
    out = tmp_path / "out"
    out.mkdir()
    foreign = os.path.join(os.fsencode(out), b"caf\xe9.txt")  # Latin-1, not UTF-8
    with open(foreign, "wb") as handle:
        handle.write(b"Judul lain\n\nIsi artikel lain yang cukup panjang untuk dibaca.")
    assert main(["clean", str(source), "-o", str(out)]) == 0  # it crashed the dedup index
    assert os.path.exists(foreign)
    assert len(list(out.glob("[0-9][0-9][0-9]_*.txt"))) == 1


def test_corpus_files_are_counted_as_they_are_listed(tmp_path):
    from scraper.dedup.deduplicator import corpus_files, count_corpus_files

    for name in ("002_b.txt", "001_a.txt", ".hidden.txt", "notes.md"):
        (tmp_path / name).write_text("Judul\n\nIsi.", encoding="utf-8")
    (tmp_path / "folder.txt").mkdir()
    with open(os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt"), "wb") as handle:
        handle.write(b"Judul\n\nIsi.")
    assert corpus_files(tmp_path) == ["001_a.txt", "002_b.txt"]
    assert count_corpus_files(tmp_path) == 2

