"""Text features for dedup: normalised words, shingle hashes, the exact key, repeated paragraphs.

Normalisation (NFKC, lower case, punctuation to spaces) makes "Kim Jong-un" and "kim jong un" the
same words, so that copies that differ only in typography compare as equal.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from dataclasses import dataclass

from rensa import RMinHash

from scraper.config import DedupConfig
from scraper.document import Document, Removal, normalize_line, parse_seed, split_lines

# Punctuation and symbols become spaces; `\w` keeps letters and digits of every script.
_NON_WORD = re.compile(r"[^\w\s]|_")
REPEATED_PARAGRAPH = "dedup:repeated-paragraph"


def normalize_words(text: str) -> list[str]:
    """NFKC, lower case, punctuation removed, split on white space."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).lower()).split()


def shingles(words: list[str], size: int) -> list[str]:
    """Word n-grams; a text shorter than `size` words is one shingle (or none when empty)."""
    if len(words) < size:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]


def hash_shingle_sets(sets: list[list[str]]) -> list[frozenset[int]]:
    """Stable unsigned 64-bit hashes of each shingle (rensa's token hash: fast, seed-free)."""
    return [frozenset(hs) for hs in RMinHash.hash_token_sets(sets)]


def shingle_size(words: int, config: DedupConfig) -> int:
    """Very short documents use short shingles, or a one-word edit would change most of them."""
    return config.short_shingle_size if words < config.short_doc_words else config.shingle_size


@dataclass(frozen=True, slots=True)
class Features:
    """What dedup knows about one body of text."""

    words: int
    chars: int
    exact: bytes  # digest of the normalised words: equal means an exact duplicate
    long: frozenset[int]  # hashes of `shingle_size`-word shingles (containment and most Jaccard)
    short: frozenset[int] | None  # hashes of short shingles, for documents near the short limit
    # The long-shingle hashes divisible by `containment_sample`: a consistent sample, so the sample
    # of A ∩ B is the intersection of the samples of A and B (the containment index keys).
    samples: tuple[int, ...]

    def shingle_set(self, size_is_short: bool) -> frozenset[int]:
        if size_is_short:
            assert self.short is not None, "short shingles are computed for every short document"
            return self.short
        return self.long


def needs_short(words: int, config: DedupConfig) -> bool:
    """Whether a document could be compared with short shingles against some partner.

    A pair is compared with short shingles when the shorter one is under `short_doc_words`; a
    partner at Jaccard ≥ threshold has at most `1/threshold` times as many words.
    """
    return words < config.short_doc_words / max(config.threshold, config.containment) + 1


def features(texts: list[str], config: DedupConfig) -> list[Features]:
    """Features of many bodies at once (rensa hashes a whole batch in one call)."""
    word_lists = [normalize_words(text) for text in texts]
    long_sets = hash_shingle_sets([shingles(w, config.shingle_size) for w in word_lists])
    short_idx = [i for i, w in enumerate(word_lists) if needs_short(len(w), config)]
    short_sets = hash_shingle_sets(
        [shingles(word_lists[i], config.short_shingle_size) for i in short_idx]
    )
    short_of = dict(zip(short_idx, short_sets, strict=True))
    return [
        Features(
            words=len(words),
            chars=len(text),
            exact=hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=16).digest(),
            long=long_sets[i],
            short=short_of.get(i),
            samples=tuple(sorted(h for h in long_sets[i] if h % config.containment_sample == 0)),
        )
        for i, (words, text) in enumerate(zip(word_lists, texts, strict=True))
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
    seen: set[str] = set()
    kept: list[str] = []
    removed: list[Removal] = []
    for paragraph in doc.paragraphs:
        key = " ".join(normalize_words(paragraph))
        if key and key in seen:
            removed.append(Removal(REPEATED_PARAGRAPH, paragraph))
            continue
        seen.add(key)
        kept.append(paragraph)
    if not removed:
        return doc
    return dataclasses.replace(doc, paragraphs=kept, removed=[*doc.removed, *removed])
