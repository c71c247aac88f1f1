"""`scraper fixtures record|check`: regression fixtures for site profiles and rules."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from urllib.parse import urlsplit

from scraper.charset import decode_text
from scraper.config import Config, override
from scraper.document import parse_dump
from scraper.errors import FetchError, InputError
from scraper.fixtures import Outcome, check, find_fixtures, record, slug, update
from scraper.profiles import load_profiles

DEFAULT_DIR = Path("fixtures")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser],
               common: argparse.ArgumentParser) -> None:
    # -c/--config belongs to the actions: on both levels argparse would let the action's
    # default (None) overwrite a value given before the action.
    parser = sub.add_parser("fixtures", help="record and check fixtures",
                            description="Regression fixtures: saved inputs and expected output.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    rec = actions.add_parser("record", parents=[common], help="save a page or file as a fixture")
    rec.add_argument("source", metavar="URL|FILE")
    rec.add_argument("--name", help="fixture name (default: from the URL or file name)")
    rec.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="fixtures folder")
    rec.add_argument("--site", help="force this site profile")
    rec.add_argument("--url", help="the page's URL, when recording a saved file")
    rec.add_argument("--force", action="store_true", help="replace an existing fixture")
    rec.set_defaults(handler=handle_record)
    chk = actions.add_parser("check", parents=[common], help="re-run every fixture and diff")
    chk.add_argument("path", nargs="?", type=Path, default=DEFAULT_DIR,
                     help="fixtures folder, a site folder, or one fixture (default: fixtures)")
    chk.add_argument("--update", action="store_true",
                     help="rewrite the expected.txt files that differ, and list them")
    chk.set_defaults(handler=handle_check)


def _fetch(url: str, config: Config) -> tuple[bytes, str, str]:
    from scraper.fetch import Fetcher

    async def one() -> tuple[bytes, str, str]:
        async with Fetcher(config.fetch) as fetcher:
            result = await fetcher.fetch(url)
        if result.error is not None or result.status != 200:
            raise FetchError(url, result.error or f"HTTP {result.status}")
        return result.body, result.final_url or url, result.fetched_at

    return asyncio.run(one())


def handle_record(args: argparse.Namespace, config: Config) -> int:
    source: str = args.source
    fetched = None
    if urlsplit(source).scheme in ("http", "https"):
        data, url, fetched = _fetch(source, config)
        kind = "html"
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(source, "no such file (give a file or an http(s) URL)")
        data, url = path.read_bytes(), args.url
        kind = "html" if ".htm" in path.name.lower() else "text"
    text = decode_text(data, source) if kind == "text" else ""
    profiles = load_profiles(config.clean.profiles_dir)
    site = args.site or profiles.pick(url=url, text=text).name
    name = args.name or slug(urlsplit(url).path.rsplit("/", 1)[-1] if url else Path(source).stem)
    if kind == "text" and not parse_dump(text).paragraphs:
        raise InputError(source, "empty input")
    fixture = record(data, kind=kind, root=args.dir, site=site, name=name, config=config,
                     url=url, fetched=fetched, force=args.force)
    print(f"recorded {fixture.path} (site {site}); review {fixture.path / 'expected.txt'}")
    return 0


def _report(outcome: Outcome) -> None:
    print(f"FAIL {outcome.fixture.id}")
    for problem in outcome.problems:
        print(f"  {problem}")
    if outcome.diff:
        sys.stdout.write(outcome.diff if outcome.diff.endswith("\n") else outcome.diff + "\n")


def handle_check(args: argparse.Namespace, config: Config) -> int:
    config = override(config, "dedup", enabled=False)
    outcomes = [check(fixture, config) for fixture in find_fixtures(args.path)]
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        _report(outcome)
    remaining = failed
    if args.update:
        remaining = []
        for outcome in failed:
            if update(outcome):
                print(f"updated {outcome.fixture.path / 'expected.txt'}")
            # must_contain / must_not_contain and refusals are not fixed by rewriting the text.
            if not check(outcome.fixture, config).ok:
                remaining.append(outcome)
    print(f"{len(outcomes)} fixtures: {len(outcomes) - len(failed)} passed, {len(failed)} failed"
          + (f", {len(failed) - len(remaining)} updated" if args.update else ""))
    return 1 if remaining else 0
