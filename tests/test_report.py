"""The event sink: rich on a terminal, a plain heartbeat, JSON lines, and the summary."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter

import pytest
from support import ROOT, SEEDS

from scraper.commands.clean import counting_writes
from scraper.config import Config
from scraper.pipeline import run_clean
from scraper.report import Sink, Summary, clean_progress, read_summaries, write_summary
from scraper.stats import Stats


def a_run(sink):
    """A small run's events, as `scraper run` sends them."""
    for n in range(4):
        sink("discovered", url=f"https://a.test/{n}", source="https://a.test/rss")
    sink("discovered", url="https://b.test/1", source="https://b.test/sitemap.xml")
    sink("fetched", url="https://a.test/0", status=200, delay=2.0)
    sink("kept", url="https://a.test/0", source="https://a.test/rss", file="000_ab.txt")
    sink("dropped", url="https://a.test/1", source="https://a.test/rss", reason="contained")
    sink("dropped", url="https://a.test/2", reason="below the relevance threshold",
         outcome="off-topic")
    sink("error", url="https://a.test/3", error="TransportError", reason="ReadTimeout")
    sink("error", url="https://b.test/1", source="https://b.test/sitemap.xml",
         error="RobotsDisallowed", reason="disallowed by robots.txt")
    sink("profile-miss", url="https://a.test/0", site="detik")


def test_json_gives_one_object_per_event():
    stream = io.StringIO()
    with Sink("json", stream) as sink:
        sink("fetched", url="https://a.test/0", status=200, delay=1.5)
        sink("error", url="https://a.test/1", error="HTTPStatusError", reason="HTTP 404")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["event"] for line in lines] == ["fetched", "error"]
    assert lines[0]["url"] == "https://a.test/0" and lines[0]["delay"] == 1.5
    assert lines[1]["reason"] == "HTTP 404" and lines[1]["time"].endswith("Z")


def test_summary_counts_outcomes_and_groups_failures():
    with Sink("json", io.StringIO()) as sink:
        a_run(sink)
    summary = sink.summary(exit_code=1)
    assert summary.outcomes == {"kept": 1, "duplicate": 1, "off-topic": 1, "failed": 1,
                                "robots-disallowed": 1}
    assert summary.failures == {"TransportError": {"a.test": 1}}
    assert summary.sources["https://a.test/rss"]["kept"] == 1
    assert summary.sources["https://b.test/sitemap.xml"] == {"discovered": 1, "error": 1}
    assert summary.profile_misses == {"detik": 1}
    text = "\n".join(summary.lines())
    assert "kept 1" in text and "exit 1" in text
    assert "failed TransportError 1: a.test 1" in text
    assert "profile misses: detik 1" in text


def test_plain_writes_a_line_every_interval_even_when_nothing_happens():
    stream = io.StringIO()
    with Sink("plain", stream, interval=0.05) as sink:
        a_run(sink)
        time.sleep(0.3)
    lines = stream.getvalue().splitlines()
    assert len(lines) >= 3
    assert lines[-1].startswith("scraper: 0:00:00: discovered 5, fetched 1, kept 1, dropped 4")
    assert "queued" not in lines[-1]  # every URL discovered has its outcome: nothing queued


def test_plain_line_shows_each_host_queue_and_delay():
    stream = io.StringIO()
    with Sink("plain", stream, interval=0.05) as sink:
        for n in range(3):
            sink("discovered", url=f"https://a.test/{n}")
        sink("fetched", url="https://a.test/0", delay=4.0)
        time.sleep(0.2)
    assert "queued 3 (a.test 3 @4s)" in stream.getvalue().splitlines()[-1]


def test_rich_display_shows_counts_hosts_and_delays():
    stream = io.StringIO()
    with Sink("rich", stream) as sink:
        for n in range(3):
            sink("discovered", url=f"https://berita.test/{n}")
        sink("fetched", url="https://berita.test/0", delay=8.0)
        sink("kept", url="https://berita.test/0")
        time.sleep(0.4)
    shown = stream.getvalue()
    for word in ("discovered", "fetched", "kept", "dropped", "queued", "berita.test", "8"):
        assert word in shown
    assert "\x1b[" in shown  # drawn with terminal control codes


def test_auto_is_rich_on_a_terminal_and_plain_otherwise():
    assert Sink("auto", io.StringIO()).log_format == "plain"
    leader, follower = os.openpty()
    with open(follower, "w") as terminal:
        assert Sink("auto", terminal).log_format == "rich"
    os.close(leader)
    with pytest.raises(ValueError, match="log format"):
        Sink("xml", io.StringIO())


def test_summary_is_written_atomically_and_read_back(tmp_path):
    with Sink("json", io.StringIO()) as sink:
        a_run(sink)
    summary = sink.summary(exit_code=1)
    first = write_summary(tmp_path, summary)
    second = write_summary(tmp_path, summary)  # same second: a second file, not a rewrite
    assert first.parent == tmp_path / ".scraper" / "runs"
    assert first != second
    assert first.name == summary.started.replace("-", "").replace(":", "") + ".json"
    assert not list(first.parent.glob(".tmp-*"))
    read = list(read_summaries(tmp_path))
    assert [path for path, _ in read] == [first, second]
    assert read[0][1] == Summary.from_json(summary.to_json())
    assert read[0][1].outcomes == summary.outcomes


def test_an_unreadable_summary_is_reported_not_fatal(tmp_path):
    runs = tmp_path / ".scraper" / "runs"
    runs.mkdir(parents=True)
    (runs / "20260101T000000Z.json").write_text("{torn")
    assert list(read_summaries(tmp_path)) == [(runs / "20260101T000000Z.json", None)]


def test_clean_shows_progress_through_stats(tmp_path):
    stream = io.StringIO()
    with clean_progress("plain", stream, interval=0.01) as sink:
        stats = Stats(observer=sink)
        run_clean([str(SEEDS)], tmp_path / "out", Config(), stats,
                  explain=counting_writes(sink, None))
        time.sleep(0.05)
    last = stream.getvalue().splitlines()[-1]
    assert re.fullmatch(r"scraper: 0:00:0\d: read 5, written 4, dropped 1, errors 0, "
                        r"[\d.]+ docs/s", last), last


def test_clean_json_progress_has_verdicts_not_stage_counts(tmp_path):
    stream = io.StringIO()
    with clean_progress("json", stream) as sink:
        sink("passed", stage="read")
        sink("written", source="a.txt", file="000_0123456789abcdef.txt")
        sink("dropped", stage="dedup", reason="contained")
    events = [json.loads(line)["event"] for line in stream.getvalue().splitlines()]
    assert events == ["written", "dropped"]


def clean_cli(args, timeout=120):
    return subprocess.run([sys.executable, "-m", "scraper", "clean", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_scraper_clean_prints_its_progress_line_on_stderr_only(tmp_path):
    dump = tmp_path / "dump.jsonl"
    with dump.open("w", encoding="utf-8") as out:
        for n in range(300):
            words = " ".join(f"kata{n}x{i}" for i in range(60))
            out.write(json.dumps({"title": f"Judul {n}", "text": f"{words}.", "url":
                                  f"https://a.test/{n}"}) + "\n")
        out.write("{not json\n")
    plain = clean_cli([str(dump), "-o", str(tmp_path / "out"), "--explain", "-j", "1",
                       "--log-format", "plain", "--log-interval", "0.05"])
    assert plain.returncode == 1  # the malformed line
    lines = [line for line in plain.stderr.splitlines() if " docs/s" in line]
    assert lines, plain.stderr
    read, written, dropped, errors = map(int, re.search(
        r"read (\d+), written (\d+), dropped (\d+), errors (\d+)", lines[-1]).groups())
    assert read <= 300 and written <= read and dropped == 0 and errors <= 1
    assert " docs/s" not in plain.stdout and plain.stdout.startswith("== ")  # --explain's
    jsonl = clean_cli([str(dump), "-o", str(tmp_path / "again"), "--log-format", "json"])
    events = [json.loads(line) for line in jsonl.stderr.splitlines() if line.startswith("{")]
    assert Counter(e["event"] for e in events) == {"written": 300, "error": 1}
    assert jsonl.stdout == ""


def test_log_arguments():
    import argparse

    from scraper.report import add_log_arguments

    parser = argparse.ArgumentParser()
    add_log_arguments(parser)
    assert vars(parser.parse_args([])) == {"log_format": "auto", "log_interval": 10.0}
    args = parser.parse_args(["--log-format", "json", "--log-interval", "30"])
    assert (args.log_format, args.log_interval) == ("json", 30.0)


def test_finish_prints_and_stores_the_summary(tmp_path):
    stream = io.StringIO()
    sink = Sink("plain", stream, interval=60).__enter__()
    a_run(sink)
    summary = sink.finish(tmp_path, exit_code=1)
    printed = stream.getvalue().splitlines()
    assert printed[0].startswith(f"scraper: run {summary.started}: 0:00:00, exit 1")
    assert printed[1] == ("scraper:   kept 1, duplicate 1, off-topic 1, failed 1, "
                          "robots-disallowed 1")
    ((_, stored),) = read_summaries(tmp_path)
    assert stored.exit_code == 1 and stored.outcomes == summary.outcomes
