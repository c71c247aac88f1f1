"""The depth guard refuses absurd nesting, in linear time, and lets every real page through."""

from __future__ import annotations

import time

import pytest
from support import FIXTURES

from scraper.extract.article import decode_html
from scraper.extract.depth import too_deep

PAGES = sorted(FIXTURES.glob("*/*/input.html"))


@pytest.mark.parametrize("path", PAGES, ids=lambda p: f"{p.parent.parent.name}-{p.parent.name}")
def test_no_fixture_page_is_too_deep(path) -> None:
    assert not too_deep(decode_html(path.read_bytes()), 100)


@pytest.mark.parametrize(
    ("html", "deep"),
    [
        ("<div>" * 2001, True),
        ("<div>" * 2000, False),
        ("<div></div>" * 5000, False),
        ("<p>x" * 5000 + "<li>y<br><img>" * 5000, False),  # siblings close these, voids hold none
        ("<div></x>" * 3000, True),  # an end tag of an element that is not open closes nothing
        ("<section><b>" * 1001, True),
    ],
    ids=["unclosed", "at-the-limit", "closed", "flat", "stray-end-tags", "mixed"],
)
def test_depth_estimate(html: str, deep: bool) -> None:
    assert too_deep(html, 2000) is deep


def test_the_estimate_is_linear() -> None:
    html = "<div>x" * 480_000  # 2.9 MB
    start = time.process_time()
    assert too_deep(html, 2000)
    assert not too_deep("<div></div>" * 300_000, 2000)
    assert time.process_time() - start < 3.0  # generous: a fraction of a second when linear
