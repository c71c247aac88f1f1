import gzip
import io
import json
import os
import threading

import pytest

from scraper.config import CleanConfig
from scraper.errors import (
    BinaryInputError,
    EmptyInputError,
    MalformedRecordError,
    OversizedInputError,
)
from scraper.sources.dumps import read_input, walk_inputs


def read(path, **config):
    return list(read_input(str(path), CleanConfig(**config)))


def test_text_dump(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Judul Berita\n\nSatu.\nDua.", encoding="utf-8")
    (item,) = read(path)
    assert item.doc.title == "Judul Berita" and item.doc.paragraphs == ["Satu.", "Dua."]
    assert item.doc.source == str(path)


def test_jsonl_detects_field_names_and_numbers_records(tmp_path):
    path = tmp_path / "d.jsonl"
    rows = [
        {"judul": "Satu", "isi_berita": "Isi satu.\nLanjut.", "link": "https://a.id/1",
         "tanggal": "Kamis, 20 Juni 2024 - 13:45 WIB", "penulis": "Noer Huda"},
        "not an object",
        {"headline": "Tiga", "content": "Isi tiga."},
    ]
    lines = [json.dumps(r) for r in rows]
    path.write_text("\n".join(lines[:2]) + "\n{broken\n\n" + lines[2] + "\n")
    items = read(path)
    assert [i.doc.source if i.doc else i.error.subject for i in items] == [
        f"{path}#0", f"{path}#1", f"{path}#2", f"{path}#3"]
    first = items[0].doc
    assert (first.title, first.url, first.date, first.author) == (
        "Satu", "https://a.id/1", "2024-06-20T13:45:00+07:00", "Noer Huda")
    assert first.paragraphs == ["Isi satu.", "Lanjut."]
    assert isinstance(items[1].error, MalformedRecordError)
    assert "line 3" in str(items[2].error)
    assert items[3].doc.title == "Tiga"


def test_field_overrides(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"h": "Judul", "t": "Teks.", "u": "https://x.id/a"}) + "\n")
    (item,) = read(path, title_field="h", text_field="t", url_field="u")
    assert (item.doc.title, item.doc.paragraphs, item.doc.url) == (
        "Judul", ["Teks."], "https://x.id/a")
    (missing,) = read(path)
    assert "no text in the record" in str(missing.error)


def test_csv_with_a_bad_row(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('title,text,url\nSatu,"Isi, dengan koma.\nBaris dua.",https://a.id/1\n'
                    'Dua,hanya dua kolom\n"Tiga",Isi tiga.,\n', encoding="utf-8")
    items = read(path)
    assert items[0].doc.paragraphs == ["Isi, dengan koma.", "Baris dua."]
    assert isinstance(items[1].error, MalformedRecordError)
    assert items[1].error.subject.endswith("#1")
    assert items[2].doc.title == "Tiga" and items[2].doc.url is None


@pytest.mark.parametrize(
    ("data", "error", "reason"),
    [
        (b"", EmptyInputError, "empty input"),
        (b"  \n\n", EmptyInputError, "empty input"),
        (b"abc\x00def", BinaryInputError, "NUL bytes"),
        (b"x" * 200, OversizedInputError, "--max-bytes"),
    ],
)
def test_bad_inputs(tmp_path, data, error, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    (item,) = read(path, max_bytes=100)
    assert isinstance(item.error, error) and reason in str(item.error)
    assert str(path) in str(item.error)


def test_non_utf8_input_is_decoded_by_detection(tmp_path):
    path = tmp_path / "latin.txt"
    text = "Judul\n\nPresiden berkata “kerja sama” akan diperluas — kata menteri, café."
    path.write_bytes(text.encode("cp1252"))
    (item,) = read(path)
    assert item.doc.paragraphs[0].startswith("Presiden berkata “kerja sama”")


def test_html_travels_raw_to_the_extractor(tmp_path):
    page = b"<html><body><p>Halo</p></body></html>"
    (tmp_path / "p.html.gz").write_bytes(gzip.compress(page))
    (item,) = read(tmp_path / "p.html.gz")
    assert item.doc.extra["html"] == page and item.doc.paragraphs == []


def test_stdin_is_sniffed():
    stdin = io.BytesIO(json.dumps({"title": "A", "text": "B."}).encode() + b"\n")
    (item,) = read_input("-", CleanConfig(), stdin=stdin)
    assert item.doc.title == "A" and item.doc.source == "-#0"


def test_walk_skips_hidden_files_unknown_types_and_the_output_folder(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.jsonl").write_text("x")
    (tmp_path / "sub" / "c.png").write_bytes(b"x")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "000_0123456789abcdef.txt").write_text("x")
    found = list(walk_inputs([str(tmp_path)], exclude=tmp_path / "out"))
    assert found == [str(tmp_path / "a.txt"), str(tmp_path / "sub" / "b.jsonl")]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Judul\n\nMenteri berkata “pasti” soal café baru di kota.", "cp1252"),
        ("Заголовок\n\nНовости дня: президент встретился с министром в Москве.", "cp1251"),
        ("Τίτλος\n\nΕλληνικά νέα σήμερα από την Αθήνα για την οικονομία.", "cp1253"),
    ],
)
def test_legacy_encodings(tmp_path, text, encoding):
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode(encoding))
    (item,) = read(path)
    assert item.doc.paragraphs == [text.split("\n\n")[1]]


def test_lone_surrogates_are_replaced_and_every_record_is_read(tmp_path):
    path = tmp_path / "d.jsonl"
    good = [json.dumps({"title": f"Judul {n}", "text": f"Isi {n}."}) for n in range(50)]
    bad = ('{"title": "J\\ud800", "text": "Isi\\udfff.", "url": "https://a.id/\\ud800",'
           ' "author": "Nama\\ud800", "date": "kemarin\\ud800"}')
    path.write_text("\n".join([good[0], bad, *good[1:]]) + "\n")
    items = read(path)
    assert [i.error for i in items] == [None] * 51
    odd = items[1].doc
    assert (odd.title, odd.paragraphs, odd.url, odd.author, odd.extra["raw_date"]) == (
        "J\ufffd", ["Isi\ufffd."], "https://a.id/\ufffd", "Nama\ufffd", "kemarin\ufffd")
    assert len({i.doc.id for i in items}) == 51


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"text": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deep"),
        ('{"text": "Isi.", "n": ' + "9" * 5_000 + "}", "a number longer than 4300 digits"),
        ('{"text": "Isi yang tidak ditutup}', "Unterminated string starting at column 10"),
    ],
    ids=["deep", "long-number", "unterminated"],
)
def test_a_hostile_json_line_is_that_records_error(tmp_path, line, reason):
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(['{"text": "Satu."}', line, '{"text": "Tiga."}']) + "\n")
    first, hostile, last = read(path)
    assert first.doc.paragraphs == ["Satu."] and last.doc.paragraphs == ["Tiga."]
    assert isinstance(hostile.error, MalformedRecordError)
    assert str(hostile.error).endswith(f"malformed JSON on line 2 ({reason})")


def test_nested_fields_are_no_text_and_author_lists_are_joined(tmp_path):
    path = tmp_path / "d.jsonl"
    deep = "[" * 900 + "]" * 900
    path.write_text(f'{{"text": "Isi.", "title": {deep}, "author": ["A", "B", {{}}]}}\n')
    (item,) = read(path)
    assert (item.doc.title, item.doc.author) == (None, "A, B")


def test_a_device_of_unknown_size_is_read_up_to_the_limit_only():
    # /dev/zero reports a size of 0 and never ends: the limit must stop the read itself.
    (item,) = list(read_input("/dev/zero", CleanConfig(max_bytes=4096)))
    assert isinstance(item.error, OversizedInputError)
    assert str(item.error) == "/dev/zero: larger than --max-bytes (4096 bytes)"


def _fifo_writer(path, data):
    def write():
        try:
            with open(path, "wb") as pipe:
                pipe.write(data)
        except BrokenPipeError:
            pass  # the reader stopped at its limit

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def test_a_pipe_is_read_with_the_limit_enforced_while_reading(tmp_path):
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    writer = _fifo_writer(path, b"kata " * 2_000_000)  # 10 MB
    (item,) = read(path, max_bytes=1000)
    writer.join(timeout=10)
    assert isinstance(item.error, OversizedInputError)
    writer = _fifo_writer(path, b"Judul\n\nIsi dari pipa.")
    (item,) = read(path, max_bytes=1000)
    writer.join(timeout=10)
    assert (item.doc.title, item.doc.paragraphs) == ("Judul", ["Isi dari pipa."])


def test_a_csv_without_a_text_column_is_one_error_naming_the_columns(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("judul,isi artikel,tautan\nSatu,Isi satu.,https://a.id/1\nDua,Isi dua.,\n")
    (item,) = read(path)
    assert str(item.error) == (
        f"{path}: no text column (looked for text/content/isi/body/isi_berita/article/"
        "articlebody; the header has: 'judul', 'isi artikel', 'tautan')")
    first, second = read(path, text_field="ISI ARTIKEL")
    assert first.doc.paragraphs == ["Isi satu."] and second.doc.paragraphs == ["Isi dua."]


def test_a_record_without_text_names_its_fields_and_field_names_ignore_case(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"Judul": "Satu", "Isi Artikel": "Teks."}) + "\n")
    (missing,) = read(path)
    assert str(missing.error).endswith(
        "no text in the record (looked for text/content/isi/body/isi_berita/article/articlebody;"
        " its fields: 'Judul', 'Isi Artikel')")
    (item,) = read(path, text_field="isi artikel", title_field="JUDUL")
    assert (item.doc.title, item.doc.paragraphs) == ("Satu", ["Teks."])


def test_a_binary_file_named_html_is_binary_data(tmp_path):
    path = tmp_path / "gambar.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    (item,) = read(path)
    assert isinstance(item.error, BinaryInputError)
    assert str(item.error) == f"{path}: binary data (NUL bytes), not an HTML page"
    wide = tmp_path / "wide.html"
    wide.write_bytes("<html><body><p>Isi.</p></body></html>".encode("utf-16"))
    (page,) = read(wide)
    assert page.error is None and page.doc.extra["html"].startswith(b"\xff\xfe")


def test_a_jsonl_dump_larger_than_max_bytes_streams_record_by_record(tmp_path):
    # --max-bytes bounds one record of a JSONL file, not the file: a dump of any size streams.
    path = tmp_path / "big.jsonl"
    record = {"title": "Panen", "text": "Petani desa memanen padi di sawah pada musim kemarau."}
    long = {"title": "Terlalu panjang", "text": "kata " * 400}
    lines = [json.dumps(record)] * 50 + [json.dumps(long)] + [json.dumps(record)] * 50
    path.write_text("\n".join(lines) + "\n")
    assert path.stat().st_size > 1000
    items = list(read(path, max_bytes=1000))
    errors = [item.error for item in items if item.error is not None]
    assert len(items) == 101 and sum(item.doc is not None for item in items) == 100
    assert len(errors) == 1 and isinstance(errors[0], OversizedInputError)
    assert "line 51 is larger than --max-bytes (1000 bytes)" in str(errors[0])


def test_a_jsonl_file_is_read_lazily(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps({"text": f"Kalimat nomor {i}."}) + "\n" for i in range(5)))
    items = read_input(str(path), CleanConfig())
    assert next(items).doc.paragraphs == ["Kalimat nomor 0."]
    # The rest of the file has not been parsed yet: a change now is seen by the next records.
    with path.open("a") as handle:
        handle.write(json.dumps({"text": "Ditambahkan kemudian."}) + "\n")
    assert [item.doc.paragraphs[0] for item in items][-1] == "Ditambahkan kemudian."
