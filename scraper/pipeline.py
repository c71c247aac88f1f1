"""The wiring of the stages for `scraper clean`, streaming in bounded batches.

    read ─► skip known work ─► [extract ─► clean] in a process pool ─► link later pages
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
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from scraper.config import Config
from scraper.document import Document, canonical_url
from scraper.known import SeenKeys, record_key, url_key
from scraper.lock import folder_lock
from scraper.parallel import Batch, Record, default_jobs, process_batches
from scraper.stats import Stats
from scraper.write import CorpusWriter

if TYPE_CHECKING:
    from scraper.dedup import Deduplicator

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
    from scraper.sources.dumps import read_input, walk_inputs

    for name in walk_inputs(inputs, exclude=out):
        try:
            for item in read_input(name, config.clean, url=url, stdin=stdin):
                if item.error is not None:
                    stats.error(str(item.error))
                elif item.doc is not None:
                    stats.keep("read")
                    yield item.doc
        except Exception as exc:
            stats.exception(name, "read", exc)


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
            if key is not None and key in self.seen.now:
                self.stats.drop("read", TWICE)
                self._tell(doc, f"{TWICE} (skipped before cleaning)")
            elif key is not None and self._done_before(key, doc):
                self.stats.drop("read", ALREADY)
                self._tell(doc, "already done by an earlier run (skipped before cleaning)")
            else:
                yield Record(key, doc.url, doc)

    def _done_before(self, key: int, doc: Document) -> bool:
        # A URL's key is the id its document is written under (also by an older version).
        return key in self.seen.before or (doc.url is not None and self.writer.known(f"{key:016x}"))

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

    def commit(self, records: list[Record]) -> None:
        """Write one batch: each id once, dedup against the folder, then remember its keys."""
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
        entries = (self.dedup.commit(docs, self.stats) if self.dedup is not None
                   else self.writer.write_batch([(d, ()) for d in docs]))
        self.written += len(entries)
        self._explain_batch(batch, entries)
        self.seen.add(_keys(settled))

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
            yield Record(record.key, record.url, doc)


def run_clean(
    inputs: list[str], out: Path, config: Config, stats: Stats, *,
    url: str | None = None, stdin: BinaryIO | None = None, store: str | None = None,
    explain: Explain | None = None,
) -> RunReport:
    """read → extract (saved HTML) → clean → drop emptied → dedup → write, into `out`.

    With `store`, the pages of a raw page store are read too, offline: later pages of an
    article come from the store or not at all. Holds `out`'s writer lock (LockedError if taken).
    """
    from scraper.dedup import Deduplicator
    from scraper.profiles import load_profiles

    profiles = load_profiles(config.clean.profiles_dir)
    if config.clean.site:
        profiles.get(config.clean.site)  # an unknown --site is a usage error before any work
    with ExitStack() as stack:
        stack.enter_context(folder_lock(out, "scraper clean"))
        writer = CorpusWriter(out)
        sink = Sink(writer, SeenKeys(out), stats, explain)
        if config.dedup.enabled:
            sink.dedup = stack.enter_context(Deduplicator(config.dedup, writer))
        docs: Iterator[Document] = read_dumps(inputs, out, config, stats, url=url, stdin=stdin)
        if store is not None:
            docs = itertools.chain(docs, read_store(store, stats))
        batches: Iterator[Batch] = chunked(sink.fresh(docs), PIPE_BATCH)
        jobs = config.clean.jobs or default_jobs()
        cleaned = _results(process_batches(batches, config, jobs=jobs, store=store,
                                           debug=stats.debug), stats)
        passed = corpus_windows(sink.link_pages(cleaned), config, stats)
        for chunk in chunked(passed, config.write.batch_size):
            sink.commit(chunk)
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
