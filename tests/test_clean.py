"""The public API of the clean stage: `clean_text`, `Cleaner.clean_one` and profile picking."""

from __future__ import annotations

import scraper.clean as clean_module
from scraper.clean import Cleaner, CleanResult, clean_text
from scraper.config import CleanConfig
from scraper.document import Document
from scraper.profiles import load_profiles

BODY = ["Pemerintah meresmikan pasar baru di pusat kota pada Senin pagi."]


def test_clean_text_returns_document_and_removals() -> None:
    result = clean_text("Judul Berita\n\nloading...\nIsi berita yang sebenarnya.\n(ahm)")
    assert isinstance(result, CleanResult)
    assert result.document.title == "Judul Berita"
    assert result.document.paragraphs == ["Isi berita yang sebenarnya."]
    assert result.removed == result.document.removed
    assert [r.rule for r in result.removed] == ["generic:loading", "generic:desk_initials"]


def test_profile_is_picked_by_forced_site_then_url_then_text_then_generic() -> None:
    cleaner = Cleaner(CleanConfig(), load_profiles())
    marker = "Copyright © 2024 SINDOnews.com"

    def site(url: str | None, extra: str = "") -> str | None:
        doc = Document(title="Judul", paragraphs=[*BODY, extra] if extra else list(BODY), url=url)
        return cleaner.clean_one(doc).site

    assert site("https://news.detik.com/berita/d-1/judul") == "detik"
    assert site("https://ekbis.sindonews.com/read/1/33/judul") == "sindonews"
    assert site(None, marker) == "sindonews"
    assert site("https://news.detik.com/x", marker) == "detik"  # the URL wins over the text
    assert site("https://unknown.example/x") == "generic"
    forced = Cleaner(CleanConfig(site="tempo"), load_profiles())
    assert forced.clean_one(Document(title="J", paragraphs=list(BODY),
                                     url="https://news.detik.com/x")).site == "tempo"


def test_a_malformed_url_falls_back_to_the_text() -> None:
    result = clean_text("Judul\n\nIsi berita.\nCopyright © 2024 SINDOnews.com", url="http://[oops")
    assert result.document.site == "sindonews"


def test_clean_one_keeps_the_input_document_unchanged() -> None:
    doc = Document(title="Judul", paragraphs=["Foto/AP", *BODY], source="x")
    cleaned = Cleaner(CleanConfig(), load_profiles()).clean_one(doc)
    assert doc.paragraphs == ["Foto/AP", *BODY] and doc.removed == []
    assert cleaned.paragraphs == BODY and cleaned.source == "x"


def test_removals_already_on_the_document_are_kept_first() -> None:
    from scraper.document import Removal

    doc = Document(title="Judul", paragraphs=["Foto/AP", *BODY],
                   removed=[Removal("extract:nav", "Menu")])
    cleaned = Cleaner(CleanConfig(), load_profiles()).clean_one(doc)
    assert [r.rule for r in cleaned.removed] == ["extract:nav", "generic:photo_caption"]


def test_paragraphs_that_are_not_normalised_are_normalised_first() -> None:
    paragraphs = ["A  A  A", "", " Isi\u200b berita. ", "(ahm) "]
    doc = Document(title=" Judul\u00a0Berita ", paragraphs=paragraphs)
    cleaned = Cleaner(CleanConfig(), load_profiles()).clean_one(doc)
    assert cleaned.title == "Judul Berita"
    assert cleaned.paragraphs == ["Isi berita."]


def test_the_profile_of_a_host_is_remembered_and_the_memory_is_bounded(monkeypatch) -> None:
    monkeypatch.setattr(clean_module, "MAX_HOSTS", 3)
    cleaner = Cleaner(CleanConfig(), load_profiles())

    def site(url: str) -> str | None:
        return cleaner.clean_one(Document(title="Judul", paragraphs=list(BODY), url=url)).site

    sites = [site(f"https://news.detik.com/berita/d-{i}/judul") for i in range(3)]
    sites += [site(f"https://kabar{i}.example.id/berita/{i}") for i in range(5)]
    assert sites == ["detik"] * 3 + ["generic"] * 5
    assert site("https://news.detik.com/berita/d-9/judul") == "detik"  # after the cache emptied
    assert site("https://www.kompas.com/read/1") == "kompas"
    assert len(cleaner._by_host) <= 3


def test_the_profile_picked_by_text_is_the_first_profile_with_a_marker_anywhere() -> None:
    import random

    from scraper.clean import Cleaner
    from scraper.config import CleanConfig
    from scraper.document import Document
    from scraper.profiles import load_profiles

    profiles = load_profiles()
    cleaner = Cleaner(CleanConfig(), profiles)
    pieces = ["Kabar hari ini.", "SINDOnews.com", "Kompas.com", "CNN Indonesia", "Okezone",
              "[Gambas:Video 20detik]", "jfid - ", "(ANTARA) -", "TEMPO.CO, ", "Liputan6.com"]
    rng = random.Random(3)
    for _ in range(300):
        paragraphs = [rng.choice(pieces) for _ in range(rng.randint(1, 5))]
        doc = Document(title=None, paragraphs=paragraphs)
        expected = profiles.for_text("\n".join(["", *paragraphs])) or profiles.generic
        assert cleaner.rules_for(doc).profile == expected.name, paragraphs
