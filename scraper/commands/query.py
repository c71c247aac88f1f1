"""`scraper query -c scraper.toml`: the terms a search source would use, from the examples."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from scraper.config import Config
from scraper.errors import ConfigError
from scraper.pipeline import build_relevance
from scraper.stats import Stats


def add_parser(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "query", parents=[common], help="print the search terms built from the examples",
        description="Print the query a search source without `query` would use (built from "
        "the [relevance] like examples), then the examples' key terms with their weights.",
    )
    parser.add_argument("--terms", type=int, metavar="N",
                        help="how many terms in the query (default: [relevance] query_terms)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, config: Config) -> int:
    relevance = build_relevance(config, Stats(listener=lambda line: print(
        f"scraper: error: {line}", file=sys.stderr)))
    if relevance is None:
        raise ConfigError("scraper query", "needs [relevance] like = [...] in the config")
    print(" ".join(relevance.query(args.terms)))
    model = relevance.model
    for term, weight in model.key.items():
        kind = "name" if term in model.is_name else "term"
        print(f"  {weight:6.1f}  {kind}  {term}")
    return 0
