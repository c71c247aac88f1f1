"""The step contract, run statistics, and the wiring of the stages.

A stage takes documents and yields the ones it keeps. What it drops it reports through `Stats`
with a reason, so that summaries, `--explain` and progress come from one place. Only this module
knows the order of the stages.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import urlsplit

from scraper.config import Config
from scraper.document import Document, document_id
from scraper.stats import Stats
from scraper.write import CorpusWriter

if TYPE_CHECKING:  # stages are imported where they are used: `clean` alone loads no fetcher
    from scraper.fetch import BlockingFetcher, FetchResult
    from scraper.relevance import Relevance, Score
    from scraper.sources.collect import Candidate

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


# -- scraper run: discover → pre-filter → fetch → extract → clean → relevance → dedup → write ---

OnEvent = Callable[..., None]


def _no_event(event: str, **fields: Any) -> None:
    return None


@dataclass
class CollectReport:
    """What one `run` did, in counts (per-URL outcomes go to `on_event` as they happen)."""

    stats: Stats
    discovered: int = 0
    fetched: int = 0
    not_modified: int = 0
    written: int = 0
    stopped: bool = False


def load_examples(inputs: list[str], config: Config, stats: Stats) -> list[Document]:
    """Example articles for `[relevance]`: any input `clean` reads, extracted and cleaned."""
    from scraper.clean import Cleaner
    from scraper.extract import ExtractStep
    from scraper.profiles import load_profiles

    profiles = load_profiles(config.clean.profiles_dir)
    quiet = Stats(listener=stats.listener)
    # Examples may be any folder, a corpus included: there is no output folder to leave out.
    docs = read_dumps(inputs, Path(os.devnull), config, quiet)
    pages = ExtractStep(config.extract, profiles).run(docs, quiet)
    single = dataclasses.replace(config.clean, corpus_pass=False)
    return [doc for doc in Cleaner(single, profiles).run(pages, quiet) if doc.paragraphs]


def build_relevance(config: Config, stats: Stats) -> Relevance | None:
    """The relevance stage of `config`, or None when there is no `[relevance] like`."""
    if not config.relevance.like:
        return None
    from scraper.relevance import Relevance

    like = load_examples(config.relevance.like, config, stats)
    unlike = load_examples(config.relevance.unlike, config, stats) if config.relevance.unlike \
        else []
    return Relevance(config.relevance, like, unlike)


def run_collect(
    config: Config, out: Path, store: str | None, stats: Stats, *,
    offline: bool = False, should_stop: Callable[[], bool] = lambda: False,
    on_event: OnEvent = _no_event,
) -> CollectReport:
    """`scraper run`: every `[[sources]]` entry through the whole pipeline into `out`.

    Work goes in batches of `[run] batch_size` articles; `should_stop` is asked between
    batches (the batch in flight is finished and written). `on_event(event, **fields)` hears
    each URL's outcome: "discovered", "skipped", "fetched", "failed", "kept", "dropped".
    With `offline`, every page (sources included) comes from the store: the result equals a
    fresh run with the same rules, without the network.
    """
    from scraper.fetch import BlockingFetcher, PageStore
    from scraper.fetch.limits import SOURCE_TYPES

    relevance = build_relevance(config, stats)
    page_store = PageStore(store) if store is not None else None
    report = CollectReport(stats)
    with BlockingFetcher(config.fetch, store=page_store, offline=offline,
                         accept=SOURCE_TYPES) as fetcher:
        stages = _Stages(config, out, fetcher.fetch_bytes, relevance, on_event)
        found = collect_candidates(config, fetcher, relevance, stats, on_event, report)
        for batch in _batches(found, stages.known, stats, on_event, config.run.batch_size):
            if should_stop():
                report.stopped = True
                break
            stages.process(batch, fetcher.fetch_all([c.url for c in batch]), report)
        stages.close()
    return report


def collect_candidates(
    config: Config, fetcher: BlockingFetcher, relevance: Relevance | None, stats: Stats,
    on_event: OnEvent, report: CollectReport,
) -> Iterator[Candidate]:
    """Candidates of every source, each URL once, the obviously off-topic ones left out."""
    import asyncio
    from datetime import UTC, datetime

    from scraper.sources.collect import Collector
    from scraper.sources.discover import Discovery, Loaded, Options, discover

    def loaded(result: FetchResult) -> Loaded:
        if not result.ok:
            return Loaded(result.url, error=result.reason or result.error or "fetch failed")
        return Loaded(result.url, data=result.body, url=result.final_url or result.url)

    def load(urls: list[str]) -> list[Loaded]:
        by_url = {r.url: r for r in fetcher.fetch_all(urls)}
        return [loaded(by_url[url]) for url in urls]

    def feeds(urls: list[str], options: Options, first: Loaded | None) -> Discovery:
        async def load_async(batch: list[str]) -> list[Loaded]:
            if first is not None and batch == [first.source]:
                return [first]  # the root was fetched already to tell what it is
            return await asyncio.to_thread(load, batch)

        return asyncio.run(discover(urls, load_async, options))

    def error(source: str, reason: str) -> None:
        stats.error(f"{source}: {reason}")

    query = (lambda: " ".join(relevance.query())) if relevance is not None else None
    collector = Collector(load, feeds, query, error, datetime.now(UTC))
    seen: set[str] = set()
    for source in config.sources:
        found = 0
        for item in collector.candidates(source):
            found += 1
            if item.url in seen:
                continue
            seen.add(item.url)
            report.discovered += 1
            on_event("discovered", url=item.url, source=item.source, title=item.title)
            pre = relevance.prescreen(item.title, item.url, item.summary) if relevance else None
            if relevance is not None and pre is None:
                stats.drop("relevance", "off-topic by title and URL")
                on_event("dropped", url=item.url, host=urlsplit(item.url).hostname,
                         stage="relevance",
                         reason="off-topic by title and URL", relevance=0.0, terms=[],
                         title=item.title)
                continue
            yield item
        on_event("source", url=source.url, kind=collector.kinds.get(source.url, source.kind),
                 found=found)


def _batches(items: Iterable[Candidate], known: set[str], stats: Stats, on_event: OnEvent,
             size: int) -> Iterator[list[Candidate]]:
    """Bounded batches of candidates not already in the corpus."""
    batch: list[Candidate] = []
    for item in items:
        if document_id(item.url, "") in known:
            stats.drop("write", "already in the output folder")
            on_event("skipped", url=item.url, reason="already in the output folder")
            continue
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# Fetch outcomes that are no fault of the run: a listed link robots.txt forbids, and, offline,
# a page that was never fetched (robots, or dropped before fetching in the run that filled the
# store).
_NOT_FAILURES = {"RobotsDisallowed": "disallowed by robots.txt",
                 "NotInStoreError": "not in the page store"}


class _Stages:
    """extract → clean → relevance → dedup → write for one batch of fetched pages at a time."""

    def __init__(self, config: Config, out: Path, fetch: FetchPage,
                 relevance: Relevance | None, on_event: OnEvent) -> None:
        from scraper.clean import Cleaner
        from scraper.dedup import Deduplicator
        from scraper.extract import ExtractStep
        from scraper.profiles import load_profiles

        profiles = load_profiles(config.clean.profiles_dir)
        self.writer = CorpusWriter(out)
        self.known = self.writer.ids()
        self.extract = ExtractStep(config.extract, profiles, fetch=fetch, site=config.clean.site)
        # The corpus pass learns from a whole run; over batches it would depend on the order
        # pages arrive in, and an offline re-run must give the same corpus.
        self.cleaner = Cleaner(dataclasses.replace(config.clean, corpus_pass=False), profiles)
        self.relevance, self.on_event = relevance, on_event
        self.dedup = Deduplicator(config.dedup, self.writer)

    def process(self, batch: list[Candidate], results: list[FetchResult],
                report: CollectReport) -> None:
        stats = report.stats
        by_url = {r.url: r for r in results}
        docs = []
        for item in batch:  # in discovery order, whatever order the fetches finished in
            result = by_url[item.url]
            host = urlsplit(item.url).hostname
            skip = _NOT_FAILURES.get(result.error or "")
            if skip is not None:
                stats.drop("fetch", skip)
                self._drop(item.url, "fetch", skip)
                continue
            if not result.ok:
                stats.error(f"{item.url}: {result.reason}")
                self.on_event("failed", url=item.url, host=host, reason=result.reason)
                continue
            report.fetched += 1
            report.not_modified += result.not_modified
            self.on_event("fetched", url=item.url, host=host, status=result.status,
                          not_modified=result.not_modified)
            if "html" not in result.headers.get("content-type", "text/html"):
                stats.drop("read", "not an HTML page")
                self._drop(item.url, "read", "not an HTML page")
                continue
            docs.append(Document(title=None, paragraphs=[], source=item.url,
                                 url=result.final_url or item.url,
                                 extra={"html": result.body}))
        cleaned = drop_emptied(self.cleaner.run(self.extract.run(docs, stats), stats), stats)
        if self.relevance is not None:
            cleaned = self.relevance.run(cleaned, stats, self._off_topic)
        kept = one_per_id(list(cleaned), self.writer, stats)
        written = self.dedup.commit(kept, stats)
        report.written += len(written)
        files = {str(e["url"]): e for e in written}
        for doc in kept:
            entry = files.get(str(doc.url))
            if entry is None:
                self._drop(doc.source, "dedup", "duplicate")
                continue
            self.known.add(doc.id)
            self.on_event("kept", url=doc.source, host=urlsplit(doc.source).hostname,
                          file=entry["file"], relevance=doc.extra.get("relevance"),
                          terms=doc.extra.get("terms"), title=doc.title)

    def _off_topic(self, doc: Document, score: Score, reason: str) -> None:
        self.on_event("dropped", url=doc.source, host=urlsplit(doc.source).hostname,
                      stage="relevance", reason=reason, relevance=score.score,
                      terms=list(score.terms[:10]), title=doc.title, example=score.example)

    def _drop(self, url: str, stage: str, reason: str) -> None:
        self.on_event("dropped", url=url, host=urlsplit(url).hostname, stage=stage,
                      reason=reason)

    def close(self) -> None:
        self.dedup.close()
