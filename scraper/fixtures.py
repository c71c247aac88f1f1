"""Fixture-based regression checks: saved pages and dumps with their expected clean text.

A fixture is a folder `<dir>/<site>/<name>/` holding
    input.txt | input.html | input.html.gz   the exact bytes that were saved
    page-N.html ...                          further pages of a multi-page article (optional)
    expected.txt                             the expected output, seed format, exact bytes
    meta.json                                {"site", "url", "kind", "fetched",
                                              "pages": {url: file}, "must_contain": [...],
                                              "must_not_contain": [...], "profile_miss"}
`expected.txt` may be absent when the partial expectations say enough.
"""

from __future__ import annotations

import dataclasses
import difflib
import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scraper.charset import decode_text
from scraper.config import Config
from scraper.document import Document, parse_dump
from scraper.errors import InputError, ScraperError
from scraper.files import atomic_write_bytes, atomic_write_text
from scraper.pipeline import process_one

INPUT_NAMES = ("input.html", "input.html.gz", "input.htm", "input.txt")
META = "meta.json"
EXPECTED = "expected.txt"


@dataclass(frozen=True)
class Fixture:
    path: Path
    meta: dict[str, Any]

    @property
    def id(self) -> str:
        return "/".join(self.path.parts[-2:])

    @property
    def input(self) -> Path:
        for name in INPUT_NAMES:
            if (self.path / name).exists():
                return self.path / name
        raise InputError(str(self.path), f"no input file ({' or '.join(INPUT_NAMES)})")

    @property
    def expected(self) -> bytes | None:
        path = self.path / EXPECTED
        return path.read_bytes() if path.exists() else None


@dataclass(frozen=True)
class Outcome:
    fixture: Fixture
    output: str
    problems: list[str] = field(default_factory=list)
    diff: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def load_fixture(path: Path) -> Fixture:
    try:
        meta = json.loads((path / META).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(str(path / META), f"cannot read fixture metadata ({exc})") from None
    if not isinstance(meta, dict):
        raise InputError(str(path / META), "fixture metadata must be a JSON object")
    return Fixture(path=path, meta=meta)


def find_fixtures(root: Path) -> Iterator[Fixture]:
    """Every fixture folder at or below `root`, in sorted order."""
    if (root / META).exists():
        yield load_fixture(root)
        return
    if not root.is_dir():
        raise InputError(str(root), "no such fixture folder")
    for meta in sorted(root.rglob(META)):
        yield load_fixture(meta.parent)


def _page_fetcher(fixture: Fixture) -> Any:
    pages = {str(url): fixture.path / str(name) for url, name in
             fixture.meta.get("pages", {}).items()}

    def fetch(url: str) -> bytes | None:
        page = pages.get(url)
        return page.read_bytes() if page is not None and page.exists() else None

    return fetch


def fixture_document(fixture: Fixture) -> Document:
    """The fixture's input as the pipeline's source stage would hand it over."""
    path = fixture.input
    url = fixture.meta.get("url")
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    if ".htm" in path.name:
        return Document(title=None, paragraphs=[], source=str(path), url=url,
                        extra={"html": data})
    doc = parse_dump(decode_text(data, str(path)), source=str(path))
    doc.url = url
    return doc


def run_fixture(fixture: Fixture, config: Config) -> Document | None:
    """Run a fixture through extract and clean, as its profile (meta `site`) would."""
    site = fixture.meta.get("site")
    if site:
        config = dataclasses.replace(config, clean=dataclasses.replace(config.clean, site=site))
    return process_one(fixture_document(fixture), config, fetch=_page_fetcher(fixture))


def render(fixture: Fixture, config: Config) -> str:
    """The seed-format text a fixture produces now ("" when nothing is left)."""
    doc = run_fixture(fixture, config)
    return doc.to_seed() if doc is not None and doc.paragraphs else ""


def _partial_problems(meta: dict[str, Any], output: str) -> list[str]:
    problems = [f"missing: {text!r}" for text in meta.get("must_contain", []) if text not in output]
    problems += [f"present: {text!r}" for text in meta.get("must_not_contain", [])
                 if text in output]
    return problems


def _metadata_problems(meta: dict[str, Any], doc: Document | None) -> list[str]:
    """`date` and `author` in meta.json, when present, pin the extracted metadata too. A profile
    that missed its page fails the fixture, unless meta.json names that miss (`profile_miss`)."""
    problems = []
    missed = doc.profile_miss if doc is not None else None
    if missed != meta.get("profile_miss"):
        problems.append(f"profile_miss: expected {meta.get('profile_miss')!r}, got {missed!r}")
    for key in ("date", "author"):
        if key in meta:
            found = getattr(doc, key) if doc is not None else None
            if found != meta[key]:
                problems.append(f"{key}: expected {meta[key]!r}, got {found!r}")
    return problems


def _diff(fixture: Fixture, expected: bytes, output: str) -> str:
    return "".join(difflib.unified_diff(
        expected.decode("utf-8", "replace").splitlines(keepends=True),
        output.splitlines(keepends=True),
        fromfile=f"{fixture.id}/{EXPECTED}", tofile=f"{fixture.id} (now)",
    ))


def check(fixture: Fixture, config: Config) -> Outcome:
    """Compare a fixture's current output with its expectations.

    `error` in meta.json means the input must be refused with a reason containing that text
    (e.g. a listing page that is "not an article").
    """
    refusal = fixture.meta.get("error")
    try:
        doc = run_fixture(fixture, config)
    except ScraperError as exc:
        if refusal and refusal in str(exc):
            return Outcome(fixture, "")
        return Outcome(fixture, "", [f"error: {exc}"])
    output = doc.to_seed() if doc is not None and doc.paragraphs else ""
    if refusal:
        return Outcome(fixture, output, [f"expected the refusal {refusal!r}, got a document"])
    problems = _partial_problems(fixture.meta, output) + _metadata_problems(fixture.meta, doc)
    expected, diff = fixture.expected, ""
    if expected is not None and expected != output.encode("utf-8"):
        problems.insert(0, "output differs from expected.txt")
        diff = _diff(fixture, expected, output)
    if expected is None and not fixture.meta.get("must_contain"):
        problems.append("no expected.txt and no must_contain: nothing is checked")
    return Outcome(fixture, output, problems, diff)


def update(outcome: Outcome) -> bool:
    """Rewrite expected.txt when only the exact text differs; True when it was rewritten."""
    if outcome.fixture.expected is None or outcome.diff == "":
        return False
    atomic_write_text(outcome.fixture.path / EXPECTED, outcome.output)
    return True


def slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)[:60] or "page"


def record(
    data: bytes, *, kind: str, root: Path, site: str, name: str, config: Config,
    url: str | None = None, fetched: str | None = None, force: bool = False,
) -> Fixture:
    """Save exact input bytes as a new fixture and write its current output as expected.txt."""
    folder = root / site / name
    if folder.exists() and not force:
        raise InputError(str(folder), "fixture already exists (use --force to replace it)")
    input_name = "input.html" if kind == "html" else "input.txt"
    atomic_write_bytes(folder / input_name, data)
    meta: dict[str, Any] = {"site": site, "url": url, "kind": kind, "fetched": fetched,
            "must_contain": [], "must_not_contain": []}
    atomic_write_text(folder / META, json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
    fixture = load_fixture(folder)
    atomic_write_text(folder / EXPECTED, render(fixture, config))
    return fixture


def assert_fixture(fixture: Fixture, config: Config | None = None) -> None:
    """For a user's own pytest suite: raise AssertionError with the diff when a fixture fails."""
    outcome = check(fixture, config or Config())
    if not outcome.ok:
        raise AssertionError("\n".join([f"fixture {fixture.id} failed:", *outcome.problems,
                                        outcome.diff]))
