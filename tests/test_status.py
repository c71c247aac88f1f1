"""`scraper status OUT`, run for real on summaries that runs wrote."""

from __future__ import annotations

import io
import json

from support import run_cli

from scraper.report import Sink, write_summary
from scraper.state import State

RSS = "https://a.test/rss"
SITEMAP = "https://b.test/sitemap.xml"
DEAD = "https://c.test/feed"


def record_run(out, *, kept_from_sitemap: bool, dead_fails: bool, misses: int = 0):
    with Sink("json", io.StringIO()) as sink:
        sink("discovered", url="https://a.test/1", source=RSS)
        sink("kept", url="https://a.test/1", source=RSS)
        sink("discovered", url="https://b.test/1", source=SITEMAP)
        if kept_from_sitemap:
            sink("kept", url="https://b.test/1", source=SITEMAP)
        else:
            sink("dropped", url="https://b.test/1", source=SITEMAP, reason="contained")
        if dead_fails:
            sink("error", source=DEAD, error="HTTPStatusError", reason="HTTP 404")
        for _ in range(misses):
            sink("profile-miss", url="https://a.test/1", site="detik")
    summary = sink.summary(exit_code=1 if dead_fails else 0)
    summary.started = f"2026-12-0{record_run.day}T06:00:00Z"
    record_run.day += 1
    return write_summary(out, summary)


record_run.day = 1


def test_status_shows_last_runs_quiet_and_failing_sources(tmp_path):
    record_run(tmp_path, kept_from_sitemap=True, dead_fails=False)  # older than --runs 3
    record_run(tmp_path, kept_from_sitemap=False, dead_fails=True)
    record_run(tmp_path, kept_from_sitemap=False, dead_fails=True, misses=2)
    record_run(tmp_path, kept_from_sitemap=False, dead_fails=False, misses=1)
    with State.open(tmp_path) as state:
        state.add("https://a.test/2")
        state.record("https://a.test/1", "kept")
    done = run_cli("status", str(tmp_path), "--runs", "3")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"last 3 runs into {tmp_path}:"
    assert sum(line.startswith("run 2026-12-0") for line in lines) == 3
    assert "run 2026-12-01T06:00:00Z" not in done.stdout
    assert "  failed HTTPStatusError 1: c.test 1" in lines
    quiet = lines.index("sources that kept nothing in these runs: 2")
    assert lines[quiet + 1: quiet + 3] == [f"  {SITEMAP}", f"  {DEAD}"]
    failing = lines.index("sources with failures in these runs: 1")
    assert lines[failing + 1] == f"  {DEAD} (in 2 of 3 runs)"
    assert "profile misses (a changed layout?): detik 3" in lines
    assert lines[-1] == "frontier: kept 1, pending 1"


def test_status_json(tmp_path):
    record_run(tmp_path, kept_from_sitemap=True, dead_fails=True)
    done = run_cli("status", str(tmp_path), "--json")
    report = json.loads(done.stdout)
    assert [run["outcomes"] for run in report["runs"]] == [{"kept": 2, "failed": 1}]
    assert report["sources_failed"] == {DEAD: 1}
    assert report["sources_without_articles"] == [DEAD]
    assert report["frontier"] == {}


def test_status_of_a_folder_without_runs(tmp_path):
    done = run_cli("status", str(tmp_path))
    assert (done.returncode, done.stdout) == (0, f"no runs recorded in {tmp_path} yet\n")


def test_status_of_a_missing_folder_is_a_usage_error(tmp_path):
    done = run_cli("status", str(tmp_path / "nothing"))
    assert done.returncode == 2
    assert done.stderr.strip().endswith("nothing: no such output folder")
