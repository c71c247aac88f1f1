"""Named rules that need code, referenced by name from a profile's `[clean.functions]` table.

Two kinds:
  * segment functions `f(text) -> [(start, end), ...]` return the spans to cut from one line;
  * line functions `f(work, rule, rules) -> None` look at the whole document (the title, the
    neighbours of a line) and remove lines through `work.remove`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from scraper.clean.work import Work


class RuleView(Protocol):
    """What a line function may read of a site's rule set (rules.py imports this module, so
    the functions see the rule set through this view, not through an import of rules.py)."""

    @property
    def header_lines(self) -> int: ...

    @property
    def dateline_names(self) -> frozenset[str]: ...


class Span(NamedTuple):
    """A piece of one line found by a segment function: cut out, or, when `uncertain`, kept
    and reported (`--explain` shows it as "kept: uncertain boundary")."""

    start: int
    end: int
    uncertain: bool = False


SegmentFunction = Callable[[str], list[Span]]
LineFunction = Callable[[Work, str, RuleView], None]

# Lowercase words that Indonesian headlines keep in lower case; any other lowercase word after a
# "Baca juga:" headline is where the article's own sentence resumes.
HEADLINE_LOWERCASE = frozenset(
    (
        "di", "ke", "dari", "dan", "yang", "untuk", "dengan", "atau", "pada", "vs", "ala", "per",
        "via", "dalam", "oleh", "bagi", "demi", "antara", "soal", "usai", "jelang", "saat", "akan",
        "tak", "bisa", "hingga", "sebagai", "tentang",
    )
)
_LABEL = (
    r"(?i:\b(?:baca|lihat|simak)\s+(?:juga|pula)|\bbaca\s+selengkapnya|\bartikel\s+terkait)\s*:"
)
# Words that open a sentence: when one follows a related headline, the headline surely ended.
SENTENCE_OPENERS = frozenset(
    (
        "namun", "jadi", "seperti", "sementara", "sebelumnya", "menurut", "karena", "selain",
        "adapun", "kemudian", "hal", "ini", "itu", "saat", "ketika", "dia", "ia", "mereka",
        "pihaknya", "sedangkan", "padahal", "bahkan", "apalagi", "meski", "meskipun", "tapi",
        "tetapi", "lalu", "maka", "kini", "berdasarkan", "diketahui", "dikatakan", "sebagaimana",
        "sehingga", "kami", "kita", "saya", "akibatnya", "selanjutnya", "sebab", "sejak",
        "setelah", "sebelum", "sejauh", "selama", "atas", "akan", "tidak", "tak", "terkait",
        "kenapa", "mengapa", "apa", "bagaimana", "hingga", "usai", "jika", "bila", "kalau",
        "apabila", "agar", "dalam", "di", "pada", "untuk", "dengan", "oleh", "tercatat", "lantaran",
        "hanya", "sayangnya", "ternyata", "rupanya", "belakangan", "sebenarnya",
    )
)
# Plain nouns that news sentences open with as their whole subject ("Pengunjung datang …"),
# unlike a name, which may be the last of several capitalised words of the subject.
COMMON_SUBJECTS = frozenset(
    (
        "warga", "pengunjung", "pedagang", "petani", "nelayan", "polisi", "pemerintah",
        "masyarakat", "korban", "pelaku", "penumpang", "siswa", "guru", "pasien", "petugas",
        "pembeli", "penonton", "pekerja", "buruh", "mahasiswa", "pengemudi", "penduduk",
    )
)
_PROMO_LABEL = re.compile(_LABEL + r"\s*")
_LABEL_AT_END = re.compile(_LABEL + r"\Z")  # with `endpos`: the label that ends right there
# Case-sensitive literals: scanned much faster than the case-insensitive label regex.
_HINT_WORDS = ("juga", "Juga", "JUGA", "pula", "Pula", "PULA", "lengkapnya", "LENGKAPNYA",
               "terkait", "Terkait", "TERKAIT")
_PROMO_HINT = re.compile(f"(?:{'|'.join(_HINT_WORDS)})\\s*:")
_LONGEST_HINT = max(map(len, _HINT_WORDS))
_TOKEN = re.compile(r"\S+")
_PUNCT = "\"“”'‘’()[],:;-–—|"
MAX_HEADLINE_WORDS = 20
SENTENCE_START_WORDS = 4  # how far before the prose the next sentence may start
_BULLET_MARKS = frozenset("-–•·")
_NEXT_BULLET = re.compile(r"\s+[-–•·]\s")
_GLUED_INSIDE = re.compile(r"[a-z%][A-Z]|%\d")  # "JakartaAkibat", "50%818": two texts glued
_DESK_INITIALS = re.compile(r"\([a-z]{2,5}(?:/[a-z]{2,5})*\)")
_NAME = re.compile(r"[A-Z][A-Za-z'’.-]+(?: [A-Z][A-Za-z'’.-]+){1,3}")


def _headline_word(word: str) -> bool:
    core = word.strip(_PUNCT)
    return not core or core[0].isupper() or core[0].isdigit() or core.lower() in HEADLINE_LOWERCASE


def _opens_sentence(word: str, last: bool) -> bool:
    """Whether `word` of a headline-like run may start the article's next sentence: an opening
    quote, a capitalised opener ("Namun", "Setelah") or plain subject noun ("Warga"), or, as
    the last word before prose, a word with a comma ("Jadi, …")."""
    core = word.strip(_PUNCT)
    lowered = core.lower()
    if word[:1] in "\"“":
        return True
    return core[:1].isupper() and (
        lowered in SENTENCE_OPENERS or lowered in COMMON_SUBJECTS or (last and word.endswith(","))
    )


def _headline_end(text: str, pos: int) -> tuple[int, bool]:
    """Where the related headline that starts at `pos` ends, and whether that is sure: it is
    when a sentence end, a sign-off, the end of the text or a word that opens a sentence closes
    the headline; a capitalised run that runs into prose ("… Gubernur DKI Jakarta Pramono Anung
    meninjau …") may hold the next sentence's subject."""
    run: list[re.Match[str]] = []
    stopped_by_prose = False
    words = 0  # in the current headline: a list of them ("- A - B") or a glued one starts anew
    for match in _TOKEN.finditer(text, pos):
        words = 0 if match[0] in _BULLET_MARKS or _GLUED_INSIDE.search(match[0]) else words + 1
        if words > MAX_HEADLINE_WORDS:
            return run[-1].end(), False
        if _DESK_INITIALS.fullmatch(match[0]):
            break  # the sign-off right after the headline: "…Kembali Dibuka) (sya)"
        if not _headline_word(match[0]):
            stopped_by_prose = True
            break
        run.append(match)
        ends = match[0].rstrip("\"”’)").endswith((".", "?", "!"))
        if ends and not _NEXT_BULLET.match(text, match.end()):
            return match.end(), True  # (a list of headlines goes on: "… Diam! - Dianggap …")
    if not run:
        return pos, True
    if not stopped_by_prose:
        return run[-1].end(), True
    # "… Dibuka Namun pedagang …", "… Covid-19 "Menurutku, Kamga memiliki …": the sentence
    # starts at the last opener among the words right before the prose. Starting it too early
    # only leaves headline words in the text.
    for k in range(len(run) - 1, max(0, len(run) - 1 - SENTENCE_START_WORDS), -1):
        if _opens_sentence(run[k][0], last=k == len(run) - 1):
            return run[k - 1].end(), True
    return run[-1].end(), False


# Where a dump glued two texts without a space: "…Jokowi MundurNew Normal…", "…Turun 50%Yadi pun",
# "…Pencabutan Lockdown“Tidak akan…". A headline inserted after "Baca Juga:" ends at one of these.
_GLUED_START = re.compile(r"(?<=[a-z0-9%)])(?=[A-Z“\"][a-z]?)")
_WINDOW_CHARS = 600


def _headline_like(segment: str) -> bool:
    """A piece that ends where the dump glued the next text to it is a headline when it is
    short, ends no sentence, and most of its words are headline words ("Jokowi: Kepanikan
    adalah Separuh Penyakit" keeps a lowercase verb)."""
    words = segment.split()
    if not 0 < len(words) <= MAX_HEADLINE_WORDS or _ENDS_SENTENCE.search(segment.strip()):
        return False
    return _headline_word(words[0]) and sum(map(_headline_word, words)) >= 0.6 * len(words)


def _glued_headlines_end(text: str, pos: int) -> int | None:
    """The end of the headlines glued one to the next after a label, when the dump glued them
    ("Baca Juga:<headline><headline><sentence>"): each piece up to a glued start is a headline
    while all its words are headline words; the first piece that is not starts the article."""
    window = text[pos : pos + _WINDOW_CHARS]
    starts = [m.start() for m in _GLUED_START.finditer(window)]
    if not starts:
        return None
    end, previous = None, 0
    for start in starts:
        if not _headline_like(window[previous:start]):
            break
        end, previous = start, start
    return None if end is None else pos + end


def _hints(text: str) -> Iterator[re.Match[str]]:
    """What `_PROMO_HINT.finditer(text)` finds, looked for only before each colon: a regex that
    starts with a choice of words tries every position of the text, `str.find` jumps to the few
    colons. A hint is one of the words, spaces, then the colon: it starts at most the longest
    word before the spaces that end at the colon."""
    done, colon = 0, text.find(":")
    while colon >= 0:
        start = colon
        while start > done and text[start - 1].isspace():
            start -= 1
        hint = _PROMO_HINT.search(text, max(done, start - _LONGEST_HINT), colon + 1)
        if hint is not None:
            yield hint
            done = hint.end()
        colon = text.find(":", colon + 1)


def inline_promo(text: str) -> list[Span]:
    """"Baca juga: <headline>" glued into a paragraph, with its headline. When the headline's
    end is unsure, only the label goes and the headline is kept (a removed article word is
    worse than a left headline word), as an uncertain span."""
    # Cheap checks first: every label ends in a colon after one of a few words, so the slow
    # case-insensitive label regex only runs in a short window before each such colon.
    if ":" not in text:
        return []
    spans = []
    for hint in _hints(text):
        label = _LABEL_AT_END.search(text, max(0, hint.start() - 24), hint.end())
        if label is None:
            continue
        glued = _glued_headlines_end(text, label.end())
        end, sure = (glued, True) if glued is not None else _headline_end(text, label.end())
        if sure:
            spans.append(Span(label.start(), end))
        else:
            spans += [Span(label.start(), label.end()), Span(label.end(), end, uncertain=True)]
    return spans


def repeated_title(work: Work, rule: str, rules: RuleView) -> None:
    """The title repeated in the body (image alt text), also truncated as "Title..."."""
    if not work.title:
        return
    title = work.title.casefold()
    for i in list(work.kept()):
        line = work.lines[i]
        if len(line) > len(title) + 3:
            continue
        low = line.casefold()
        if low == title:
            work.remove(i, rule)
        elif low.endswith(("...", "…")):
            stem = low.rstrip(".… ")
            if len(stem) >= 12 and title.startswith(stem):
                work.remove(i, rule)


def promo_headline(work: Work, rule: str, rules: RuleView) -> None:
    """The headline on the line after a bare "Baca juga:" label that a rule removed, or the
    bulleted list of headlines ("- …", "• …") that follows it."""
    for i in range(1, len(work.lines)):
        if work.why[i - 1] is None or work.why[i] is not None:
            continue
        label = work.lines[i - 1]
        if not label.endswith(":") or not _PROMO_LABEL.fullmatch(label + " "):
            continue
        first = work.lines[i]
        bulleted = first.startswith(_BULLETS)
        j = i
        while j < len(work.lines) and work.why[j] is None and _is_headline_line(work.lines[j]):
            if j > i and not (bulleted and work.lines[j].startswith(_BULLETS)):
                break
            work.remove(j, rule)
            j += 1


_BULLETS = ("- ", "• ", "* ", "· ")


def _is_headline_line(line: str) -> bool:
    return len(line) <= 150 and not line.endswith((".", ","))


def header_name_byline(work: Work, rule: str, rules: RuleView) -> None:
    """A bare author name at the top, next to a removed dateline or read-time line."""
    header = rules.dateline_names
    for i in range(min(len(work.lines), rules.header_lines)):
        if work.why[i] is not None or not _NAME.fullmatch(work.lines[i]):
            continue
        neighbours = [work.why[j] for j in (i - 1, i + 1) if 0 <= j < len(work.lines)]
        if any(why in header for why in neighbours):
            if work.author is None:
                work.author = work.lines[i]
            work.remove(i, rule)


_SUMMARY_LABEL = re.compile(r"(?i:ringkasan berita|ringkasan|poin penting|intisari)\s*:?")
_BULLET = re.compile(r"[-•*·]\s+\S.{0,300}")


def summary_block(work: Work, rule: str, rules: RuleView) -> None:
    """The bullet lines of a summary box that follow its removed "Ringkasan Berita:" label."""
    inside = False
    for i, line in enumerate(work.lines):
        if work.why[i] is not None and _SUMMARY_LABEL.fullmatch(line):
            inside = True
        elif inside and work.why[i] is None and _BULLET.fullmatch(line):
            work.remove(i, rule)
        else:
            inside = False


_ENDS_SENTENCE = re.compile(r"[.!?…][\"”’')\]]*$")
_LIST_START = re.compile(r"(?:[-•*·]|\d{1,2}[.)])\s")
TAIL_HEADLINE_WORDS = (4, 16)
MAX_TAIL_LINES = 3


def _is_tail_headline(line: str) -> bool:
    """A related article's headline after the last sentence: title case, no sentence end."""
    words = line.split()
    if not TAIL_HEADLINE_WORDS[0] <= len(words) <= TAIL_HEADLINE_WORDS[1]:
        return False
    if _ENDS_SENTENCE.search(line) or _LIST_START.match(line):
        return False
    capitalised = sum(_headline_word(w) and w.strip(_PUNCT).lower() not in HEADLINE_LOWERCASE
                      for w in words)
    return capitalised >= 0.6 * len(words) and all(map(_headline_word, words))


def related_tail(work: Work, rule: str, rules: RuleView) -> None:
    """What a dump keeps after the last sentence: the headlines of related articles (up to
    three), also as the label of a removed video ("Judul Video Terkait:")."""
    kept = [i for i in range(len(work.lines)) if work.why[i] is None]
    tail: list[int] = []
    while kept and len(tail) < MAX_TAIL_LINES and _is_tail_headline(
        work.lines[kept[-1]].removesuffix(":")
    ):
        tail.append(kept.pop())
    # Only after a sentence: a run of title-case lines at the end of a text with no sentence
    # before them is not a tail.
    if tail and kept and _ENDS_SENTENCE.search(work.lines[kept[-1]]):
        for i in tail:
            work.remove(i, rule)


_TOC_LABEL = re.compile(r"(?i:daftar isi|isi artikel|table of contents)\s*:?")
TOC_HEADING_WORDS = 14


def table_of_contents(work: Work, rule: str, rules: RuleView) -> None:
    """A "Daftar Isi" box: the label and the section headings listed under it, up to the first
    line of running text (the headings come back later in the body, where they stay)."""
    for i, line in enumerate(work.lines):
        if work.why[i] is not None or not _TOC_LABEL.fullmatch(line):
            continue
        work.remove(i, rule)
        for j in range(i + 1, len(work.lines)):
            heading = work.lines[j]
            if work.why[j] is not None:
                continue
            if len(heading.split()) > TOC_HEADING_WORDS or _ENDS_SENTENCE.search(heading):
                break
            work.remove(j, rule)
        return


@dataclass(frozen=True)
class Registry:
    segments: dict[str, SegmentFunction]
    lines: dict[str, LineFunction]

    def names(self) -> dict[str, object]:
        return {**self.segments, **self.lines}


FUNCTIONS = Registry(
    segments={"inline_promo": inline_promo},
    lines={
        "repeated_title": repeated_title,
        "promo_headline": promo_headline,
        "header_name_byline": header_name_byline,
        "summary_block": summary_block,
        "related_tail": related_tail,
        "table_of_contents": table_of_contents,
    },
)
