"""`scraper fetch URL...`: fetch pages politely, print each URL's line as it completes."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from scraper.config import Config, FetchConfig, override
from scraper.errors import ConfigError
from scraper.fetch import BlockingFetcher, FetchResult, PageStore, export_warc
from scraper.lock import folder_lock
from scraper.signals import StopOnSignal, exit_code


def add_parser(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "fetch",
        parents=[common],
        help="fetch URLs politely (robots.txt, delays, retries)",
        description="Fetch each URL and print one line per URL: status, bytes, attempts, URL, "
        "final URL and the error if it failed. Uses the [fetch] config table; flags win.",
    )
    parser.add_argument("urls", nargs="*", metavar="URL")
    parser.add_argument("--store", metavar="DIR", help="page store folder (read and written)")
    parser.add_argument("--json", action="store_true", help="print JSON lines instead")
    parser.add_argument(
        "--offline", action="store_true", help="never touch the network: serve pages from --store"
    )
    parser.add_argument("--user-agent", metavar="UA")
    parser.add_argument("--delay", type=float, metavar="SECONDS")
    parser.add_argument("--per-host-concurrency", type=int, metavar="N")
    parser.add_argument("--concurrency", type=int, metavar="N")
    parser.add_argument("--max-attempts", type=int, metavar="N")
    parser.add_argument(
        "--ignore-robots",
        dest="respect_robots",
        action="store_const",
        const=False,
        help="do not read or obey robots.txt",
    )
    add_allow_private(parser)
    parser.add_argument(
        "--export-warc",
        metavar="FILE",
        help="afterwards, write the whole page store to FILE (gzipped WARC)",
    )
    parser.set_defaults(handler=run)


def add_allow_private(parser: argparse.ArgumentParser) -> None:
    """`--allow-private CIDR`, for every command that fetches."""
    parser.add_argument(
        "--allow-private",
        dest="allow_private_networks",
        action="append",
        metavar="CIDR",
        help="allow this private range (repeatable)",
    )


def run(args: argparse.Namespace, config: Config) -> int:
    config = override(
        config,
        "fetch",
        store=args.store,
        user_agent=args.user_agent,
        delay=args.delay,
        per_host_concurrency=args.per_host_concurrency,
        concurrency=args.concurrency,
        max_attempts=args.max_attempts,
        respect_robots=args.respect_robots,
        allow_private_networks=args.allow_private_networks,
    )
    settings = config.fetch
    if not args.urls and not args.export_warc:
        raise ConfigError("scraper fetch", "give at least one URL (or --export-warc FILE)")
    if args.export_warc and not settings.store:
        raise ConfigError("--export-warc", "exporting needs a page store (--store DIR)")
    with ExitStack() as stack:
        if settings.store:  # one writer per page store
            stack.enter_context(folder_lock(Path(settings.store), "scraper fetch"))
        return _fetch(args, settings)


def _fetch(args: argparse.Namespace, settings: FetchConfig) -> int:
    store = PageStore(settings.store) if settings.store else None
    with StopOnSignal() as stop:
        failed = _fetch_and_print(args, settings, store, stop) if args.urls else False
    if stop.signal_number is None and args.export_warc and store is not None:
        count = export_warc(store, args.export_warc)
        print(f"scraper: exported {count} pages to {args.export_warc}", file=sys.stderr)
    return exit_code(failed=failed, signal_number=stop.signal_number)


def _fetch_and_print(args: argparse.Namespace, settings: FetchConfig,
                     store: PageStore | None, stop: StopOnSignal) -> bool:
    """Print each URL's line the moment it completes; True when any URL failed.

    After SIGINT/SIGTERM the next completed URL is the last: the rest are not requested.
    """
    failed = False
    with BlockingFetcher(settings, store=store, offline=args.offline) as fetcher:
        for result in fetcher.fetch_many(args.urls):
            line = json.dumps(result.summary(), ensure_ascii=False) if args.json else _line(result)
            # flush: stdout to a pipe or a log file is block-buffered, and cron should see
            # each line as it happens, not all of them at the end.
            print(line, flush=True)
            if not result.ok:
                failed = True
                print(f"scraper: error: {result.url}: {result.reason}", file=sys.stderr,
                      flush=True)
            if stop():
                break
    return failed


def _line(result: FetchResult) -> str:
    status = "---" if result.status is None else str(result.status)
    line = f"{status} {len(result.body):>9} B  attempts={result.attempts}  {result.url}"
    if result.final_url and result.final_url != result.url:
        line += f" -> {result.final_url}"
    if result.error:
        line += f"  {result.error}: {result.reason}"
    return line
