"""The worker pool: results in input order for any --jobs; a failing record is its own error."""

import json

import pytest

from scraper.config import Config, override
from scraper.document import Document
from scraper.parallel import Record, Records, Worker, process_batches


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


def test_records_keep_their_hashes_across_the_process_boundary():
    """A worker's records pickle with their hashes packed: each comes back with the same
    document, features and keys, or none, and with the document dedup will write."""
    import pickle

    from test_dedup_prehash import described, docs

    from scraper.dedup.prehash import prehash

    batch = docs()
    made = prehash(batch, Config().dedup)
    records = Records(Record(i, f"https://x.id/{i}", d, made[i] if i != 1 else None)
                      for i, d in enumerate(batch))
    back = pickle.loads(pickle.dumps(records))
    assert isinstance(back, Records) and [r.key for r in back] == [0, 1, 2, 3]
    assert [r.doc for r in back] == docs()
    assert back[1].hashed is None
    for mine, theirs in ((records[i], back[i]) for i in (0, 2, 3)):
        assert theirs.hashed[0] == mine.hashed[0]
        assert described(*theirs.hashed[1:]) == described(*mine.hashed[1:])
    assert back[0].hashed[0] is back[0].doc  # shared, as when it was made
    assert len(back[2].hashed[0].paragraphs) == 2 < len(back[2].doc.paragraphs)
    assert pickle.loads(pickle.dumps(Records([Record(None, None, docs()[0])])))[0].hashed is None


def test_the_pool_workers_read_their_partitions_and_the_corpus_is_that_of_jobs_1(
        tmp_path, capsys, monkeypatch):
    """With --jobs 2 and files only, the workers read the inputs (cut into many partitions
    here): the same corpus, error lines and summary as --jobs 1, and a rerun skips the work
    done, while this process reads no record."""
    from test_dask_engine import clean_cli, folder_bytes, split_inputs

    from scraper import parallel
    from scraper.sources import dumps

    inputs = split_inputs(tmp_path)
    local = clean_cli(capsys, inputs, tmp_path / "local", "--jobs", "1")
    assert local[0] == 1 and local[1].count("error:") == 6, local[1]
    again = clean_cli(capsys, inputs, tmp_path / "local", "--jobs", "1")
    assert "wrote 0 to OUT" in again[1]
    read_here = []
    for name in ("_read_bytes", "decode_text", "record_to_document", "parse_dump"):
        real = getattr(dumps, name)
        monkeypatch.setattr(dumps, name, lambda *a, real=real, **k: read_here.append(a)
                            or real(*a, **k))
    monkeypatch.setattr(parallel, "PARTITION_BYTES", 2048)
    pool = tmp_path / "pool"
    assert clean_cli(capsys, inputs, pool, "--jobs", "2") == local
    assert folder_bytes(pool) == folder_bytes(tmp_path / "local")
    assert clean_cli(capsys, inputs, pool, "--jobs", "2") == again
    assert folder_bytes(pool) == folder_bytes(tmp_path / "local")
    assert read_here == []


def test_inputs_smaller_than_a_partition_are_cleaned_here_without_starting_workers(
        tmp_path, capsys, monkeypatch):
    """Workers take about a second to start; a few small files are done sooner here."""
    from test_dask_engine import clean_cli, folder_bytes, split_inputs

    from scraper import parallel

    inputs = split_inputs(tmp_path)
    local = clean_cli(capsys, inputs, tmp_path / "local", "--jobs", "1")

    def no_workers(*args, **kwargs):
        raise AssertionError("a worker process was started")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_workers)
    here = tmp_path / "here"
    assert clean_cli(capsys, inputs, here, "--jobs", "2") == local
    assert folder_bytes(here) == folder_bytes(tmp_path / "local")
    monkeypatch.setattr(parallel, "PARTITION_BYTES", 2048)  # now they are many partitions
    with pytest.raises(AssertionError, match="a worker process was started"):
        clean_cli(capsys, inputs, tmp_path / "pool", "--jobs", "2")


def test_a_partition_that_changed_between_its_two_reads_is_one_error_line(tmp_path,
                                                                         monkeypatch):
    from scraper import parallel
    from scraper.parallel import _read_clean, _scan, _start
    from scraper.partitions import FIRST, Piece

    monkeypatch.setattr(parallel, "_worker", None)  # this process's worker, for this test only

    source = tmp_path / "a.jsonl"
    source.write_text("".join(json.dumps({"title": f"Judul {i}", "text": f"Isi berita {i}."})
                              + "\n" for i in range(3)))
    _start(Config(), None, False)
    partition = [Piece(str(source))]
    found, _, _ = _scan(None, partition)
    with source.open("a") as handle:  # a fourth record arrives before the second read
        handle.write(json.dumps({"title": "Judul 3", "text": "Isi berita 3."}) + "\n")
    keys = [key for key, _ in found]
    records, stats = _read_clean(None, partition, FIRST, keys, [True] * len(keys))
    assert records == []
    assert stats.errors == [f"{source}: changed while it was read; run again to clean it"]


def test_the_worker_that_scanned_a_range_cleans_what_it_read_under_the_names_of_its_place(
        tmp_path, monkeypatch):
    from scraper import parallel
    from scraper.parallel import _read_clean, _scan, _start
    from scraper.partitions import Piece
    from scraper.sources.dumps import JsonlRange

    monkeypatch.setattr(parallel, "_worker", None)
    monkeypatch.setattr(parallel, "_reads", parallel.OrderedDict())
    source = tmp_path / "a.jsonl"
    source.write_text("".join(json.dumps({"title": f"Judul {i}", "text": f"Isi berita {i}."})
                              + "\n" for i in range(3)))
    _start(Config(), None, False)
    partition = [Piece(str(source), JsonlRange(start=0, end=None, last=True))]
    found, _, _ = _scan(None, partition, 7)
    source.write_text("")  # what the worker holds is cleaned, not read again
    keys = [key for key, _ in found]
    records, stats = _read_clean(None, partition, (41, 40), keys, [False, True, True], 7)
    assert stats.errors == []
    assert [r.doc.source for r in records] == [f"{source}#41", f"{source}#42"]
    assert [r.doc.title for r in records] == ["Judul 1", "Judul 2"]
    assert parallel._reads == {}
