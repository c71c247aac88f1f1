"""Normalisation, shingles, features and repeated paragraphs (scraper/dedup/text.py)."""

from __future__ import annotations

import tracemalloc

import numpy as np

from scraper.config import DedupConfig
from scraper.dedup.hashing import fold_samples, shingles
from scraper.dedup.text import (
    REPEATED_PARAGRAPH,
    Features,
    body_text,
    dedupe_paragraphs,
    features,
    file_paragraphs,
    normalize_words,
    prepare,
    word_hashes,
)
from scraper.document import Document, Removal, format_seed

CONFIG = DedupConfig()


def test_normalize_words_folds_case_width_and_punctuation():
    assert normalize_words("Kim Jong-un, di PYONGYANG!") == ["kim", "jong", "un", "di", "pyongyang"]
    # NFKC: full-width letters and the "ﬁ" ligature become plain letters.
    assert normalize_words("ＫＴＴ ﬁnal") == ["ktt", "final"]
    assert normalize_words("“Amunisi” — kata_nya") == ["amunisi", "kata", "nya"]


def _hashes(text: str, size: int) -> list[int]:
    hashes, offsets = word_hashes([text])
    out: list[int] = shingles(hashes, offsets, size)[0].tolist()
    return out


def test_shingle_hashes_are_one_per_word_ngram_and_depend_on_word_order():
    a = _hashes("satu dua tiga empat lima enam", 5)
    assert len(a) == 2 and len(set(a)) == 2
    # The same five words hash the same wherever they stand; another order is another shingle.
    assert _hashes("nol satu dua tiga empat lima", 5)[1] == a[0]
    assert _hashes("dua satu tiga empat lima", 5)[0] != a[0]
    assert len(_hashes("satu dua", 5)) == 1  # shorter than a shingle: one shingle
    assert _hashes("", 5) == []


def test_typographic_variants_have_the_same_exact_key():
    a, b, c = features(
        [
            "Putin tiba di Pyongyang.\nKim menyambutnya.",
            "PUTIN tiba di Pyongyang\n\nKim menyambutnya!",
            "Putin tiba di Hanoi.",
        ],
        CONFIG,
    )
    assert a.exact == b.exact
    assert a.exact != c.exact


def test_short_shingles_only_for_short_documents():
    short_text = " ".join(f"kata{i}" for i in range(20))
    long_text = " ".join(f"kata{i}" for i in range(400))
    short, long = features([short_text, long_text], CONFIG)
    assert short.short is not None and len(short.short) == 18  # 3-grams of 20 words
    assert long.short is None
    assert len(long.long) == 396  # 5-grams of 400 distinct words


def test_samples_are_a_consistent_subset_of_the_long_shingles():
    (f,) = features([" ".join(f"w{i}" for i in range(2000))], CONFIG)
    assert set(f.samples) <= f.long
    assert all(h % CONFIG.containment_sample == 0 for h in f.samples)
    # About one in eight shingles is sampled.
    assert 0.08 < len(f.samples) / len(f.long) < 0.17


def test_containment_keys_made_for_a_batch_equal_those_made_for_one_document():
    texts = [" ".join(f"w{i % 700}" for i in range(n)) for n in (2000, 3, 0, 90)]
    for f in features(texts, CONFIG):
        alone = Features(f.words, f.chars, f.exact, f.long_hashes, f.short_hashes, f.sample)
        assert alone.folded_samples().dtype == np.uint32
        assert f.folded_samples().tolist() == alone.folded_samples().tolist()
        assert f.folded_samples().tolist() == sorted(set(fold_samples(f.sampled()).tolist()))
    assert len(features(texts[:1], CONFIG)[0].folded_samples()) > 50


def test_file_paragraphs_reads_the_seed_format_even_when_the_title_ends_a_sentence():
    text = format_seed("Sebuah judul yang berakhir dengan titik.", ["Satu.", "Dua."])
    assert file_paragraphs(text) == ["Satu.", "Dua."]
    assert body_text(["  Satu. ", "", "Dua."]) == "Satu.\nDua."


def test_repeated_paragraphs_are_kept_once_and_recorded():
    doc = Document(
        title="Judul",
        paragraphs=["Foto/AP", "Putin tiba.", "foto / ap", "Kim menyambut.", "Putin tiba!"],
        removed=[Removal("earlier", "x")],
    )
    out = dedupe_paragraphs(doc)
    assert out.paragraphs == ["Foto/AP", "Putin tiba.", "Kim menyambut."]
    assert out.removed == [
        Removal("earlier", "x"),
        Removal(REPEATED_PARAGRAPH, "foto / ap"),
        Removal(REPEATED_PARAGRAPH, "Putin tiba!"),
    ]
    assert doc.paragraphs[2] == "foto / ap"  # the input is not modified


def test_a_document_without_repeats_is_returned_as_is():
    doc = Document(title=None, paragraphs=["Satu.", "Dua.", "—", "—"])
    # Paragraphs with no words at all are not compared (nothing to normalise).
    assert dedupe_paragraphs(doc) is doc


def test_a_huge_single_line_body_does_not_take_many_times_its_size_in_memory():
    # A dump of tens of MB on one line took 30 times its size (1.6 GB for 49 MB).
    words = [f"kata{n}" for n in range(10_000)]
    body = " ".join(words[n % 9_973] + words[n % 7_919] for n in range(1_000_000))  # ~17 MB
    doc = Document(title=None, paragraphs=[body, "Lain.", body])
    tracemalloc.start()
    try:
        assert dedupe_paragraphs(doc).paragraphs == [body, "Lain."]
        features([body], DedupConfig())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * len(body)


def test_batch_features_equal_the_features_of_the_file_read_back():
    """What `prepare` computes for a batch is what a later run computes from the written file."""
    docs = [
        Document(title="Satu", paragraphs=["Putin  tiba\tdi Pyongyang.", "  Kim menyambut. "]),
        Document(
            title="Dua", paragraphs=["“Amunisi” — kata\u00adnya di\u200bsini.", "ＫＴＴ ﬁnal"]
        ),
        Document(title="Tiga", paragraphs=["Sama.", "sama!", "Lain."]),
        Document(title="Kosong", paragraphs=["—"]),
    ]
    kept, batch = prepare(docs, CONFIG)
    assert kept[2].paragraphs == ["Sama.", "Lain."]  # the repeat is dropped, as one by one
    read_back = features(
        [body_text(file_paragraphs(format_seed(d.title, d.paragraphs))) for d in kept], CONFIG
    )
    for mine, theirs in zip(batch, read_back, strict=True):
        assert (mine.words, mine.chars, mine.exact) == (theirs.words, theirs.chars, theirs.exact)
        assert np.array_equal(mine.long_set(), theirs.long_set())
    assert [f.words for f in batch] == [
        len(normalize_words(body_text(d.paragraphs).replace("\u00ad", "").replace("\u200b", "")))
        for d in kept
    ]


def test_a_batch_with_fewer_words_than_one_shingle_has_features():
    # Two one-word bodies: the batch has fewer words than a shingle (a crash before).
    feats = features(["Judul", "kata"], DedupConfig())
    assert [f.words for f in feats] == [1, 1]
    assert all(len(f.long_set()) == 1 for f in feats)
