import dataclasses
import pickle
import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.document import (
    Document,
    Removal,
    canonical_url,
    document_id,
    format_seed,
    looks_like_title,
    normalize_line,
    parse_dump,
    parse_seed,
    read_seed,
    scrub,
    write_seed,
)


def test_format_follows_the_seed_format():
    text = format_seed("  Judul\u00a0 Berita ", ["Paragraf  satu. ", "", "  ", "Dua\t\tdua."])
    assert text == "Judul Berita\n\nParagraf satu.\n\nDua dua."
    assert not text.endswith("\n")


def test_format_without_a_title_keeps_the_title_line_empty():
    assert format_seed(None, ["Badan."]) == "\n\nBadan."
    doc = parse_seed("\n\nBadan.")
    assert doc.title is None and doc.paragraphs == ["Badan."]


def test_normalize_line_is_nfc_and_drops_invisible_characters():
    decomposed = "Cafe\u0301\u200b  baru\u00ad"
    assert normalize_line(decomposed) == "Café baru"


def test_parse_accepts_crlf_cr_and_a_bom():
    doc = parse_dump("\ufeffJudul\r\n\r\nSatu.\rDua.\r\n")
    assert doc.title == "Judul"
    assert doc.paragraphs == ["Satu.", "Dua."]


def test_each_line_of_a_dirty_dump_is_a_paragraph():
    doc = parse_dump("Judul\n\nBaris satu.\nBaris dua.\n\n\nBaris tiga.")
    assert doc.paragraphs == ["Baris satu.", "Baris dua.", "Baris tiga."]


def test_a_plain_dump_whose_first_line_is_a_sentence_has_no_title():
    doc = parse_dump("Ini kalimat pertama artikel.\n\nIni kalimat kedua.")
    assert doc.title is None
    assert doc.paragraphs[0] == "Ini kalimat pertama artikel."
    assert parse_dump("Satu paragraf saja tanpa judul\nlanjutan.").title is None


def test_the_seed_reader_always_takes_line_1_as_the_title():
    doc = parse_seed("Harga naik.\n\nIsi.")
    assert doc.title == "Harga naik." and doc.paragraphs == ["Isi."]
    assert format_seed(doc.title, doc.paragraphs) == "Harga naik.\n\nIsi."


def test_roundtrip_through_a_file(tmp_path):
    doc = Document(title="Judul", paragraphs=["Satu.", "Dua."])
    path = tmp_path / "a.txt"
    write_seed(path, doc)
    assert path.read_bytes() == b"Judul\n\nSatu.\n\nDua."
    back = read_seed(path)
    assert (back.title, back.paragraphs) == ("Judul", ["Satu.", "Dua."])
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]  # no temp file left


def test_id_comes_from_the_canonical_url_when_known():
    a = document_id("https://Nasional.Sindonews.com/read/1/2/judul/?utm_source=x#top", "x")
    b = document_id("https://nasional.sindonews.com/read/1/2/judul", "y")
    assert a == b and len(a) == 16 and int(a, 16) >= 0
    assert canonical_url("https://a.com/x/?utm_medium=y&page=2") == "https://a.com/x?page=2"


def test_id_without_url_comes_from_the_normalised_body():
    assert document_id(None, "Satu.\n\nDua.") == document_id(None, "Satu. \r\n\r\n\r\nDua.")
    assert document_id(None, "Satu.") != document_id(None, "Dua.")


@given(st.text())
def test_formatting_is_stable(text):
    doc = parse_dump(text)
    if not doc.paragraphs:
        return  # an empty document is never written
    once = format_seed(doc.title, doc.paragraphs)
    again = parse_seed(once)
    assert format_seed(again.title, again.paragraphs) == once
    assert "\r" not in once and not once.endswith("\n") and "  " not in once


def test_the_id_follows_changes_to_the_url_and_the_paragraphs():
    doc = Document(title="T", paragraphs=["Satu."])
    first = doc.id
    doc.paragraphs.append("Dua.")
    assert doc.id != first and doc.id == document_id(None, "Satu.\n\nDua.")
    doc.url = "https://a.id/x"
    assert doc.id == document_id("https://a.id/x", "")


def test_lone_surrogates_become_replacement_characters_and_the_id_never_raises():
    assert normalize_line("Judul\ud800 berita\udfff") == "Judul\ufffd berita\ufffd"
    assert scrub("a\udc80b") == "a\ufffdb"
    doc = Document(title="x\ud800", paragraphs=["Isi\ud800."], url="https://a.id/\ud800")
    assert len(doc.id) == 16 and document_id(None, "Isi\ud800.") == document_id(None, "Isi\ufffd.")
    doc.to_seed().encode("utf-8")


def test_a_url_that_cannot_be_taken_apart_is_its_own_key():
    assert canonical_url("http://[::1") == "http://[::1"
    assert len(document_id("http://[::1", "")) == 16


def test_a_line_is_judged_a_title_as_it_will_be_written():
    assert not looks_like_title("Judul berita.\u00ad")
    assert parse_dump("Judul berita.\u00ad\n\nIsi satu.").title is None
    assert looks_like_title("Judul berita\u00ad")


def _normalize_the_long_way(text):
    """What normalize_line does when a line has something to change, step by step."""
    text = unicodedata.normalize("NFC", scrub(text))
    text = re.sub(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]", "",
                  re.sub(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]", " ", text))
    return re.sub(r" {2,}", " ", text).strip()


ODD_PIECES = st.sampled_from(
    ["a", "Kata", " ", "  ", "\t", "\n", "\r", "\x0b", "\u00a0", "\u2003", "\u200a", "\u200b",
     "\u200d", "\u2060", "\u00ad", "\ufeff", "\u3000", "\u202f", "\u1680", "\u2028", "e\u0301",
     "é", "\u212b", "\u0301", "“", "\ud800"]
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(ODD_PIECES, max_size=10).map("".join))
def test_normalize_line_fast_paths_agree_with_the_long_way(text):
    assert normalize_line(text) == _normalize_the_long_way(text)


def test_a_document_crosses_a_process_boundary_whole():
    # Workers send documents back pickled, with a hand-written reduce: every field must survive.
    doc = Document(
        "Judul", ["Satu.", "Dua."], url="https://contoh.id/a?utm_source=x", source="d.jsonl#4",
        site="kompas", date="2024-06-10", author="Dian", extra={"dateline": "JAKARTA"},
        removed=[Removal("tail", "Baca juga: lain")], profile_miss="kompas:body",
    )
    doc_id = doc.id
    copy = pickle.loads(pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))
    assert [getattr(copy, f.name) for f in dataclasses.fields(Document)] == [
        getattr(doc, f.name) for f in dataclasses.fields(Document)
    ]
    assert copy.id == doc_id and copy.removed[0] == Removal("tail", "Baca juga: lain")
