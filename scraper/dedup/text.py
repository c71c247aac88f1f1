"""Text features for dedup: normalised words, shingle hashes, the exact key, repeated paragraphs.

Normalisation (NFKC, lower case, punctuation to spaces) makes "Kim Jong-un" and "kim jong un" the
same words, so that copies that differ only in typography compare as equal.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata

import numpy as np
from numpy.typing import NDArray

from scraper.config import DedupConfig
from scraper.dedup.hashing import (
    distinct_per_text,
    fold_samples,
    hash_words,
    sampled,
    sequence_keys,
    shingles,
)
from scraper.document import Document, Removal, normalize_line, parse_seed, split_lines

# Punctuation and symbols become spaces; `\w` keeps letters and digits of every script.
_NON_WORD = re.compile(r"[^\w\s]|_")
REPEATED_PARAGRAPH = "dedup:repeated-paragraph"
EXACT_BYTES = 16  # the exact key: a digest of the normalised words


def normalize_words(text: str) -> list[str]:
    """NFKC, lower case, punctuation removed, split on white space."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).lower()).split()


def needs_short(words: NDArray[np.int64], config: DedupConfig) -> NDArray[np.bool_]:
    """Whether each document could be compared on short shingles with some partner.

    A pair is compared on short shingles when the shorter one is under `short_doc_words`; a
    partner at Jaccard ≥ threshold has at most `1/threshold` times as many words.
    """
    wanted: NDArray[np.bool_] = words < config.short_doc_words / config.threshold + 1
    return wanted


def _distinct(values: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """The distinct values, sorted (a sort and a compare: cheaper than np.unique on the few
    hundred values of one document)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


class Features:
    """What dedup knows about one body of text.

    The shingle hashes are numpy arrays (`long_hashes`, `short_hashes`, possibly repeated); the
    sets are made only for the documents that are actually compared, since most never are.
    """

    __slots__ = (
        "_folded",
        "_long",
        "_short",
        "chars",
        "exact",
        "long_hashes",
        "sample",
        "short_hashes",
        "words",
    )

    def __init__(
        self,
        words: int,
        chars: int,
        exact: bytes,
        long_hashes: NDArray[np.uint64],
        short_hashes: NDArray[np.uint64] | None,
        sample: int,
        folded: NDArray[np.uint32] | None = None,
    ) -> None:
        self.words, self.chars, self.sample = words, chars, sample
        self.exact = exact  # digest of the normalised words: equal means an exact duplicate
        self.long_hashes = long_hashes  # `shingle_size`-word shingles (containment, most Jaccard)
        self.short_hashes = short_hashes  # short shingles, for documents near the short limit
        self._long: NDArray[np.uint64] | None = None
        self._short: NDArray[np.uint64] | None = None
        self._folded = folded  # `folded_samples()`, when the batch that made these computed it

    def long_set(self) -> NDArray[np.uint64]:
        """The distinct long-shingle hashes, sorted."""
        if self._long is None:
            self._long = _distinct(self.long_hashes)
        return self._long

    def short_set(self) -> NDArray[np.uint64] | None:
        if self._short is None and self.short_hashes is not None:
            self._short = _distinct(self.short_hashes)
        return self._short

    @property
    def long(self) -> frozenset[int]:
        return frozenset(self.long_set().tolist())

    @property
    def short(self) -> frozenset[int] | None:
        short = self.short_set()
        return None if short is None else frozenset(short.tolist())

    def sampled(self) -> NDArray[np.uint64]:
        """The distinct long-shingle hashes divisible by `containment_sample`: a consistent
        sample, so the sample of A ∩ B is the intersection of the samples of A and B."""
        long = self.long_hashes
        return _distinct(long[long % np.uint64(self.sample) == 0])

    def folded_samples(self) -> NDArray[np.uint32]:
        """The sampled hashes as the containment index's 32-bit keys, distinct and sorted."""
        if self._folded is None:
            self._folded = np.unique(fold_samples(self.sampled()))
        return self._folded

    @property
    def samples(self) -> tuple[int, ...]:
        return tuple(self.sampled().tolist())


_SPACE_RUN = re.compile(r" {2,}")
# Characters `normalize_line` drops (so a file read back gives the same words).
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Non-ASCII characters that are not letters or digits (curly quotes, dashes, odd spaces).
_NON_ASCII_NON_WORD = re.compile(r"[^\w\x00-\x7f]")
def _prepare(text: str) -> bytes:
    """The text as bytes in which words are runs of ASCII letters and digits and non-ASCII bytes
    (ASCII case is folded later).

    ASCII text (the common case) is taken as it is; other text gets NFKC, lower case and its
    non-word characters as spaces, the same words `normalize_words` finds.
    """
    if text.isascii():
        return text.encode("ascii")
    folded = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).lower()
    return _NON_ASCII_NON_WORD.sub(" ", folded).encode("utf-8")


def word_hashes(texts: list[str]) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    """The hashes of the normalised words of all texts, concatenated, and each text's offsets
    into them (len(texts) + 1): one compiled pass over the bytes of all texts, joined by
    newlines (not a word byte, so each text ends its last word)."""
    joined = "\n".join(texts)
    if joined.isascii():  # the common case: one encode for the whole batch
        data, sizes = joined.encode("ascii"), [len(t) for t in texts]
    else:
        prepared = [_prepare(t) for t in texts]
        data, sizes = b"\n".join(prepared), [len(p) for p in prepared]
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([size + 1 for size in sizes], out=starts[1:])
    starts[-1] = len(data)  # no newline after the last text
    return hash_words(np.frombuffer(data, dtype=np.uint8), starts)


def features(texts: list[str], config: DedupConfig) -> list[Features]:
    """Features of many bodies at once: words, shingles and keys are hashed batch-wide."""
    hashes, offsets = word_hashes(texts)
    return _features(hashes, offsets, [len(t) for t in texts], config)


def _features(
    hashes: NDArray[np.uint64], offsets: NDArray[np.int64], chars: list[int], config: DedupConfig
) -> list[Features]:
    """Features from the word hashes of each text (`word_hashes`) and its length."""
    counts = np.diff(offsets)
    short_wanted = needs_short(counts, config)
    long, long_at = shingles(hashes, offsets, config.shingle_size)
    short, short_at = shingles(hashes, offsets, config.short_shingle_size, short_wanted)
    # The containment keys too, batch-wide: cheap here, and made where the text was hashed
    # (a worker, in a parallel run) rather than by the dedup stage.
    picked, picked_at = sampled(long, long_at, config.containment_sample)
    folded, folded_at = distinct_per_text(fold_samples(picked), picked_at)
    out: list[Features] = []
    bounds = zip(
        offsets.tolist(), counts.tolist(), long_at.tolist(), long_at[1:].tolist(),
        short_at.tolist(), short_at[1:].tolist(), short_wanted.tolist(), chars,
        folded_at.tolist(), folded_at[1:].tolist(), strict=False,
    )
    for start, words, l_start, l_end, s_start, s_end, wanted, length, f_start, f_end in bounds:
        # Equal word sequences (up to a 64-bit collision per word) give equal exact keys.
        exact = hashlib.blake2b(hashes[start : start + words].data, digest_size=EXACT_BYTES)
        out.append(
            Features(
                words=words,
                chars=length,
                exact=exact.digest(),
                long_hashes=long[l_start:l_end],
                short_hashes=short[s_start:s_end] if wanted else None,
                sample=config.containment_sample,
                folded=folded[f_start:f_end],
            )
        )
    return out


def prepare(docs: list[Document], config: DedupConfig) -> tuple[list[Document], list[Features]]:
    """`dedupe_paragraphs` and the features of `body_text` for a batch, with one pass of word
    hashing over all its paragraphs (no word spans two paragraphs, so a body's words are its
    paragraphs' words)."""
    lines = [_normalized(p) for d in docs for p in d.paragraphs]
    owner = np.repeat(np.arange(len(docs)), [len(d.paragraphs) for d in docs])
    hashes, offsets = word_hashes(lines)
    words = np.diff(offsets)
    kept = ~_repeated(hashes, offsets, owner)
    sizes = np.array([len(line) for line in lines], dtype=np.int64)
    body = kept & (sizes > 0)  # what `body_text` joins with newlines
    joins = np.maximum(np.bincount(owner[body], minlength=len(docs)) - 1, 0)
    chars = np.bincount(owner[body], weights=sizes[body], minlength=len(docs)) + joins
    kept_offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(
        np.bincount(owner[kept], weights=words[kept], minlength=len(docs)), out=kept_offsets[1:]
    )
    out_docs = list(docs)
    for i in np.unique(owner[~kept]).tolist():
        first = int(np.searchsorted(owner, i))
        positions = np.flatnonzero(kept[first : first + len(docs[i].paragraphs)]).tolist()
        out_docs[i] = _without_repeats(docs[i], positions)
    features = _features(
        hashes[np.repeat(kept, words)], kept_offsets, chars.astype(int).tolist(), config
    )
    return out_docs, features


def _repeated(
    hashes: NDArray[np.uint64], offsets: NDArray[np.int64], owner: NDArray[np.int64]
) -> NDArray[np.bool_]:
    """Which paragraphs repeat the words of an earlier paragraph of the same document (by a
    64-bit key over their word hashes and positions). Paragraphs without words never do."""
    words = np.diff(offsets)
    full = np.flatnonzero(words > 0)
    repeated = np.zeros(len(words), dtype=bool)
    if len(full) < 2:
        return repeated
    keys = sequence_keys(hashes, offsets)[full]
    order = np.lexsort((full, keys, owner[full]))
    same = (keys[order][1:] == keys[order][:-1]) & (
        owner[full][order][1:] == owner[full][order][:-1]
    )
    repeated[full[order][1:][same]] = True
    return repeated


def _normalized(paragraph: str) -> str:
    """`normalize_line`, with a fast path for ASCII text (where NFC and the invisible and
    space-like characters cannot apply)."""
    if not paragraph.isascii():
        return normalize_line(paragraph)
    paragraph = paragraph.replace("\t", " ")
    if "  " in paragraph:
        paragraph = _SPACE_RUN.sub(" ", paragraph)
    return paragraph.strip()


def _without_repeats(doc: Document, kept: list[int]) -> Document:
    if len(kept) == len(doc.paragraphs):
        return doc
    keep = set(kept)
    removed = [
        Removal(REPEATED_PARAGRAPH, p) for k, p in enumerate(doc.paragraphs) if k not in keep
    ]
    paragraphs = [doc.paragraphs[k] for k in kept]
    return dataclasses.replace(doc, paragraphs=paragraphs, removed=[*doc.removed, *removed])


def body_text(paragraphs: list[str]) -> str:
    """The text dedup compares: the paragraphs exactly as the seed writer will store them."""
    return "\n".join(p for p in (_normalized(p) for p in paragraphs) if p)


def file_paragraphs(text: str) -> list[str]:
    """The paragraphs of a corpus file: line 1 is the title when line 2 is blank (seed format)."""
    lines = split_lines(text.lstrip("\ufeff"))
    if len(lines) > 1 and not lines[1].strip():
        return [line for line in lines[2:] if line.strip()]
    return parse_seed(text).paragraphs


def dedupe_paragraphs(doc: Document) -> Document:
    """Keep the first of paragraphs that are equal after normalisation; record the others."""
    hashes, offsets = word_hashes([_normalized(p) for p in doc.paragraphs])
    kept = ~_repeated(hashes, offsets, np.zeros(len(doc.paragraphs), dtype=np.int64))
    return _without_repeats(doc, np.flatnonzero(kept).tolist())
