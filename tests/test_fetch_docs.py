"""docs/fetch.md names every `[fetch]` key and every `scraper fetch` flag."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from scraper.cli import build_parser
from scraper.config import FetchConfig

DOC = (Path(__file__).resolve().parent.parent / "docs" / "fetch.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("key", [f.name for f in dataclasses.fields(FetchConfig)])
def test_every_config_key_is_documented(key):
    assert f"| `{key}` |" in DOC
    assert f"\n{key} = " in DOC  # and shown in the example table


def fetch_flags() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    fetch = sub.choices["fetch"]  # type: ignore[attr-defined]
    return [opt for action in fetch._actions for opt in action.option_strings
            if opt.startswith("--") and opt not in ("--help", "--config", "--debug")]


@pytest.mark.parametrize("flag", fetch_flags())
def test_every_flag_is_documented(flag):
    assert f"`{flag}" in DOC
