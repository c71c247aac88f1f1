"""The Dask engine: on a LocalCluster of two worker processes, the corpus equals the local one."""

import json
import time

import pytest

from scraper.config import Config, override
from scraper.errors import ConfigError
from scraper.pipeline import Stats, run_clean

distributed = pytest.importorskip("distributed")


def news(i, extra=""):
    """A small generated article; `i` makes its words its own."""
    sentences = [f"Warga kampung {i} membangun jembatan bambu nomor {i * 7 + k} di tepi sungai."
                 for k in range(6)]
    return {"title": f"Berita {i}", "text": "\n".join(sentences) + extra,
            "url": f"https://kota.example.id/berita/{i}"}


def dump(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(path)


def folder_bytes(out):
    return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}


@pytest.fixture(scope="module")
def cluster():
    started = time.monotonic()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as local:
        assert time.monotonic() - started < 30, "the cluster took too long to start"
        yield local.scheduler_address


@pytest.fixture
def inputs(tmp_path):
    from support import FIXTURES, SEEDS

    html = next(FIXTURES.glob("detik/*/input.html"))
    records = [news(i) for i in range(70)]
    # An exact copy under another URL, a near copy, and a truncated first page: dedup's work.
    records += [{**news(5), "url": "https://lain.example.id/5"},
                {**news(6, "\nTambahan kalimat baru."), "url": "https://lain.example.id/6"},
                {**news(7), "text": news(7)["text"].rsplit("\n", 2)[0],
                 "url": "https://lain.example.id/7"}]
    return [str(SEEDS), str(html), dump(tmp_path / "a.jsonl", records)]


def run(inputs, out, **engine):
    config = override(Config(), "clean", jobs=1, corpus_window=40)
    config = override(override(config, "write", batch_size=16), "engine", **engine)
    stats = Stats()
    report = run_clean(inputs, out, config, stats)
    return report, stats


def test_a_dask_run_writes_the_local_corpus_byte_for_byte(tmp_path, inputs, cluster, monkeypatch):
    from scraper.dedup import prehash

    hashed_here = []  # documents hashed for dedup in this process (not on a worker)
    real = prehash.prehash
    monkeypatch.setattr(prehash, "prehash",
                        lambda docs, config: hashed_here.extend(docs) or real(docs, config))
    local, local_stats = run(inputs, tmp_path / "local")
    assert len(hashed_here) >= local.written
    hashed_here.clear()
    started = time.monotonic()
    dask, dask_stats = run(inputs, tmp_path / "dask", kind="dask", address=cluster)
    assert time.monotonic() - started < 60
    # Dedup hashed on the workers: here only what the corpus pass changed afterwards.
    assert len(hashed_here) < local.written / 4
    assert local.written > 70
    assert dask.written == local.written
    assert folder_bytes(tmp_path / "dask") == folder_bytes(tmp_path / "local")
    assert dask_stats.dropped == local_stats.dropped
    assert dask_stats.kept == local_stats.kept
    # The batches ran on the cluster: both workers took part.
    (run_id,) = set(worker_runs(cluster).values())
    assert run_id is not None


def worker_runs(cluster):
    """The run each worker of the cluster last worked for (its cached Worker's key)."""

    def last_run():
        from scraper.dask_engine import _workers

        return next(iter(_workers), None)

    with distributed.Client(cluster) as client:
        return client.run(last_run)


def test_a_dask_rerun_skips_known_work(tmp_path, inputs, cluster):
    out = tmp_path / "out"
    first, _ = run(inputs, out, kind="dask", address=cluster)
    again, stats = run(inputs, out, kind="dask", address=cluster)
    assert first.written > 70 and again.written == 0
    assert stats.kept["clean"] == 0


def split_inputs(tmp_path):
    """Files in several partitions: seeds and an HTML page (whole files), a JSONL dump large
    enough to be cut into many byte ranges with bad records inside, a small one, an empty one."""
    from support import FIXTURES, SEEDS

    html = next(FIXTURES.glob("detik/*/input.html"))
    lines = [json.dumps(news(i)).encode() for i in range(60)]
    lines[3:3] = [b"", b"   "]  # blank lines: no record, but they count as lines
    lines[10] = b'{"title": "Rusak", "text": '  # malformed JSON
    lines[17] = json.dumps({**news(17), "text": "kata " * 5000}).encode()  # over --max-bytes
    lines[23] = b'{"text": "bad \x00 byte"}'  # NUL: not text
    lines[30] = json.dumps({"judul": "Tanpa isi"}).encode()  # no text field
    lines[41] = b"[1, 2]"  # not an object
    lines[44] = json.dumps(news(44)).encode() + b"\r"  # a CRLF line
    lines[50] = json.dumps({**news(50), "title": "Kopi caf\u00e9"}, ensure_ascii=False
                           ).encode("latin-1")  # not UTF-8: decoded as detected
    big = tmp_path / "big.jsonl"
    big.write_bytes(b"\xef\xbb\xbf" + b"\n".join(lines) + b"\n")  # a BOM, like some exports
    small = dump(tmp_path / "small.jsonl", [news(i) for i in range(100, 104)] + [news(5)])
    (tmp_path / "empty.jsonl").write_bytes(b"\n \n")
    return [str(SEEDS), str(html), str(big), small, str(tmp_path / "empty.jsonl")]


@pytest.mark.parametrize("size", [1, 7, 300, 2048, 4096, 10**9])
def test_ranges_read_in_order_give_the_records_and_errors_of_the_whole_file(tmp_path, size):
    """Cut anywhere (inside the BOM, a line, a long line, at a line's end), the ranges read with
    the counted starts give what one read of the file gives, names and error lines included."""
    from scraper import dask_engine
    from scraper.pipeline import read_dumps

    config = override(Config(), "clean", max_bytes=20000)
    inputs = split_inputs(tmp_path)[2:]  # the JSONL files
    expected_stats = Stats()
    expected = [(d.source, d.title, d.paragraphs)
                for d in read_dumps(inputs, tmp_path / "none", config, expected_stats)]
    stats, got, base = Stats(), [], (1, 0)
    for partition in dask_engine.partitions(inputs, tmp_path / "none", size):
        part = partition[0].part
        base = (1, 0) if part is None or part.start == 0 else base
        records, counted = dask_engine._read(config, None, False, partition, base)
        stats.merge(counted)
        got += [(r.doc.source, r.doc.title, r.doc.paragraphs) for r in records]
        if part is not None and not part.last:
            base = dask_engine._next_base(base, dask_engine._count(config, partition[0]))
    assert got == expected and len(got) > 55
    assert stats.errors == expected_stats.errors and len(stats.errors) == 6


def clean_cli(capsys, inputs, out, *flags):
    from scraper.cli import main

    status = main(["clean", *inputs, "-o", str(out), "--max-bytes", "20000", *flags])
    return status, capsys.readouterr().err.replace(str(out), "OUT")


def test_the_workers_read_their_partitions_and_the_corpus_is_the_local_one(
        tmp_path, cluster, capsys, monkeypatch):
    from scraper import dask_engine
    from scraper.sources import dumps

    inputs = split_inputs(tmp_path)
    parts = list(dask_engine.partitions(inputs, tmp_path / "none", 2048))
    ranges = [p[0].part for p in parts if p[0].part is not None]
    assert len(ranges) > 10 and ranges[0].start == 0 and ranges[-1].last  # one cut file at least
    local = clean_cli(capsys, inputs, tmp_path / "local", "--jobs", "1")
    assert local[0] == 1 and local[1].count("error:") == 6, local[1]  # the bad records' lines
    for name in ("big.jsonl#8: malformed JSON on line 11", "line 18 is larger than",
                 "big.jsonl#28: no text", "empty.jsonl: empty input"):
        assert name in local[1]
    again = clean_cli(capsys, inputs, tmp_path / "local", "--jobs", "1")  # skips what is done
    assert "wrote 0 to OUT" in again[1]
    # From here on, this process must not read a record: count what it would read.
    read_here = []
    for name in ("_read_bytes", "decode_text", "record_to_document", "parse_dump"):
        real = getattr(dumps, name)
        monkeypatch.setattr(dumps, name, lambda *a, real=real, **k: read_here.append(a)
                            or real(*a, **k))
    monkeypatch.setattr(dask_engine, "PARTITION_BYTES", 2048)
    dask = tmp_path / "dask"
    assert clean_cli(capsys, inputs, dask, "--engine", "dask", "--address", cluster) == local
    assert folder_bytes(dask) == folder_bytes(tmp_path / "local")
    # A rerun into the same OUT skips what is done, before cleaning, as a local rerun does.
    assert clean_cli(capsys, inputs, dask, "--engine", "dask", "--address", cluster) == again
    assert folder_bytes(dask) == folder_bytes(tmp_path / "local")
    assert read_here == []


def children():
    """Our child processes, but multiprocessing's resource tracker (one per process, for good)."""
    import psutil

    return {p.pid for p in psutil.Process().children(recursive=True)
            if "resource_tracker" not in " ".join(p.cmdline())}


def test_without_an_address_a_local_cluster_is_started_and_closed(tmp_path):
    from scraper.cli import main

    source = dump(tmp_path / "a.jsonl", [news(i) for i in range(8)])
    local = tmp_path / "local"
    assert main(["clean", source, "-o", str(local), "--jobs", "1"]) == 0
    before, started = children(), time.monotonic()
    out = tmp_path / "dask"
    assert main(["clean", source, "-o", str(out), "--jobs", "2", "--engine", "dask"]) == 0
    assert time.monotonic() - started < 60
    assert children() <= before, "the cluster's worker processes are left behind"
    assert folder_bytes(out) == folder_bytes(local)


def test_an_unknown_engine_is_a_usage_error_before_any_work(tmp_path):
    source = dump(tmp_path / "a.jsonl", [news(1)])
    config = override(Config(), "engine", kind="spark")
    with pytest.raises(ConfigError, match="'spark' is not one of local, dask"):
        run_clean([source], tmp_path / "out", config, Stats())
    assert not (tmp_path / "out").exists()


def test_an_unreachable_scheduler_is_one_clear_error(tmp_path):
    import socket

    import dask

    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = dump(tmp_path / "a.jsonl", [news(1)])
    address = f"tcp://127.0.0.1:{port}"
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), \
            pytest.raises(ConfigError, match=f"{address}: cannot reach the Dask scheduler"):
        run([source], tmp_path / "out", kind="dask", address=address)


def test_the_engine_table_of_a_config_file_sends_the_run_to_the_cluster(tmp_path, cluster):
    from scraper.cli import main

    source = dump(tmp_path / "a.jsonl", [news(i) for i in range(8)])
    config = tmp_path / "scraper.toml"
    config.write_text(f'[engine]\nkind = "dask"\naddress = "{cluster}"\n')
    assert main(["clean", source, "-o", str(tmp_path / "local"), "--jobs", "1"]) == 0
    before = worker_runs(cluster)
    assert main(["clean", "-c", str(config), source, "-o", str(tmp_path / "dask")]) == 0
    assert worker_runs(cluster) != before, "the run did not reach the cluster"
    assert folder_bytes(tmp_path / "dask") == folder_bytes(tmp_path / "local")
    # The flag overrides the file: back to local processes, no scheduler asked.
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('[engine]\nkind = "dask"\naddress = "tcp://127.0.0.1:1"\n')
    assert main(["clean", "-c", str(wrong), source, "-o", str(tmp_path / "flag"),
                 "--engine", "local", "--jobs", "1"]) == 0


def test_without_dask_installed_the_engine_is_a_usage_error(tmp_path, monkeypatch, capsys):
    from scraper.cli import main

    monkeypatch.setitem(__import__("sys").modules, "distributed", None)  # import fails
    source = dump(tmp_path / "a.jsonl", [news(1)])
    assert main(["clean", source, "-o", str(tmp_path / "out"), "--engine", "dask"]) == 2
    assert "dask needs: pip install 'scraper[dask]'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# -- `scraper dedup DIR --engine dask` -------------------------------------------------------------
def long_news(i, paragraphs=8):
    """A longer generated article (containment needs long shingles to compare)."""
    return "\n".join(f"Paragraf {k} dari laporan {i}: warga desa {i} menanam padi jenis"
                     f" {k * 13 + i} sambil menunggu hujan yang datang terlambat tahun ini"
                     f" di lembah {i}."
                     for k in range(paragraphs))


def planted_folder(tmp_path):
    """A corpus written with --no-dedup, with planted duplicates far apart in name order (so
    in different partitions): exact copies, a typographic copy, near copies, truncated first
    pages, a chain, and a file that is not UTF-8."""
    records = [{"title": f"Berita {i}", "text": long_news(i), "url": f"https://a.example.id/{i}"}
               for i in range(60)]
    copies = [
        (3, long_news(3)), (3, long_news(3)),  # two exact copies
        (4, long_news(4).replace("warga", "Warga,")),  # the same words after normalisation
        (5, long_news(5) + "\nSatu kalimat tambahan di akhir berita ini."),  # near, longer
        (6, long_news(6).rsplit("\n", 1)[0]),  # near, shorter
        (7, "\n".join(long_news(7).split("\n")[:3])),  # a truncated first page: contained
        (8, "\n".join(long_news(8).split("\n")[:4])), (8, "\n".join(long_news(8).split("\n")[:2])),
        (9, long_news(9, paragraphs=16)),  # the whole article arrives later: it replaces 9
        # A chain: the second is contained in the first (removed); the third is contained in
        # the second only, so it stays (a keeper must be a file that is kept).
        (200, long_news(200, paragraphs=16)),
        (200, "\n".join([*long_news(200, paragraphs=9).split("\n"), long_news(201, 1)])),
        (200, "\n".join([long_news(201, 1), *long_news(200, paragraphs=2).split("\n")])),
    ]
    records += [{"title": f"Salinan {i}", "text": text, "url": f"https://b.example.id/{i}/{n}"}
                for n, (i, text) in enumerate(copies)]
    source = dump(tmp_path / "planted.jsonl", records)
    config = override(override(Config(), "clean", jobs=1, corpus_pass=False), "dedup",
                      enabled=False)
    folder = tmp_path / "corpus"
    run_clean([source], folder, config, Stats())
    (folder / "zzz_latin1.txt").write_bytes("Judul\n\nKopi caf\xe9 ".encode("latin-1") * 3)
    return folder


def test_dedup_on_the_cluster_removes_what_the_local_dedup_removes(tmp_path, cluster):
    import shutil

    from scraper.dedup import dedup_folder
    from scraper.dedup.cluster import dedup_folder_on_cluster

    folder = planted_folder(tmp_path)
    files = sorted(p.name for p in folder.glob("*.txt"))
    assert len(files) == 73
    local, dask = tmp_path / "local", tmp_path / "dask"
    shutil.copytree(folder, local)
    shutil.copytree(folder, dask)
    expected = dedup_folder(local, Config().dedup)
    config = override(Config(), "engine", kind="dask", address=cluster)
    got = dedup_folder_on_cluster(dask, config, partition_files=8)  # 10 partitions
    relations = {d.relation for d in expected.removed}
    assert relations == {"exact-duplicate", "near-duplicate", "contained"}
    assert len(expected.removed) == 10 and len(expected.errors) == 1
    assert got.removed == expected.removed
    assert [e.replace(str(dask), "DIR") for e in got.errors] == \
        [e.replace(str(local), "DIR") for e in expected.errors]
    assert got.files == expected.files == 73
    assert folder_bytes(dask) == folder_bytes(local)
    # The removals cross partitions: a kept file and its copy were read by different tasks.
    assert any(files.index(d.file) // 8 != files.index(d.keeper) // 8 for d in got.removed)


def test_scraper_dedup_engine_dask_prints_and_leaves_what_the_local_command_does(
        tmp_path, cluster, capsys):
    import shutil

    from scraper.cli import main

    folder = planted_folder(tmp_path)
    local, flag, table = tmp_path / "local", tmp_path / "flag", tmp_path / "table"
    for copy in (local, flag, table):
        shutil.copytree(folder, copy)
    config = tmp_path / "scraper.toml"
    config.write_text(f'[engine]\nkind = "dask"\naddress = "{cluster}"\n')

    def printed(*args):
        status = main(["dedup", *map(str, args)])
        out, err = capsys.readouterr()
        return status, out, err.replace(str(args[0]), "DIR")

    expected = printed(local)
    assert expected[0] == 1 and "not UTF-8 text" in expected[2]  # the latin-1 file
    # The chain's last file stays: its only keeper was removed itself.
    assert expected[1].splitlines()[-1] == "73 files: 62 kept, 10 removed, 1 unreadable"
    before = transitions(cluster)
    assert printed(flag, "--engine", "dask", "--address", cluster) == expected
    middle = transitions(cluster)
    assert printed(table, "-c", config) == expected
    after = transitions(cluster)
    assert sum(before.values()) < sum(middle.values()) < sum(after.values()), \
        "each run reached the cluster"
    assert folder_bytes(flag) == folder_bytes(table) == folder_bytes(local)
    # A dry run on the cluster changes nothing.
    assert printed(folder, "--dry-run", "-c", config)[1].count("would remove") == 10
    assert folder_bytes(folder) == folder_bytes(tmp_path / "corpus")


def transitions(cluster):
    """How many task state changes each worker of the cluster has made so far."""
    with distributed.Client(cluster) as client:
        return client.run(lambda dask_worker: dask_worker.state.transition_counter)
