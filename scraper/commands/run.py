"""`scraper run -c scraper.toml`: every `[[sources]]` entry, discovered, fetched, extracted,
cleaned, scored for relevance, deduplicated and written, in one streaming run."""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from scraper.config import Config, override
from scraper.errors import ConfigError
from scraper.lock import folder_lock
from scraper.pipeline import CollectReport, OnEvent, run_collect
from scraper.report import Sink, add_log_arguments
from scraper.signals import StopOnSignal, exit_code
from scraper.state import FINAL_OUTCOMES, State
from scraper.stats import Stats


def add_parser(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "run", parents=[common], help="discover, fetch, clean, score and write in one run",
        description="Read every [[sources]] entry of the config, fetch the article URLs found "
        "(politely), extract, clean, keep those like the [relevance] examples, deduplicate "
        "and write them to OUT.",
    )
    parser.add_argument("-o", "--out", type=Path, metavar="OUT",
                        help="output folder (default: [run] out)")
    parser.add_argument("--store", metavar="DIR", help="page store (default: [run] store)")
    parser.add_argument("--offline", action="store_true",
                        help="no network: re-run everything from the page store")
    parser.add_argument("--explain", action="store_true",
                        help="print each article's relevance and matching terms, kept or not")
    add_log_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, config: Config) -> int:
    config = override(config, "run", out=str(args.out) if args.out else None, store=args.store)
    if not config.run.out:
        raise ConfigError("scraper run", "give -o OUT or [run] out")
    if not config.sources:
        raise ConfigError("scraper run", "the config lists no [[sources]]")
    if args.offline and not config.run.store:
        raise ConfigError("--offline", "needs a page store (--store DIR or [run] store)")
    out = Path(config.run.out)
    stats = Stats(listener=lambda line: print(f"scraper: error: {line}", file=sys.stderr),
                  debug=getattr(args, "debug", False))
    with ExitStack() as stack:
        stack.enter_context(folder_lock(out, "scraper run"))  # before the state: exit 3 first
        state = stack.enter_context(State.open(out))
        stop = stack.enter_context(StopOnSignal())
        sink = stack.enter_context(Sink(args.log_format, sys.stderr, args.log_interval))
        listeners: list[OnEvent] = [sink, recorder(state)]
        if args.explain:
            listeners.append(explain)
        report = run_collect(config, out, config.run.store, stats, offline=args.offline,
                             should_stop=stop, on_event=fan_out(listeners), frontier=state)
        code = exit_code(failed=stats.failed, signal_number=stop.signal_number)
        print(summary(report, out), file=sys.stderr)
        sink.finish(out, code)
    return code


def fan_out(listeners: list[OnEvent]) -> OnEvent:
    def on_event(event: str, **fields: Any) -> None:
        for listener in listeners:
            listener(event, **fields)

    return on_event


def recorder(state: State) -> OnEvent:
    """Each URL's way through the run, in the frontier of `OUT/.scraper/state.sqlite`: seen when
    discovered, then its final outcome once the corpus writer has settled it."""

    def record(event: str, **fields: Any) -> None:
        url = fields.get("url")
        if not url:
            return
        if event == "discovered":
            state.add(str(url), source=fields.get("source"))
        elif event == "kept" or (event == "skipped"
                                 and fields.get("reason") == "already in the output folder"):
            # (A run killed between writing an article and recording it left it pending.)
            state.record(str(url), "kept", source=fields.get("source"))
        elif event == "dropped" and fields.get("outcome") in FINAL_OUTCOMES:
            # Not "not-fetched" (offline, the page is not in the store): nothing was settled.
            state.record(str(url), str(fields["outcome"]), reason=fields.get("reason"))
        elif event == "error":
            state.record(str(url), "failed", reason=fields.get("reason"),
                         error=fields.get("error"))

    return record


def explain(event: str, **fields: Any) -> None:
    """One line per article that reached a verdict: where it went, its score and terms; and
    one per source: what it was read as and how many article URLs it gave."""
    if event == "source":
        print(f"== source {fields['url']}: read as {fields['kind']}, "
              f"{fields['found']} article URLs")
        return
    if event not in ("kept", "dropped"):
        return
    where = fields["file"] if event == "kept" else f"dropped: {fields['reason']}"
    line = f"== {fields['url']} -> {where}"
    if fields.get("relevance") is not None:
        terms = ", ".join(fields.get("terms") or []) or "-"
        line += f" [relevance {fields['relevance']:.3f}: {terms}]"
    print(line)


def summary(report: CollectReport, out: Path) -> str:
    stats = report.stats
    dropped = ", ".join(f"{n} {reason}" for (_, reason), n in sorted(stats.dropped.items()))
    resumed = f" (+{report.resumed} left by an earlier run)" if report.resumed else ""
    text = (f"scraper: discovered {report.discovered} article URLs{resumed}, fetched "
            f"{report.fetched} ({report.not_modified} not modified), wrote {report.written} "
            f"to {out}")
    if dropped:
        text += f"; dropped: {dropped}"
    if stats.errors:
        text += f"; {len(stats.errors)} errors"
    return text + ("; stopped early" if report.stopped else "")
