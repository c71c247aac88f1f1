import json
import os

import pytest

from scraper.config import Config, override
from scraper.pipeline import Stats, run_clean

BODY = ("Pemerintah kota menambah armada bus listrik untuk rute pinggiran. Armada baru itu "
        "melayani warga dari pukul lima pagi hingga sebelas malam setiap hari kerja.")


def manifest(out):
    return [json.loads(line) for line in (out / "manifest.jsonl").read_bytes().split(b"\n")
            if line]


def dump(path, *records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(path)


def test_an_article_is_added_once_per_url_even_after_an_edit(tmp_path):
    url = "https://kota.example.id/berita/bus-listrik"
    first = dump(tmp_path / "a.jsonl", {"title": "Bus Listrik", "text": BODY, "url": url},
                 {"title": "Bus Listrik", "text": BODY + "\nTarif tetap Rp3.500.", "url": url})
    out = tmp_path / "out"
    stats = Stats()
    report = run_clean([first], out, Config(), stats)
    assert report.written == 1
    (entry,) = manifest(out)
    assert "Tarif tetap" in (out / entry["file"]).read_text()
    assert stats.dropped[("write", "same id twice in this run")] == 1

    edited = dump(tmp_path / "b.jsonl", {"title": "Bus Listrik (Diperbarui)",
                                         "text": "Isi yang sama sekali berbeda setelah diedit.",
                                         "url": url + "?utm_source=feed"})
    again = Stats()
    assert run_clean([edited], out, Config(), again).written == 0
    # Its URL's id is known before cleaning: the record is skipped unread.
    assert again.dropped[("read", "already in the output folder")] == 1


def test_no_dedup_still_writes_an_id_once(tmp_path):
    source = dump(tmp_path / "a.jsonl", {"title": "A", "text": BODY}, {"title": "A", "text": BODY})
    config = override(Config(), "dedup", enabled=False)
    report = run_clean([source], tmp_path / "out", config, Stats())
    assert report.written == 1
    assert run_clean([source], tmp_path / "out", config, Stats()).written == 0


def news(i: int, extra: str = "") -> dict:
    """A small generated article; `i` makes its words its own."""
    sentences = [f"Warga kampung {i} membangun jembatan bambu nomor {i * 7 + k} di tepi sungai."
                 for k in range(6)]
    return {"title": f"Berita {i}", "text": "\n".join(sentences) + extra}


def test_a_record_that_makes_a_stage_raise_is_its_own_error(tmp_path, monkeypatch):
    from scraper.clean import Cleaner

    real = Cleaner.clean_one

    def fragile(self, doc):
        if any("MELEDAK" in p for p in doc.paragraphs):
            raise RuntimeError("a bug in a rule")
        return real(self, doc)

    monkeypatch.setattr(Cleaner, "clean_one", fragile)
    records = [news(i) for i in range(25)] + [news(99, "\nMELEDAK")] + [news(i) for i in
                                                                        range(25, 50)]
    source = dump(tmp_path / "a.jsonl", *records)
    stats = Stats()
    config = override(Config(), "clean", jobs=1)
    report = run_clean([source], tmp_path / "out", config, stats)
    assert report.written == 50 and len(manifest(tmp_path / "out")) == 50
    (line,) = stats.errors
    assert line == f"{source}#25: clean failed: RuntimeError: a bug in a rule"
    assert stats.failed


def test_debug_shows_the_traceback_under_the_line(tmp_path, monkeypatch, capsys):
    from scraper.clean import Cleaner
    from scraper.cli import main

    def broken(self, doc):
        raise ValueError("boom")

    monkeypatch.setattr(Cleaner, "clean_one", broken)
    source = dump(tmp_path / "a.jsonl", news(1))
    assert main(["clean", source, "-o", str(tmp_path / "o"), "--jobs", "1"]) == 1
    quiet = capsys.readouterr().err
    assert "clean failed: ValueError: boom" in quiet and "Traceback" not in quiet
    assert main(["--debug", "clean", source, "-o", str(tmp_path / "p"), "--jobs", "1"]) == 1
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_a_rerun_skips_known_records_before_cleaning(tmp_path):
    records = [news(i) for i in range(30)] + [news(3)]  # one exact copy: dropped as a duplicate
    source = dump(tmp_path / "a.jsonl", *records)
    config = override(Config(), "clean", jobs=1)
    first = Stats()
    assert run_clean([source], tmp_path / "out", config, first).written == 30
    again = Stats()
    assert run_clean([source], tmp_path / "out", config, again).written == 0
    assert again.dropped == {("read", "already in the output folder"): 31}
    assert again.kept["clean"] == 0


def folder_bytes(out):
    return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}


@pytest.mark.parametrize("batch", [256, 3])
def test_output_is_the_same_for_any_number_of_jobs(tmp_path, batch):
    from support import FIXTURES, SEEDS

    html = next(FIXTURES.glob("detik/*/input.html"))
    records = [news(i) for i in range(70)] + [news(5), news(6, "\nTambahan kalimat baru.")]
    inputs = [str(SEEDS), str(html), dump(tmp_path / "a.jsonl", *records)]
    outs = []
    for jobs in (1, 2):
        config = override(override(Config(), "clean", jobs=jobs, corpus_window=40), "write",
                          batch_size=batch)
        out = tmp_path / f"out-{jobs}"
        run_clean(inputs, out, config, Stats())
        outs.append(folder_bytes(out))
    assert len(outs[0]) > 70
    assert outs[0] == outs[1]


def test_manifest_lines_split_on_newline_only(tmp_path):
    from scraper.document import Document
    from scraper.write import CorpusWriter

    writer = CorpusWriter(tmp_path)
    entry = writer.write(Document(title="Judul\u2028dua\u0085baris", paragraphs=["Isi."]))
    reopened = CorpusWriter(tmp_path)
    assert [e["file"] for e in reopened.entries()] == [entry["file"]]
    assert reopened.entry(entry["file"])["title"] == "Judul\u2028dua\u0085baris"


def test_a_file_name_that_is_not_utf8_is_recorded_escaped(tmp_path):
    from scraper.document import read_seed
    from scraper.write import CorpusWriter, manifest_entry

    raw = os.fsencode(tmp_path) + b"/berita-\xff.txt"
    with open(raw, "wb") as handle:
        handle.write(b"Judul\n\nSatu kalimat yang cukup panjang untuk diindeks.")
    name = os.fsdecode(b"berita-\xff.txt")  # as os.scandir lists it
    CorpusWriter(tmp_path).append_entries([manifest_entry(read_seed(tmp_path / name), name)])
    data = (tmp_path / "manifest.jsonl").read_bytes()
    data.decode("utf-8")  # the manifest stays UTF-8
    assert b"berita-\\udcff.txt" in data
    (entry,) = CorpusWriter(tmp_path).entries()
    assert os.fsencode(entry["file"]) == b"berita-\xff.txt"
