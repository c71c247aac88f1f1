from __future__ import annotations

import pytest

from scraper.errors import ProfileError
from scraper.extract.rules import parse_rules, rules_for
from scraper.profiles import Profile, load_profiles


def profile(**extract: object) -> Profile:
    return Profile(name="demo", domains=("demo.id",), extract=extract, path="profiles/demo.toml")


def test_every_shipped_profile_validates_and_the_news_sites_have_a_body() -> None:
    for p in load_profiles():
        rules = parse_rules(p)
        assert rules.site == p.name
        if p.name != "generic":
            assert rules.body, p.name


def test_single_page_forms_of_the_known_sites() -> None:
    profiles = load_profiles()
    forms = {name: parse_rules(profiles.get(name)).single_page
             for name in ("sindonews", "detik", "kompas", "okezone", "tribunnews")}
    assert forms == {"sindonews": "showpage=all", "detik": "single=1", "kompas": "page=all",
                     "okezone": "page=all", "tribunnews": "page=all"}
    assert parse_rules(profiles.get("bloombergtechnoz")).next_page


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"body": [""]}, "empty selector"),
        ({"body": ["  "]}, "empty selector"),
        ({"drop": ["div..x"]}, "bad selector"),
        ({"body": "x", "title": [3]}, "list of CSS selectors"),
        ({"drop_paragraphs": [".*"]}, "matches the empty string"),
        ({"inline_labels": ["("]}, "bad regex"),
        ({"paragraphs": "lines"}, "'paragraphs'"),
        ({"single_page": "all"}, "single_page"),
        ({"bodyy": ["x"]}, "unknown keys"),
    ],
)
def test_bad_tables_are_refused_naming_the_file(table: dict[str, object], message: str) -> None:
    with pytest.raises(ProfileError, match=message) as info:
        parse_rules(profile(**table))
    assert info.value.subject.startswith("profiles/demo.toml")


def test_a_string_selector_is_a_one_item_list_and_rules_are_cached() -> None:
    p = profile(body=".content", paragraphs="br", single_page="page=all")
    rules = rules_for(p)
    assert rules.body == (".content",)
    assert rules.paragraphs == "br"
    assert rules_for(p) is rules
