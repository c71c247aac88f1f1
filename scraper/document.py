"""`Document`, the one type passed between pipeline stages, and the seed format.

The seed format (see README "Output format"):
  * UTF-8, NFC; LF line ends; no trailing spaces; no newline at the end of the file.
  * Line 1 is the title (an empty line when the article has none), then one blank line, then the
    paragraphs, separated by exactly one blank line. No empty paragraphs.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url

from scraper.files import atomic_write_text

# Spaces that browsers render like a space but that break tokenising and equality checks.
_SPACE_LIKE = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Invisible characters that scraped text carries from HTML (zero-width, BOM, soft hyphen).
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACE_RUN = re.compile(r" {2,}")
# Lone surrogates (JSON escapes such as \ud800 make them) are code points UTF-8 cannot encode.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Anything `normalize_line` changes besides the ends (and an NFC check): one of the above.
_TO_NORMALIZE = re.compile(
    "[\t\u00a0\u1680\u2000-\u200d\u202f\u205f\u2060\u3000\ufeff\u00ad\ud800-\udfff]|  "
)
# A short first line that does not end a sentence is taken as a title in a plain dump.
TITLE_MAX_CHARS = 250


@dataclass(frozen=True, slots=True)
class Removal:
    """One piece of text that a cleaning rule removed, for the manifest and `--explain`."""

    rule: str
    text: str

    def __reduce__(self) -> tuple[type[Removal], tuple[str, str]]:
        # A slotted dataclass pickles field by field in Python; one tuple is far cheaper, and
        # every cleaned document crosses a process boundary with its removals.
        return Removal, (self.rule, self.text)


@dataclass(slots=True)
class Document:
    """An article on its way through the pipeline.

    `source` names where it came from: a path, `path#N` for the N-th record of a dump, or a URL.
    `removed` records every line or segment the cleaner dropped and the rule that dropped it.
    `profile_miss` names the profile rule that missed when the generic extractor stood in.
    """

    title: str | None
    paragraphs: list[str]
    url: str | None = None
    source: str = "-"
    site: str | None = None
    date: str | None = None
    author: str | None = None
    removed: list[Removal] = field(default_factory=list)
    extra: dict[str, object] = field(default_factory=dict)
    # "<profile>:<rule>" when the site profile's selectors missed the article and the generic
    # extractor read the page instead (scraper.extract.miss).
    profile_miss: str | None = None
    # The id hashes the whole normalised body; stages ask for it often, so it is kept until the
    # URL or a paragraph changes.
    _id_key: tuple[str | None, tuple[str, ...]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _id: str = field(default="", init=False, repr=False, compare=False)

    def __reduce__(self) -> tuple[Callable[..., Document], tuple[object, ...]]:
        """Pickled as one tuple of its fields (see `Removal.__reduce__`), with its id."""
        return _restore_document, (
            self.title, self.paragraphs, self.url, self.source, self.site, self.date,
            self.author, self.removed, self.extra, self.profile_miss, self._id_key, self._id,
        )

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def id(self) -> str:
        key = (self.url, tuple(self.paragraphs))
        if key != self._id_key:
            self._id_key, self._id = key, document_id(self.url, self.body)
        return self._id

    def to_seed(self) -> str:
        return format_seed(self.title, self.paragraphs)


def _restore_document(
    title: str | None, paragraphs: list[str], url: str | None, source: str, site: str | None,
    date: str | None, author: str | None, removed: list[Removal], extra: dict[str, object],
    profile_miss: str | None, id_key: tuple[str | None, tuple[str, ...]] | None, doc_id: str,
) -> Document:
    doc = Document(title, paragraphs, url, source, site, date, author, removed, extra,
                   profile_miss)
    doc._id_key, doc._id = id_key, doc_id
    return doc


def scrub(text: str) -> str:
    """`text` with every code point that UTF-8 cannot encode replaced by U+FFFD, so that it can
    always be hashed and written. Readers apply it to every string they take from input."""
    return _SURROGATE.sub("\ufffd", text)


def normalize_line(text: str) -> str:
    """NFC, space-like characters to one space, invisible characters dropped, ends trimmed."""
    # Fast paths: most lines have nothing to change but their ends. An ASCII line can only
    # hold a tab or a run of spaces; any other line is checked with one scan.
    if text.isascii():
        if "\t" not in text and "  " not in text:
            return text.strip()
    elif _TO_NORMALIZE.search(text) is None and unicodedata.is_normalized("NFC", text):
        return text.strip()
    text = unicodedata.normalize("NFC", scrub(text))
    text = _INVISIBLE.sub("", _SPACE_LIKE.sub(" ", text))
    return _SPACE_RUN.sub(" ", text).strip()


def split_lines(text: str) -> list[str]:
    """Split on LF, CRLF and CR alike (but not on the exotic separators `str.splitlines` knows)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def format_seed(title: str | None, paragraphs: list[str]) -> str:
    """Render a title and paragraphs in the seed format."""
    body = [p for p in (normalize_line(p) for p in paragraphs) if p]
    head = normalize_line(title or "")
    return head + "\n\n" + "\n\n".join(body)


def looks_like_title(line: str) -> bool:
    # Judged on the line as it will be written: "Judul.\u00ad" ends with "." once the soft
    # hyphen is gone, and would not be read back as a title.
    stripped = normalize_line(line)
    return 0 < len(stripped) <= TITLE_MAX_CHARS and not stripped.endswith((".", ","))


def parse_seed(text: str, *, source: str = "-") -> Document:
    """Read seed-format text: line 1 is the title (empty: none), every later line a paragraph."""
    lines = split_lines(text.lstrip("\ufeff"))
    title = normalize_line(lines[0]) or None
    return Document(title=title, paragraphs=_paragraphs(lines[1:]), source=source)


def parse_dump(text: str, *, source: str = "-") -> Document:
    """Read a dump that may or may not be in the seed format into a Document.

    Line 1 is a title only when a blank line follows it and it looks like a title. Every other
    non-empty line becomes one paragraph: dirty dumps often separate paragraphs by a single line
    break, and a clean seed file reads the same either way.
    """
    lines = split_lines(text.lstrip("\ufeff"))
    has_title_slot = len(lines) == 1 or (len(lines) > 1 and not lines[1].strip())
    if has_title_slot and (not lines[0].strip() or looks_like_title(lines[0])):
        return parse_seed(text, source=source)
    return Document(title=None, paragraphs=_paragraphs(lines), source=source)


def _paragraphs(lines: list[str]) -> list[str]:
    return [p for p in (normalize_line(line) for line in lines) if p]


def read_seed(path: str | Path) -> Document:
    """Read a seed-format file (strict UTF-8)."""
    path = Path(path)
    return parse_seed(path.read_text(encoding="utf-8"), source=str(path))


def write_seed(path: str | Path, doc: Document) -> None:
    """Write a Document in the seed format, atomically."""
    atomic_write_text(Path(path), doc.to_seed())


# A record's URL is canonicalised when it is read (its key) and again when its cleaned document
# is named, in the same worker process; courlan's normalisation is the costly part.
@functools.lru_cache(maxsize=1 << 14)
def canonical_url(url: str) -> str:
    """The URL a document is known by: normalised, tracking parameters and fragment dropped."""
    try:
        normal = normalize_url(url.strip(), strict=True)
    except (ValueError, TypeError):
        normal = url.strip()
    try:
        parts = urlsplit(normal)
    except ValueError:  # "http://[::1": not a URL we can take apart, so it is its own key
        return normal
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def document_id(url: str | None, body: str) -> str:
    """16 hex digits: SHA-256 of the canonical URL when known, else of the normalised body."""
    key = canonical_url(url) if url else "\n\n".join(
        p for p in (normalize_line(line) for line in split_lines(body)) if p
    )
    return hashlib.sha256(scrub(key).encode("utf-8")).hexdigest()[:16]
