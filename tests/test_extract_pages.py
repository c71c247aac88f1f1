from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from scraper.extract.pages import (
    first_page_url,
    is_single_form,
    next_link,
    page_number,
    strip_repeats,
    with_query,
)
from scraper.extract.rules import parse_rules
from scraper.profiles import Profile

RULES = parse_rules(Profile(name="d", extract={
    "body": ["#b"], "next_page": [".pager a.next"], "page_number": ["[?&]page=(\\d+)"],
    "current_page": [".pager .active"],
}))


def test_with_query_sets_or_replaces_the_key() -> None:
    assert with_query("https://a.id/x?utm=1&page=2#top", "page=all") == "https://a.id/x?utm=1&page=all"
    assert is_single_form("https://a.id/x?page=all", "page=all")
    assert not is_single_form("https://a.id/x?page=2", "page=all")


def test_next_link_is_absolute_and_ignores_fragments_and_scripts() -> None:
    tree = LexborHTMLParser('<div class="pager"><a class="next" href="/x/2#c">Next</a></div>')
    assert next_link(tree, RULES, "https://a.id/x") == "https://a.id/x/2"
    script = '<div class="pager"><a class="next" href="javascript:void(0)">N</a></div>'
    tree = LexborHTMLParser(script)
    assert next_link(tree, RULES, "https://a.id/x") is None


def test_page_number_from_the_url_then_the_pager() -> None:
    pager = '<div class="pager"><a href="/x">1</a> <span class="active">3</span></div>'
    tree = LexborHTMLParser(pager)
    assert page_number(tree, "https://a.id/x?page=2", RULES) == 2
    assert page_number(tree, "https://a.id/x", RULES) == 3
    assert first_page_url(tree, "https://a.id/x/3", RULES) == "https://a.id/x"
    assert page_number(LexborHTMLParser("<p>x</p>"), "https://a.id/x", RULES) is None


def test_strip_repeats_drops_only_what_opens_or_closes_every_page() -> None:
    pages = [["Kepala", "isi satu", "Kepala", "isi lagi", "Kaki"], ["Kepala", "isi dua", "Kaki"],
             ["Kepala", "isi tiga", "Kaki"]]
    assert strip_repeats(pages) == [["isi satu", "Kepala", "isi lagi"], ["isi dua"], ["isi tiga"]]
    assert strip_repeats([["a", "b"]]) == [["a", "b"]]


def test_links_that_are_no_urls_lead_nowhere() -> None:
    bad = ('<div class="pager"><a href="http://[::1">1</a> <span class="active">2</span>'
           '<a class="next" href="http://[::1/3">Next</a></div>')
    tree = LexborHTMLParser(bad)
    assert next_link(tree, RULES, "https://a.id/x/2") is None
    assert first_page_url(tree, "https://a.id/x/2", RULES) is None
