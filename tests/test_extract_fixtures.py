"""Golden HTML fixtures: exact expected output, must/must-not lists, and the quality floor.

Each `fixtures/<site>/<name>/` with `"kind": "html"` in its meta.json is one test id. Later pages
and single-page forms are served by a fake `fetch` from the fixture's `pages` map.
Set SCRAPER_UPDATE_FIXTURES=1 to rewrite expected.txt files from the current output (the
rewritten files are listed in the test output); never in CI.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from scraper.clean import clean_text
from scraper.config import ExtractConfig
from scraper.document import Document, parse_seed
from scraper.errors import ExtractError
from scraper.extract import extract_html
from scraper.extract.score import score_doc, summarise
from scraper.profiles import load_profiles

ROOT = Path(__file__).resolve().parent.parent / "fixtures"
# Mean F1 of extraction over every HTML fixture. Raise it when extraction improves; a drop
# below it is a regression.
QUALITY_FLOOR = 0.99
PROFILES = load_profiles()
UPDATE = os.environ.get("SCRAPER_UPDATE_FIXTURES") == "1"


def html_fixtures() -> list[Path]:
    found = []
    for meta in sorted(ROOT.glob("*/*/meta.json")):
        if json.loads(meta.read_text(encoding="utf-8")).get("kind") == "html":
            found.append(meta.parent)
    return found


FIXTURES = html_fixtures()
IDS = [f"{p.parent.name}/{p.name}" for p in FIXTURES]


def read_input(folder: Path, name: str = "input.html") -> bytes:
    path = folder / name
    if path.exists():
        return path.read_bytes()
    return gzip.decompress((folder / (name + ".gz")).read_bytes())


def run(folder: Path, *, skip: tuple[str, ...] = ()) -> Document:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    pages = {url: read_input(folder, name) for url, name in meta["pages"].items()}

    def fetch(url: str) -> bytes | None:
        return None if any(s in url for s in skip) else pages.get(url)

    return extract_html(
        read_input(folder), url=meta["url"], profiles=PROFILES, config=ExtractConfig(),
        fetch=fetch,
    )


def meta_of(folder: Path) -> dict:
    return json.loads((folder / "meta.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("folder", FIXTURES, ids=IDS)
def test_fixture(folder: Path) -> None:
    meta = meta_of(folder)
    if "error" in meta:
        with pytest.raises(ExtractError, match=meta["error"]):
            run(folder)
        return
    doc = run(folder)
    out = doc.to_seed()
    for needle in meta["must_contain"]:
        assert needle in out
    for needle in meta["must_not_contain"]:
        assert needle not in out
    assert (doc.date, doc.author) == (meta["date"], meta["author"])
    if meta["site"] != "generic":
        assert doc.site == meta["site"]
        # a page in a layout the profile does not know is read by the generic extractor
        missed = meta.get("profile_miss")
        assert doc.profile_miss == missed
        assert doc.extra["extractor"] == ("trafilatura" if missed else "profile")
    expected = folder / "expected.txt"
    if UPDATE and out != expected.read_text(encoding="utf-8"):
        expected.write_bytes(out.encode("utf-8"))
        print(f"updated {expected}")
    if meta.get("exact", True):
        assert out == expected.read_text(encoding="utf-8")


PAGED = [f for f in FIXTURES if len(meta_of(f)["pages"]) >= 2]


@pytest.mark.parametrize("folder", PAGED, ids=[f"{p.parent.name}/{p.name}" for p in PAGED])
def test_following_next_links_gives_the_single_page_result(folder: Path) -> None:
    # Without the single-page form the pager is followed: same article, page by page.
    doc = run(folder, skip=("showpage=", "single=", "page=all"))
    assert doc.to_seed() == (folder / "expected.txt").read_text(encoding="utf-8")
    assert len(doc.extra["pages"]) == len(meta_of(folder)["pages"])


def test_quality_floor() -> None:
    scores = []
    for folder in FIXTURES:
        if "error" in meta_of(folder):
            continue
        truth = (folder / "expected.txt").read_text(encoding="utf-8")
        scores.append(score_doc(run(folder).to_seed(), truth))
    summary = summarise(scores)
    print(f"fixtures={len(scores)} P={summary.precision:.4f} R={summary.recall:.4f} "
          f"F1={summary.f1:.4f}")
    assert summary.f1 >= QUALITY_FLOOR


SEED_FIXTURES = [f for f in FIXTURES if "seed" in meta_of(f)]


@pytest.mark.parametrize("folder", SEED_FIXTURES, ids=[f.name for f in SEED_FIXTURES])
def test_seed_html_extracts_to_the_cleaned_seed(folder: Path) -> None:
    """The HTML version of a seed gives the seed's article text once cleaned.

    The cleaned seed is the cleaner's golden output (`fixtures/<site>/seed-NNN/expected.txt`).
    """
    meta = meta_of(folder)
    cleaned = ROOT / meta["site"] / f"seed-{meta['seed']}" / "expected.txt"
    assert cleaned.exists(), f"{cleaned}: the cleaner's golden seed is missing"
    clean_doc = parse_seed(cleaned.read_text(encoding="utf-8"))
    doc = run(folder)
    result = clean_text(doc.to_seed(), url=doc.url, site=doc.site).document
    assert result.paragraphs == clean_doc.paragraphs
    # Seed 004 is a later page whose dump lost its headline; the page itself has one.
    if clean_doc.title:
        assert result.title == clean_doc.title
    # Profiled extraction needs no text cleaning: the cleaner finds nothing left to remove.
    assert result.paragraphs == doc.paragraphs
