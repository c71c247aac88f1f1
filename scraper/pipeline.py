"""The step contract, run statistics, and the wiring of the stages.

A stage takes documents and yields the ones it keeps. What it drops it reports through `Stats`
with a reason, so that summaries, `--explain` and progress come from one place. Only this module
knows the order of the stages.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from scraper.config import Config
from scraper.document import Document, document_id
from scraper.stats import Stats
from scraper.write import CorpusWriter

FetchPage = Callable[[str], bytes | None]


@dataclass
class RunReport:
    """What one `clean` run did: the manifest entries written and every document it cleaned."""

    stats: Stats
    written: list[dict[str, Any]] = field(default_factory=list)
    cleaned: list[Document] = field(default_factory=list)


def read_dumps(
    inputs: list[str], out: Path, config: Config, stats: Stats, *,
    url: str | None = None, stdin: BinaryIO | None = None,
) -> Iterator[Document]:
    """The source stage of `clean`: every input file, folder or `-`, never the output folder."""
    from scraper.sources.dumps import read_input, walk_inputs

    for name in walk_inputs(inputs, exclude=out):
        for item in read_input(name, config.clean, url=url, stdin=stdin):
            if item.error is not None:
                stats.error(str(item.error))
            elif item.doc is not None:
                stats.keep("read")
                yield item.doc


def read_store(
    root: str, stats: Stats, known: Collection[str] = ()
) -> tuple[Iterator[Document], FetchPage]:
    """The source stage over a raw page store (`scraper fetch --store`): its HTML pages, and a
    fetch callable that serves later pages of an article from the same store, never the network.

    Pages whose URL is already an article of the corpus (`known` ids) are not extracted again,
    so a store that grows run after run costs only its new pages.
    """
    from scraper.errors import StoreError
    from scraper.fetch import PageStore

    if not (Path(root) / "index.jsonl").is_file():
        raise StoreError(root, "not a page store (no index.jsonl)")
    store = PageStore(root)

    def pages() -> Iterator[Document]:
        for result in store:
            if "html" not in result.headers.get("content-type", "text/html"):
                stats.drop("read", "not an HTML page")
                continue
            if document_id(result.final_url or result.url, "") in known:
                stats.drop("read", "already in the output folder")
                continue
            stats.keep("read")
            yield Document(title=None, paragraphs=[], source=result.url,
                           url=result.final_url or result.url, extra={"html": result.body})

    def stored(url: str) -> bytes | None:
        result = store.get(url)
        return result.body if result is not None else None

    return pages(), stored


def drop_emptied(docs: Iterable[Document], stats: Stats) -> Iterator[Document]:
    """A document that cleaning emptied is reported, not written."""
    for doc in docs:
        if doc.paragraphs:
            yield doc
        else:
            stats.drop("clean", "nothing left after cleaning")
            stats.error(f"{doc.source}: nothing left after cleaning, not written")


def one_per_id(docs: list[Document], writer: CorpusWriter, stats: Stats) -> list[Document]:
    """Each id once: skip ids already in the folder; of one id in this batch keep the longest.

    A document with a URL takes its id from the URL, so an article fetched again after an edit
    is still added to the corpus once (its body may differ too much to count as a duplicate).
    """
    known = writer.ids()
    best: dict[str, Document] = {}
    for doc in docs:
        if doc.id in known:
            stats.drop("write", "already in the output folder")
        elif doc.id in best:
            stats.drop("write", "same id twice in this run")
            if len(doc.body) > len(best[doc.id].body):
                best[doc.id] = doc
        else:
            best[doc.id] = doc
    return list(best.values())


def run_clean(
    inputs: list[str], out: Path, config: Config, stats: Stats, *,
    url: str | None = None, stdin: BinaryIO | None = None, store: str | None = None,
) -> RunReport:
    """read → extract (saved HTML) → clean → drop emptied → dedup → write, into `out`.

    With `store`, the pages of a raw page store are read too, offline: later pages of an
    article come from the store or not at all.
    """
    from scraper.clean import Cleaner
    from scraper.dedup import Deduplicator
    from scraper.extract import ExtractStep
    from scraper.profiles import load_profiles

    profiles = load_profiles(config.clean.profiles_dir)
    if config.clean.site:
        profiles.get(config.clean.site)  # an unknown --site is a usage error before any work
    writer = CorpusWriter(out)
    docs: Iterator[Document] = read_dumps(inputs, out, config, stats, url=url, stdin=stdin)
    fetch: FetchPage | None = None
    if store is not None:
        stored, fetch = read_store(store, stats, writer.ids())
        docs = itertools.chain(docs, stored)
    step = ExtractStep(config.extract, profiles, fetch=fetch, site=config.clean.site)
    pages = step.run(docs, stats)
    report = RunReport(stats=stats)
    report.cleaned = list(Cleaner(config.clean, profiles).run(pages, stats))
    kept = one_per_id(list(drop_emptied(report.cleaned, stats)), writer, stats)
    if not config.dedup.enabled:
        report.written = [writer.write(doc) for doc in kept]
        return report
    with Deduplicator(config.dedup, writer) as dedup:
        report.written = dedup.commit(kept, stats)
    return report


def process_one(
    doc: Document, config: Config, *, fetch: Callable[[str], bytes | None] | None = None
) -> Document | None:
    """Run one document through extract and clean alone (no corpus pass, no dedup, no write).

    Used by fixture checks, where each saved page must come out the same whatever else is
    around it: a later page saved on its own is extracted as it is, not linked to its article.
    Raises ExtractError for a page that is not an article.
    """
    from scraper.clean import Cleaner
    from scraper.extract import extract_html
    from scraper.profiles import load_profiles

    profiles = load_profiles(config.clean.profiles_dir)
    html = doc.extra.get("html")
    if isinstance(html, bytes):
        extracted = extract_html(html, url=doc.url, profiles=profiles, config=config.extract,
                                 fetch=fetch, site=config.clean.site)
        extracted.source = doc.source
        doc = extracted
    single = dataclasses.replace(config.clean, corpus_pass=False)
    return Cleaner(single, profiles).clean_one(doc)
