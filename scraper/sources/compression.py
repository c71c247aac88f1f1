"""Bounded gzip decompression for every source, so a gzip bomb stops at the size limit."""

from __future__ import annotations

import gzip
import io

from scraper.errors import InputError, OversizedInputError


def gunzip(data: bytes, source: str, max_bytes: int) -> bytes:
    """Decompress `data`, refusing anything that is not gzip or inflates past `max_bytes`."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            out = handle.read(max_bytes + 1)
    except (OSError, EOFError) as exc:
        raise InputError(source, f"not a valid gzip file ({exc})") from None
    if len(out) > max_bytes:
        raise OversizedInputError(source, f"decompresses to more than {max_bytes} bytes")
    return out
