"""Export the page store as a standard WARC file (warcio), for archiving and other tools.

Each stored page becomes one `response` record: WARC-Target-URI is the requested URL (the final
URL, when it differs, is kept in `WARC-Refers-To-Target-URI`), WARC-Date the fetch time, and the
HTTP block the stored status and headers with the body as stored, that is, after content
decoding: Content-Encoding and Transfer-Encoding are dropped and Content-Length is the stored
length, so the record is consistent.
"""

from __future__ import annotations

import io
import os
import tempfile
from http import HTTPStatus
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper.errors import StoreError
from scraper.fetch.store import PageStore

_DROPPED = frozenset({"content-encoding", "transfer-encoding", "content-length"})
_PHRASES = {status.value: status.phrase for status in HTTPStatus}


def export_warc(store: PageStore, path: str | Path) -> int:
    """Write every stored page to the gzipped WARC `path` (atomically); return the count."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(prefix=".tmp-", suffix=".warc.gz", dir=path.parent or ".")
    count = 0
    try:
        with os.fdopen(fd, "wb") as out:
            writer = WARCWriter(out, gzip=True)
            for result in store:
                status = result.status or 200
                phrase = _PHRASES.get(status, "")
                headers = [(k, v) for k, v in result.headers.items() if k not in _DROPPED]
                headers.append(("content-length", str(len(result.body))))
                http = StatusAndHeaders(f"{status} {phrase}".strip(), headers, protocol="HTTP/1.1")
                warc_headers = {"WARC-Date": result.fetched_at.replace("+00:00", "Z")}
                if result.final_url and result.final_url != result.url:
                    warc_headers["WARC-Refers-To-Target-URI"] = result.final_url
                record = writer.create_warc_record(
                    result.url,
                    "response",
                    payload=io.BytesIO(result.body),
                    # With the length given, warcio digests the body in place instead of
                    # copying it into a temp file that it never closes.
                    length=len(result.body),
                    http_headers=http,
                    warc_headers_dict=warc_headers,
                )
                writer.write_record(record)
                count += 1
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise StoreError(str(path), f"cannot write WARC file ({exc.strerror})") from exc
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return count
