"""The dedup stage: exact, near-duplicate (MinHash LSH) and containment, with a persistent index.

text.py          normalisation, batch-wide word and shingle hashing (numpy), repeated paragraphs
minhash.py       signatures (rensa, one flat buffer per batch) and LSH band keys (numpy)
postings.py      posting lists in memory: sorted numpy runs, vectorised lookups
index.py         the index: documents in SQLite, keys in memory and saved once per batch
batch.py         the candidates of a whole batch, from a few vectorised lookups
match.py         exact verification (Jaccard / containment); per-document candidates
deduplicator.py  `Deduplicator`: batches against an output folder, crash repair
folder.py        `dedup_folder`: dedup an existing corpus folder (`scraper dedup`)
prehash.py       features and keys hashed ahead, where a document was cleaned (Dask workers)
cluster.py       `scraper dedup DIR --engine dask`: the folder's decisions made on a Dask cluster
shuffle.py       its Dask tasks: read and hash, route keys, count candidates, verify pairs
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
