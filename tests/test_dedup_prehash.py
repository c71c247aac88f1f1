"""Hashes made where a document was cleaned: the same as the dedup stage's, and packed for the
way back from a worker without losing anything."""

import pickle

import numpy as np

from scraper.config import DedupConfig
from scraper.dedup.prehash import complete, pack, prehash, unpack
from scraper.document import Document

LONG = " ".join(f"kata{i}" for i in range(120))


def doc(i, *paragraphs):
    return Document(title=f"Judul {i}", paragraphs=list(paragraphs), source=f"in#{i}")


def docs():
    return [
        doc(0, LONG, "Paragraf kedua yang cukup panjang untuk sebuah berita."),
        doc(1, "Berita pendek."),  # short enough for the short shingles too
        doc(2, "Sama persis di sini.", "Sama persis di sini.", LONG),  # a repeated paragraph
        doc(3, "!!! ---"),  # no words at all
    ]


def described(feats, keys):
    short = None if feats.short_hashes is None else feats.short_hashes.tolist()
    return (feats.words, feats.chars, feats.exact, feats.sample, feats.long_hashes.tolist(),
            short, keys.tolist(), keys.dtype, feats.folded_samples().tolist())


def test_packed_hashes_unpack_to_the_very_same_features_and_keys():
    config = DedupConfig()
    made = prehash(docs(), config)
    assert made[1][1].short_hashes is not None and made[0][1].short_hashes is None
    assert made[3][1].words == 0 and len(made[3][1].long_hashes) == 0
    packed = pickle.loads(pickle.dumps(pack([(f, k) for _, f, k in made])))
    back = unpack(packed)
    assert [described(f, k) for f, k in back] == [described(f, k) for _, f, k in made]
    assert unpack(pack([])) == []


def test_the_stage_decides_on_given_hashes_as_on_its_own():
    config = DedupConfig()
    given = prehash(docs(), config)
    mine = complete(docs(), None, config)
    theirs = complete(docs(), [given[0], None, given[2], given[3]], config)
    assert [d.paragraphs for d in theirs[0]] == [d.paragraphs for d in mine[0]]
    assert len(theirs[0][2].paragraphs) == 2  # the repeat dropped, in both
    assert [described(f, k) for f, k in zip(theirs[1], theirs[2], strict=True)] == [
        described(f, k) for f, k in zip(mine[1], mine[2], strict=True)
    ]
    assert all(isinstance(k, np.ndarray) for k in theirs[2])
