"""Extraction quality and speed: this project against trafilatura, in the same run.

    python bench/bench_extract.py [AEB_DIR] [--limit N] [--repeat N]

1. The profiled fixture pages (`fixtures/<site>/*/input.html`): median ms/page of `extract_html`
   with the site profile against trafilatura on the same bytes, repeated to steady the timings.
2. AEB (article-extraction-benchmark; default /work/shared/bench/aeb): F1, precision, recall and
   median ms/page of `extract_html` (no profile matches these sites, so this is the trafilatura
   path plus our metadata, listing check and post-processing) beside
   `trafilatura.extract(html, include_comments=False)`. Scored as the AEB README says, on the
   article paragraphs (the title is a separate field, as in the ground truth).

Pages are timed alternately (ours, then trafilatura's, page by page) so that both see the same
machine load.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scraper.config import ExtractConfig
from scraper.errors import ExtractError
from scraper.extract import extract_html
from scraper.extract.score import score_doc, summarise
from scraper.profiles import load_profiles

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def read_input(folder: Path) -> bytes:
    plain = folder / "input.html"
    if plain.exists():
        return plain.read_bytes()
    return gzip.decompress((folder / "input.html.gz").read_bytes())


def ours(raw: bytes, url: str | None, profiles, config: ExtractConfig) -> str:
    try:
        return "\n".join(extract_html(raw, url=url, profiles=profiles, config=config).paragraphs)
    except ExtractError:
        return ""


def theirs(raw: bytes) -> str:
    return trafilatura.extract(raw.decode("utf-8"), include_comments=False) or ""


def timed(func, *args) -> tuple[str, float]:
    start = time.perf_counter()
    out = func(*args)
    return out, (time.perf_counter() - start) * 1000


def bench_aeb(root: Path, limit: int | None) -> None:
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:limit] if limit else sorted(truth)
    profiles, config = load_profiles(), ExtractConfig()
    rows: dict[str, tuple[list, list[float]]] = {"scraper": ([], []), "trafilatura": ([], [])}
    refused = 0
    for key in ids:
        raw = gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes())
        gold = truth[key]["articleBody"]
        text, ms = timed(ours, raw, truth[key].get("url"), profiles, config)
        refused += text == ""
        rows["scraper"][0].append(score_doc(text, gold))
        rows["scraper"][1].append(ms)
        text, ms = timed(theirs, raw)
        rows["trafilatura"][0].append(score_doc(text, gold))
        rows["trafilatura"][1].append(ms)
    print(f"\nAEB: {len(ids)} pages from {root}")
    print(f"{'extractor':<28} {'F1':>6} {'prec':>6} {'recall':>6} {'ms/page':>8}")
    medians = {}
    for name, (scores, times) in rows.items():
        s = summarise(scores)
        medians[name] = statistics.median(times)
        label = name if name == "scraper" else "trafilatura (comments off)"
        print(f"{label:<28} {s.f1:6.4f} {s.precision:6.4f} {s.recall:6.4f} {medians[name]:8.2f}")
    print(f"time ratio scraper/trafilatura: {medians['scraper'] / medians['trafilatura']:.2f}x; "
          f"pages refused as non-articles by scraper: {refused}")


def bench_profiled(repeat: int) -> None:
    profiles, config = load_profiles(), ExtractConfig()
    pages = []
    for meta_path in sorted(FIXTURES.glob("*/*/meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("kind") == "html" and meta["site"] != "generic":
            pages.append((read_input(meta_path.parent), meta["url"]))
    mine: list[float] = []
    anchor: list[float] = []
    for raw, url in pages:
        page_mine, page_anchor = [], []
        for _ in range(repeat):
            page_mine.append(timed(ours, raw, url, profiles, config)[1])
            page_anchor.append(timed(theirs, raw)[1])
        mine.append(statistics.median(page_mine))
        anchor.append(statistics.median(page_anchor))
    m, a = statistics.median(mine), statistics.median(anchor)
    print(f"Profiled fixture pages: {len(pages)} pages x {repeat} runs (median of page medians)")
    print(f"scraper (site profile)       {m:8.2f} ms/page")
    print(f"trafilatura (comments off)   {a:8.2f} ms/page")
    print(f"speed-up: {a / m:.1f}x faster than trafilatura")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("aeb", nargs="?", default="/work/shared/bench/aeb", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="only the first N AEB pages")
    parser.add_argument("--repeat", type=int, default=15, help="runs per profiled page")
    args = parser.parse_args()
    # Warm both up (imports, lazy regex compilation) outside the timings.
    theirs(b"<html><body><p>warm up</p></body></html>")
    bench_profiled(args.repeat)
    bench_aeb(args.aeb, args.limit)


if __name__ == "__main__":
    main()
