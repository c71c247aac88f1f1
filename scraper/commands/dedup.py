"""`scraper dedup DIR [--dry-run]`: deduplicate an existing corpus folder and report why."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from scraper.config import ENGINE_KINDS, Config, override
from scraper.dask_engine import check_engine
from scraper.dedup import dedup_folder


def add_parser(subparsers: Any, common: argparse.ArgumentParser) -> None:
    sub = subparsers.add_parser(
        "dedup",
        parents=[common],
        help="remove exact, near-duplicate and contained copies from a corpus folder",
        description=(
            "Deduplicate a folder of seed-format *.txt files (written by scraper or another tool). "
            "The longest copy is kept; its manifest entry lists the removed copies."
        ),
    )
    sub.add_argument("folder", metavar="DIR", type=Path, help="the corpus folder")
    sub.add_argument(
        "--dry-run", action="store_true", help="report what would be removed; change nothing"
    )
    sub.add_argument("--engine", choices=ENGINE_KINDS,
                     help="where the signatures and decisions are computed: this process "
                          "(default) or a Dask cluster that reads DIR at the same path")
    sub.add_argument("--address", metavar="URL",
                     help="the Dask scheduler, tcp://HOST:8786 (default with --engine dask: "
                          "a LocalCluster on this machine)")
    sub.set_defaults(handler=run)


def run(args: argparse.Namespace, config: Config) -> int:
    config = override(config, "engine", kind=args.engine, address=args.address)
    check_engine(config)
    if config.engine.kind == "dask":
        from scraper.dedup.cluster import dedup_folder_on_cluster

        report = dedup_folder_on_cluster(args.folder, config, dry_run=args.dry_run)
    else:
        report = dedup_folder(args.folder, config.dedup, dry_run=args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    for dropped in report.removed:
        print(f"{verb} {dropped.describe()}")
    for line in report.errors:
        print(f"scraper: error: {line}", file=sys.stderr)
    done = "to remove" if args.dry_run else "removed"
    summary = f"{report.files} files: {report.kept} kept, {len(report.removed)} {done}"
    if report.errors:
        summary += f", {len(report.errors)} unreadable"
    print(summary + (" (dry run: nothing changed)" if args.dry_run else ""))
    return 1 if report.errors else 0
