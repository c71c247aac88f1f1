"""Text to terms for relevance: words lower-cased, aliases read as their canonical name,
Indonesian and English stopwords (stopwords-iso) dropped, and each term marked when the text
writes it as a name (capitalised inside a sentence).

    Terms(aliases).of(text)       -> list[Term]
    load_aliases(extra_file=None) -> dict[tuple[str, ...], str]
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import stopwordsiso

from scraper.errors import ConfigError

_WORD = re.compile(r"\w+")
_WINDOW = 12
_SENTENCE_END = re.compile(r"[.!?:\"“”]\s*$")
# Words that carry no topic: both languages, since Indonesian news quotes English often.
STOPWORDS = frozenset(stopwordsiso.stopwords(["id", "en"]))


@dataclass(frozen=True)
class Term:
    text: str  # canonical, lower case; an aliased phrase joins its words with a space
    name: bool  # written capitalised inside a sentence (a person, place or body)


Aliases = dict[tuple[str, ...], str]


def load_aliases(extra: str | None = None) -> Aliases:
    """The shipped alias table, with `extra` (a TOML file of the same shape) merged over it."""
    text = resources.files("scraper.relevance").joinpath("aliases.toml").read_text("utf-8")
    tables = [tomllib.loads(text)]
    if extra is not None:
        try:
            tables.append(tomllib.loads(Path(extra).read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(extra, f"cannot read aliases ({exc})") from exc
    aliases: Aliases = {}
    for table in tables:
        for canonical, variants in table.get("aliases", {}).items():
            if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
                raise ConfigError(extra or "aliases.toml", f"{canonical!r}: a list of strings")
            for variant in [canonical, *variants]:
                # An all-capitals variant ("AS", "RI") matches only in capitals: "as" and "ri"
                # are ordinary words too.
                shown = variant if variant.isupper() else variant.lower()
                words = tuple(_WORD.findall(shown))
                if words:
                    aliases[words] = canonical.lower()
    return aliases


class Terms:
    """Tokenizer shared by the pre-score, the full score and `scraper query`."""

    def __init__(self, aliases: Aliases) -> None:
        self.aliases = aliases
        self.longest = max((len(k) for k in aliases), default=1)

    def of(self, text: str) -> list[Term]:
        # What precedes a word says whether it opens a sentence; a short window is enough.
        words = [(m.group(), text[max(0, m.start() - _WINDOW): m.start()])
                 for m in _WORD.finditer(text)]
        out: list[Term] = []
        i = 0
        while i < len(words):
            taken = self._alias(words, i)
            span, canonical = taken if taken else (1, words[i][0].lower())
            word, before = words[i]
            name = word[:1].isupper() and not _starts_sentence(before)
            if _keep(canonical):
                out.append(Term(canonical, name or taken is not None))
            i += span
        return out

    def _alias(self, words: list[tuple[str, str]], start: int) -> tuple[int, str] | None:
        for size in range(min(self.longest, len(words) - start), 0, -1):
            shown = tuple(w for w, _ in words[start:start + size])
            for key in (shown, tuple(w.lower() for w in shown)):
                if key in self.aliases:
                    return size, self.aliases[key]
        return None


def _starts_sentence(before: str) -> bool:
    stripped = before.rstrip()
    return not stripped or bool(_SENTENCE_END.search(stripped)) or stripped.endswith(("-", "–"))


def _keep(term: str) -> bool:
    return len(term) > 1 and not term.isdigit() and term not in STOPWORDS


def slug_text(url: str) -> str:
    """The words of a URL's path ("/read/123/kanal/putin-tiba-di-pyongyang" -> words)."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url)
    return " ".join(w for w in re.split(r"[/\-_.?=&]+", path) if w and not w.isdigit())
