"""The wiring of the stages for `scraper clean`, streaming in bounded batches.

    read ─► skip known work ─► [extract ─► clean] in a process pool or on Dask ─► link later pages
         ─► corpus pass (per window) ─► drop emptied ─► one per id ─► dedup ─► write

A stage takes documents and yields the ones it keeps. What it drops it reports through `Stats`
with a reason, so that summaries, `--explain` and progress come from one place. Only this module
knows the order of the stages. Nothing here holds the whole run: documents move in batches of
`PIPE_BATCH` (to the workers), windows of `[clean] corpus_window` (the corpus pass) and commits
of `[write] batch_size` (dedup and the writer's group commit).
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar
from urllib.parse import urlsplit

from scraper.config import Config, SourceConfig
from scraper.document import Document, canonical_url
from scraper.flow import Frontier, left_over, lookahead, prefetched, round_robin, store_first
from scraper.known import SeenKeys, record_key, url_key
from scraper.lock import folder_lock
from scraper.parallel import (
    Batch,
    Record,
    default_jobs,
    pool_read_clean,
    process_batches,
    too_small_for_workers,
)
from scraper.stats import Stats
from scraper.write import CorpusWriter

if TYPE_CHECKING:  # stages are imported where they are used: `clean` alone loads no fetcher
    from scraper.dedup import Deduplicator
    from scraper.fetch import BlockingFetcher, FetchResult
    from scraper.relevance import Relevance, Score
    from scraper.sources.collect import Candidate

FetchPage = Callable[[str], bytes | None]
# Where a document went, for `--explain`: called once per document, as it is settled.
Explain = Callable[[Document, str], None]
PIPE_BATCH = 32  # records per task sent to a worker
T = TypeVar("T")

ALREADY = "already in the output folder"
TWICE = "same id twice in this run"


@dataclass
class RunReport:
    """What one `clean` run did: its statistics and how many files it wrote."""

    stats: Stats
    written: int = 0


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, max(1, size))):
        yield chunk


def read_dumps(
    inputs: list[str], out: Path, config: Config, stats: Stats, *,
    url: str | None = None, stdin: BinaryIO | None = None,
) -> Iterator[Document]:
    """The source stage of `clean`: every input file, folder or `-`, never the output folder.

    An exception while reading one input is that input's error; the next input goes on.
    """
    from scraper.sources.dumps import documents, read_input, walk_inputs

    for name in walk_inputs(inputs, exclude=out):
        yield from documents(name, read_input(name, config.clean, url=url, stdin=stdin), stats)


def read_store(root: str, stats: Stats) -> Iterator[Document]:
    """The source stage over a raw page store (`scraper fetch --store`): its HTML pages.

    Later pages of an article are served to the extract stage from the same store (see
    `scraper.parallel.Worker`), never from the network.
    """
    from scraper.errors import StoreError
    from scraper.fetch import PageStore

    if not (Path(root) / "index.jsonl").is_file():
        raise StoreError(root, "not a page store (no index.jsonl)")
    for result in PageStore(root):
        if "html" not in result.headers.get("content-type", "text/html"):
            stats.drop("read", "not an HTML page")
            continue
        stats.keep("read")
        yield Document(title=None, paragraphs=[], source=result.url,
                       url=result.final_url or result.url, extra={"html": result.body})


class Sink:
    """Everything after cleaning: known-work checks, one id once, dedup, write, explain."""

    def __init__(self, writer: CorpusWriter, seen: SeenKeys, stats: Stats,
                 explain: Explain | None) -> None:
        self.writer, self.seen, self.stats, self.explain = writer, seen, stats, explain
        self.written = 0
        self.dedup: Deduplicator | None = None  # when dedup is on
        self._claimed: dict[str, str] = {}  # canonical later-page URL -> its article's URL

    def _tell(self, doc: Document, where: str) -> None:
        if self.explain is not None:
            self.explain(doc, where)

    # -- before cleaning ---------------------------------------------------------------------------
    def fresh(self, docs: Iterable[Document]) -> Iterator[Record]:
        """Records whose work is not done yet; the others are dropped before any cleaning."""
        for doc in docs:
            key = record_key(doc)
            skipped = self.known_work(key, doc.url)
            if skipped is None:
                yield Record(key, doc.url, doc)
            else:
                self._tell(doc, f"{skipped} (skipped before cleaning)")

    def known_work(self, key: int | None, url: str | None) -> str | None:
        """Why the record of `key` (read with `url`) is skipped before cleaning (counted as a
        drop), or None when its work is still to do."""
        if key is None:
            return None
        if key in self.seen.now:
            self.stats.drop("read", TWICE)
            return TWICE
        # A URL's key is the id its document is written under (also by an older version).
        if key in self.seen.before or (url is not None and self.writer.known(f"{key:016x}")):
            self.stats.drop("read", ALREADY)
            return "already done by an earlier run"
        return None

    # -- after cleaning ----------------------------------------------------------------------------
    def link_pages(self, records: Iterable[Record]) -> Iterator[Record]:
        """A page that an earlier article of the run lists as one of its pages is not an article.

        Workers only see their own batch; this is the same check across the whole run.
        """
        for record in records:
            if record.url and self._claimed and canonical_url(record.url) in self._claimed:
                self.stats.drop("extract", "later page of an article in this run")
                continue
            pages = record.doc.extra.get("pages")
            if record.doc.url and isinstance(pages, list):
                for page in pages[1:]:
                    if isinstance(page, str):
                        self._claimed[canonical_url(page)] = record.doc.url
            yield record

    def commit(self, records: list[Record]) -> list[dict[str, Any]]:
        """Write one batch: each id once, dedup against the folder, then remember its keys.

        Returns the manifest entries written."""
        kept: dict[str, Record] = {}
        settled: list[Record] = []
        for record in records:
            doc = record.doc
            if not doc.paragraphs:
                self.stats.drop("clean", "nothing left after cleaning")
                self.stats.error(f"{doc.source}: nothing left after cleaning, not written")
                self._tell(doc, "(not written: nothing left after cleaning)")
                continue
            settled.append(record)
            earlier = kept.get(doc.id)
            if self.writer.known(doc.id) or earlier is not None:
                self._drop_repeat(record, earlier, kept)
            else:
                kept[doc.id] = record
        batch = list(kept.values())
        docs = [r.doc for r in batch]
        entries = (self.dedup.commit(docs, self.stats, [r.hashed for r in batch])
                   if self.dedup is not None
                   else self.writer.write_batch([(d, ()) for d in docs]))
        self.written += len(entries)
        self._explain_batch(batch, entries)
        # A write first waits for the batch in flight: the keys of the one before are safe to save.
        self.seen.save()
        self.seen.add(_keys(settled))
        return entries

    def finish(self) -> None:
        """Wait for the last batch to be on disk, then save its keys."""
        self.writer.settle()
        self.seen.save()

    def _drop_repeat(self, record: Record, earlier: Record | None, kept: dict[str, Record]) -> None:
        """`record`'s id is in the folder already, or `earlier` in this batch has it too."""
        doc = record.doc
        if earlier is None:
            self.stats.drop("write", TWICE if self.writer.written_here(doc.id) else ALREADY)
            entry = self.writer.entry_for_id(doc.id)
            self._tell(doc, f"already in {entry['file']}" if entry else ALREADY)
            return
        self.stats.drop("write", TWICE)
        loser = record
        if len(doc.body) > len(earlier.doc.body):  # of one id in a batch, keep the longest
            kept[doc.id], loser = record, earlier
        self._tell(loser.doc, TWICE)

    def _explain_batch(self, batch: list[Record], entries: list[dict[str, Any]]) -> None:
        if self.explain is None:
            return
        where: dict[str, str] = {}
        for entry in entries:
            where[str(entry["source"])] = str(entry["file"])
            for dup in entry.get("duplicates", []):
                where.setdefault(str(dup.get("source")), f"duplicate of {entry['file']}")
        for record in batch:
            doc = record.doc
            self._tell(doc, where.get(doc.source, "duplicate of a file already in the folder"))


def _keys(records: list[Record]) -> list[int]:
    """The keys a settled batch leaves: each record's, and each later page of its article."""
    keys: list[int] = []
    for record in records:
        if record.key is not None:
            keys.append(record.key)
        pages = record.doc.extra.get("pages")
        if isinstance(pages, list):
            keys.extend(k for p in pages[1:] if isinstance(p, str) and (k := url_key(p)))
    return keys


def corpus_windows(records: Iterable[Record], config: Config, stats: Stats) -> Iterator[Record]:
    """The corpus pass over consecutive windows of the run (bounded memory, same for any --jobs)."""
    from scraper.clean.corpus import CorpusPolicy, corpus_pass

    clean = config.clean
    if not clean.corpus_pass:
        yield from records
        return
    policy = CorpusPolicy(min_docs=clean.corpus_min_docs, min_share=clean.corpus_min_share,
                          max_chars=clean.corpus_max_chars, edge=clean.corpus_edge_lines)
    for window in chunked(records, clean.corpus_window):
        try:
            passed = corpus_pass([r.doc for r in window], policy)
        except Exception as exc:  # a bug must not lose the window: write it without the pass
            stats.exception(f"{window[0].doc.source}..{window[-1].doc.source}", "corpus pass", exc)
            passed = [r.doc for r in window]
        for record, doc in zip(window, passed, strict=True):
            yield Record(record.key, record.url, doc, record.hashed if doc is record.doc else None)


def run_clean(
    inputs: list[str], out: Path, config: Config, stats: Stats, *,
    url: str | None = None, stdin: BinaryIO | None = None, store: str | None = None,
    explain: Explain | None = None,
) -> RunReport:
    """read → extract (saved HTML) → clean → drop emptied → dedup → write, into `out`.

    With `store`, the pages of a raw page store are read too, offline: later pages of an
    article come from the store or not at all. Holds `out`'s writer lock (LockedError if taken).
    """
    from scraper.dask_engine import check_engine
    from scraper.dedup import Deduplicator
    from scraper.profiles import load_profiles

    check_engine(config)  # a wrong engine is a usage error before any work
    profiles = load_profiles(config.clean.profiles_dir)
    if config.clean.site:
        profiles.get(config.clean.site)  # an unknown --site is a usage error before any work
    with ExitStack() as stack:
        stack.enter_context(folder_lock(out, "scraper clean"))
        # A batch's files are written by a thread while the run makes the next batch.
        writer = CorpusWriter(out, background=True)
        stack.callback(writer.close)
        sink = Sink(writer, SeenKeys(out), stats, explain)
        if config.dedup.enabled:
            sink.dedup = stack.enter_context(Deduplicator(config.dedup, writer))
        jobs = config.clean.jobs or default_jobs()
        if jobs > 1 and store is None and config.engine.kind == "local" and (
            too_small_for_workers(inputs)
        ):
            jobs = 1  # workers would only add their start-up, about a second, to so small a run
        results: Iterable[tuple[list[Record], Stats]]
        # Files only, and no --explain (it shows each skipped record as read): the workers read
        # them. A progress display's `explain` sees only settled documents, so it may stay.
        workers_read = store is None and not config.clean.explain and "-" not in inputs
        if workers_read and config.engine.kind == "dask":
            from scraper.dask_engine import dask_read_clean

            results = dask_read_clean(inputs, out, config, sink, url=url, debug=stats.debug,
                                      workers=config.engine.workers or jobs)
        elif workers_read and config.engine.kind == "local" and jobs > 1:
            results = pool_read_clean(inputs, out, config, sink, jobs=jobs, url=url,
                                      debug=stats.debug)
        else:
            docs: Iterator[Document] = read_dumps(inputs, out, config, stats, url=url,
                                                  stdin=stdin)
            if store is not None:
                docs = itertools.chain(docs, read_store(store, stats))
            batches: Iterator[Batch] = chunked(sink.fresh(docs), PIPE_BATCH)
            results = process_batches(batches, config, jobs=jobs, store=store,
                                      debug=stats.debug)
        cleaned = _results(results, stats)
        passed = corpus_windows(sink.link_pages(cleaned), config, stats)
        for chunk in chunked(passed, config.write.batch_size):
            sink.commit(chunk)
        sink.finish()
    return RunReport(stats=stats, written=sink.written)


def _results(results: Iterable[tuple[list[Record], Stats]], stats: Stats) -> Iterator[Record]:
    for records, counted in results:
        stats.merge(counted)
        yield from records


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
    resumed: int = 0  # URLs an earlier run left unfinished, processed by this one


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
    on_event: OnEvent = _no_event, frontier: Frontier | None = None,
) -> CollectReport:
    """`scraper run`: every `[[sources]]` entry through the whole pipeline into `out`.

    Work goes in batches of `[run] batch_size` articles, the next ones fetched while one is
    processed (`scraper.flow`); `should_stop` is asked between batches (the batch in flight is
    finished and written). `on_event(event, **fields)` hears each URL's outcome: "discovered",
    "skipped", "fetched", "error", "kept", "dropped", "profile-miss" (see `scraper.report` for
    the fields).
    With `offline`, every page (sources included) comes from the store: the result equals a
    fresh run with the same rules, without the network. `frontier` is the run state of earlier
    runs (`scraper.state.State`): a URL it settled is not fetched again, and the URLs it left
    unfinished are processed too, from the page store when their page is there. Offline, it is
    not used: re-processing everything with the current rules is the point.
    """
    from scraper.fetch import BlockingFetcher, PageStore
    from scraper.fetch.limits import SOURCE_TYPES

    relevance = build_relevance(config, stats)
    page_store = PageStore(store) if store is not None else None
    report = CollectReport(stats)
    frontier = None if offline else frontier
    with ExitStack() as stack:
        stack.enter_context(folder_lock(out, "scraper run"))
        if store is not None and not offline:  # one writer per page store
            stack.enter_context(folder_lock(Path(store), "scraper run"))
        fetcher = stack.enter_context(BlockingFetcher(config.fetch, store=page_store,
                                                      offline=offline, accept=SOURCE_TYPES))
        stages = _Stages(config, out, fetcher.fetch_bytes, stats, relevance, on_event)
        seen: set[str] = set()
        found = collect_candidates(config, fetcher, relevance, stats, on_event, report, seen)
        if frontier is not None:
            found = itertools.chain(found, _counted(left_over(frontier, seen), report))
        settled = frontier.settled if frontier is not None else (lambda url: False)
        size = config.run.batch_size
        batches = _batches(found, stages.writer, settled, stats, on_event, size)
        fetch = store_first(fetcher.fetch_all, page_store, frontier)
        # Closed before the fetcher, whatever happens: its fetches in flight need the fetcher.
        fetched = stack.enter_context(closing(prefetched(
            batches, fetch, lookahead(config.fetch.concurrency, size))))
        for batch, results in fetched:
            if should_stop():
                report.stopped = True
                break
            stages.process(batch, results, report)
        stages.close()
    return report


def _counted(items: Iterable[Candidate], report: CollectReport) -> Iterator[Candidate]:
    for item in items:
        report.resumed += 1
        yield item


def collect_candidates(
    config: Config, fetcher: BlockingFetcher, relevance: Relevance | None, stats: Stats,
    on_event: OnEvent, report: CollectReport, seen: set[str] | None = None,
) -> Iterator[Candidate]:
    """Candidates of every source, each URL once (`seen` collects them), the obviously
    off-topic ones left out."""
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

    known = set() if seen is None else seen

    def admitted(item: Candidate) -> bool:
        report.discovered += 1
        on_event("discovered", url=item.url, source=item.source, title=item.title)
        if relevance is None or relevance.prescreen(item.title, item.url, item.summary) is not None:
            return True
        stats.drop("relevance", "off-topic by title and URL")
        on_event("dropped", url=item.url, host=urlsplit(item.url).hostname, stage="relevance",
                 reason="off-topic by title and URL", outcome="off-topic", relevance=0.0,
                 terms=[], title=item.title)
        return False

    def of_source(source: SourceConfig) -> Iterator[Candidate]:
        # A source is read whole before its first URL goes on: every URL it lists is then in
        # the frontier (the "discovered" event), so a run killed before it fetched them still
        # has them next time, whether or not the source lists them then.
        found = 0
        fresh: list[Candidate] = []
        for item in collector.candidates(source):
            found += 1
            if item.url not in known:
                known.add(item.url)
                if admitted(item):
                    fresh.append(item)
        on_event("source", url=source.url, kind=collector.kinds.get(source.url, source.kind),
                 found=found)
        yield from fresh

    # Sources in turn: a batch spans the sites, so their hosts are fetched at once.
    yield from round_robin([of_source(source) for source in config.sources])


def _batches(items: Iterable[Candidate], writer: CorpusWriter, settled: Callable[[str], bool],
             stats: Stats, on_event: OnEvent, size: int) -> Iterator[list[Candidate]]:
    """Bounded batches of candidates not already in the corpus nor settled by an earlier run."""
    batch: list[Candidate] = []
    for item in items:
        key = url_key(item.url)
        if key is not None and writer.known(f"{key:016x}"):
            stats.drop("write", "already in the output folder")
            on_event("skipped", url=item.url, reason="already in the output folder")
            continue
        if settled(item.url):
            stats.drop("fetch", "settled by an earlier run")
            on_event("skipped", url=item.url, reason="settled by an earlier run")
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
_SKIP_OUTCOMES = {"RobotsDisallowed": "robots-disallowed", "NotInStoreError": "not-fetched"}


class _Stages:
    """extract → clean → relevance → dedup → write for one batch of fetched pages at a time."""

    def __init__(self, config: Config, out: Path, fetch: FetchPage, stats: Stats,
                 relevance: Relevance | None, on_event: OnEvent) -> None:
        from scraper.clean import Cleaner
        from scraper.dedup import Deduplicator
        from scraper.extract import ExtractStep
        from scraper.profiles import load_profiles

        profiles = load_profiles(config.clean.profiles_dir)
        self.writer = CorpusWriter(out)
        self.extract = ExtractStep(config.extract, profiles, fetch=fetch, site=config.clean.site)
        # The corpus pass learns from a whole run; over batches it would depend on the order
        # pages arrive in, and an offline re-run must give the same corpus.
        self.cleaner = Cleaner(dataclasses.replace(config.clean, corpus_pass=False), profiles)
        self.relevance, self.on_event = relevance, on_event
        self.dedup = Deduplicator(config.dedup, self.writer)
        self.sink = Sink(self.writer, SeenKeys(out), stats, explain=None)
        if config.dedup.enabled:
            self.sink.dedup = self.dedup

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
                self._drop(item.url, "fetch", skip, _SKIP_OUTCOMES[result.error or ""])
                continue
            if not result.ok:
                stats.error(f"{item.url}: {result.reason}")
                self.on_event("error", url=item.url, host=host, error=result.error,
                              reason=result.reason)
                continue
            report.fetched += 1
            report.not_modified += result.not_modified
            self.on_event("fetched", url=item.url, host=host, status=result.status,
                          not_modified=result.not_modified)
            if "html" not in result.headers.get("content-type", "text/html"):
                stats.drop("read", "not an HTML page")
                self._drop(item.url, "read", "not an HTML page", "not-article")
                continue
            docs.append(Document(title=None, paragraphs=[], source=item.url,
                                 url=result.final_url or item.url,
                                 extra={"html": result.body}))
        cleaned = self.cleaner.run(self._articles(docs, stats), stats)
        if self.relevance is not None:
            cleaned = self.relevance.run(cleaned, stats, self._off_topic)
        kept = [Record(url_key(doc.url) if doc.url else None, doc.url, doc) for doc in cleaned]
        written = self.sink.commit(kept)
        report.written += len(written)
        files = {str(e["url"]): e for e in written}
        source_of = {item.url: item.source for item in batch}
        for doc in (record.doc for record in kept):
            if doc.profile_miss:
                site, _, rule = doc.profile_miss.partition(":")
                self.on_event("profile-miss", url=doc.source, site=site, reason=rule)
            entry = files.get(str(doc.url))
            if entry is None:
                if doc.paragraphs:
                    self._drop(doc.source, "dedup", "duplicate", "duplicate")
                else:
                    self._drop(doc.source, "clean", "nothing left after cleaning", "not-article")
                continue
            self.on_event("kept", url=doc.source, host=urlsplit(doc.source).hostname,
                          source=source_of.get(doc.source), file=entry["file"],
                          relevance=doc.extra.get("relevance"), terms=doc.extra.get("terms"),
                          title=doc.title)

    def _articles(self, pages: list[Document], stats: Stats) -> Iterator[Document]:
        """The articles of the fetched pages. A page that gives none gets its verdict here: a
        later page of an article, or not an article (with the reason extraction counted); an
        exception is that page's error, never the run's end."""
        for page in pages:
            counted = stats.dropped.copy()
            try:
                articles = list(self.extract.run([page], stats))
            except Exception as exc:
                stats.exception(page.source, "extract", exc)
                self.on_event("error", url=page.source, host=urlsplit(page.source).hostname,
                              error=type(exc).__name__, reason=f"extract failed: {exc}")
                continue
            if not articles:
                reason = next(iter(stats.dropped - counted), ("extract", "not an article"))[1]
                self._drop(page.source, "extract", reason, "not-article")
            yield from articles

    def _off_topic(self, doc: Document, score: Score, reason: str) -> None:
        self.on_event("dropped", url=doc.source, host=urlsplit(doc.source).hostname,
                      stage="relevance", reason=reason, outcome="off-topic",
                      relevance=score.score, terms=list(score.terms[:10]), title=doc.title,
                      example=score.example)

    def _drop(self, url: str, stage: str, reason: str, outcome: str | None = None) -> None:
        self.on_event("dropped", url=url, host=urlsplit(url).hostname, stage=stage,
                      reason=reason, outcome=outcome)

    def close(self) -> None:
        self.dedup.close()
