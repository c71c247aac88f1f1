"""The rule engine: one document through a site's rule set.

Order (each step sees only the lines that earlier steps kept):
  1. glue repair splits paragraphs that lost their break, then sentences broken at inline
     links are rejoined (`rejoin`);
  2. the title is checked like a line: chrome ("Logo Bloomberg Technoz") leaves no title;
  3. each short line is classified: exact line, dateline, byline, line regex;
  4. segments (regexes and segment functions) are cut out of the kept lines, and a line that
     changed is classified again;
  5. line functions (repeated title, promo headline, header byline) look at the document;
  6. the first footer marker after some content drops itself and every line after it;
  7. a sign-off in the second half followed only by short lines (tags, promos) ends the text;
     trailing sign-offs are dropped from the end, whole lines or the tail of the last line;
  8. with no dateline found, a date at the start of the lead ("NAGAGG NEWS, 19 Juni 2024 – ")
     becomes the document's date; the lead keeps it;
  9. the lead's own dateline ("JAKARTA, KOMPAS.com - ") goes to the manifest, and stays in the
     text unless `[clean] dateline = "manifest"`.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

from scraper.clean.glue import repair_glue
from scraper.clean.rejoin import rejoin_lines
from scraper.clean.rules import RuleSet
from scraper.clean.work import Work
from scraper.dates import date_from_url, parse_date
from scraper.document import Document, Removal, normalize_line, split_lines

# What `normalize_line` would change: odd spaces, invisible characters, runs of spaces, ends.
# Substring tests (each a fast C scan), much faster than one regex over the same text.
_UNNORMAL = (  # the ASCII ones first
    "\t", "\r", "  ", "\u00a0", "\u1680", "\u202f", "\u205f", "\u3000", "\u2060",
    "\ufeff", "\u00ad", *(chr(c) for c in range(0x2000, 0x200E)),
)
# A parenthesised tail after a sentence end: "... kata dia. (ahm)".
_TAIL = re.compile(r"(?<=[.!?\"”’])\s*(\([^()\n]{1,80}\))$")
MAX_SEGMENT_ROUNDS = 4
SIGNOFF_TAIL = "generic:signoff_tail"
SIGNOFF_TAIL_CHARS = 200  # a line after the sign-off this long is article text: no truncation
UNCERTAIN = "uncertain_boundaries"  # the key in Document.extra
DATELINE = "dateline"  # the key in Document.extra, and the manifest field
DATELINE_KEEP, DATELINE_TO_MANIFEST = "keep", "manifest"  # `[clean] dateline`


def classify(text: str, rules: RuleSet) -> tuple[str | None, str | None, str | None]:
    """(rule, date, author) for a whole line: the rule that removes it, and metadata found."""
    if len(text) > rules.max_chrome_chars:
        return None, None, None
    if len(text) <= rules.exact_max:
        rule = rules.exact.get(text.casefold())  # lines arrive normalised (normalize_line)
        if rule:
            return rule, None, None
    index = rules.any_line.fullmatch_index(text)
    if index is None:
        return None, None, None
    rule, kind = rules.any_line.rules[index].name, rules.line_kinds[index]
    if kind == "dateline":
        return rule, parse_date(text), None
    if kind == "byline":
        match = rules.bylines[index - rules.line_kinds.index("byline")].pattern.fullmatch(text)
        author = match.groupdict().get("author") if match else None
        return rule, None, normalize_line(author) if author else None
    return rule, None, None


class Verdict(NamedTuple):
    """What the whole-line rules say of one line: `classify`'s answer, and the footer and the
    sign-off rule that match the whole line (None: none)."""

    rule: str | None
    date: str | None
    author: str | None
    footer: str | None
    signoff: str | None
    chrome: bool  # a rule of any family removes the whole line


_PROSE = Verdict(None, None, None, None, None, False)
MAX_VERDICTS = 4096  # lines remembered per rule set (1-2 MB), then forgotten at once


def judge(text: str, rules: RuleSet) -> Verdict:
    """The verdict on a whole line, computed once per distinct line and rule set."""
    found: Verdict | None = rules.verdicts.get(text)
    if found is not None:
        return found
    if len(text) > rules.max_chrome_chars:
        return _PROSE
    rule, date, author = classify(text, rules)
    footer, signoff = rules.footers.fullmatch(text), rules.signoffs.fullmatch(text)
    chrome = rule is not None or footer is not None or signoff is not None
    found = Verdict(rule, date, author, footer, signoff, chrome)
    if len(rules.verdicts) >= MAX_VERDICTS:
        rules.verdicts.clear()
    rules.verdicts[text] = found
    return found


def is_chrome(text: str, rules: RuleSet) -> bool:
    """Whether a whole-line rule of any family removes `text` on its own."""
    return judge(text, rules).chrome


def _chrome_test(rules: RuleSet) -> Callable[[str], bool]:
    """`is_chrome` for `rejoin_lines`, with the cache lookup inlined (it runs for every line)."""
    verdicts, limit = rules.verdicts, rules.max_chrome_chars

    def chrome(line: str) -> bool:
        return len(line) <= limit and (verdicts.get(line) or judge(line, rules)).chrome

    return chrome


def _classify_line(work: Work, i: int, rules: RuleSet) -> bool:
    rule, date, author, *_ = judge(work.lines[i], rules)
    if rule is None:
        return False
    work.date = work.date or date
    work.author = work.author or author
    work.remove(i, rule)
    return True


def _check_title(work: Work, rules: RuleSet) -> None:
    if not work.title:
        return
    rule, date, author, *_ = judge(work.title, rules)
    if rule is not None:
        work.date = work.date or date
        work.author = work.author or author
        work.record(-1, Removal(rule, work.title))
        work.title = None


def _segment_spans(
    text: str, rules: RuleSet, uncertain: list[tuple[str, int, int]] | None = None
) -> list[tuple[str, int, int]]:
    """The spans to cut from `text`; the spans a function is unsure of go to `uncertain`."""
    spans = [(name, m.start(), m.end()) for name, m in rules.segments.finditer(text)]
    for name, function in rules.segment_functions:
        for span in function(text):
            if not span.uncertain:
                spans.append((name, span.start, span.end))
            elif uncertain is not None:
                uncertain.append((name, span.start, span.end))
    return spans


def _lines_with_segments(work: Work, rules: RuleSet) -> list[int]:
    """The kept lines that may hold a segment, found with one scan of the whole document (a
    span that crosses a line break marks both lines; they are then checked one by one)."""
    if not rules.segments and not rules.segment_functions:
        return []
    kept = list(work.kept())
    if rules.segments.anchored:  # ^ and $ mean something else on the joined text
        return kept
    starts, offset = [], 0
    for i in kept:
        starts.append(offset)
        offset += len(work.lines[i]) + 1
    spans = _segment_spans("\n".join(work.lines[i] for i in kept), rules)
    touched = set()
    for _, start, end in spans:
        first = bisect.bisect_right(starts, start) - 1
        last = bisect.bisect_right(starts, max(start, end - 1)) - 1
        touched.update(kept[first : last + 1])
    return sorted(touched)


def _classify_lines(work: Work, rules: RuleSet) -> None:
    verdicts, limit = rules.verdicts, rules.max_chrome_chars
    for i, text in enumerate(work.lines):
        if len(text) <= limit and (verdicts.get(text) or judge(text, rules)).rule is not None:
            _classify_line(work, i, rules)


def _cut_segments(work: Work, i: int, rules: RuleSet) -> None:
    uncertain: list[tuple[str, int, int]] = []
    spans = _segment_spans(work.lines[i], rules, uncertain)
    text = work.lines[i]
    work.uncertain.extend(Removal(name, text[start:end].strip()) for name, start, end in uncertain)
    for round_ in range(MAX_SEGMENT_ROUNDS):
        if round_:
            spans = _segment_spans(work.lines[i], rules)
        if not spans:
            return
        work.cut(i, spans)
        if work.why[i] is not None or _classify_line(work, i, rules):
            return


def _run_line_functions(work: Work, rules: RuleSet) -> None:
    for name, function in rules.line_functions:
        function(work, name, rules)


def _tail_is_smaller(work: Work, i: int) -> bool:
    """Whether the kept text from line i on is shorter than the kept text before it."""
    before = sum(len(work.lines[j]) for j in range(i) if work.why[j] is None)
    after = sum(len(work.lines[j]) for j in range(i, len(work.lines)) if work.why[j] is None)
    return after < before


def _cut_footer(work: Work, rules: RuleSet) -> None:
    """A footer marker ends the article, even when another rule already removed the marker
    line itself (e.g. a byline that also opens the footer); above all content it goes alone."""
    if not rules.footers:
        return
    seen_content = False
    verdicts, limit = rules.verdicts, rules.max_chrome_chars
    for i, line in enumerate(work.lines):
        rule = (verdicts.get(line) or judge(line, rules)).footer if len(line) <= limit else None
        if rule is None:
            seen_content = seen_content or work.why[i] is None
        elif not seen_content or not _tail_is_smaller(work, i):
            # above all content, or above most of it (a sidebar's "Tags" before the article
            # body in a generic extraction): the marker goes alone
            work.remove(i, rule)
        else:
            for j in range(i, len(work.lines)):
                work.remove(j, rule)
            return


def _signoff_at(work: Work, i: int, rules: RuleSet) -> tuple[str, int] | None:
    """(rule, where the sign-off starts) when line i is or ends with a sign-off."""
    line = work.lines[i]
    rule = judge(line, rules).signoff
    if rule is not None:
        return rule, 0
    # `_TAIL` ends with ")" at the end (`$` also before a final line break): a cheap test first.
    tail = _TAIL.search(line) if line.endswith((")", ")\n")) else None
    rule = rules.signoffs.fullmatch(tail[1]) if tail else None
    return (rule, tail.start()) if tail and rule else None


def _article_line(line: str) -> bool:
    """A line after a sign-off that is article text: long, or a whole sentence."""
    if len(line) > SIGNOFF_TAIL_CHARS:
        return True
    return line.rstrip("\"”’)").endswith((".", "!", "?")) and len(line.split()) >= 8


def _truncate_after_signoff(work: Work, rules: RuleSet) -> None:
    """The desk's sign-off ends the article: the tag list, promos and related titles that a
    dump keeps after it go with it. Only in the second half of the text, and only when what
    follows is short lines (a tag or a headline, never a sentence of the article). The sign-off
    may already be gone (a site rule removed the initials line): its place still counts."""
    if not rules.signoffs:
        return
    kept = set(work.kept())
    total = sum(len(work.lines[i]) for i in kept)
    # For each line: whether a kept line follows, and whether an article line follows.
    follows, prose_follows = [False] * len(work.lines), [False] * len(work.lines)
    for i in range(len(work.lines) - 2, -1, -1):
        nxt = i + 1
        follows[i] = follows[nxt] or nxt in kept
        prose_follows[i] = prose_follows[nxt] or (nxt in kept and _article_line(work.lines[nxt]))
    seen, content = 0, False
    for i, line in enumerate(work.lines):
        if i in kept:
            seen += len(line)
        if not follows[i] or seen < total / 2 or not content:
            content = content or (i in kept and _article_line(line))
            continue
        if not prose_follows[i] and _signoff_at(work, i, rules) is not None:
            for j in range(i + 1, len(work.lines)):
                if j in kept:
                    work.remove(j, SIGNOFF_TAIL)
            # What now ends the text ("Related Headline" above a cut tag line) was judged
            # while more followed it: the rules see it again.
            work.tail_cut = True
            return


def _trim_signoffs(work: Work, rules: RuleSet) -> None:
    if not rules.signoffs:
        return
    while (i := work.last_kept()) is not None:
        found = _signoff_at(work, i, rules)
        if found is None:
            return
        rule, start = found
        # Either way the line before the sign-off is now the end: the rules see it again.
        work.tail_cut = True
        if start == 0:
            work.remove(i, rule)
            continue
        work.cut(i, [(rule, start, len(work.lines[i]))])
        if work.why[i] is None:
            _classify_line(work, i, rules)


def _normalized(paragraphs: list[str]) -> list[str]:
    """The rules expect one line per paragraph, as `normalize_line` gives it; the readers do
    that, other callers may not."""
    text = "\n".join(paragraphs)
    odd = bool(paragraphs) and text.count("\n") != len(paragraphs) - 1  # a line break inside
    odd = odd or any(not p or p[0].isspace() or p[-1].isspace() for p in paragraphs)
    # An ASCII text can only hold the ASCII ones.
    unnormal = _UNNORMAL[:3] if text.isascii() else _UNNORMAL
    if not odd and not any(s in text for s in unnormal) and unicodedata.is_normalized("NFC", text):
        return paragraphs
    return [q for p in paragraphs for q in map(normalize_line, split_lines(p)) if q]


def clean_lines(doc: Document, rules: RuleSet) -> Work:
    """Run every rule of `rules` over one document; the result says what was kept and why not."""
    chrome = _chrome_test(rules)
    lines = repair_glue(_normalized(doc.paragraphs), rules.abbreviations)
    paragraphs = rejoin_lines(lines, chrome)
    if len(paragraphs) != len(lines):
        # A join makes new seams ("a" + ")!Foto"), where glue can show that no line held.
        paragraphs = rejoin_lines(repair_glue(paragraphs, rules.abbreviations), chrome)
    title = normalize_line(" ".join(split_lines(doc.title))) or None if doc.title else None
    work = Work(title=title, lines=paragraphs)
    _check_title(work, rules)
    _classify_lines(work, rules)
    for i in _lines_with_segments(work, rules):
        _cut_segments(work, i, rules)
    _run_line_functions(work, rules)
    _cut_footer(work, rules)
    _truncate_after_signoff(work, rules)
    _trim_signoffs(work, rules)
    _lead_date(work, rules)
    return work


def _lead_date(work: Work, rules: RuleSet) -> None:
    """A date in the lead's own dateline ("NAGAGG NEWS, 19 Juni 2024 – ..."), kept in the text."""
    first = next(work.kept(), None)
    if work.date is not None or first is None:
        return
    for rule in rules.lead_dates:
        match = rule.pattern.match(work.lines[first])
        if match and (date := parse_date(match["date"])):
            work.date = date
            return


def _paragraphs(work: Work, rules: RuleSet) -> list[str]:
    """The kept lines, with sentences rejoined that a removed line had held apart (an ad marker
    between two pieces of one sentence), so that cleaning twice gives what cleaning once gave."""
    return rejoin_lines(work.paragraphs(), _chrome_test(rules))


def lead_dateline(paragraphs: list[str], rules: RuleSet) -> tuple[str, str] | None:
    """(rule, dateline) when the lead opens with its own dateline ("JAKARTA, KOMPAS.com - …")."""
    lead = paragraphs[0] if paragraphs else ""
    for rule in rules.lead_datelines:
        match = rule.pattern.match(lead)
        if match and match.end() < len(lead):
            return rule.name, match[0]
    return None


def _record_dateline(doc: Document, mode: str, rules: RuleSet) -> Document:
    """Record the lead's dateline for the manifest (`extra["dateline"]`); with mode "manifest"
    it also leaves the text (a removal, so that `--explain` and the manifest count agree)."""
    found = lead_dateline(doc.paragraphs, rules)
    if found is None:
        return doc
    rule, prefix = found
    extra = {**doc.extra, DATELINE: doc.extra.get(DATELINE) or prefix.strip(" -–—")}
    if mode != DATELINE_TO_MANIFEST:
        return replace(doc, extra=extra)
    paragraphs = [doc.paragraphs[0][len(prefix):], *doc.paragraphs[1:]]
    removed = [*doc.removed, Removal(rule, prefix.strip())]
    return replace(doc, paragraphs=paragraphs, removed=removed, extra=extra)


def clean_document(doc: Document, rules: RuleSet, dateline: str = DATELINE_KEEP) -> Document:
    """The cleaned copy of `doc`. When a sign-off tail was cut, or the final rejoin changed the
    kept lines (a line's neighbours, and so what position-bound rules see, then differ), the
    rules run again on the result, so that cleaning twice gives what cleaning once gave."""
    work = clean_lines(doc, rules)
    removed = [*doc.removed, *work.removals_in_order()]
    uncertain = [*uncertain_boundaries(doc), *work.uncertain]
    date, author = doc.date or work.date, doc.author or work.author
    paragraphs = _paragraphs(work, rules)
    current = replace(doc, title=work.title, paragraphs=paragraphs)
    for _ in range(2):
        if not work.tail_cut and paragraphs == work.paragraphs():
            break
        work = clean_lines(current, rules)
        removed.extend(work.removals_in_order())
        uncertain.extend(work.uncertain)
        date, author = date or work.date, author or work.author
        paragraphs = _paragraphs(work, rules)
        current = replace(current, title=work.title, paragraphs=paragraphs)
    # A record without a date often has one in its URL ("/read/2025/06/10/...").
    date = date or date_from_url(doc.url)
    extra = {**current.extra, UNCERTAIN: uncertain} if uncertain else current.extra
    cleaned = replace(current, site=rules.profile, date=date, author=author, removed=removed,
                      extra=extra)
    return _record_dateline(cleaned, dateline, rules)


def uncertain_boundaries(doc: Document) -> list[Removal]:
    """The text the cleaner kept because it was unsure where a removal should end (a related
    headline glued into a paragraph), each with the rule that found it."""
    kept = doc.extra.get(UNCERTAIN, [])
    return [r for r in kept if isinstance(r, Removal)] if isinstance(kept, list) else []
