"""The worker pool: results in input order for any --jobs; a failing record is its own error."""

from scraper.config import Config, override
from scraper.document import Document
from scraper.parallel import Record, Worker, process_batches


def record(i, text=None):
    body = text or f"Warga desa {i} menanam pohon di sepanjang jalan raya nomor {i} pagi ini."
    return Record(None, None, Document(title=f"Judul {i}", paragraphs=[body], source=f"in#{i}"))


def test_batches_come_back_in_order_from_two_processes():
    batches = [[record(b * 10 + i) for i in range(10)] for b in range(6)]
    config = override(Config(), "clean", jobs=2)
    results = list(process_batches(iter(batches), config, jobs=2, store=None, debug=False))
    sources = [r.doc.source for records, _ in results for r in records]
    assert sources == [f"in#{i}" for i in range(60)]
    assert sum(stats.kept["clean"] for _, stats in results) == 60


def test_an_exception_in_one_record_spares_the_rest(monkeypatch):
    worker = Worker(Config(), None, debug=False)
    real = worker.cleaner.clean_one

    def fragile(doc):
        if doc.source == "in#1":
            raise KeyError("no such rule")
        return real(doc)

    monkeypatch.setattr(worker.cleaner, "clean_one", fragile)
    records, stats = worker.process([record(0), record(1), record(2)])
    assert [r.doc.source for r in records] == ["in#0", "in#2"]
    assert stats.errors == ["in#1: clean failed: KeyError: 'no such rule'"]
    assert stats.dropped[("clean", "clean failed")] == 1


def test_worker_processes_send_back_the_dedup_hashes_of_what_they_cleaned():
    from scraper.dedup.prehash import prehash

    batches = [[record(b * 4 + i) for i in range(4)] for b in range(3)]
    config = override(Config(), "clean", jobs=2)
    records = [r for rs, _ in process_batches(iter(batches), config, jobs=2, store=None,
                                              debug=False) for r in rs]
    assert all(r.hashed is not None and r.hashed[0] == r.doc for r in records)
    here = prehash([r.doc for r in records], config.dedup)
    assert [r.hashed[2].tolist() for r in records] == [keys.tolist() for _, _, keys in here]
    no_dedup = override(config, "dedup", enabled=False)
    plain = process_batches(iter(batches), no_dedup, jobs=2, store=None, debug=False)
    assert all(r.hashed is None for rs, _ in plain for r in rs)
