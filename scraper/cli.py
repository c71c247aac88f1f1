"""The command line: parse arguments, load config, call the library, map errors to exit codes.

Each command lives in `scraper/commands/<name>.py` and exposes `add_parser(subparsers, parent)`,
which registers a sub-parser whose `handler(args, config) -> int` does the work.
Exit status (constants in `scraper.signals`): 0 success, 1 some input failed (the others were
processed), 2 usage or config error, 3 another process is writing to the same output folder or
page store (nothing was done), 130 / 143 stopped by SIGINT / SIGTERM.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from scraper import __version__, commands
from scraper.config import load_config
from scraper.errors import ConfigError, LockedError, ScraperError
from scraper.signals import EXIT_LOCKED, EXIT_SIGINT, EXIT_SOME_FAILED, EXIT_USAGE


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of only the command `argv` names (when given): each
    command's module imports what its work needs (`scraper fetch` the HTTP clients, `scraper
    clean` the cleaner and the compiled dedup kernels), and importing all of them took about a
    second before any command could start."""
    parser = argparse.ArgumentParser(
        prog="scraper",
        description="Build clean news corpora: fetch, extract, clean and deduplicate articles.",
    )
    parser.add_argument("--version", action="version", version=f"scraper {__version__}")
    # Every command takes -c/--config; a shared parent parser gives it to all of them.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-c", "--config", metavar="FILE", help="TOML config file")
    debug_help = "show the Python traceback under a record's error line (for bug reports)"
    parser.add_argument("--debug", action="store_true", help=debug_help)
    # SUPPRESS: `scraper --debug clean` is not undone by the sub-command's own default.
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help=debug_help)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    names = sorted(info.name for info in pkgutil.iter_modules(commands.__path__))
    named = _command_module(argv, names)
    for name in [named] if named else names:
        module = importlib.import_module(f"{commands.__name__}.{name}")
        module.add_parser(sub, common)
    return parser


def _command_module(argv: Sequence[str] | None, names: list[str]) -> str | None:
    """The module of the command `argv` names: its first word that is not an option (the
    top-level options take no value). None when there is none or it is no command, so that
    the usage error and `--help` list every command."""
    words = [word for word in argv or () if not word.startswith("-")]
    module = words[0].replace("-", "_") if words else ""
    return module if module in names else None


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(words)
    args = parser.parse_args(words)
    try:
        config = load_config(args.config)
        status: int = args.handler(args, config)
    except LockedError as exc:
        print(f"scraper: error: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except ConfigError as exc:
        print(f"scraper: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ScraperError as exc:
        print(f"scraper: error: {exc}", file=sys.stderr)
        return EXIT_SOME_FAILED
    except KeyboardInterrupt:
        print("scraper: interrupted", file=sys.stderr)
        return EXIT_SIGINT
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
