"""Graceful stop on SIGINT/SIGTERM, and the exit codes of a run.

    with StopOnSignal() as stop:
        for batch in batches:
            if stop():            # the run loop's `should_stop`
                break             # take no new work; writes in flight finish
            process(batch)
    return exit_code(failed=..., signal_number=stop.signal_number)

The first SIGINT or SIGTERM only sets the flag, so the loop finishes the writes in flight,
saves its state and prints its summary. A second signal exits at once with 130 or 143: every
write of `scraper` is atomic (temp file + rename, SQLite transactions), so what is on disk is
still consistent, and the next run finishes the work.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

EXIT_OK = 0
EXIT_SOME_FAILED = 1  # some items failed; every other item was processed
EXIT_USAGE = 2  # config or usage error
EXIT_LOCKED = 3  # another run holds the output folder's lock
EXIT_SIGINT = 128 + signal.SIGINT  # 130
EXIT_SIGTERM = 128 + signal.SIGTERM  # 143

HANDLED = (signal.SIGINT, signal.SIGTERM)


def exit_code(*, failed: bool, signal_number: int | None = None) -> int:
    """130/143 when a signal stopped the run, else 1 when any item failed, else 0."""
    if signal_number is not None:
        return 128 + signal_number
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _say(message: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # stderr gone: the signal still counts
        print(f"scraper: {message}", file=sys.stderr, flush=True)


class StopOnSignal:
    """A context manager whose instance is the `should_stop` callable of a run loop.

    `signal_number` is the first signal received (None when none came). Handlers are installed
    on enter and the previous ones restored on exit; outside the main thread (where Python
    cannot install handlers) it only reports "never stop".
    """

    def __init__(self, *, on_first: Callable[[int], None] | None = None) -> None:
        self.signal_number: int | None = None
        self._stopping = threading.Event()
        self._on_first = on_first
        self._previous: dict[int, Any] = {}

    def __call__(self) -> bool:
        return self._stopping.is_set()

    @property
    def exit_code(self) -> int | None:
        """130 or 143 once a signal came, else None."""
        return None if self.signal_number is None else 128 + self.signal_number

    def __enter__(self) -> StopOnSignal:
        if threading.current_thread() is threading.main_thread():
            for number in HANDLED:
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for number, previous in self._previous.items():
            signal.signal(number, previous)
        self._previous.clear()

    def _handle(self, number: int, frame: FrameType | None) -> None:
        if self._stopping.is_set():
            _say(f"{signal.Signals(number).name} again: stopping now")
            os._exit(128 + (self.signal_number or number))
        self.signal_number = number
        self._stopping.set()
        _say(
            f"{signal.Signals(number).name}: finishing the work in flight, then stopping "
            "(send it again to stop at once)"
        )
        if self._on_first is not None:
            self._on_first(number)
