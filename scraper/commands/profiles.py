"""`scraper profiles`: list the site profiles a run would use."""

from __future__ import annotations

import argparse
import json

from scraper.config import Config, override
from scraper.profiles import load_profiles


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser],
               common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("profiles", parents=[common], help="list the site profiles",
                            description="List the shipped and user site profiles.")
    parser.add_argument("--profiles", dest="profiles_dir", metavar="DIR",
                        help="folder of extra or replacement site profile TOML files")
    parser.add_argument("--json", action="store_true", help="one JSON object per profile")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, config: Config) -> int:
    config = override(config, "clean", profiles_dir=args.profiles_dir)
    for profile in load_profiles(config.clean.profiles_dir):
        if args.json:
            print(json.dumps({"name": profile.name, "domains": list(profile.domains),
                              "file": profile.path}))
        else:
            print(f"{profile.name:18} {', '.join(profile.domains) or '(any site)':28} "
                  f"{profile.path}")
    return 0
