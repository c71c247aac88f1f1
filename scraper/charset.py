"""Bytes to text, for fetched pages, saved pages and text dumps alike.

Pages: BOM, then the declared charset (header, then meta / XML declaration), then detection.
Dumps: BOM, then UTF-8, then detection; NUL bytes mean binary data, not text.

Labels lie. A page declared as iso-8859-1 that is really UTF-8 would turn every curly quote into
three characters of mojibake, so a declared single-byte charset loses to UTF-8 whenever the body
holds multi-byte sequences and is valid UTF-8 throughout: text in a legacy single-byte charset is
almost never valid UTF-8 by accident. A body that does not decode under its label goes to
charset-normalizer.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer
from charset_normalizer.md import mess_ratio

from scraper.errors import BinaryInputError, InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_SCAN_BYTES = 4096
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""")
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)
# Browsers read these labels as windows-1252 (WHATWG Encoding), and so do we.
_WINDOWS_1252_ALIASES = frozenset({"iso8859-1", "ascii"})


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return _codec(match.group(1)) if match else None


def markup_charset(body: bytes) -> str | None:
    head = body[:_META_SCAN_BYTES]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return _codec(match.group(1).decode("ascii", "replace")) if match else None


def _codec(label: str) -> str | None:
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        return None
    return "cp1252" if name in _WINDOWS_1252_ALIASES else name


def _is_multibyte_utf8(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def detect(body: bytes) -> str | None:
    """Text in a legacy encoding, or None when no encoding reads it.

    Detection on short texts is unreliable (a cp1252 Indonesian line is often "detected" as
    cp775), and cp1252 is by far the most common legacy encoding of Latin-script news, so it
    wins unless the detected encoding reads clearly cleaner.
    """
    best = charset_normalizer.from_bytes(body).best()
    try:
        legacy: str | None = body.decode("cp1252")
    except UnicodeDecodeError:
        legacy = None
    if legacy is not None and (best is None or mess_ratio(legacy) <= best.chaos + 0.05):
        return legacy
    return str(best) if best is not None else None


def decode_text(data: bytes, source: str) -> str:
    """A text dump: UTF-8 (BOM allowed) first, else the detected encoding; never binary."""
    if b"\x00" in data:
        raise BinaryInputError(source, "binary data (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    text = detect(data)
    if text is None:
        raise InputError(source, "not UTF-8 and no text encoding could be detected")
    return text


def decode_body(body: bytes, content_type: str | None = None) -> str:
    """The text of `body`, served with the Content-Type header `content_type`."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace")
    declared = header_charset(content_type) or markup_charset(body)
    if declared not in (None, "utf-8") and _is_multibyte_utf8(body):
        return body.decode("utf-8")
    try:
        return body.decode(declared or "utf-8")
    except UnicodeDecodeError:
        pass
    detected = detect(body)
    if detected is not None:
        return detected
    return body.decode(declared or "utf-8", errors="replace")
