"""`scraper discover SOURCE...`: article URLs from feeds and sitemaps, one per line, for
`scraper fetch`. Feeds and sitemaps are fetched with the project's Fetcher and `[fetch]` config."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scraper.commands.fetch import add_allow_private
from scraper.config import Config, FetchConfig, override
from scraper.errors import ConfigError
from scraper.fetch import Fetcher, FetchResult, PageStore
from scraper.fetch.limits import SOURCE_TYPES
from scraper.sources.discover import Discovery, Loaded, Options, discover
from scraper.sources.feeds import instant

# Anything with a scheme goes to the fetcher (which refuses file:, ftp: ... with a clear reason);
# everything else is a local file.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def add_parser(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "discover",
        parents=[common],
        help="list article URLs from RSS/Atom feeds and sitemaps",
        description="Read each feed or sitemap (URL or local file), follow sitemap indexes, and "
        "print the article URLs, newest first, one per line (for `scraper fetch`). Feeds are "
        "fetched with the [fetch] config (robots.txt, delays, private addresses refused).",
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE")
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--since", metavar="ISO_DATE",
                      help="only entries dated at or after this (undated entries are kept)")
    when.add_argument("--days", type=float, metavar="N",
                      help="only entries from the last N days (undated entries are kept)")
    parser.add_argument("--same-site", action="store_true",
                        help="only URLs on the registrable domain of their source")
    parser.add_argument("--max-urls", type=int, metavar="N", help="print at most N URLs")
    parser.add_argument("--store", metavar="DIR",
                        help="page store for the feeds themselves (conditional re-fetch)")
    add_allow_private(parser)
    parser.add_argument("--json", action="store_true",
                        help='print JSON lines {"url", "published", "source"}')
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, config: Config) -> int:
    config = override(config, "fetch", store=args.store,
                      allow_private_networks=args.allow_private_networks)
    options = Options(since=_since(args), same_site=args.same_site, max_urls=_max_urls(args))
    settings = config.fetch
    store = PageStore(settings.store) if settings.store else None
    found = asyncio.run(_discover(args.sources, settings, store, options))
    for item in found.found:
        print(json.dumps(item.as_json(), ensure_ascii=False) if args.json else item.url)
    for source, reason in found.notes:
        print(f"scraper: note: {source}: {reason}", file=sys.stderr)
    for source, reason in found.errors:
        print(f"scraper: error: {source}: {reason}", file=sys.stderr)
    return 1 if found.errors else 0


def _since(args: argparse.Namespace) -> datetime | None:
    if args.days is not None:
        if not args.days > 0:
            raise ConfigError("--days", f"must be more than 0, not {args.days}")
        return datetime.now(UTC) - timedelta(days=args.days)
    if args.since is None:
        return None
    try:
        return instant(args.since.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError("--since", f"not an ISO 8601 date: {args.since!r}") from None


def _max_urls(args: argparse.Namespace) -> int | None:
    if args.max_urls is not None and args.max_urls < 1:
        raise ConfigError("--max-urls", f"must be at least 1, not {args.max_urls}")
    value: int | None = args.max_urls
    return value


async def _discover(
    sources: list[str], settings: FetchConfig, store: PageStore | None, options: Options
) -> Discovery:
    # One Fetcher for the whole run, so robots.txt is read once per host and the per-host delay
    # holds between a sitemap index and its children.
    async with Fetcher(settings, store=store, accept=SOURCE_TYPES) as fetcher:

        async def load(batch: list[str]) -> list[Loaded]:
            remote = [source for source in batch if _URL.match(source)]
            results = {result.url: result async for result in fetcher.fetch_many(remote)}
            return [
                _from_result(results[source]) if _URL.match(source)
                else _read_file(source, settings.max_bytes)
                for source in batch
            ]

        return await discover(sources, load, options)


def _from_result(result: FetchResult) -> Loaded:
    if not result.ok:
        return Loaded(result.url, error=result.reason or result.error or "fetch failed")
    return Loaded(result.url, data=result.body, url=result.final_url or result.url)


def _read_file(source: str, max_bytes: int) -> Loaded:
    path = Path(source)
    try:
        if path.stat().st_size > max_bytes:
            return Loaded(source, error=f"larger than [fetch] max_bytes ({max_bytes} bytes)")
        return Loaded(source, data=path.read_bytes())
    except FileNotFoundError:
        return Loaded(source, error="no such file or folder")
    except IsADirectoryError:
        return Loaded(source, error="is a folder, not a feed or sitemap file")
    except OSError as exc:
        return Loaded(source, error=f"cannot read ({exc.strerror})")
