"""The corpus pass: chrome learned from the documents of one site in one run.

Chrome that no rule knows still betrays itself by recurring: the same short line, once per
document, near the top or the bottom, in most documents of the site. Content that merely repeats
does not look like that, and these guards keep it:
  * a line must sit among the first or last `edge` lines of a document (a shared quote or
    "Jawaban:" sits in the middle of the body);
  * it must occur exactly once in each document that counts it ("Jawaban:" recurs inside a quiz);
  * it must be short, and not a quotation, a label ending in ":" or a numbered sub-heading;
  * it must recur in at least `min_docs` documents and in `min_share` of the site's documents
    (a quote two syndicated stories share is not "most documents").
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from scraper.clean.boundaries import known_headlines, settle
from scraper.document import Document, Removal

RULE = "corpus:recurring"
_CONTENT_LIKE = re.compile(r"[\"“‘'«]|\d+[.)]\s|.*:$")


@dataclass(frozen=True)
class CorpusPolicy:
    min_docs: int = 4
    min_share: float = 0.6
    max_chars: int = 120
    edge: int = 4


def _candidates(doc: Document, policy: CorpusPolicy) -> set[str]:
    # Lines are already normalised; chrome repeats verbatim, so exact equality is enough.
    # Only the few short edge lines are counted (most edge lines of an article are long).
    paragraphs = doc.paragraphs
    edge = paragraphs[: policy.edge] + paragraphs[-policy.edge :]
    return {
        p
        for p in edge
        if len(p) <= policy.max_chars and paragraphs.count(p) == 1 and not _CONTENT_LIKE.match(p)
    }


def learn_chrome(docs: Sequence[Document], policy: CorpusPolicy) -> frozenset[str]:
    """Lines that recur as chrome across `docs` (all from one site)."""
    if len(docs) < policy.min_docs:
        return frozenset()
    seen: Counter[str] = Counter()
    for doc in docs:
        seen.update(_candidates(doc, policy))
    need = max(policy.min_docs, math.ceil(policy.min_share * len(docs)))
    return frozenset(line for line, count in seen.items() if count >= need)


def remove_chrome(doc: Document, chrome: frozenset[str], policy: CorpusPolicy) -> Document:
    if not chrome:
        return doc
    found = _candidates(doc, policy) & chrome
    if not found:
        return doc
    kept = [p for p in doc.paragraphs if p not in found]
    gone = [Removal(RULE, p) for p in doc.paragraphs if p in found]
    return replace(doc, paragraphs=kept, removed=[*doc.removed, *gone])


def corpus_pass(docs: list[Document], policy: CorpusPolicy) -> list[Document]:
    """Learn each site's recurring chrome from `docs` and remove it; order is kept."""
    by_site: dict[str | None, list[int]] = defaultdict(list)
    for index, doc in enumerate(docs):
        by_site[doc.site].append(index)
    out = list(docs)
    for indexes in by_site.values():
        site_docs = [docs[i] for i in indexes]
        chrome = learn_chrome(site_docs, policy)
        known = known_headlines(site_docs)  # to settle unsure headline ends
        for i in indexes:
            out[i] = settle(remove_chrome(docs[i], chrome, policy), known)
    return out
