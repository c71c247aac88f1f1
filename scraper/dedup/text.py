"""Text features for dedup: normalised words, shingle hashes, the exact key, repeated paragraphs.

Normalisation (NFKC, lower case, punctuation to spaces) makes "Kim Jong-un" and "kim jong un" the
same words, so that copies that differ only in typography compare as equal.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from rensa import RMinHash

from scraper.config import DedupConfig
from scraper.document import Document, Removal, normalize_line, parse_seed, split_lines

# Punctuation and symbols become spaces; `\w` keeps letters and digits of every script.
_NON_WORD = re.compile(r"[^\w\s]|_")
REPEATED_PARAGRAPH = "dedup:repeated-paragraph"


def normalize_words(text: str) -> list[str]:
    """NFKC, lower case, punctuation removed, split on white space."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).lower()).split()


# Shingle hashes are a polynomial over the word hashes, finished with splitmix64 so that every bit
# (the containment sample looks at the low ones) is well mixed. numpy wraps uint64 arithmetic.
_POLY = np.uint64(0x9E3779B97F4A7C15)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)


def shingle_hashes(word_hashes: NDArray[np.uint64], size: int) -> NDArray[np.uint64]:
    """One 64-bit hash per word n-gram; a text shorter than `size` words is one shingle."""
    n = len(word_hashes)
    size = min(size, n)
    if size == 0:
        return np.zeros(0, dtype=np.uint64)
    acc = np.zeros(n - size + 1, dtype=np.uint64)
    for k in range(size):
        acc = acc * _POLY + word_hashes[k : n - size + 1 + k]
    acc ^= acc >> _S30
    acc *= _MIX1
    acc ^= acc >> _S27
    acc *= _MIX2
    acc ^= acc >> _S31
    return acc


def needs_short(words: int, config: DedupConfig) -> bool:
    """Whether a document could be compared on short shingles with some partner.

    A pair is compared on short shingles when the shorter one is under `short_doc_words`; a
    partner at Jaccard ≥ threshold has at most `1/threshold` times as many words.
    """
    return words < config.short_doc_words / config.threshold + 1


@dataclass(frozen=True, slots=True)
class Features:
    """What dedup knows about one body of text."""

    words: int
    chars: int
    exact: bytes  # digest of the normalised words: equal means an exact duplicate
    long: frozenset[int]  # hashes of `shingle_size`-word shingles (containment and most Jaccard)
    short: frozenset[int] | None  # short-shingle hashes, for documents near the short limit
    # The long-shingle hashes divisible by `containment_sample`: a consistent sample, so the sample
    # of A ∩ B is the intersection of the samples of A and B (the containment index keys).
    samples: tuple[int, ...]


# Shingles of a body longer than this come from its first MAX_SHINGLED_CHARS characters only: a
# body of tens of MB (a whole dump on one line) would need 30 times its size in memory for the
# word and shingle sets. News articles are far shorter, so nothing changes for them; the word
# count and the exact key still cover the whole body.
MAX_SHINGLED_CHARS = 2_000_000


def _pieces(text: str) -> Iterator[str]:
    """`text` in pieces of at most MAX_SHINGLED_CHARS, cut at a space or line break."""
    start = 0
    while start < len(text):
        end = start + MAX_SHINGLED_CHARS
        if end < len(text):
            cut = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
            end = cut if cut > start else end
        yield text[start:end]
        start = end


def _exact_key(text: str) -> tuple[int, bytes]:
    """(words, exact key) of a body, piece by piece: a long body never becomes one list of words.
    The key is the digest of the normalised words joined by single spaces."""
    digest = hashlib.blake2b(digest_size=16)
    count = 0
    for piece in _pieces(text):
        words = normalize_words(piece)
        if words:
            digest.update((" " if count else "").encode() + " ".join(words).encode("utf-8"))
            count += len(words)
    return count, digest.digest()


def _exact_key_of(words: list[str]) -> tuple[int, bytes]:
    return len(words), hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=16).digest()


def _one(words: list[str], hashes: list[int], text: str, config: DedupConfig) -> Features:
    # `words` are the whole body's unless it is longer than the shingled part.
    count, exact = _exact_key(text) if len(text) > MAX_SHINGLED_CHARS else _exact_key_of(words)
    word_hashes = np.array(hashes, dtype=np.uint64)
    long = shingle_hashes(word_hashes, config.shingle_size)
    short = None
    if needs_short(count, config):
        short = frozenset(shingle_hashes(word_hashes, config.short_shingle_size).tolist())
    sampled = long[long % np.uint64(config.containment_sample) == 0]
    return Features(
        words=count,
        chars=len(text),
        exact=exact,
        long=frozenset(long.tolist()),
        short=short,
        samples=tuple(sorted(set(sampled.tolist()))),
    )


def features(texts: list[str], config: DedupConfig) -> list[Features]:
    """Features of many bodies at once (rensa hashes the words of a whole batch in one call)."""
    word_lists = [normalize_words(text[:MAX_SHINGLED_CHARS]) for text in texts]
    word_hashes = RMinHash.hash_token_sets(word_lists) if word_lists else []
    return [
        _one(words, hashes, text, config)
        for words, hashes, text in zip(word_lists, word_hashes, texts, strict=True)
    ]


def body_text(paragraphs: list[str]) -> str:
    """The text dedup compares: the paragraphs exactly as the seed writer will store them."""
    return "\n".join(p for p in (normalize_line(p) for p in paragraphs) if p)


def file_paragraphs(text: str) -> list[str]:
    """The paragraphs of a corpus file: line 1 is the title when line 2 is blank (seed format)."""
    lines = split_lines(text.lstrip("\ufeff"))
    if len(lines) > 1 and not lines[1].strip():
        return [line for line in lines[2:] if line.strip()]
    return parse_seed(text).paragraphs


def dedupe_paragraphs(doc: Document) -> Document:
    """Keep the first of paragraphs that are equal after normalisation; record the others."""
    seen: set[bytes] = set()
    kept: list[str] = []
    removed: list[Removal] = []
    for paragraph in doc.paragraphs:
        words, key = _exact_key(paragraph)  # a digest: a paragraph may be tens of MB long
        if words and key in seen:
            removed.append(Removal(REPEATED_PARAGRAPH, paragraph))
            continue
        seen.add(key)
        kept.append(paragraph)
    if not removed:
        return doc
    return dataclasses.replace(doc, paragraphs=kept, removed=[*doc.removed, *removed])
