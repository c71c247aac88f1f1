"""The corpus pass learns a site's recurring chrome and leaves repeated content alone."""

from __future__ import annotations

from scraper.clean import Cleaner
from scraper.clean.corpus import CorpusPolicy, corpus_pass, learn_chrome
from scraper.config import CleanConfig
from scraper.document import Document
from scraper.pipeline import Stats
from scraper.profiles import load_profiles

POLICY = CorpusPolicy(min_docs=4, min_share=0.6)


def _doc(i: int, *lines: str, site: str = "generic") -> Document:
    body = [f"Paragraf pembuka artikel nomor {i} tentang kebijakan daerah yang baru.",
            f"Paragraf kedua artikel {i} menjelaskan rincian anggaran dan jadwalnya.",
            f"Paragraf ketiga artikel {i} memuat tanggapan warga di lokasi."]
    return Document(title=f"Judul {i}", paragraphs=[*body[:1], *lines, *body[1:]], site=site,
                    source=f"doc{i}")


def _tail(i: int, *lines: str, site: str = "generic") -> Document:
    doc = _doc(i, site=site)
    doc.paragraphs.extend(lines)
    return doc


def test_a_line_in_most_docs_of_a_site_is_learned_and_removed() -> None:
    docs = [_tail(i, "Dukung jurnalisme warga Kabar Kita") for i in range(5)]
    docs.append(_doc(5))
    out = corpus_pass(docs, POLICY)
    assert all("Dukung jurnalisme warga Kabar Kita" not in d.paragraphs for d in out)
    assert [r.rule for r in out[0].removed] == ["corpus:recurring"]
    assert [d.source for d in out] == [d.source for d in docs]


def test_too_few_docs_learn_nothing() -> None:
    docs = [_tail(i, "Dukung jurnalisme warga Kabar Kita") for i in range(3)]
    assert learn_chrome(docs, POLICY) == frozenset()


def test_a_line_in_a_minority_of_docs_is_kept() -> None:
    docs = [_tail(i, "Dukung jurnalisme warga Kabar Kita") for i in range(4)]
    docs += [_doc(i) for i in range(4, 10)]
    assert learn_chrome(docs, POLICY) == frozenset()


def test_a_quote_shared_by_syndicated_stories_is_kept() -> None:
    quote = "“Kami tidak akan mundur,” kata juru bicara itu."
    docs = [_tail(i, quote) for i in range(6)]
    out = corpus_pass(docs, POLICY)
    assert all(quote in d.paragraphs for d in out)


def test_quiz_answers_that_recur_inside_each_doc_are_kept() -> None:
    docs = [_tail(i, "Soal satu?", "Jawaban:", "A", "Soal dua?", "Jawaban:", "B") for i in range(6)]
    out = corpus_pass(docs, POLICY)
    assert all(d.paragraphs.count("Jawaban:") == 2 for d in out)


def test_a_recurring_line_in_the_middle_of_long_docs_is_kept() -> None:
    docs = []
    for i in range(6):
        middle = [f"Kalimat isi {k} dari artikel {i}, berbeda di tiap artikel." for k in range(12)]
        doc = _doc(i)
        doc.paragraphs[2:2] = [*middle[:6], "Kuota terbatas", *middle[6:]]
        docs.append(doc)
    assert learn_chrome(docs, POLICY) == frozenset()


def test_sites_are_learned_separately() -> None:
    docs = [_tail(i, "Dukung jurnalisme warga Kabar Kita") for i in range(3)]
    docs += [_tail(i, site="other") for i in range(3, 6)]
    for doc in docs[3:]:
        doc.paragraphs.append("Dukung jurnalisme warga Kabar Kita")
    out = corpus_pass(docs, POLICY)
    assert all("Dukung jurnalisme warga Kabar Kita" in d.paragraphs for d in out)


def test_cleaner_run_applies_the_corpus_pass_only_when_enabled() -> None:
    profiles = load_profiles()
    docs = [_tail(i, "Dukung jurnalisme warga Kabar Kita") for i in range(5)]
    stats = Stats()
    on = list(Cleaner(CleanConfig(), profiles).run(docs, stats))
    off = list(Cleaner(CleanConfig(corpus_pass=False), profiles).run(docs, Stats()))
    assert all("Dukung jurnalisme warga Kabar Kita" not in d.paragraphs for d in on)
    assert all("Dukung jurnalisme warga Kabar Kita" in d.paragraphs for d in off)
    assert stats.kept["clean"] == 5


def test_cleaner_run_yields_emptied_docs_in_input_order() -> None:
    docs = [Document(title=None, paragraphs=["Foto/AP"], source="a"), _doc(1)]
    out = list(Cleaner(CleanConfig(), load_profiles()).run(docs, Stats()))
    assert [d.source for d in out] == ["a", "doc1"]
    assert out[0].paragraphs == []
