"""Property tests: the cleaner never raises, and cleaning twice changes nothing more."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scraper.clean import Cleaner, clean_text
from scraper.config import CleanConfig
from scraper.document import Document, looks_like_title, normalize_line
from scraper.profiles import load_profiles

CLEANER = Cleaner(CleanConfig(), load_profiles())

CHROME = [
    "Foto/AP", "Baca juga: Harga Cabai Turun", "(ahm)", "A A A", "loading...", "Halaman :",
    "Kamis, 20 Juni 2024 - 13:45 WIB", "Noer Huda", "4 Min Read", "ADVERTISEMENT",
    "Copyright © 2024 Contoh.com", "Tinggalkan Komentar", "Baca Juga:", "Pilihan Editor: X",
    "Presiden tiba.Berikut daftarnya.", "SINDOnews.com", "[Gambas:Video 20detik]",
    "Ringkasan Berita:", "- poin", "Tag", "Pewarta: Budi", "(Budi Santoso)", "Judul Berita...",
    "• Harga Cabai", "(Sumber: Antara)", "Simak berita di Google News", "1 2", "Foto: Dok. Humas",
]
WORDS = ["Presiden", "tiba", "di", "Jakarta.", "kata", "dia,", "“Kami", "siap.”", "Foto", "Baca",
         "juga:", "Rp1.500", "U.S.", "(ahm)", "detik.com", "Halaman", "1", "2", "Judul", "Berita"]

line = st.one_of(
    st.sampled_from(CHROME),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=14).map(" ".join),
    st.text(max_size=40),
)
documents = st.lists(line, max_size=14).map("\n".join)
unicode_text = st.text(max_size=400)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


URLS = st.one_of(st.none(), st.text(max_size=30), st.text(max_size=20).map("http://[{}".format),
                 st.sampled_from(["https://news.detik.com/x", "https://a.sindonews.com/read/1"]))


@FAST
@given(unicode_text, URLS)
def test_never_raises_on_arbitrary_text(text: str, url: str | None) -> None:
    result = clean_text(text, url=url)
    assert result.removed == result.document.removed


@FAST
@given(st.one_of(unicode_text, documents), st.sampled_from([None, "sindonews", "detik", "tempo"]))
def test_cleaning_is_idempotent(text: str, site: str | None) -> None:
    # The profile is picked once, on the dirty text: cleaning can remove the very marker that
    # picked it, so the second run is given the profile the first one used.
    first = clean_text(text, site=site).document
    once = first.to_seed()
    twice = clean_text(once, site=first.site).document.to_seed()
    assert twice == once


CORPUS_LINES = ["Dukung kami", "Isi A.", "Isi B.", "Jawaban:", "“Kutipan.”", "1. Sub", "Tag"]


@FAST
@given(st.lists(st.lists(st.sampled_from(CORPUS_LINES), max_size=8), max_size=12))
def test_corpus_pass_only_drops_lines_and_records_them(bodies: list[list[str]]) -> None:
    from scraper.clean.corpus import CorpusPolicy, corpus_pass

    docs = [Document(title=None, paragraphs=list(b), site="s", source=str(i))
            for i, b in enumerate(bodies)]
    out = corpus_pass(docs, CorpusPolicy())
    assert [d.source for d in out] == [d.source for d in docs]
    for before, after in zip(docs, out, strict=True):
        rest = iter(before.paragraphs)
        assert all(p in rest for p in after.paragraphs)  # a subsequence, order kept
        dropped = len(before.paragraphs) - len(after.paragraphs)
        assert [r.rule for r in after.removed] == ["corpus:recurring"] * dropped
        assert "Jawaban:" not in {r.text for r in after.removed}


@FAST
@given(st.one_of(st.none(), st.text(max_size=30), st.sampled_from(CHROME)),
       st.lists(st.one_of(st.text(max_size=60), st.sampled_from(CHROME)), max_size=12))
def test_documents_from_other_readers_clean_idempotently(title: str | None,
                                                         paragraphs: list[str]) -> None:
    """Documents that did not come through `parse_seed` (other readers, the extract stage) may
    carry odd spaces or line breaks; the output is still a fixed point of cleaning."""
    # The seed format reads a title that ends with "." or "," back as a paragraph.
    assume(title is None or not normalize_line(title) or looks_like_title(normalize_line(title)))
    first = CLEANER.clean_one(Document(title=title, paragraphs=paragraphs))
    once = first.to_seed()
    assert clean_text(once, site=first.site).document.to_seed() == once
