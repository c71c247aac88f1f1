import json

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
