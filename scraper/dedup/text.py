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

import numpy as np
from numpy.typing import NDArray

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


def needs_short(words: int, config: DedupConfig) -> bool:
    """Whether a document could be compared on short shingles with some partner.

    A pair is compared on short shingles when the shorter one is under `short_doc_words`; a
    partner at Jaccard ≥ threshold has at most `1/threshold` times as many words.
    """
    return words < config.short_doc_words / config.threshold + 1


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
    ) -> None:
        self.words, self.chars, self.sample = words, chars, sample
        self.exact = exact  # digest of the normalised words: equal means an exact duplicate
        self.long_hashes = long_hashes  # `shingle_size`-word shingles (containment, most Jaccard)
        self.short_hashes = short_hashes  # short shingles, for documents near the short limit
        self._long: NDArray[np.uint64] | None = None
        self._short: NDArray[np.uint64] | None = None

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

    @property
    def samples(self) -> tuple[int, ...]:
        return tuple(self.sampled().tolist())


_SPACE_RUN = re.compile(r" {2,}")
# Characters `normalize_line` drops (so a file read back gives the same words).
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Non-ASCII characters that are not letters or digits (curly quotes, dashes, odd spaces).
_NON_ASCII_NON_WORD = re.compile(r"[^\w\x00-\x7f]")
# Tabulation hashing of words: a random 64-bit value per (position in the word mod 64, byte),
# summed over the word. Equal words get equal sums; the final mix spreads the bits.
_TABLE = np.random.default_rng(0x5EED).integers(0, 2**64, size=64 * 256, dtype=np.uint64)


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


def _mix(values: NDArray[np.uint64]) -> NDArray[np.uint64]:
    values ^= values >> _S30
    values *= _MIX1
    values ^= values >> _S27
    values *= _MIX2
    values ^= values >> _S31
    return values


# Texts are hashed at most about this many characters at a time: the numpy passes take some 60
# bytes of memory per byte of text, so a dump of tens of MB on one line must go in pieces.
HASH_CHUNK_CHARS = 1 << 20


def word_hashes(texts: list[str]) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    """The hashes of the normalised words of all texts, concatenated, and each text's offsets
    into them (len(texts) + 1). Texts are hashed in groups of about HASH_CHUNK_CHARS, and a
    longer text in pieces cut at a space (no word spans two pieces), so memory stays bounded."""
    parts: list[NDArray[np.uint64]] = []
    counts: list[int] = []
    group: list[str] = []
    size = 0

    def flush() -> None:
        nonlocal size
        if group:
            hashes, offsets = _word_hashes(group)
            parts.append(hashes)
            counts.extend(np.diff(offsets).tolist())
            group.clear()
        size = 0

    for text in texts:
        if len(text) > HASH_CHUNK_CHARS:
            flush()
            pieces = [_word_hashes([piece])[0] for piece in _pieces(text, HASH_CHUNK_CHARS)]
            parts.extend(pieces)
            counts.append(sum(len(piece) for piece in pieces))
            continue
        group.append(text)
        size += len(text)
        if size >= HASH_CHUNK_CHARS:
            flush()
    flush()
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    hashes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
    return hashes, offsets


def _pieces(text: str, limit: int) -> Iterator[str]:
    """`text` in pieces of about `limit` characters, each cut at a space or line break."""
    start = 0
    while start < len(text):
        end = start + limit
        if end < len(text):
            cut = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
            end = cut if cut > start else end
        yield text[start:end]
        start = end


def _word_hashes(texts: list[str]) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    """`word_hashes` of one group of texts: a few numpy passes over all their bytes."""
    prepared = [_prepare(t) for t in texts]
    # Texts are joined with a newline (not a word byte), so no word spans two texts.
    data = np.frombuffer(b"\n".join(prepared), dtype=np.uint8)
    # Word bytes: ASCII letters and digits, and every byte of the non-ASCII characters that
    # `_prepare` left (letters and digits). uint8 arithmetic wraps, so each test is one compare.
    folded = data | np.uint8(32)  # ASCII letters to lower case; digits are unchanged
    is_word = (data >= 128) | (folded - np.uint8(97) < 26) | (data - np.uint8(48) < 10)
    edges = np.diff(is_word.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    lengths = ends - starts
    word_bytes = np.where(data < 128, folded, data)[is_word]
    first = np.zeros(len(lengths), dtype=np.intp)
    np.cumsum(lengths[:-1], out=first[1:])
    # The position of each byte in its word: a running count that each word start resets.
    step = np.ones(len(word_bytes), dtype=np.intp)
    step[first[1:]] = 1 - lengths[:-1]
    slot = np.cumsum(step)
    slot -= 1
    slot &= 63
    slot <<= 8
    slot |= word_bytes
    values = np.take(_TABLE, slot)
    hashes = np.add.reduceat(values, first) if len(first) else np.zeros(0, dtype=np.uint64)
    text_starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(b) + 1 for b in prepared], out=text_starts[1:])
    return _mix(hashes), np.searchsorted(starts, text_starts)


def _ngrams(hashes: NDArray[np.uint64], size: int) -> NDArray[np.uint64]:
    """Unmixed n-gram hashes at every position of `hashes` where a whole n-gram fits."""
    count = len(hashes) - size + 1
    if count <= 0:  # a batch with fewer words than one n-gram (e.g. a few one-word bodies)
        return np.zeros(0, dtype=np.uint64)
    acc = np.zeros(count, dtype=np.uint64)
    for k in range(size):
        acc = acc * _POLY + hashes[k : k + count]
    return acc


def shingle_hashes(word_hashes: NDArray[np.uint64], size: int) -> NDArray[np.uint64]:
    """One 64-bit hash per word n-gram; a text shorter than `size` words is one shingle."""
    size = min(size, len(word_hashes))
    if size == 0:
        return np.zeros(0, dtype=np.uint64)
    return _mix(_ngrams(word_hashes, size))


def batch_shingles(
    hashes: NDArray[np.uint64], offsets: NDArray[np.int64], size: int
) -> list[NDArray[np.uint64]]:
    """`shingle_hashes` of each text of a batch (word hashes and offsets from `word_hashes`),
    computed over the whole batch at once and then cut at the text boundaries."""
    all_grams = _mix(_ngrams(hashes, size))
    out: list[NDArray[np.uint64]] = []
    for start, end in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
        if end - start >= size:
            out.append(all_grams[start : end - size + 1])
        else:  # shorter than one shingle (rare): its words make one shingle
            out.append(shingle_hashes(hashes[start:end], size))
    return out


def features(texts: list[str], config: DedupConfig) -> list[Features]:
    """Features of many bodies at once: words, shingles and keys are hashed batch-wide."""
    hashes, offsets = word_hashes(texts)
    return _features(hashes, offsets, [len(t) for t in texts], config)


def _features(
    hashes: NDArray[np.uint64], offsets: NDArray[np.int64], chars: list[int], config: DedupConfig
) -> list[Features]:
    """Features from the word hashes of each text (`word_hashes`) and its length."""
    long = batch_shingles(hashes, offsets, config.shingle_size)
    short = batch_shingles(hashes, offsets, config.short_shingle_size)
    out: list[Features] = []
    for i, (start, end) in enumerate(zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)):
        words = end - start
        # Equal word sequences (up to a 64-bit collision per word) give equal exact keys.
        exact = hashlib.blake2b(hashes[start:end].tobytes(), digest_size=16)
        out.append(
            Features(
                words=words,
                chars=chars[i],
                exact=exact.digest(),
                long_hashes=long[i],
                short_hashes=short[i] if needs_short(words, config) else None,
                sample=config.containment_sample,
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
    step = np.ones(len(hashes), dtype=np.int64)
    step[offsets[full[1:]]] = 1 - words[full[:-1]]
    position = (np.cumsum(step) - 1).astype(np.uint64)
    keys = np.add.reduceat(_mix(hashes ^ (position * _POLY)), offsets[full])
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
