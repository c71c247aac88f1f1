"""`scraper clean INPUT... -o OUT`: clean existing dumps and saved pages into a corpus."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from scraper.clean import uncertain_boundaries
from scraper.config import Config, override
from scraper.dedup.text import dedupe_paragraphs
from scraper.document import Document
from scraper.errors import ConfigError
from scraper.pipeline import Explain, RunReport, run_clean
from scraper.report import add_log_arguments, clean_progress
from scraper.stats import Stats
from scraper.write import SEED_NAME


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser],
               common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "clean", parents=[common], help="clean text dumps, JSONL/CSV exports and saved HTML pages",
        description="Clean existing dumps into seed-format files plus OUT/manifest.jsonl.",
    )
    parser.add_argument("inputs", nargs="*", metavar="INPUT",
                        help="a file, a folder (read recursively) or - for stdin")
    parser.add_argument("--store", metavar="DIR",
                        help="also clean every HTML page of this page store (scraper fetch "
                             "--store), offline")
    parser.add_argument("-o", "--out", required=True, type=Path, metavar="OUT",
                        help="output folder")
    parser.add_argument("--site", help="force this site profile (see `scraper profiles`)")
    parser.add_argument("--explain", action="store_true", default=None,
                        help="print every removed line or segment with the rule that removed it")
    parser.add_argument("--no-dedup", dest="dedup", action="store_false", default=None,
                        help="write one output per input: no deduplication")
    parser.add_argument("--no-corpus-pass", dest="corpus_pass", action="store_false",
                        default=None, help="do not learn recurring chrome across the run")
    parser.add_argument("--max-bytes", type=int, metavar="N",
                        help="skip inputs larger than N bytes (default 50 MB)")
    parser.add_argument("--title-field", metavar="NAME", help="JSONL/CSV field with the title")
    parser.add_argument("--text-field", metavar="NAME", help="JSONL/CSV field with the text")
    parser.add_argument("--url-field", metavar="NAME", help="JSONL/CSV field with the URL")
    parser.add_argument("--url", help="the source URL of a single input (text or HTML page)")
    parser.add_argument("--profiles", dest="profiles_dir", metavar="DIR",
                        help="folder of extra or replacement site profile TOML files")
    parser.add_argument("-j", "--jobs", type=int, metavar="N",
                        help="processes that extract and clean (default: one per CPU core)")
    parser.add_argument("--engine", choices=("local", "dask"),
                        help="where extract + clean run: local processes (default) or a Dask "
                             "cluster")
    parser.add_argument("--address", metavar="URL",
                        help="the Dask scheduler, tcp://HOST:8786 (default with --engine dask: "
                             "a LocalCluster on this machine)")
    parser.add_argument("--batch-size", type=int, metavar="N",
                        help="documents per group commit: one fsync per batch (default 256)")
    add_log_arguments(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, config: Config) -> int:
    config = override(
        config, "clean", site=args.site, explain=args.explain, max_bytes=args.max_bytes,
        title_field=args.title_field, text_field=args.text_field, url_field=args.url_field,
        corpus_pass=args.corpus_pass, profiles_dir=args.profiles_dir, jobs=args.jobs,
    )
    config = override(config, "dedup", enabled=args.dedup)
    config = override(config, "write", batch_size=args.batch_size)
    config = override(config, "engine", kind=args.engine, address=args.address)
    if not args.inputs and args.store is None:
        raise ConfigError("scraper clean", "give at least one INPUT or --store DIR")
    if args.out.exists() and not args.out.is_dir():
        raise ConfigError(str(args.out), "-o names a file; it must be a folder (new or existing)")
    with clean_progress(args.log_format, sys.stderr, args.log_interval) as progress:
        stats = Stats(listener=lambda line: print(f"scraper: error: {line}", file=sys.stderr),
                      debug=getattr(args, "debug", False), observer=progress,
                      warning_listener=lambda line: print(f"scraper: warning: {line}",
                                                          file=sys.stderr))
        explain = explainer(config.dedup.enabled) if config.clean.explain else None
        report = run_clean(args.inputs, args.out, config, stats, url=args.url,
                           store=args.store, explain=counting_writes(progress, explain))
    print(summary(report, args.out), file=sys.stderr)
    return 1 if stats.failed else 0


def counting_writes(progress: Callable[..., None], explain: Explain | None) -> Explain:
    """Where each document went, told to the progress display (a file name: it was written)
    and to `explain` when it is on."""

    def settled(doc: Document, where: str) -> None:
        if SEED_NAME.match(where):
            progress("written", source=doc.source, file=where)
        if explain is not None:
            explain(doc, where)

    return settled


def explainer(dedup: bool) -> Callable[[Document, str], None]:
    """Prints, for one document: where it went, its profile, and every removal with its rule,
    the repeated paragraphs that dedup drops before writing included (the manifest's `removed`
    counts the same)."""

    def explain_line(doc: Document, where: str) -> None:
        lines = [f"== {doc.source} -> {where} [site: {doc.site}]"]
        if doc.profile_miss:
            lines.append(f"  ! {doc.profile_miss}: the generic extractor read this page")
        written = dedupe_paragraphs(doc) if dedup and doc.paragraphs else doc
        lines += [f"  - {removal.rule}: {removal.text}" for removal in written.removed]
        lines += [f"  ~ kept: uncertain boundary ({kept.rule}): {kept.text}"
                  for kept in uncertain_boundaries(doc)]
        print("\n".join(lines), flush=True)

    return explain_line


def summary(report: RunReport, out: Path) -> str:
    stats = report.stats
    dropped = ", ".join(f"{n} {reason}" for (_, reason), n in sorted(stats.dropped.items()))
    return (
        f"scraper: read {stats.kept['read']} documents, wrote {report.written} to {out}"
        + (f"; dropped: {dropped}" if dropped else "")
        + (f"; {stats.error_count} errors" if stats.error_count else "")
        + "".join(f"; {n} {kind}" for kind, n in sorted(stats.warnings.items()))
    )
