from __future__ import annotations

from pathlib import Path

import pytest

from scraper.config import ExtractConfig
from scraper.document import Document
from scraper.errors import ConfigError, ProfileError
from scraper.extract import ExtractStep
from scraper.pipeline import Stats
from scraper.profiles import Profile, ProfileSet, load_profiles

FIX = Path(__file__).resolve().parent.parent / "fixtures"
SINDO = FIX / "sindonews" / "seed-000-html"
URL = ("https://international.sindonews.com/read/1395871/40/7-fakta-kedatangan-putin-ke-korut-"
       "dari-kemitraan-strategis-dan-memperteguh-permusuhan-dengan-barat-1718865906")


def html_doc(path: Path, url: str | None) -> Document:
    return Document(title=None, paragraphs=[], source=str(path), url=url,
                    extra={"html": path.read_bytes(), "batch": 7})


def run(docs: list[Document], fetch=None) -> tuple[list[Document], Stats]:
    stats = Stats()
    step = ExtractStep(ExtractConfig(), load_profiles(), fetch=fetch)
    return list(step.run(docs, stats)), stats


def test_html_documents_are_extracted_and_others_pass_through() -> None:
    text_doc = Document(title="T", paragraphs=["p"], source="a.txt")
    out, stats = run([html_doc(SINDO / "input.html", URL), text_doc])
    assert out[1] is text_doc
    article = out[0]
    assert article.source == str(SINDO / "input.html")
    assert article.title.startswith("7 Fakta Kedatangan Putin")
    assert "html" not in article.extra and article.extra["batch"] == 7
    assert stats.kept["extract"] == 1 and not stats.errors


def test_later_pages_of_an_article_in_the_batch_are_linked_not_yielded() -> None:
    pages = {URL + "/5": (SINDO / "page-2.html").read_bytes(),
             URL + "/10": (SINDO / "page-3.html").read_bytes()}
    docs = [html_doc(SINDO / "input.html", URL), html_doc(SINDO / "page-2.html", URL + "/5"),
            html_doc(SINDO / "page-3.html", URL + "/10")]
    out, stats = run(docs, fetch=pages.get)
    assert len(out) == 1
    assert out[0].extra["pages"] == [URL, URL + "/5", URL + "/10"]
    assert docs[1].extra["part_of"] == URL and docs[2].extra["part_of"] == URL
    assert stats.dropped[("extract", "later page of an article in this run")] == 2


def test_a_page_that_says_it_is_page_two_is_linked_to_page_one() -> None:
    page2 = FIX / "bloombergtechnoz" / "seed-004-html" / "input.html"
    doc = html_doc(page2, None)
    out, stats = run([doc])
    assert out == []
    assert doc.extra["page"] == 2
    assert str(doc.extra["part_of"]).endswith("soroti-kerja-sama-militer-rusia-korut")
    assert stats.dropped[("extract", "later page of a multi-page article")] == 1


def test_a_listing_page_is_reported_in_one_line_and_dropped() -> None:
    index = FIX / "generic" / "index-page" / "input.html"
    out, stats = run([html_doc(index, None)])
    assert out == []
    assert stats.errors == [f"{index}: not an article: a listing page (JSON-LD CollectionPage)"]
    assert stats.dropped[("extract", "not an article: a listing page")] == 1


def test_bad_extract_tables_and_unknown_sites_fail_at_start() -> None:
    shipped = {p.name: p for p in load_profiles()}
    bad = Profile(name="rusak", extract={"body": [""]}, path="profiles/rusak.toml")
    with pytest.raises(ProfileError, match=r"rusak\.toml"):
        ExtractStep(ExtractConfig(), ProfileSet({**shipped, "rusak": bad}))
    with pytest.raises(ConfigError, match="unknown site profile"):
        ExtractStep(ExtractConfig(), load_profiles(), site="tidakada")


def test_a_profile_miss_is_a_warning_with_the_profile_rule_and_url_and_a_count() -> None:
    html = (b"<html><head><title>Pohon</title></head><body><div id='detikdetailtext'>"
            + b"<p>Warga menanam bibit pohon di bantaran sungai agar tebing tidak longsor lagi"
            b" ketika musim hujan datang tahun ini menurut ketua komunitas.</p>" * 5
            + b"</div></body></html>")
    url = "https://news.detik.com/berita/d-7000002/warga-menanam-pohon"
    seen: list[str] = []
    stats = Stats(warning_listener=seen.append)
    doc = Document(title=None, paragraphs=[], source="page.html", url=url, extra={"html": html})
    out = list(ExtractStep(ExtractConfig(), load_profiles()).run([doc], stats))
    assert out[0].profile_miss == "detik:body_not_found"
    assert seen == [f"page.html: profile rule detik:body_not_found missed the article at {url};"
                    " the generic extractor read it"]
    assert sum(stats.warnings.values()) == 1 and not stats.failed
