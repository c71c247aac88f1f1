"""Typed configuration: defaults < config file (TOML) < command-line flags.

Each `[table]` of the config file maps to one frozen dataclass below. Unknown tables or keys and
values of the wrong type are errors that name the file and the key.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from scraper.errors import ConfigError

DEFAULT_MAX_INPUT_BYTES = 50 * 1024 * 1024
DEFAULT_USER_AGENT = "scraper-news-bot/0.1 (+https://example.org/scraper-bot)"
DEFAULT_FETCH_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_HOST_DELAY = 300.0


@dataclass(frozen=True)
class CleanConfig:
    site: str | None = None
    explain: bool = False
    max_bytes: int = DEFAULT_MAX_INPUT_BYTES
    title_field: str | None = None
    text_field: str | None = None
    url_field: str | None = None
    # The corpus pass learns chrome lines that recur across one site's documents in a run.
    corpus_pass: bool = True
    corpus_min_docs: int = 4
    corpus_min_share: float = 0.6
    # Only short lines near the top or bottom of a document can be learned as chrome.
    corpus_max_chars: int = 120
    corpus_edge_lines: int = 4
    # The corpus pass learns from windows of this many documents (in input order), so that its
    # memory stays flat however long the run; a run shorter than a window is one window.
    corpus_window: int = 5000
    profiles_dir: str | None = None
    # The lead's dateline ("JAKARTA - "): "keep" leaves it in the text (and the manifest names
    # it), "manifest" moves it out of the text into the manifest only.
    dateline: str = "keep"
    # Processes that read, extract and clean (0: one per CPU core). Output is the same for any N.
    jobs: int = 0


@dataclass(frozen=True)
class DedupConfig:
    enabled: bool = True
    num_perm: int = 128
    bands: int = 16
    rows: int = 8
    threshold: float = 0.8
    containment: float = 0.8
    shingle_size: int = 5
    short_shingle_size: int = 3
    short_doc_words: int = 50
    # The MinHash library: "rensa" (datasketch was dropped: rensa does all the work).
    backend: str = "rensa"
    seed: int = 1
    # Containment index: every shingle hash divisible by this is indexed (1 in 8 by default).
    containment_sample: int = 8
    # A pair whose sampled containment reaches this is verified exactly (a low bar, for recall).
    containment_candidate: float = 0.5
    # Sampled hashes found in more than this many indexed documents (boilerplate, stock phrases)
    # are ignored when looking for containment candidates; without a cap each lookup returned
    # nearly every earlier document. Kept documents are not duplicates of each other, so a real
    # article's shingles rarely reach it. 0: no cap.
    containment_max_df: int = 100
    # The keys of new documents are saved (one blob per kind) once this many are waiting; 1: at
    # every batch. A killed run re-reads the files of the documents whose keys were not saved.
    index_buffer_docs: int = 1
    # The SQLite file (documents, not keys) is read through a memory map of up to this size.
    # 0: no map. The pages a map has read count in the process's RSS, which then grows with
    # the index file (rows and saved keys: ~0.8 KB a document); without one, reads go through
    # SQLite's small page cache and the OS file cache, at no measured cost in speed.
    index_mmap_mb: int = 0


@dataclass(frozen=True)
class FetchConfig:
    user_agent: str = DEFAULT_USER_AGENT
    per_host_concurrency: int = 1
    concurrency: int = 16
    delay: float = 1.0
    max_attempts: int = 3
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    # The most one page may take from sending the request to its last byte.
    page_timeout: float = 120.0
    max_bytes: int = DEFAULT_FETCH_MAX_BYTES
    max_redirects: int = 5
    respect_robots: bool = True
    allow_private_networks: bool | list[str] = False
    retry_after_cap: float = 120.0
    store: str | None = None
    # The first retry waits about this long (then doubling, plus jitter); also the least
    # delay a 429/503 back-off sets.
    backoff_base: float = 1.0
    # A 429/503 back-off never spaces one host's requests further apart than this; successes
    # then bring the delay back down to `delay` (or the robots.txt Crawl-delay).
    max_delay: float = DEFAULT_MAX_HOST_DELAY
    # "httpx" (httpx's own pool, HTTP/2 via ALPN where the server offers it) or "aiohttp"
    # (HTTP/1.1 only, about a third of the CPU per request: for fast, less polite bulk runs).
    backend: str = "httpx"


@dataclass(frozen=True)
class ExtractConfig:
    # trafilatura settings for pages without a profile; chosen by measurement on AEB.
    favor_precision: bool = False
    fast: bool = True
    follow_pagination: bool = True
    max_pages: int = 20
    # A page with fewer words of article text is "no article text", not a document.
    min_words: int = 10
    # A page without article JSON-LD whose extracted text is at least this share link text
    # (headlines pointing elsewhere) is an index or listing page, unless prose remains once
    # the link lines are dropped.
    max_link_share: float = 0.5
    # A page whose elements nest deeper than this is refused before it is parsed: parsers take
    # quadratic time in the depth, and real pages nest a few dozen levels.
    max_depth: int = 2000


# Chosen on the labelled test web, two topics, seeded with one example up to all of them
# (bench/bench_relevance.py, docs/relevance.md): every off-topic article scored at most 0.37
# and every on-topic one at least 0.53; this is the midpoint.
DEFAULT_RELEVANCE_THRESHOLD = 0.45


@dataclass(frozen=True)
class RelevanceConfig:
    # Folders or files of example articles, in any input `scraper clean` reads. Empty: no
    # relevance stage, every article is kept.
    like: list[str] = field(default_factory=list)
    # Counter-examples: an article closer to one of these than to any example is dropped.
    unlike: list[str] = field(default_factory=list)
    threshold: float = DEFAULT_RELEVANCE_THRESHOLD
    # Distinct key terms of the examples an article must share for a full score (names count
    # double); with fewer the score shrinks in proportion.
    min_terms: int = 4
    # Skip fetching items whose title, URL and summary share nothing with the examples.
    prefilter: bool = True
    # A TOML file of extra aliases ([aliases] canonical = ["variant", ...]).
    aliases: str | None = None
    # How many terms a search source's query is built from (`scraper query`).
    query_terms: int = 3


@dataclass(frozen=True)
class SourceConfig:
    url: str = ""
    # "feed", "sitemap", "listing", "page", "search" or "auto" (the fetched content decides).
    kind: str = "auto"
    # listing: a regex an article link must match (default: the URL looks like an article).
    link_pattern: str | None = None
    max_pages: int = 5  # listing: pages of pagination followed
    depth: int = 1  # page: levels of related-article links followed
    query: str | None = None  # search: the words put in {query}; default from the examples
    max_age_days: float | None = None  # skip items dated earlier (undated items are kept)
    max_articles: int | None = None  # at most this many article URLs from this source
    same_site: bool = True  # only article URLs on the source's own site


@dataclass(frozen=True)
class RunConfig:
    out: str | None = None  # the corpus folder (`-o` overrides)
    store: str | None = None  # the page store (`--store` overrides)
    # Articles fetched and processed together: memory is bounded by a batch, not by the run.
    batch_size: int = 32


@dataclass(frozen=True)
class WriteConfig:
    # Documents per group commit: their files and manifest lines cost one fsync together.
    # A crash redoes at most the last batch.
    batch_size: int = 256


ENGINE_KINDS = ("local", "dask")


@dataclass(frozen=True)
class EngineConfig:
    # Where extract + clean run: "local" (a process pool of `[clean] jobs`) or "dask" (a Dask
    # cluster; the corpus pass, dedup and writes stay in this process, so the corpus is the same).
    kind: str = "local"
    # The Dask scheduler, "tcp://host:8786"; none: start a LocalCluster on this machine.
    address: str | None = None
    # Worker processes of that LocalCluster (0: `[clean] jobs`, or one per CPU core).
    workers: int = 0


@dataclass(frozen=True)
class Config:
    clean: CleanConfig = field(default_factory=CleanConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    extract: ExtractConfig = field(default_factory=ExtractConfig)
    relevance: RelevanceConfig = field(default_factory=RelevanceConfig)
    run: RunConfig = field(default_factory=RunConfig)
    sources: list[SourceConfig] = field(default_factory=list)
    write: WriteConfig = field(default_factory=WriteConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)


T = TypeVar("T")


def _type_ok(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, arg) for arg in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if origin is list:
        (item,) = typing.get_args(hint)
        return isinstance(value, list) and all(_type_ok(v, item) for v in value)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def build_section(cls: type[T], values: dict[str, Any], where: str) -> T:
    """Make a section dataclass from a dict, checking every key and its type."""
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for key, value in values.items():
        if key not in known:
            raise ConfigError(where, f"unknown key {key!r} (known: {', '.join(sorted(known))})")
        if not _type_ok(value, hints[key]):
            raise ConfigError(where, f"key {key!r} has the wrong type: {value!r}")
    floats = {k: float(v) for k, v in values.items() if hints[k] is float}
    return cls(**{**values, **floats})


def load_config(path: str | Path | None) -> Config:
    """Defaults, overlaid with the TOML file at `path` when given."""
    if path is None:
        return Config()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read config file ({exc.strerror})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), f"not valid TOML ({exc})") from exc
    sections: dict[str, Any] = {}
    hints = typing.get_type_hints(Config)
    for name, table in data.items():
        if name not in hints:
            raise ConfigError(str(path), f"unknown table [{name}] (known: {', '.join(hints)})")
        if name == "sources":
            sections[name] = _sources(table, path)
            continue
        if not isinstance(table, dict):
            raise ConfigError(str(path), f"[{name}] must be a table")
        sections[name] = build_section(hints[name], table, f"{path} [{name}]")
    return Config(**sections)


def _sources(tables: Any, path: Path) -> list[SourceConfig]:
    """The `[[sources]]` array: each table needs a `url`."""
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(str(path), "[[sources]] must be an array of tables")
    out = []
    for number, table in enumerate(tables, start=1):
        where = f"{path} [[sources]] #{number}"
        source = build_section(SourceConfig, table, where)
        if not source.url:
            raise ConfigError(where, "needs a url")
        if source.kind not in SOURCE_KINDS:
            known = ", ".join(SOURCE_KINDS)
            raise ConfigError(where, f"kind {source.kind!r} is not one of {known}")
        out.append(source)
    return out


SOURCE_KINDS = ("auto", "feed", "sitemap", "listing", "page", "search")


def override(config: Config, section: str, **flags: Any) -> Config:
    """Apply command-line flags to one section; flags left as None keep the lower layer."""
    given = {k: v for k, v in flags.items() if v is not None}
    if not given:
        return config
    current = getattr(config, section)
    merged = build_section(type(current), {**dataclasses.asdict(current), **given}, f"--{section}")
    return dataclasses.replace(config, **{section: merged})
