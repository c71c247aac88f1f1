"""Rejoin sentences that a dump broke at its inline links.

A text dump of a page often puts every link on a line of its own, so one sentence arrives as
"Proses pemulangan jemaah" / "haji" / "Indonesia ke Tanah Air …", or "KOMPAS.com" /
"- Pelatih Timnas Indonesia," / "Patrick Kluivert" / ", menyebut …". The shape of the lines tells:
a line that does not end a sentence is continued by the next one when that one starts with a
lowercase word or with punctuation, when the line ends with a comma, a dash or a word that cannot
end a sentence, or when it is itself the result of such a join.

What stays apart: a line that a whole-line rule removes (desk initials, ad markers: the caller
says which), a line that ends a sentence or introduces a list (":"), list items (a run of short
lines after a ":" line, bullets, numbers), and headings (nothing marks them as broken).
"""

from __future__ import annotations

import re
from collections.abc import Callable

# A sentence ends with . ! ? or … , maybe followed by closing quotes or brackets, and maybe by a
# sign-off in brackets ("… kata dia. (abc/def)"); see `_ends_sentence`.
_ENDS = (".", "!", "?", "…")
_CLOSERS = "\"”’')]"
SIGNOFF_CHARS = 40
_BULLET = re.compile(r"(?:[-•*·]|\d{1,2}[.)])\s")
_DASH_START = re.compile(r"[-–—]\s")
# "jfid – Pada bulan …": a lead that opens with its own dateline starts a paragraph.
_LEAD_DATELINE = re.compile(r"[^\s,]{2,30}(?:,[^–—-]{1,40})?\s[-–—]\s")
_CONTINUES = frozenset(",-–—(/&")
_DASHES = ("-", "–", "—")
# Words that cannot end an Indonesian (or English) sentence: a line ending in one is cut short.
_OPEN_WORDS = frozenset(
    (
        "di", "ke", "dari", "dan", "yang", "untuk", "dengan", "atau", "pada", "oleh", "bahwa",
        "para", "sang", "si", "dalam", "kepada", "terhadap", "seperti", "serta", "karena",
        "juga", "agar", "bagi", "akan", "telah", "sudah", "ini", "itu", "the", "of", "and", "to",
        "a", "an", "in", "for", "with",
    )
)
FRAGMENT_WORDS = 3
LINK_WORDS = 6  # the longest link text taken for a piece of a sentence
LIST_ITEM_WORDS = 12


def _letters(line: str) -> bool:
    return line[:1].isalnum() or any(c.isalnum() for c in line)


def _ends_sentence(line: str) -> bool:
    r"""Whether `line` ends a sentence: what the regex
    `[.!?…]["”’')\]]*(?:\s*\([^()]{1,40}\))?$` finds, read from the end of the line instead of
    scanning it (this runs for every line, twice per document)."""
    line = line.removesuffix("\n")  # `$` also matches before a final line break
    if line.endswith(")"):
        start = line.rfind("(")
        inside = line[start + 1 : -1]
        signoff = start >= 0 and 0 < len(inside) <= SIGNOFF_CHARS and ")" not in inside
        if signoff and line[:start].rstrip().rstrip(_CLOSERS).endswith(_ENDS):
            return True
    return line.rstrip(_CLOSERS).endswith(_ENDS)


def _starts_lowercase(line: str) -> bool:
    word = line.split(" ", 1)[0]
    # "iPhone", "eKTP": a lowercase first letter in a brand is not a sentence going on
    return word[:1].islower() and not any(c.isupper() for c in word[1:])


# A sentence end with the next sentence glued on ("!Foto …"): glue repair splits it there, so
# joining it would not last (cleaning twice must give what cleaning once gave).
_END_THEN_SENTENCE = re.compile(r"[.!?]+[\"”’]?[\"“]?[A-Z][a-z]")


def _starts_with_punctuation(line: str) -> bool:
    return line[:1] in ",.;:)!?”’" and _letters(line) and not _END_THEN_SENTENCE.match(line)


def _open_end(line: str) -> bool:
    if line[-1:] in _CONTINUES:
        return True
    last = line.rsplit(" ", 1)[-1].lower()
    return last in _OPEN_WORDS


def _dateline_dash(line: str, before: str, after: str | None) -> bool:
    """"KOMPAS.com" / "- Pelatih …": a dash after a short name, not the first of a bullet list."""
    return (
        bool(_DASH_START.match(line))
        and len(before.split()) <= FRAGMENT_WORDS
        and not _BULLET.match(before)
        and not (after is not None and _BULLET.match(after))
    )


def _continues(current: str, joined: bool, line: str, after: str | None) -> bool:
    """Whether `line` continues the sentence that `current` left open."""
    if _ends_sentence(current) or current.endswith(":"):
        return False
    if not any(c.isalpha() for c in current):  # a row of numbers (a table) or a lone dash
        return False
    if _BULLET.match(line):
        return _dateline_dash(line, current, after)
    if _LEAD_DATELINE.match(line):
        return False
    if not _letters(line):  # only "Jakarta" / "-": a dateline's dash
        return True
    if _starts_lowercase(line) or _starts_with_punctuation(line):
        return True
    if joined or current[-1] in _CONTINUES:
        return True
    # A short piece without an end is a link inside the sentence when the line before cannot
    # end there ("... oleh" / "Menteri Luar Negeri" / "di Jakarta.") or the line after goes on
    # in lowercase ("Pelatih Timnas Indonesia," / "Patrick Kluivert" / ", menyebut").
    if len(line.split()) > LINK_WORDS or _ends_sentence(line):
        return False
    return _open_end(current) or (
        after is not None and (_starts_lowercase(after) or _starts_with_punctuation(after))
    )


def _glue(current: str, line: str) -> str:
    if _starts_with_punctuation(line) and _letters(line) and line[0] not in "-–—":
        return current + line
    return f"{current} {line}"


def _closed(line: str, is_chrome: Callable[[str], bool]) -> bool:
    """Whether no line after `line` can join it: it ends a sentence or a list's introduction,
    or it is no prose line (removed whole, or without a letter, but for a dateline's dash). When
    every line but the last is closed, nothing joins and the lines stay as they are."""
    if _ends_sentence(line) or line.endswith(":"):
        return True
    return line not in _DASHES and (not _letters(line) or is_chrome(line))


def _is_dateline_dash(lines: list[str], i: int, prose: set[int]) -> bool:
    """"Jakarta" / "-": the dash of a dateline whose place was a link joins that place."""
    return (
        lines[i] in _DASHES
        and i - 1 in prose
        and len(lines[i - 1].split()) <= FRAGMENT_WORDS
        and not _ends_sentence(lines[i - 1])
    )


def rejoin_lines(lines: list[str], is_chrome: Callable[[str], bool]) -> list[str]:
    """`lines` with broken sentences joined back.

    `is_chrome(line)` names the lines that rules remove whole: they never join, and a sentence
    broken around one (an ad marker between its pieces) is joined across it, so that cleaning
    the output again finds nothing more to join. Lines without a letter or digit are passed by
    in the same way, but for the dash of a dateline.
    """
    if all(_closed(line, is_chrome) for line in lines[:-1]):
        return list(lines)
    prose_set = {i for i, line in enumerate(lines) if _letters(line) and not is_chrome(line)}
    prose_set |= {
        i for i, line in enumerate(lines)
        if line in _DASHES and _is_dateline_dash(lines, i, prose_set)
    }
    prose = sorted(prose_set)
    out: list[str] = []
    last = -1  # the index in `out` of the last prose line
    joined = listed = False  # the last prose line came from a join / is a list item
    for k, i in enumerate(prose):
        line = lines[i]
        passed = lines[prose[k - 1] + 1 if k else 0 : i]
        out.extend(passed)  # the passed-by lines, in order
        listed = listed and not any(map(_letters, passed))  # a removed line ends a list
        after = lines[prose[k + 1]] if k + 1 < len(prose) else None
        item = last >= 0 and (
            out[last].endswith(":") or (listed and len(line.split()) <= LIST_ITEM_WORDS)
        )
        if last >= 0 and not item and _continues(out[last], joined, line, after):
            out[last] = _glue(out[last], line)
            joined = True
            continue
        out.append(line)
        last, joined, listed = len(out) - 1, False, item
    out.extend(lines[(prose[-1] + 1) if prose else 0 :])
    return out
