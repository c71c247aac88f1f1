"""Fidelity on real material: what chrome is left, what article text is lost, what is broken.

    python bench/bench_real.py DATA [--labels DIR] [--pages DIR [--break SEL,...]] [--aeb DIR]

DATA holds real third-party dumps as JSONL (`title`, `text`, `url`, `date`), one file per source
and site, named `<source>_<site>.jsonl`; the part after the last `_` picks the site profile (the
longest profile name it starts with: `detiknews` -> detik). The records go through the clean stage
as `scraper clean` runs it (with the corpus pass). Per site it prints:

- `chrome left`: the share of the lines labelled chrome that are still in the output (a whole
  output paragraph, or for lines of 25+ characters anywhere in it);
- `sentences kept`: the share of the sentences of lines labelled article that are still in the
  output, compared with whitespace collapsed (a rejoined sentence still counts);
- `fragments`: output paragraphs of three words or fewer, and per document.

Labels are tab-separated files under `--labels`, one line each: `chrome|article<TAB>site<TAB>text`
(written by hand while reading the real records; they stay outside the repo with the data).

`--pages DIR` scores real saved pages: `NAME.html` beside `NAME_expectation.txt` (the article text
by hand), F1 of ours (extract + clean) against trafilatura alone, in the same run, also per page.
`--break nav,ul,footer` runs the pages again with every site profile's body selector replaced by
each of these (a profile that matches a menu or nothing, as an old or changed layout does): the
fallback to the generic extractor must keep every page at least at trafilatura's F1. `--aeb DIR`
does the same on the article-extraction-benchmark (English: the generic path, our listing check and
post-processing against bare trafilatura). Nothing here is timed.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scraper.clean import Cleaner
from scraper.config import CleanConfig, ExtractConfig
from scraper.document import Document, parse_dump
from scraper.errors import ExtractError
from scraper.extract import extract_html
from scraper.extract.score import score_doc, summarise
from scraper.profiles import Profile, ProfileSet, load_profiles
from scraper.stats import Stats

# Sentence ends, also glued ones ("...(4/8/2025).Polisi menetapkan"): the cleaner splits those.
_SENTENCE = re.compile(r"(?<=[a-z0-9)][.!?])(?=[A-Z\"“][a-z])|(?<=[.!?])\s+(?=[A-Z\"“])")
_SPACE = re.compile(r"\s+")
FRAGMENT_WORDS = 3
MIN_SUBSTRING_CHARS = 25


def squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def site_of(path: Path, profiles: ProfileSet) -> str:
    tail = path.stem.rsplit("_", 1)[-1]
    names = sorted((p.name for p in profiles), key=len, reverse=True)
    return next((n for n in names if tail.startswith(n)), profiles.generic.name)


def read_records(path: Path, limit: int) -> Iterator[Document]:
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle):
            if n >= limit:
                return
            record = json.loads(line)
            doc = parse_dump(record["text"])
            doc.title = record.get("title") or doc.title
            url = record.get("url") or ""
            doc.url = url if url.startswith("http") else None
            doc.source = f"{path.name}#{n + 1}"
            yield doc


def read_labels(folder: Path | None) -> dict[str, list[tuple[str, str]]]:
    labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
    if folder is None:
        return labels
    for path in sorted(folder.glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                kind, site, text = line.split("\t", 2)
                labels[site].append((kind, text.strip()))
    return labels


class SiteFigures:
    def __init__(self) -> None:
        self.docs = 0
        self.paragraphs: set[str] = set()
        self.text: list[str] = []
        self.fragments = 0

    def add(self, doc: Document) -> None:
        self.docs += 1
        self.paragraphs.update(squash(p) for p in doc.paragraphs)
        self.text.append(squash(" ".join(doc.paragraphs)))
        self.fragments += sum(len(p.split()) <= FRAGMENT_WORDS for p in doc.paragraphs)

    def contains(self, line: str, anywhere: bool = False) -> bool:
        """Whether `line` is an output paragraph; or inside one, when it is long enough not to
        be there by chance (a short chrome line such as "Foto" is inside many paragraphs), or
        when `anywhere` (an article sentence must be kept wherever it is)."""
        needle = squash(line)
        if needle in self.paragraphs:
            return True
        if not anywhere and len(needle) < MIN_SUBSTRING_CHARS:
            return False
        return any(needle in t for t in self.text)

    def report(self, site: str, labels: list[tuple[str, str]]) -> str:
        chrome = [t for kind, t in labels if kind == "chrome"]
        sentences = [s for kind, t in labels if kind == "article" for s in _SENTENCE.split(t)]
        left = sum(map(self.contains, chrome))
        kept = sum(self.contains(s, anywhere=True) for s in sentences)
        return (
            f"{site:<14} docs {self.docs:>4}  chrome left {_share(left, len(chrome))}"
            f"  sentences kept {_share(kept, len(sentences))}"
            f"  fragments {self.fragments:>5} ({self.fragments / max(self.docs, 1):.2f}/doc)"
        )


def _share(part: int, whole: int) -> str:
    if not whole:
        return "   -  (no labels)"
    return f"{part / whole:6.1%} ({part:>3}/{whole:<3})"


def bench_dumps(data: Path, labels: dict[str, list[tuple[str, str]]], limit: int) -> None:
    profiles = load_profiles()
    figures: dict[str, SiteFigures] = defaultdict(SiteFigures)
    for path in sorted(data.glob("*.jsonl")):
        site = site_of(path, profiles)
        cleaner = Cleaner(CleanConfig(site=site), profiles)
        for doc in cleaner.run(read_records(path, limit), Stats()):
            figures[site].add(doc)
    print("## Real dumps: chrome left (lower is better), article sentences kept, fragments")
    for site in sorted(figures):
        print(figures[site].report(site, labels.get(site, [])))


def _ours(raw: bytes, url: str | None, profiles: ProfileSet) -> str:
    try:
        doc = extract_html(raw, url=url, profiles=profiles, config=ExtractConfig())
    except ExtractError:
        return ""
    cleaned = Cleaner(CleanConfig(), profiles).clean_one(doc)
    return "\n".join(cleaned.paragraphs)


def _theirs(raw: bytes) -> str:
    return trafilatura.extract(raw.decode("utf-8", "replace"), include_comments=False) or ""


def broken(profiles: ProfileSet, selector: str) -> ProfileSet:
    """`profiles` with every site's body selector replaced by `selector`."""
    def swap(p: Profile) -> Profile:
        if "body" not in p.extract:
            return p
        return dataclasses.replace(p, extract={**p.extract, "body": [selector]})
    return ProfileSet({p.name: swap(p) for p in profiles})


def _score(name: str, pairs: list[tuple[str, bytes, str | None, str]],
           profiles: ProfileSet | None = None, per_page: bool = False) -> None:
    profiles = profiles or load_profiles()
    mine, base, worse, rows = [], [], [], []
    for key, raw, url, truth in pairs:
        ours, theirs = score_doc(_ours(raw, url, profiles), truth), score_doc(_theirs(raw), truth)
        mine.append(ours)
        base.append(theirs)
        f_ours, f_theirs = summarise([ours]).f1, summarise([theirs]).f1
        rows.append(f"  {key:<18} ours {f_ours:.3f}  trafilatura {f_theirs:.3f}")
        if f_ours < f_theirs - 0.02:
            worse.append(f"{key} {f_ours:.2f} < {f_theirs:.2f}")
    a, b = summarise(mine), summarise(base)
    print(f"## {name}: {len(pairs)} pages")
    print(f"ours (extract+clean)  F1 {a.f1:.3f}  P {a.precision:.3f}  R {a.recall:.3f}")
    print(f"trafilatura alone     F1 {b.f1:.3f}  P {b.precision:.3f}  R {b.recall:.3f}")
    print(f"ratio ours/trafilatura {a.f1 / b.f1:.3f}; pages worse by > 0.02 F1: {len(worse)}")
    for line in worse:
        print("  worse:", line)
    if per_page:
        print("\n".join(rows))


def bench_pages(folder: Path, breaks: list[str]) -> None:
    pairs = []
    for page in sorted(folder.glob("*.html")):
        truth = page.with_name(page.stem + "_expectation.txt")
        if truth.exists():
            pairs.append((page.stem, page.read_bytes(), None, truth.read_text(encoding="utf-8")))
    _score(f"Real pages ({folder})", pairs, per_page=True)
    for selector in breaks:
        _score(f"Real pages, every body selector replaced by {selector!r}", pairs,
               broken(load_profiles(), selector), per_page=True)


def bench_aeb(root: Path, limit: int) -> None:
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pairs = []
    for key in sorted(truth)[:limit]:
        raw = gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes())
        pairs.append((key[:12], raw, truth[key].get("url"), truth[key]["articleBody"]))
    _score(f"AEB ({root})", pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, nargs="?", help="folder of <source>_<site>.jsonl")
    parser.add_argument("--labels", type=Path, help="folder of hand labels (*.tsv)")
    parser.add_argument("--pages", type=Path, help="folder of NAME.html + NAME_expectation.txt")
    parser.add_argument("--break", dest="breaks", default="",
                        help="comma-separated body selectors to run the pages with instead")
    parser.add_argument("--aeb", type=Path, help="article-extraction-benchmark folder")
    parser.add_argument("--limit", type=int, default=10_000, help="records per file / AEB pages")
    args = parser.parse_args()
    if args.data:
        bench_dumps(args.data, read_labels(args.labels), args.limit)
    if args.pages:
        bench_pages(args.pages, [s for s in args.breaks.split(",") if s])
    if args.aeb:
        bench_aeb(args.aeb, args.limit)


if __name__ == "__main__":
    main()
