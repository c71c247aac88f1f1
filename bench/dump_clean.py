"""Everything the clean stage makes of each record, one JSON line per record, to diff two trees.

    PYTHONPATH=TREE python bench/dump_clean.py [DATA ...] [--generated MB] > TREE.jsonl

A speed-up of the cleaner must not change its output. Run this once with `PYTHONPATH` naming
each source tree (e.g. a worktree of main, then this one) and `diff` the two dumps: any change
in the cleaned title, paragraphs, removals (rule and text, in order), uncertain boundaries,
date, author, dateline, site or id shows up as a differing line.

DATA are JSONL files or folders of them (`title`, `text`, `url`), such as real dumps kept outside
the repo. Each file goes through `Cleaner.run` (corpus pass included) twice: with the profile
picked per record as `scraper clean` does, and with the profile its name forces
(`<source>_<site>.jsonl`, as `bench_real.py` reads it). `--generated MB` adds the generated
dirty dumps of `bench_clean.py` (its seed 7 corpus). Nothing is timed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_clean import make_corpus

import scraper
from scraper.clean import Cleaner, uncertain_boundaries
from scraper.config import CleanConfig
from scraper.document import Document, parse_dump
from scraper.profiles import ProfileSet, load_profiles
from scraper.stats import Stats


def records(path: Path) -> Iterator[Document]:
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle, 1):
            record = json.loads(line)
            doc = parse_dump(record.get("text") or "", source=f"{path.name}#{n}")
            doc.title = record.get("title") or doc.title
            url = record.get("url") or ""
            doc.url = url if url.startswith("http") else None
            yield doc


def forced_site(path: Path, profiles: ProfileSet) -> str:
    tail = path.stem.rsplit("_", 1)[-1]
    names = sorted((p.name for p in profiles), key=len, reverse=True)
    return next((n for n in names if tail.startswith(n)), profiles.generic.name)


def describe(doc: Document, mode: str) -> dict[str, Any]:
    return {
        "source": doc.source, "mode": mode, "site": doc.site, "id": doc.id, "title": doc.title,
        "paragraphs": doc.paragraphs, "date": doc.date, "author": doc.author,
        "removed": [[r.rule, r.text] for r in doc.removed],
        "uncertain": [[r.rule, r.text] for r in uncertain_boundaries(doc)],
        "dateline": doc.extra.get("dateline"), "seed": doc.to_seed(),
    }


def dump(docs: Iterator[Document], cleaner: Cleaner, mode: str) -> int:
    count = 0
    for doc in cleaner.run(docs, Stats()):
        print(json.dumps(describe(doc, mode), ensure_ascii=False))
        count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="*", type=Path)
    parser.add_argument("--generated", type=float, default=0.0, metavar="MB")
    args = parser.parse_args()
    profiles = load_profiles()
    files = [f for d in args.data for f in (sorted(d.rglob("*.jsonl")) if d.is_dir() else [d])]
    total = 0
    for path in files:
        total += dump(records(path), Cleaner(CleanConfig(), profiles), "auto")
        site = forced_site(path, profiles)
        total += dump(records(path), Cleaner(CleanConfig(site=site), profiles), f"site={site}")
    if args.generated:
        texts = make_corpus(args.generated, seed=7)
        docs = (parse_dump(t, source=f"generated#{i}") for i, t in enumerate(texts))
        total += dump(docs, Cleaner(CleanConfig(), profiles), "auto")
    print(f"{total} cleaned records dumped by {Path(scraper.__file__).parent}", file=sys.stderr)


if __name__ == "__main__":
    main()
