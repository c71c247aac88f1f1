import scraper


def test_public_api_is_deliberate():
    assert sorted(scraper.__all__) == sorted([
        "CleanResult", "Document", "Removal", "__version__", "clean_text", "format_seed",
        "parse_seed", "read_seed", "write_seed",
    ])
    for name in scraper.__all__:
        assert getattr(scraper, name) is not None


def test_clean_text_returns_the_document_and_what_was_removed():
    result = scraper.clean_text("Judul\n\nloading...\nIsi berita yang sebenarnya.\n(ahm)")
    assert result.document.paragraphs == ["Isi berita yang sebenarnya."]
    assert {r.text for r in result.removed} == {"loading...", "(ahm)"}
