"""Run statistics and the step contract, shared by every stage.

This module sits below the stages: a stage imports it, and `pipeline` wires the stages, so no
stage needs to import the module that wires it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from scraper.document import Document


@dataclass
class Stats:
    """Counts of what each stage kept and dropped, and the one-line errors met on the way.

    `listener` sees each error line as it happens, so a long run reports problems at once.
    """

    kept: Counter[str] = field(default_factory=Counter)
    dropped: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    listener: Callable[[str], None] | None = None
    # Warnings do not fail a run: something was read in a fallback way (a profile that missed).
    warnings: Counter[str] = field(default_factory=Counter)
    warning_listener: Callable[[str], None] | None = None

    def keep(self, stage: str) -> None:
        self.kept[stage] += 1

    def drop(self, stage: str, reason: str) -> None:
        self.dropped[(stage, reason)] += 1

    def error(self, line: str) -> None:
        self.errors.append(line)
        if self.listener is not None:
            self.listener(line)

    def warn(self, kind: str, line: str) -> None:
        self.warnings[kind] += 1
        if self.warning_listener is not None:
            self.warning_listener(line)

    @property
    def failed(self) -> bool:
        return bool(self.errors)


class Step(Protocol):
    """One pipeline stage."""

    def run(self, docs: Iterable[Document], stats: Stats) -> Iterator[Document]: ...
