"""Run statistics and the step contract, shared by every stage.

This module sits below the stages: a stage imports it, and `pipeline` wires the stages, so no
stage needs to import the module that wires it.
"""

from __future__ import annotations

import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from scraper.document import Document

# Error lines kept for the caller to look at; the rest are only counted (a run of a million
# bad records must not hold a million lines). The listener still sees every one.
KEPT_ERRORS = 1000


@dataclass
class Stats:
    """Counts of what each stage kept and dropped, and the one-line errors met on the way.

    `listener` sees each error line as it happens, so a long run reports problems at once.
    `observer` (a progress sink, `scraper.report.Sink`) sees every count as it happens:
    `observer("passed", stage=...)`, `observer("dropped", stage=..., reason=...)` and
    `observer("error", reason=line)`; counts merged from a worker come with `count=n`.
    `errors` keeps the first `KEPT_ERRORS` lines; `error_count` counts them all.
    With `debug`, an exception's line is followed by its traceback.
    """

    kept: Counter[str] = field(default_factory=Counter)
    dropped: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    listener: Callable[[str], None] | None = None
    observer: Callable[..., None] | None = None
    debug: bool = False
    # Warnings do not fail a run: something was read in a fallback way (a profile that missed).
    warnings: Counter[str] = field(default_factory=Counter)
    warning_listener: Callable[[str], None] | None = None
    # A worker's warning lines, kept (like `errors`) until `merge` hands them to the listener.
    warning_lines: list[str] = field(default_factory=list)

    def keep(self, stage: str) -> None:
        self.kept[stage] += 1
        if self.observer is not None:
            self.observer("passed", stage=stage)

    def drop(self, stage: str, reason: str) -> None:
        self.dropped[(stage, reason)] += 1
        if self.observer is not None:
            self.observer("dropped", stage=stage, reason=reason)

    def error(self, line: str) -> None:
        self.error_count += 1
        if len(self.errors) < KEPT_ERRORS:
            self.errors.append(line)
        if self.listener is not None:
            self.listener(line)
        if self.observer is not None:
            self.observer("error", reason=line)

    def exception(self, subject: str, stage: str, exc: BaseException) -> None:
        """A bug or an unexpected input in one record: its one error line, and a drop reason."""
        line = f"{subject}: {stage} failed: {type(exc).__name__}: {exc}"
        if self.debug:
            line += "\n" + "".join(traceback.format_exception(exc)).rstrip()
        self.drop(stage, f"{stage} failed")
        self.error(line)

    def merge(self, other: Stats) -> None:
        """Add what a worker counted (its error lines reach this listener in order, and its
        counts this observer, as one event per stage or reason with a `count`)."""
        self.kept.update(other.kept)
        self.dropped.update(other.dropped)
        if self.observer is not None:
            for stage, n in other.kept.items():
                self.observer("passed", stage=stage, count=n)
            for (stage, reason), n in other.dropped.items():
                self.observer("dropped", stage=stage, reason=reason, count=n)
        for line in other.errors:
            self.error(line)
        self.error_count += other.error_count - len(other.errors)
        for line in other.warning_lines:
            if self.warning_listener is not None:
                self.warning_listener(line)
        self.warnings.update(other.warnings)

    def warn(self, kind: str, line: str) -> None:
        self.warnings[kind] += 1
        if self.warning_listener is not None:
            self.warning_listener(line)
        elif len(self.warning_lines) < KEPT_ERRORS:
            self.warning_lines.append(line)

    @property
    def failed(self) -> bool:
        return self.error_count > 0


class Step(Protocol):
    """One pipeline stage."""

    def run(self, docs: Iterable[Document], stats: Stats) -> Iterator[Document]: ...
