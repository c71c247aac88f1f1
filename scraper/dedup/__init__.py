"""The dedup stage: exact, near-duplicate (MinHash LSH) and containment, with a persistent index.

text.py          normalisation, shingles, features, repeated paragraphs within a document
minhash.py       signatures (rensa or datasketch) and LSH band keys
index.py         the SQLite index under OUT/.scraper/
match.py         candidates from the index, verified with exact Jaccard / containment
deduplicator.py  `Deduplicator`: batches against an output folder, crash repair
folder.py        `dedup_folder`: dedup an existing corpus folder (`scraper dedup`)
"""

from scraper.dedup.deduplicator import Deduplicator
from scraper.dedup.folder import FolderReport, dedup_folder
from scraper.dedup.text import REPEATED_PARAGRAPH, dedupe_paragraphs

__all__ = [
    "REPEATED_PARAGRAPH",
    "Deduplicator",
    "FolderReport",
    "dedup_folder",
    "dedupe_paragraphs",
]
