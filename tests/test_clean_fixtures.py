"""Golden fixtures: each `fixtures/<site>/<name>/` dump cleans to `expected.txt`, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraper.clean import Cleaner
from scraper.config import CleanConfig
from scraper.document import parse_dump
from scraper.profiles import load_profiles

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted(p.parent for p in (ROOT / "fixtures").glob("*/*/input.txt"))
CLEANER = Cleaner(CleanConfig(corpus_pass=False), load_profiles())


def _meta(path: Path) -> dict[str, object]:
    return json.loads((path / "meta.json").read_text(encoding="utf-8"))


def _clean(path: Path):
    meta = _meta(path)
    doc = parse_dump((path / "input.txt").read_bytes().decode("utf-8"), source=str(path))
    doc.url = meta.get("url")  # type: ignore[assignment]
    return CLEANER.clean_one(doc)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_cleans_to_expected_bytes(path: Path) -> None:
    cleaned = _clean(path)
    assert cleaned.to_seed().encode("utf-8") == (path / "expected.txt").read_bytes()


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_partial_expectations_and_metadata(path: Path) -> None:
    meta = _meta(path)
    cleaned = _clean(path)
    text = cleaned.to_seed()
    assert cleaned.site == meta["site"], "the profile was not picked from the URL or the text"
    for needle in meta.get("must_contain", []):  # type: ignore[attr-defined]
        assert needle in text
    for needle in meta.get("must_not_contain", []):  # type: ignore[attr-defined]
        assert needle not in text
    if "date" in meta:
        assert cleaned.date == meta["date"]
    if "author" in meta:
        assert cleaned.author == meta["author"]


def test_every_profile_has_a_fixture() -> None:
    covered = {path.parent.name for path in FIXTURES}
    missing = set(load_profiles().names()) - covered
    assert not missing, f"profiles without a fixture under fixtures/: {sorted(missing)}"


def test_every_seed_has_a_fixture_with_its_exact_bytes() -> None:
    seeds = {p.read_bytes() for p in (ROOT / "seeds").glob("*.txt")}
    inputs = {(p / "input.txt").read_bytes() for p in FIXTURES if p.name.startswith("seed-")}
    assert seeds and seeds <= inputs


def test_cleaned_page_one_is_the_start_of_the_whole_article() -> None:
    whole = _clean(ROOT / "fixtures/sindonews/seed-000")
    page_one = _clean(ROOT / "fixtures/sindonews/seed-003")
    assert page_one.title == whole.title
    assert page_one.paragraphs == whole.paragraphs[: len(page_one.paragraphs)]


def test_seed_004_has_no_title_and_keeps_its_first_sentence() -> None:
    cleaned = _clean(ROOT / "fixtures/bloombergtechnoz/seed-004")
    assert cleaned.title is None
    assert cleaned.paragraphs[0].startswith("Kedua pemimpin juga akan membuat pernyataan pers")
