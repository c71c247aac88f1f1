"""`scraper serve-fixtures`: serve the test web on loopback until interrupted."""

from __future__ import annotations

import argparse
import threading
from typing import Any

from scraper.config import Config
from scraper.testweb import TestWeb


def add_parser(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "serve-fixtures", parents=[common], help="serve the test web on loopback",
        description="Serve the sites of the test web (fixtures/web), one loopback port per "
        "site, and print their base URLs. Stop with Ctrl-C.",
    )
    parser.add_argument("--dir", default="fixtures/web", metavar="DIR",
                        help="the test web folder (default fixtures/web)")
    parser.add_argument("--port", type=int, default=0, metavar="N",
                        help="first port (one per site, counting up); default: free ports")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, config: Config) -> int:
    with TestWeb(args.dir, port=args.port) as web:
        for site in web.web.sites:
            print(f"{site.name:8} {web.base(site.name)}/  ({site.style} style)", flush=True)
        threading.Event().wait()
    return 0
