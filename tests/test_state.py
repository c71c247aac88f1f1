"""The run state: frontier and outcomes; and SIGKILL at many points."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections import Counter

import pytest
from support import ROOT

from scraper.state import MAX_FAILURES, State, state_path

NOW = 1_800_000_000.0


@pytest.fixture
def state(tmp_path):
    with State.open(tmp_path / "out") as opened:
        yield opened


def test_lives_in_the_output_folder_in_wal_mode(tmp_path):
    with State.open(tmp_path / "out"):
        pass
    path = tmp_path / "out" / ".scraper" / "state.sqlite"
    assert state_path(tmp_path / "out") == path
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_url_is_added_once_and_stays_seen(tmp_path):
    with State.open(tmp_path) as state:
        assert state.add("https://a.test/1", source="https://a.test/rss")
        assert not state.add("https://a.test/1")
        assert state.add_many(["https://a.test/1", "https://a.test/2"]) == 1
        state.record("https://a.test/1", "kept")
    with State.open(tmp_path) as again:
        assert again.seen("https://a.test/1") and again.seen("https://a.test/2")
        assert not again.seen("https://a.test/3")
        assert again.outcome("https://a.test/1") == "kept"
        assert again.counts() == Counter({"kept": 1, "pending": 1})


def test_due_gives_pending_then_what_is_to_be_checked_again(state):
    state.add_many(["https://a.test/1", "https://a.test/2", "https://a.test/3"])
    state.record("https://a.test/1", "kept", now=NOW)
    state.record("https://a.test/2", "failed", error="TransportError", now=NOW)
    assert list(state.due(NOW)) == ["https://a.test/3"]
    # A failure is tried again after an hour.
    assert list(state.due(NOW + 3601)) == ["https://a.test/3", "https://a.test/2"]


def test_failures_back_off_then_give_up(state):
    url = "https://a.test/hilang"
    at = NOW
    waits = []
    for _ in range(MAX_FAILURES):
        state.record(url, "failed", error="HTTPStatusError", now=at)
        due_at = next((t for t in range(0, 200_000, 60) if url in state.due(at + t)), None)
        waits.append(due_at)
        at += 200_000
    assert waits[:3] == [3600, 7200, 14400]
    assert waits[-1] is None  # given up after MAX_FAILURES in a row


def test_a_success_resets_the_failures(state):
    url = "https://a.test/x"
    for _ in range(3):
        state.record(url, "failed", now=NOW)
    state.record(url, "kept", now=NOW)
    state.record(url, "failed", now=NOW)
    assert list(state.due(NOW + 3601)) == [url]  # the first wait again, not the fourth


def test_a_failed_batch_leaves_nothing(state):
    with pytest.raises(RuntimeError), state.batch():
        state.add("https://a.test/1")
        state.record("https://a.test/2", "kept")
        raise RuntimeError("the writer failed")
    assert not state.seen("https://a.test/1") and not state.seen("https://a.test/2")


def test_unknown_outcome_is_refused(state):
    with pytest.raises(ValueError, match="unknown outcome"):
        state.record("https://a.test/1", "mungkin")


def test_due_streams_while_recording(state):
    urls = [f"https://a.test/{i}" for i in range(1200)]  # more than one page of rows
    state.add_many(urls)
    handled = []
    for url in state.due(NOW):
        handled.append(url)
        state.record(url, "kept", now=NOW)
    assert handled == urls


def test_unprocessed_are_the_fetched_ones(state):
    state.add_many(["https://a.test/1", "https://a.test/2"])
    state.record("https://a.test/2", "fetched")
    assert list(state.unprocessed()) == ["https://a.test/2"]
    assert list(state.due(NOW)) == ["https://a.test/1"]


# A run loop in miniature, with the protocol of the report: fetch (logged) -> record "fetched"
# -> write the corpus file atomically unless its id is there -> record the final outcome.
WORKER = textwrap.dedent("""
    import hashlib, sys, time
    from pathlib import Path
    from scraper.files import atomic_write_text
    from scraper.state import State

    out, count = Path(sys.argv[1]), int(sys.argv[2])

    def finish(state, url):
        path = out / (hashlib.sha1(url.encode()).hexdigest()[:16] + ".txt")
        # The corpus writer's id check: a file with this URL's id is this URL's article,
        # written by a run killed before it could record "kept".
        if not path.exists():
            atomic_write_text(path, url)
        state.record(url, "kept")

    with State.open(out) as state:
        print("open", flush=True)
        state.add_many(f"http://berita{i % 3}.test/a/{i}" for i in range(count))
        for url in state.unprocessed():
            finish(state, url)
        for url in state.due():
            with open(out / "fetches.log", "a") as log:
                log.write(url + "\\n")
            time.sleep(0.005)  # the request
            state.record_stored([url])
            finish(state, url)
    print("done", flush=True)
""")


def run_worker(out, count):
    return subprocess.Popen([sys.executable, "-c", WORKER, str(out), str(count)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)


def test_sigkill_at_many_points_then_resume_loses_and_duplicates_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    count, kills = 150, 0
    # Killed right after opening, during discovery, and at many points of the fetch loop.
    for delay in (0.0, 0.001, 0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.12):
        child = run_worker(out, count)
        assert child.stdout.readline() == "open\n"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        output, _ = child.communicate(timeout=30)
        kills += "done" not in output
        with sqlite3.connect(state_path(out)) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    last = run_worker(out, count)
    assert last.communicate(timeout=60)[0] == "open\ndone\n"
    assert kills >= 8  # the kills did land mid-run
    urls = {f"http://berita{i % 3}.test/a/{i}" for i in range(count)}
    fetches = Counter((out / "fetches.log").read_text().splitlines())
    # Each article once, none missing.
    assert sorted(p.read_text() for p in out.glob("*.txt")) == sorted(urls)
    # Only a URL killed between its request and its "fetched" record is requested again.
    assert set(fetches) == urls
    assert sum(fetches.values()) - len(urls) <= kills
    with State.open(out) as state:
        assert state.counts() == Counter({"kept": count})


def test_stored_pages_wait_in_the_frontier_until_their_outcome(tmp_path):
    with State.open(tmp_path) as state:
        state.add_many(["https://a.test/1", "https://a.test/2", "https://a.test/3"])
        state.record("https://a.test/3", "failed", now=NOW)
        state.record_stored(["https://a.test/1", "https://a.test/3"])
        # Pending URLs of this run are not an earlier run's unfinished work.
        assert not state.left_unfinished("https://a.test/2")
    with State.open(tmp_path) as state:  # the next run
        assert state.left_unfinished("https://a.test/1") and state.left_unfinished("https://a.test/2")
        state.add("https://a.test/4")
        assert not state.left_unfinished("https://a.test/4")
        assert list(state.unprocessed()) == ["https://a.test/1", "https://a.test/3"]
        assert not state.settled("https://a.test/1")  # still to be processed
        assert list(state.due(NOW)) == ["https://a.test/2", "https://a.test/4"]
        state.record("https://a.test/1", "kept")
        assert list(state.unprocessed()) == ["https://a.test/3"] and state.settled("https://a.test/1")
        assert not state.left_unfinished("https://a.test/1")
