"""Unsure ends of glued related headlines, settled with what other documents of the site know."""

from __future__ import annotations

from scraper.clean import Cleaner, uncertain_boundaries
from scraper.config import CleanConfig
from scraper.document import Document
from scraper.profiles import load_profiles
from scraper.stats import Stats

HEADLINE = "Pasar Lama Kembali Dibuka Setiap Minggu Pagi"
OTHER = "Harga Cabai Rawit Turun Jelang Akhir Pekan"
LEAD = "Pemerintah kota membuka taman baru seluas dua hektare di pusat kota pada Sabtu pagi."


def run(*paragraph_lists: list[str], titles: tuple[str, ...] = ()) -> list[Document]:
    docs = [Document(title=titles[n] if n < len(titles) else f"Berita {n}", paragraphs=p,
                     source=f"dump#{n}") for n, p in enumerate(paragraph_lists)]
    cleaner = Cleaner(CleanConfig(site="okezone", corpus_min_docs=99), load_profiles())
    return list(cleaner.run(docs, Stats()))


def test_an_unsure_end_is_settled_by_the_same_headline_with_a_sure_end_elsewhere() -> None:
    sure = f"Warga senang. Baca juga: {HEADLINE} Namun pedagang ikan belum kembali ke pasar."
    unsure = f"Warga senang. Baca juga: {HEADLINE} Budi Santoso mengatakan pasar sudah bersih."
    first, second = run([LEAD, sure], [LEAD, unsure])
    assert first.paragraphs[1] == "Warga senang. Namun pedagang ikan belum kembali ke pasar."
    assert second.paragraphs[1] == "Warga senang. Budi Santoso mengatakan pasar sudah bersih."
    assert uncertain_boundaries(second) == []
    assert HEADLINE in [r.text for r in second.removed]


def test_an_unsure_end_is_settled_by_another_records_title() -> None:
    unsure = f"Warga senang. Baca juga: {HEADLINE} Budi Santoso mengatakan pasar sudah bersih."
    _, second = run([LEAD, "Pasar itu dibuka pukul enam pagi."], [LEAD, unsure],
                    titles=(HEADLINE, "Berita Lain"))
    assert second.paragraphs[1] == "Warga senang. Budi Santoso mengatakan pasar sudah bersih."


def test_two_unsure_notes_that_part_after_the_same_words_settle_each_other() -> None:
    one = f"Warga senang. Baca juga: {HEADLINE} Budi Santoso mengatakan pasar sudah bersih."
    two = f"Warga kecewa. Baca juga: {HEADLINE} Rina Wulandari menilai pasar masih sepi."
    first, second = run([LEAD, one], [LEAD, two])
    assert first.paragraphs[1] == "Warga senang. Budi Santoso mengatakan pasar sudah bersih."
    assert second.paragraphs[1] == "Warga kecewa. Rina Wulandari menilai pasar masih sepi."


def test_a_list_of_known_headlines_is_settled_whole() -> None:
    unsure = f"Warga senang. Baca juga: - {HEADLINE} - {OTHER} Budi Santoso menyebut pasar bersih."
    _, _, third = run([LEAD], [LEAD], [LEAD, unsure], titles=(HEADLINE, OTHER))
    assert third.paragraphs[1] == "Warga senang. Budi Santoso menyebut pasar bersih."


def test_a_headline_no_other_document_knows_stays_and_is_reported() -> None:
    unsure = f"Warga senang. Baca juga: {HEADLINE} Budi Santoso mengatakan pasar sudah bersih."
    (doc,) = run([LEAD, unsure])
    kept = f"Warga senang. {HEADLINE} Budi Santoso mengatakan pasar sudah bersih."
    assert doc.paragraphs[1] == kept
    assert [n.text for n in uncertain_boundaries(doc)] == [f"{HEADLINE} Budi Santoso"]
