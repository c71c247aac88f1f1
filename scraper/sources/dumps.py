"""Read existing dumps into Documents: seed-format or plain `.txt`, `.jsonl`, `.csv`, saved HTML.

Each bad input or record becomes one `InputError` (reported by the caller) and the rest go on.
HTML pages are not parsed here: they travel as `doc.extra["html"]` to the extract stage.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from scraper.charset import decode_text
from scraper.config import CleanConfig
from scraper.dates import parse_date
from scraper.document import Document, normalize_line, parse_dump, scrub, split_lines
from scraper.errors import (
    BinaryInputError,
    EmptyInputError,
    InputError,
    MalformedRecordError,
    OversizedInputError,
    ScraperError,
)
from scraper.sources.compression import gunzip
from scraper.stats import Stats

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz", ".xhtml")
RECORD_SUFFIXES = (".jsonl", ".ndjson", ".csv")
SUPPORTED = TEXT_SUFFIXES + HTML_SUFFIXES + RECORD_SUFFIXES
# UTF-16 and UTF-32 pages hold NUL bytes and are still text; they start with a byte order mark.
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

# Field names that exports of other scrapers use, in order of preference.
FIELD_NAMES: Mapping[str, tuple[str, ...]] = {
    "title": ("title", "judul", "headline"),
    "text": ("text", "content", "isi", "body", "isi_berita", "article", "articlebody"),
    "url": ("url", "link", "source_url", "canonical_url"),
    "date": ("date", "tanggal", "published", "published_at", "date_published", "datepublished"),
    "author": ("author", "penulis", "reporter", "byline"),
}


@dataclass(frozen=True)
class Item:
    """One result of reading: a Document, or the error that stopped one input or record."""

    doc: Document | None = None
    error: ScraperError | None = None


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in sorted(SUPPORTED, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def walk_inputs(inputs: list[str], exclude: Path | None = None) -> Iterator[str]:
    """Expand folders (recursively, sorted, hidden entries and `exclude` skipped) into files."""
    skip = exclude.resolve() if exclude else None
    for name in inputs:
        path = Path(name)
        if name == "-" or not path.is_dir():
            yield name
            continue
        for found in sorted(path.rglob("*")):
            relative = found.relative_to(path).parts
            if any(part.startswith(".") for part in relative) or not found.is_file():
                continue
            if skip and (found.resolve() == skip or skip in found.resolve().parents):
                continue
            if _suffix(found) in SUPPORTED:
                yield str(found)


def _read_bytes(name: str, max_bytes: int, stdin: BinaryIO | None) -> bytes:
    if name == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(max_bytes + 1)
    else:
        try:
            with open(name, "rb") as stream:
                if os.fstat(stream.fileno()).st_size > max_bytes:
                    raise OversizedInputError(name, f"larger than --max-bytes ({max_bytes} bytes)")
                # Devices and pipes report a size of 0 (/dev/zero never ends): the limit is
                # enforced by the read itself, which stops one byte past it.
                data = stream.read(max_bytes + 1)
        except FileNotFoundError:
            raise InputError(name, "no such file or folder") from None
        except OSError as exc:
            raise InputError(name, f"cannot read ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise OversizedInputError(name, f"larger than --max-bytes ({max_bytes} bytes)")
    if not data.strip():
        raise EmptyInputError(name, "empty input")
    return data


def read_input(
    name: str,
    config: CleanConfig,
    *,
    url: str | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[Item]:
    """Yield the documents of one input (a file path or `-`), or the errors met reading it."""
    if name != "-" and _suffix(Path(name)) in (".jsonl", ".ndjson"):
        yield from _jsonl_file(name, config)
        return
    try:
        data = _read_bytes(name, config.max_bytes, stdin)
        suffix = _suffix(Path(name)) if name != "-" else _sniff(data)
        if suffix in HTML_SUFFIXES:
            raw = gunzip(data, name, config.max_bytes) if suffix.endswith(".gz") else data
            if b"\x00" in raw and not raw.startswith(_WIDE_BOMS):
                raise BinaryInputError(name, "binary data (NUL bytes), not an HTML page")
            yield Item(doc=Document(title=None, paragraphs=[], source=name, url=url,
                                    extra={"html": raw}))
            return
        text = decode_text(data, name)
    except ScraperError as exc:
        yield Item(error=exc)
        return
    if suffix in (".jsonl", ".ndjson"):
        yield from _jsonl_records(text, name, config)
    elif suffix == ".csv":
        yield from _csv_records(text, name, config)
    else:
        doc = parse_dump(text, source=name)
        doc.url = url
        yield Item(doc=doc)


def _sniff(data: bytes) -> str:
    """Guess the format of stdin: JSON lines, HTML, or text."""
    head = data.lstrip()[:512].lower()
    if head.startswith(b"{"):
        return ".jsonl"
    if head.startswith((b"<!doctype html", b"<html")):
        return ".html"
    return ".txt"


def _pick(record: Mapping[str, Any], field: str, forced: str | None) -> Any:
    lowered = {str(k).lower(): v for k, v in record.items()}
    if forced is not None:  # field names are case-insensitive, named or detected
        return lowered.get(forced.lower())
    for candidate in FIELD_NAMES[field]:
        value = lowered.get(candidate)
        if value not in (None, ""):
            return value
    return None


def _field(value: Any) -> str | None:
    """A record's field as text: a string, a number, or a list of strings (several authors).
    Nested objects are no article field, and are not walked (they may be nested very deep)."""
    if isinstance(value, list):
        value = ", ".join(v for v in value if isinstance(v, str))
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return scrub(str(value)).strip() or None


def _looked_for(config: CleanConfig) -> str:
    return f"looked for {config.text_field or '/'.join(FIELD_NAMES['text'])}"


def _names(fields: Iterable[Any], most: int = 12) -> str:
    """Field names for a message: the first `most`, each cut short, or "none"."""
    names = [repr(str(name)[:40]) for name in itertools.islice(fields, most + 1)]
    if len(names) > most:
        names[most:] = ["..."]
    return ", ".join(names) or "none"


def record_to_document(record: Mapping[str, Any], source: str, config: CleanConfig) -> Document:
    """One JSONL/CSV record to a Document, detecting the common field names."""
    text = _pick(record, "text", config.text_field)
    if not isinstance(text, str) or not text.strip():
        reason = f"no text in the record ({_looked_for(config)}; its fields: {_names(record)})"
        raise MalformedRecordError(source, reason)
    title = _field(_pick(record, "title", config.title_field))
    raw_date = _field(_pick(record, "date", None))
    author = _field(_pick(record, "author", None))
    paragraphs = [p for p in (normalize_line(line) for line in split_lines(text)) if p]
    doc = Document(
        title=normalize_line(title) or None if title else None,
        paragraphs=paragraphs,
        url=_field(_pick(record, "url", config.url_field)),
        source=source,
        date=parse_date(raw_date) if raw_date else None,
        author=normalize_line(author) or None if author else None,
    )
    if raw_date and doc.date is None:
        doc.extra["raw_date"] = raw_date
    return doc


def _jsonl_records(text: str, name: str, config: CleanConfig) -> Iterator[Item]:
    lines = enumerate(split_lines(text), start=1)
    yield from _jsonl_items(((n, line, None) for n, line in lines), name, config)


def _jsonl_file(name: str, config: CleanConfig) -> Iterator[Item]:
    """A JSONL file, streamed a line at a time: a dump of any size takes the memory of one
    record. `--max-bytes` applies to each line, not to the file."""
    yield from jsonl_range(name, config, JsonlRange())


@dataclass(frozen=True)
class JsonlRange:
    """The lines of a JSONL file that start in bytes [start, end) (end None: to the end of the
    file), and where they are in the whole file: the number of their first line, the index of
    their first record, and whether they are the file's last lines (an empty file's error)."""

    start: int = 0
    end: int | None = None
    first_line: int = 1
    first_index: int = 0
    last: bool = True


def jsonl_range(name: str, config: CleanConfig, part: JsonlRange) -> Iterator[Item]:
    """The records of one range of a JSONL file, named as reading the whole file names them."""
    try:
        with open(name, "rb") as stream:
            _seek_line(stream, part.start)
            lines = _file_lines(stream, name, config.max_bytes, part.first_line, part.end)
            yield from _jsonl_items(lines, name, config, part.first_index, part.last)
    except FileNotFoundError:
        yield Item(error=InputError(name, "no such file or folder"))
    except OSError as exc:
        yield Item(error=InputError(name, f"cannot read ({exc.strerror})"))


def count_range(name: str, config: CleanConfig, part: JsonlRange) -> tuple[int, int]:
    """How many lines and records `jsonl_range` finds in `part`, without parsing any JSON. A
    file that cannot be read counts nothing: reading it reports why."""
    lines = records = 0
    try:
        with open(name, "rb") as stream:
            _seek_line(stream, part.start)
            # Only line 1 is special (its BOM), so any other number stands for a later line.
            first = 1 if part.start == 0 else 2
            for _, text, problem in _file_lines(stream, name, config.max_bytes, first, part.end):
                lines += 1
                records += problem is not None or bool(text.strip())
    except OSError:
        return 0, 0
    return lines, records


def _seek_line(stream: BinaryIO, start: int) -> None:
    """Go to the first line that starts at or after byte `start`."""
    if start > 0:
        stream.seek(start - 1)
        stream.readline()  # the line that holds byte start - 1, up to its end


def _file_lines(
    stream: BinaryIO, name: str, max_bytes: int, first_line: int = 1, end: int | None = None
) -> Iterator[tuple[int, str, ScraperError | None]]:
    """(line number, text, error) of each line that starts before `end`; an over-long or
    undecodable line is its error."""
    for line_no in itertools.count(first_line):
        if end is not None and stream.tell() >= end:
            return
        raw = stream.readline(max_bytes + 1)
        if not raw:
            return
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            stream.readline()  # the rest of the over-long line, up to its end
            reason = f"line {line_no} is larger than --max-bytes ({max_bytes} bytes)"
            yield line_no, "", OversizedInputError(name, reason)
            continue
        raw = raw.removesuffix(b"\n").removesuffix(b"\r")
        if line_no == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            yield line_no, decode_text(raw, name), None
        except ScraperError as exc:
            yield line_no, "", exc


def record_name(name: str, index: int) -> str:
    """How a record is named in lines and the manifest: its file and its index in the file."""
    return f"{name}#{index}"


def _jsonl_items(
    lines: Iterable[tuple[int, str, ScraperError | None]], name: str, config: CleanConfig,
    first_index: int = 0, last: bool = True,
) -> Iterator[Item]:
    index = first_index
    for line_no, line, problem in lines:
        if problem is None and not line.strip():
            continue
        source = record_name(name, index)
        index += 1
        if problem is not None:
            yield Item(error=problem)
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as exc:
            reason = f"malformed JSON on line {line_no} ({_json_problem(exc)})"
            yield Item(error=MalformedRecordError(source, reason))
            continue
        if not isinstance(record, dict):
            yield Item(error=MalformedRecordError(source, f"line {line_no} is not a JSON object"))
            continue
        yield _record_item(record, source, config)
    if last and index == 0:
        yield Item(error=EmptyInputError(name, "empty input"))


def _json_problem(exc: ValueError | RecursionError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        # json's messages such as "Unterminated string starting at" expect the position next.
        return f"{exc.msg.removesuffix(' at')} at column {exc.colno}"
    if isinstance(exc, RecursionError):
        return "nested too deep"
    return f"a number longer than {sys.get_int_max_str_digits()} digits"


def _record_item(record: Mapping[str, Any], source: str, config: CleanConfig) -> Item:
    try:
        return Item(doc=record_to_document(record, source, config))
    except ScraperError as exc:
        return Item(error=exc)


def _csv_records(text: str, name: str, config: CleanConfig) -> Iterator[Item]:
    csv.field_size_limit(max(config.max_bytes, 1 << 20))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        yield Item(error=MalformedRecordError(name, f"no CSV header ({exc})"))
        return
    if _pick(dict.fromkeys(header, "x"), "text", config.text_field) is None:
        reason = f"no text column ({_looked_for(config)}; the header has: {_names(header)})"
        yield Item(error=MalformedRecordError(name, reason))
        return
    index = 0
    while True:
        source = record_name(name, index)
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Item(error=MalformedRecordError(source, f"malformed CSV row ({exc})"))
            return  # the reader cannot resynchronise after a broken quote
        if not any(cell.strip() for cell in row):
            continue
        index += 1
        if len(row) != len(header):
            reason = f"CSV row has {len(row)} fields, the header has {len(header)}"
            yield Item(error=MalformedRecordError(source, reason))
            continue
        yield _record_item(dict(zip(header, row, strict=True)), source, config)


def documents(name: str, items: Iterable[Item], stats: Stats) -> Iterator[Document]:
    """The documents of one input's `items`; its errors go to `stats`, in order. An exception
    while reading is that input's error, and ends that input only."""
    try:
        for item in items:
            if item.error is not None:
                stats.error(str(item.error))
            elif item.doc is not None:
                stats.keep("read")
                yield item.doc
    except Exception as exc:
        stats.exception(name, "read", exc)
