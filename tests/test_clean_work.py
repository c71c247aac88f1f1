"""The working state: removals and cuts are recorded with their rule, in text order."""

from __future__ import annotations

from scraper.clean.work import Work
from scraper.document import Removal


def test_remove_records_once_and_in_text_order() -> None:
    work = Work(title="T", lines=["a", "b", "c"])
    work.remove(2, "p:x")
    work.remove(0, "p:y")
    work.remove(0, "p:z")  # already removed: nothing more recorded
    assert work.paragraphs() == ["b"]
    assert work.removals_in_order() == [Removal("p:y", "a"), Removal("p:x", "c")]


def test_cut_keeps_words_apart_and_empties_a_line() -> None:
    work = Work(title=None, lines=["kata.[X]Lalu", "[X]"])
    work.cut(0, [("p:x", 5, 8)])
    assert work.lines[0] == "kata. Lalu"
    work.cut(1, [("p:x", 0, 3)])
    assert work.why[1] == "p:x" and work.paragraphs() == ["kata. Lalu"]
    assert [r.text for r in work.removed] == ["[X]", "[X]"]


def test_overlapping_spans_are_cut_once() -> None:
    work = Work(title=None, lines=["abcdef"])
    work.cut(0, [("p:a", 1, 4), ("p:b", 2, 5)])
    assert work.lines[0] == "a f"
