"""Known work: keys of settled records persist across runs; a torn tail is ignored."""

from scraper.document import Document, document_id
from scraper.known import SeenKeys, record_key


def test_a_url_record_is_keyed_by_the_id_of_its_url():
    doc = Document(title="A", paragraphs=["x"], url="https://a.example.id/berita/1?utm_source=x")
    assert record_key(doc) == int(document_id("https://a.example.id/berita/1", ""), 16)


def test_a_record_without_url_is_keyed_by_its_raw_content():
    a = Document(title="A", paragraphs=["satu", "dua"], source="a.txt")
    b = Document(title="A", paragraphs=["satu", "dua"], source="b.txt")
    c = Document(title="A", paragraphs=["satu dua"], source="a.txt")
    assert record_key(a) == record_key(b) != record_key(c)
    assert record_key(Document(title="\ud800", paragraphs=[])) is not None  # lone surrogate


def test_keys_persist_and_a_torn_tail_is_ignored(tmp_path):
    seen = SeenKeys(tmp_path)
    seen.add([1, 2**64 - 1])
    assert 1 in seen and 3 not in seen
    assert not seen.path.exists()  # kept in memory until their batch is on disk
    seen.save()
    with seen.path.open("ab") as handle:
        handle.write(b"\x01\x02\x03")  # a crash mid-append
    again = SeenKeys(tmp_path)
    assert set(again.before) == {1, 2**64 - 1} and not len(again.now)
