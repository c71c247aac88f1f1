"""The working state of one document while the cleaner's rules run over it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from scraper.document import Removal, normalize_line


@dataclass
class Work:
    """Lines of one document; `why[i]` names the rule that removed line i (None: kept)."""

    title: str | None
    lines: list[str]
    why: list[str | None] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    # The line each removal came from (-1: the title), to report removals in text order.
    where: list[int] = field(default_factory=list)
    date: str | None = None
    author: str | None = None
    # Set when a sign-off step cut the end of the text (a tail from the last line, or the lines
    # after a sign-off): the steps before it have not seen the new end, so the engine runs the
    # rules once more.
    tail_cut: bool = False
    # Text a segment function kept because it was unsure where its removal should end.
    uncertain: list[Removal] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.why:
            self.why = [None] * len(self.lines)

    def kept(self) -> Iterator[int]:
        return (i for i, why in enumerate(self.why) if why is None)

    def last_kept(self) -> int | None:
        return next((i for i in range(len(self.lines) - 1, -1, -1) if self.why[i] is None), None)

    def remove(self, i: int, rule: str) -> None:
        if self.why[i] is None:
            self.why[i] = rule
            self.record(i, Removal(rule, self.lines[i]))

    def record(self, i: int, removal: Removal) -> None:
        self.removed.append(removal)
        self.where.append(i)

    def removals_in_order(self) -> list[Removal]:
        order = sorted(range(len(self.removed)), key=self.where.__getitem__)
        return [self.removed[k] for k in order]

    def cut(self, i: int, spans: list[tuple[str, int, int]]) -> None:
        """Cut `(rule, start, end)` spans out of line i; a space keeps its neighbours apart."""
        text = self.lines[i]
        pieces: list[str] = []
        pos, last_rule = 0, ""
        for rule, start, end in sorted(spans, key=lambda s: s[1]):
            if start < pos:
                start = pos
            if end <= start:
                continue
            pieces.append(text[pos:start])
            segment = text[start:end].strip()
            if segment:
                self.record(i, Removal(rule, segment))
            pos = end
            last_rule = rule
        if not pieces and pos == 0:
            return
        pieces.append(text[pos:])
        self.lines[i] = normalize_line(" ".join(pieces))
        if not self.lines[i]:
            self.why[i] = last_rule

    def paragraphs(self) -> list[str]:
        return [self.lines[i] for i in self.kept()]
