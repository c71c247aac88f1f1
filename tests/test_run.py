"""`scraper run` on the test web, against its labels, on real loopback servers."""

import json

import pytest
from web_support import (
    LABELS,
    OFF_TOPIC,
    ON_TOPIC,
    RICE,
    RICE_EXAMPLES,
    WEB,
    article_id,
    source,
    write_config,
    written_ids,
)

from scraper.cli import main
from scraper.config import RelevanceConfig
from scraper.testweb import TestWeb


def all_sources(web):
    return "".join([
        source(web.base("warta") + "/rss"),
        source(web.base("warta") + "/indeks", kind="listing", max_pages=10),
        source(web.base("kabar") + "/robots.txt"),
        source(web.base("harian") + "/sitemap.txt"),
        source(web.base("harian") + "/kanal/internasional", kind="listing"),
        source(web.base("jurnal") + "/sitemap-news.xml.gz", kind="sitemap"),
    ])


def run(capsys, config, out, store, *extra):
    status = main(["run", "-c", str(config), "-o", str(out), "--store", str(store), *extra])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(scope="module")
def web():
    with TestWeb(WEB) as running:
        yield running


@pytest.fixture(scope="module")
def first_run(web, tmp_path_factory):
    """One full run, shared: its status, config, output, store and what it printed."""
    import contextlib
    import io

    folder = tmp_path_factory.mktemp("run")
    config = write_config(folder / "scraper.toml", all_sources(web))
    out, store = folder / "out", folder / "store"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(["run", "-c", str(config), "-o", str(out), "--store", str(store),
                       "--explain"])
    return status, config, out, store, stdout.getvalue(), stderr.getvalue()


def test_every_on_topic_article_is_written_once_and_no_off_topic_one(first_run):
    status, _, out, _, _, err = first_run
    written = written_ids(out)
    assert status == 0, err
    assert len(written) == len(set(written))
    on_topic = set(written) & ON_TOPIC
    precision = len(on_topic) / len(set(written) - set(LABELS["related"]))
    recall = len(on_topic) / len(ON_TOPIC)
    assert (precision, recall) == (1.0, 1.0)
    assert not set(written) & OFF_TOPIC


def test_a_second_topic_keeps_its_own_articles(web, tmp_path, capsys):
    config = write_config(tmp_path / "rice.toml", all_sources(web), like=RICE_EXAMPLES)
    status, explained, err = run(capsys, config, tmp_path / "out", tmp_path / "store",
                                 "--explain")
    written = set(written_ids(tmp_path / "out"))
    assert status == 0, err
    assert written - set(RICE["related"]) == set(RICE["on-topic"])
    for negative in RICE["hard-negative"]:
        assert f"{negative} -> dropped: below the relevance threshold" in explained


def test_hard_negatives_are_dropped_and_shown_in_explain(first_run):
    _, _, _, _, explained, err = first_run
    for negative in LABELS["hard-negative"]:
        (line,) = [line for line in explained.splitlines() if negative in line]
        assert "-> dropped: " in line and "[relevance " in line
    assert "below the relevance threshold" in err  # counted by reason in the summary


def test_the_manifest_records_relevance_and_terms(first_run):
    out = first_run[2]
    for line in (out / "manifest.jsonl").read_text().splitlines():
        entry = json.loads(line)
        assert entry["relevance"] >= RelevanceConfig().threshold and entry["terms"]


def test_robots_disallowed_paths_are_never_requested(first_run, web):
    assert LABELS["unreachable"] == ["draf-internal-putin-kim"]
    assert web.requested("warta") and \
        not [path for path in web.requested() if path.startswith("/internal/")]
    assert "disallowed by robots.txt" in first_run[4]


def test_the_syndicated_article_is_written_once(first_run):
    assert written_ids(first_run[2]).count("kremlin-umumkan-kunjungan-balasan-kim-ke-rusia") == 1


def test_a_second_run_writes_nothing_and_fetches_only_what_changed(first_run, web, capsys):
    _, config, out, store, _, _ = first_run
    before = (out / "manifest.jsonl").read_bytes()
    logged = len(web.log)
    status, _, err = run(capsys, config, out, store)
    assert status == 0 and (out / "manifest.jsonl").read_bytes() == before
    assert "wrote 0 to" in err
    again = web.log[logged:]
    # Nothing changed: every page answered 304 (robots.txt is read fresh each run).
    assert {hit.status for hit in again if hit.path != "/robots.txt"} == {304}


def test_offline_re_run_equals_the_fresh_run(first_run, capsys, tmp_path):
    _, config, out, store, _, _ = first_run
    again = tmp_path / "offline"
    status, _, err = run(capsys, config, again, store, "--offline")
    assert status == 0, err
    fresh = sorted(p.read_text() for p in out.glob("*.txt"))
    assert sorted(p.read_text() for p in again.glob("*.txt")) == fresh


def test_an_added_article_is_the_only_one_added_by_the_next_run(tmp_path, capsys):
    with TestWeb(WEB) as web:
        config = write_config(tmp_path / "scraper.toml", all_sources(web))
        out, store = tmp_path / "out", tmp_path / "store"
        assert run(capsys, config, out, store)[0] == 0
        before = written_ids(out)
        added = web.add(
            id="putin-dan-kim-resmikan-jembatan-jalan-raya", site="kabar",
            section="internasional", date="2024-06-30T09:00:00+07:00",
            title="Putin dan Kim Resmikan Proyek Jembatan Jalan Raya di Sungai Tumen",
            pages=[["Rusia dan Korea Utara memulai pembangunan jembatan jalan raya di atas "
                    "sungai Tumen, proyek yang disepakati Vladimir Putin dan Kim Jong Un di "
                    "Pyongyang.", "Moskow menyebut jembatan itu akan memperlancar perdagangan "
                    "dan kerja sama kedua negara."]])
        status, _, err = run(capsys, config, out, store)
        assert status == 0, err
        assert written_ids(out) == [*before, added.id]


def test_without_relevance_every_article_is_kept(tmp_path, capsys, web):
    config = write_config(tmp_path / "c.toml", source(web.base("warta") + "/rss"),
                          relevance=False)
    status, _, _ = run(capsys, config, tmp_path / "out", tmp_path / "store")
    assert status == 0
    assert set(written_ids(tmp_path / "out")) & OFF_TOPIC  # nothing decides what is similar


def test_should_stop_ends_between_batches(web, tmp_path):
    from scraper.config import load_config
    from scraper.pipeline import Stats, run_collect

    config = load_config(write_config(tmp_path / "c.toml", source(web.base("warta") + "/indeks",
                                                                  max_pages=10),
                                      relevance=False))
    events = []
    report = run_collect(config, tmp_path / "out", None, Stats(),
                         should_stop=lambda: any(e == "fetched" for e, _ in events),
                         on_event=lambda event, **fields: events.append((event, fields)))
    assert report.stopped
    # One batch (a robots-disallowed link takes a place in it), finished and written.
    assert 0 < report.fetched <= config.run.batch_size and report.written == report.fetched
    assert {article_id(f["url"]) for e, f in events if e == "kept"}


# -- unattended: summary, frontier, signals and the folder lock ------------------------------


def test_a_run_leaves_its_summary_and_frontier_for_status(first_run, capsys):
    _, _, out, _, _, _ = first_run
    runs = sorted((out / ".scraper" / "runs").glob("*.json"))
    assert runs, "no run summary was stored"
    stored = json.loads(runs[0].read_text(encoding="utf-8"))  # the first: later runs add nothing
    assert stored["exit_code"] == 0
    assert stored["outcomes"]["kept"] == len(written_ids(out))
    assert stored["outcomes"]["off-topic"] >= 1
    assert main(["status", str(out)]) == 0
    shown = capsys.readouterr().out
    assert f"kept {len(written_ids(out))}" in shown


def run_command(config, out, store):
    import sys

    return [sys.executable, "-m", "scraper", "run", "-c", str(config), "-o", str(out),
            "--store", str(store), "--log-format", "json"]


def test_sigterm_finishes_the_batch_in_flight_and_a_rerun_completes_the_corpus(web, tmp_path):
    import signal
    import subprocess

    config = write_config(tmp_path / "slow.toml", all_sources(web))
    # A polite delay makes the run last long enough to be stopped in the middle.
    config.write_text(config.read_text().replace("delay = 0.0", "delay = 0.15"))
    out, store = tmp_path / "out", tmp_path / "store"
    with subprocess.Popen(run_command(config, out, store), stderr=subprocess.PIPE,
                          text=True) as proc:
        assert proc.stderr is not None
        for line in proc.stderr:
            if '"event": "kept"' in line:
                break
        proc.send_signal(signal.SIGTERM)
        proc.stderr.read()
        assert proc.wait(timeout=120) == 143
    entries = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert entries and all((out / e["file"]).is_file() for e in entries)
    stopped = len(entries)
    rerun = subprocess.run(run_command(config, out, store), capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    written = written_ids(out)
    assert len(written) == len(set(written)) > stopped
    assert set(written) >= ON_TOPIC and not set(written) & OFF_TOPIC


def test_a_second_run_on_a_locked_folder_exits_3_and_touches_nothing(web, tmp_path):
    import subprocess

    from scraper.lock import folder_lock

    config = write_config(tmp_path / "c.toml", all_sources(web))
    out = tmp_path / "out"
    with folder_lock(out, "a test holding the folder"):
        result = subprocess.run(run_command(config, out, tmp_path / "store"),
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 3
    assert "in use by pid" in result.stderr
    assert not (out / "manifest.jsonl").exists()


@pytest.mark.parametrize("kept_before_kill", [1, 4, 9])
def test_sigkill_at_any_point_then_a_rerun_gives_the_uninterrupted_corpus(
    first_run, web, tmp_path, kept_before_kill
):
    import signal
    import subprocess

    _, config, uninterrupted, _, _, _ = first_run
    out, store = tmp_path / "out", tmp_path / "store"
    with subprocess.Popen(run_command(config, out, store), stderr=subprocess.PIPE,
                          text=True) as proc:
        assert proc.stderr is not None
        kept = 0
        for line in proc.stderr:
            kept += '"event": "kept"' in line
            if kept >= kept_before_kill:
                break
        proc.kill()
        proc.stderr.read()
        assert proc.wait(timeout=60) == -signal.SIGKILL
    rerun = subprocess.run(run_command(config, out, store), capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    written = written_ids(out)
    assert len(written) == len(set(written))  # nothing twice
    assert set(written) == set(written_ids(uninterrupted))  # nothing lost
    assert not list(out.glob(".tmp-*"))  # no partial file


def test_offline_after_a_rule_change_equals_a_fresh_online_run_with_the_new_rule(
    first_run, web, tmp_path, capsys
):
    _, config, _, store, _, _ = first_run
    stricter = tmp_path / "stricter.toml"
    # The rule change: a higher relevance threshold (any [clean], [extract] or profile change
    # goes the same way: offline re-runs every stage after fetching).
    stricter.write_text(config.read_text().replace("[relevance]\n",
                                                   "[relevance]\nthreshold = 0.6\n"))
    status, _, err = run(capsys, stricter, tmp_path / "offline", store, "--offline")
    assert status == 0, err
    status, _, err = run(capsys, stricter, tmp_path / "fresh", tmp_path / "fresh-store")
    assert status == 0, err
    offline = sorted(p.read_text() for p in (tmp_path / "offline").glob("*.txt"))
    fresh = sorted(p.read_text() for p in (tmp_path / "fresh").glob("*.txt"))
    assert offline == fresh
    assert len(fresh) < len(written_ids(first_run[2]))  # the new rule did change the corpus
