"""The run state of an output folder: `OUT/.scraper/state.sqlite`, one SQLite file in WAL mode.

    urls        the frontier: every URL seen, where it came from, its outcome, its next check

A URL's life: `add` puts it in the frontier as `pending`; `record_stored` marks it `fetched`
once its page is in the page store; then one final outcome (`kept`, `duplicate`, `off-topic`,
`not-article`, `robots-disallowed`, `failed`, `not-modified`) once the corpus writer has
committed it. Every call is one transaction (or one per `batch()`), and WAL with
`synchronous=NORMAL` survives a killed process: after SIGKILL the file holds exactly the
transactions that committed. So a run that records a final outcome only after the corpus file
is written never loses an article, and one that is killed in between finds the URL still
`pending` or `fetched` and processes it again (`left_unfinished`: from the page store when its
page is there, without a request), where the corpus writer's own id check keeps it from being
written twice. Nothing is
fetched twice without cause: `unprocessed()` gives the `fetched` URLs; `due()` gives the
`pending` ones and those whose `next_check` has come (a failure after its back-off).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from scraper.errors import StoreError

STATE_DIR = ".scraper"
STATE_FILE = "state.sqlite"

PENDING, FETCHED = "pending", "fetched"
FINAL_OUTCOMES = (
    "kept", "duplicate", "off-topic", "not-article", "robots-disallowed", "failed",
    "not-modified",
)
# Seconds until a URL with this outcome is due again (None: never). A failure waits this long
# times 2 ** (failures - 1), at most RECHECK_MAX, and is given up after MAX_FAILURES.
RECHECK_AFTER: dict[str, float | None] = {"failed": 3600.0, "robots-disallowed": 7 * 86400.0}
RECHECK_MAX = 86400.0
MAX_FAILURES = 5
_PAGE = 500  # rows read per query while streaming the frontier

_SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    source TEXT,
    outcome TEXT NOT NULL,
    reason TEXT,
    error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    first_seen REAL NOT NULL,
    checked_at REAL,
    next_check REAL
);
CREATE INDEX IF NOT EXISTS urls_due ON urls (outcome, next_check);
"""


def state_path(out: str | Path) -> Path:
    return Path(out) / STATE_DIR / STATE_FILE


class State:
    """The frontier of one output folder. Safe to share between threads."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.path = path
        self._db = connection
        self._lock = threading.RLock()
        self._depth = 0
        self.opened_at = time.time()  # URLs first seen before this are an earlier run's

    @classmethod
    def open(cls, out: str | Path) -> State:
        """Open (creating if needed) the state of output folder `out`."""
        path = state_path(out)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are ours (BEGIN IMMEDIATE ... COMMIT).
            db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=10000")
            db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(str(path), f"cannot open the run state ({exc})") from exc
        return cls(db, path)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> State:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group calls into one transaction: all of them are on disk, or none."""
        with self._lock:
            if self._depth == 0:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if self._depth == 0:
                self._db.execute("COMMIT")

    def add(self, url: str, *, source: str | None = None, now: float | None = None) -> bool:
        """Put `url` in the frontier as pending; False when it was already seen."""
        with self.batch():
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO urls (url, host, source, outcome, first_seen) "
                "VALUES (?, ?, ?, ?, ?)",
                (url, _host(url), source, PENDING, _now(now)),
            )
            return cursor.rowcount == 1

    def add_many(self, urls: Iterable[str], *, source: str | None = None) -> int:
        """`add` for many URLs in one transaction; how many were new."""
        with self.batch():
            return sum(self.add(url, source=source) for url in urls)

    def seen(self, url: str) -> bool:
        return self.outcome(url) is not None

    def outcome(self, url: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT outcome FROM urls WHERE url = ?", (url,)).fetchone()
        return None if row is None else str(row[0])

    def settled(self, url: str, now: float | None = None) -> bool:
        """True when `url` reached a final outcome in an earlier run and is not due again: a
        scheduled run does not fetch it (a failure is due again after its back-off)."""
        with self._lock:
            row = self._db.execute(
                "SELECT outcome, next_check FROM urls WHERE url = ?", (url,)).fetchone()
        if row is None or row[0] not in FINAL_OUTCOMES:
            return False
        return row[1] is None or float(row[1]) > _now(now)

    def record(
        self,
        url: str,
        outcome: str,
        *,
        reason: str | None = None,
        error: str | None = None,
        next_check: float | None = None,
        source: str | None = None,
        now: float | None = None,
    ) -> None:
        """Set `url`'s outcome (adding it if new).

        `next_check` (epoch seconds) defaults to the RECHECK_AFTER policy of the outcome.
        """
        if outcome not in (PENDING, FETCHED, *FINAL_OUTCOMES):
            raise ValueError(f"unknown outcome {outcome!r}")
        at = _now(now)
        with self.batch():
            self.add(url, source=source, now=at)
            failures = self._failures(url) + 1 if outcome == "failed" else 0
            if next_check is None:
                next_check = _next_check(outcome, failures, at)
            self._db.execute(
                "UPDATE urls SET outcome = ?, reason = ?, error = ?, failures = ?, "
                "checked_at = ?, next_check = ? WHERE url = ?",
                (outcome, reason, error, failures, at, next_check, url),
            )

    def _failures(self, url: str) -> int:
        row = self._db.execute("SELECT failures FROM urls WHERE url = ?", (url,)).fetchone()
        return int(row[0]) if row else 0

    def record_stored(self, urls: Iterable[str]) -> None:
        """Mark `urls` fetched (one transaction): their pages are in the page store and not
        through the pipeline yet; their final outcome replaces this."""
        with self.batch():
            for url in urls:
                self.record(url, FETCHED)

    def left_unfinished(self, url: str) -> bool:
        """True when an earlier run (before this state was opened) discovered `url` and did not
        finish it: `fetched` (its page is in the page store) or still `pending`."""
        with self._lock:
            row = self._db.execute(
                "SELECT outcome, first_seen FROM urls WHERE url = ?", (url,)).fetchone()
        if row is None:
            return False
        return row[0] == FETCHED or (row[0] == PENDING and float(row[1]) < self.opened_at)

    def due(self, now: float | None = None) -> Iterator[str]:
        """The URLs to fetch now: pending ones, then those whose next check has come.

        Streamed a page of rows at a time (flat memory), so the caller may `record` while
        iterating; a URL recorded with a later `next_check` is not given again.
        """
        at = _now(now)
        yield from self._stream("outcome = ?", (PENDING,))
        yield from self._stream("outcome != ? AND next_check <= ?", (PENDING, at))

    def unprocessed(self) -> Iterator[str]:
        """URLs whose page is in the page store but whose outcome was never recorded."""
        yield from self._stream("outcome = ?", (FETCHED,))

    def _stream(self, where: str, values: tuple[object, ...]) -> Iterator[str]:
        after = 0
        while True:
            with self._lock:
                rows = self._db.execute(
                    f"SELECT rowid, url FROM urls WHERE rowid > ? AND {where} "
                    f"ORDER BY rowid LIMIT {_PAGE}",
                    (after, *values),
                ).fetchall()
            for rowid, url in rows:
                after = rowid
                yield str(url)
            if len(rows) < _PAGE:
                return

    def counts(self) -> Counter[str]:
        """How many URLs have each outcome."""
        with self._lock:
            rows = self._db.execute("SELECT outcome, COUNT(*) FROM urls GROUP BY outcome")
            return Counter({str(outcome): int(n) for outcome, n in rows})


def _now(now: float | None) -> float:
    return time.time() if now is None else now


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _next_check(outcome: str, failures: int, now: float) -> float | None:
    after = RECHECK_AFTER.get(outcome)
    if after is None:
        return None
    if outcome == "failed":
        if failures >= MAX_FAILURES:
            return None
        after = min(after * 2 ** (failures - 1), RECHECK_MAX)
    return now + after
