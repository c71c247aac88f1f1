"""`scraper status OUT`: the last runs' summaries, and the sources that need a look."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from scraper.config import Config
from scraper.errors import ConfigError
from scraper.report import Summary, read_summaries
from scraper.state import State, state_path

DEFAULT_RUNS = 5


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser],
               common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "status", parents=[common], help="what the last runs into OUT did, and what is broken",
        description="Print the summaries of the last runs into OUT, the sources that yielded "
        "nothing or failed in them, the profile misses, and the frontier's counts.",
    )
    parser.add_argument("out", type=Path, metavar="OUT", help="the output folder of the runs")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, metavar="N",
                        help=f"look at the last N runs (default {DEFAULT_RUNS})")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, config: Config) -> int:
    if args.runs < 1:
        raise ConfigError("--runs", f"must be at least 1, got {args.runs}")
    if not args.out.is_dir():
        raise ConfigError(str(args.out), "no such output folder")
    found = list(read_summaries(args.out))[-args.runs:]
    runs = [summary for _, summary in found if summary is not None]
    report = {
        "runs": [summary.to_json() for summary in runs],
        "unreadable": [str(path) for path, summary in found if summary is None],
        **problems(runs),
        "frontier": dict(_frontier(args.out)),
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, sort_keys=True))
    else:
        print("\n".join(_text(args.out, runs, report)))
    return 0


def problems(runs: list[Summary]) -> dict[str, Any]:
    """Sources that kept nothing or failed over `runs`, and the profile misses per site."""
    kept: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    seen: set[str] = set()
    misses: Counter[str] = Counter()
    for summary in runs:
        misses.update(summary.profile_misses)
        for source, counts in summary.sources.items():
            seen.add(source)
            kept[source] += counts["kept"]
            if counts["source-failed"] or counts["error"]:
                failed[source] += 1
    return {
        "sources_without_articles": sorted(source for source in seen if not kept[source]),
        "sources_failed": {source: failed[source] for source in sorted(failed)},
        "profile_misses": dict(misses.most_common()),
    }


def _frontier(out: Path) -> Counter[str]:
    if not state_path(out).is_file():
        return Counter()
    with State.open(out) as state:
        return state.counts()


def _text(out: Path, runs: list[Summary], report: dict[str, Any]) -> list[str]:
    if not runs:
        return [f"no runs recorded in {out} yet"]
    lines = [f"last {len(runs)} runs into {out}:"]
    for summary in runs:
        lines += summary.lines()
    lines += [f"unreadable summary: {path}" for path in report["unreadable"]]
    quiet = report["sources_without_articles"]
    lines.append(f"sources that kept nothing in these runs: {len(quiet)}")
    lines += [f"  {source}" for source in quiet]
    failing = report["sources_failed"]
    lines.append(f"sources with failures in these runs: {len(failing)}")
    lines += [f"  {source} (in {n} of {len(runs)} runs)" for source, n in failing.items()]
    if report["profile_misses"]:
        misses = ", ".join(f"{site} {n}" for site, n in report["profile_misses"].items())
        lines.append(f"profile misses (a changed layout?): {misses}")
    if report["frontier"]:
        counts = ", ".join(f"{name} {n}" for name, n in sorted(report["frontier"].items()))
        lines.append(f"frontier: {counts}")
    return lines
