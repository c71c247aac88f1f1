"""The step contract and the run statistics shared by every stage.

A stage takes documents and yields the ones it keeps. What it drops it reports through `Stats`
with a reason, so that summaries, `--explain` and progress come from one place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from scraper.document import Document


@dataclass
class Stats:
    """Counts of what each stage kept and dropped, and the one-line errors met on the way."""

    kept: Counter[str] = field(default_factory=Counter)
    dropped: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def keep(self, stage: str) -> None:
        self.kept[stage] += 1

    def drop(self, stage: str, reason: str) -> None:
        self.dropped[(stage, reason)] += 1

    def error(self, line: str) -> None:
        self.errors.append(line)

    @property
    def failed(self) -> bool:
        return bool(self.errors)


class Step(Protocol):
    """One pipeline stage."""

    name: str

    def run(self, docs: Iterable[Document], stats: Stats) -> Iterator[Document]: ...
