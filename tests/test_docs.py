"""The README documents every command, flag and config key (sqlite-utils' habit)."""

import argparse
import dataclasses
import re

import pytest
from support import ROOT

from scraper.cli import build_parser
from scraper.config import Config, SourceConfig

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _subparsers(parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def _commands():
    for name, parser in _subparsers(build_parser()):
        nested = list(_subparsers(parser))
        if nested:
            for child, sub in nested:
                yield f"{name} {child}", sub
        else:
            yield name, parser


COMMANDS = list(_commands())


@pytest.mark.parametrize(("name", "parser"), COMMANDS, ids=[c for c, _ in COMMANDS])
def test_every_command_and_flag_is_in_the_readme(name, parser):
    assert f"scraper {name}" in README
    for action in parser._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag != "--help":
                assert re.search(re.escape(flag) + r"\b", README), f"{name}: {flag}"


# `[[sources]]` is an array of tables: its keys are SourceConfig's.
KEYS = [(section.name, key.name) for section in dataclasses.fields(Config)
        if section.name != "sources"
        for key in dataclasses.fields(section.type if isinstance(section.type, type)
                                      else getattr(Config(), section.name))]
KEYS += [("sources", key.name) for key in dataclasses.fields(SourceConfig)]


def table_section(table: str) -> str:
    """The README's section on one config table (or array of tables, `[[name]]`): from its
    heading to the next heading."""
    heading = re.search(rf"^### `\[\[?{table}\]\]?`$", README, re.MULTILINE)
    assert heading, f"no README section for [{table}]"
    end = README.find("\n#", heading.end())
    return README[heading.start():] if end == -1 else README[heading.start():end]


@pytest.mark.parametrize(("table", "key"), KEYS, ids=[f"{t}.{k}" for t, k in KEYS])
def test_every_config_key_is_in_the_readme(table, key):
    # A row of the table's own key table: a key named elsewhere (`site` is also a manifest
    # field) does not count.
    row = rf"^\| (?:`\w+`, )*`{key}`(?:, `\w+`)* \|"  # one key, or several: `bands`, `rows`
    assert re.search(row, table_section(table), re.MULTILINE), f"[{table}] {key}"


def test_a_key_missing_from_its_table_is_caught():
    assert not re.search(r"^\| `allow_private_networks` \|", table_section("clean"), re.MULTILINE)
