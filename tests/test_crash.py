"""SIGKILL a real `scraper clean` at several points: the rerun gives the uninterrupted corpus."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from support import ROOT

RECORDS = 240


def article(i: int) -> dict:
    sentences = [f"Petani desa {i} memanen padi di sawah blok {i * 11 + k} pada musim kemarau."
                 for k in range(8)]
    return {"title": f"Panen {i}", "text": "\n".join(sentences)}


def dump(path):
    rows = []
    for i in range(RECORDS):
        rows.append(article(i))
        if i % 10 == 3:
            rows.append(article(i - 2))  # an exact copy of an earlier record
        if i % 10 == 7:  # a longer copy of an earlier record: it replaces the written file
            longer = article(i - 5)
            longer["text"] += "\nHarga gabah naik tipis pekan ini."
            rows.append(longer)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def command(source, out):
    return [sys.executable, "-m", "scraper", "clean", str(source), "-o", str(out),
            "--batch-size", "4", "--jobs", "1"]


ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def corpus(out):
    """The corpus as a user sees it: every file's bytes, and the manifest's."""
    return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}


def lines(out):
    try:
        return (out / "manifest.jsonl").read_bytes().count(b"\n")
    except OSError:
        return 0


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    base = tmp_path_factory.mktemp("crash")
    source = dump(base / "in.jsonl")
    out = base / "whole"
    subprocess.run(command(source, out), env=ENV, check=True, capture_output=True, timeout=300)
    return source, corpus(out)


@pytest.mark.parametrize("after", [1, 40, 150])
def test_a_rerun_after_sigkill_equals_the_uninterrupted_run(tmp_path, uninterrupted, after):
    source, expected = uninterrupted
    out = tmp_path / "out"
    proc = subprocess.Popen(command(source, out), env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while lines(out) < after and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL  # killed mid-run, not after it ended
    assert lines(out) < len(expected) - 1
    rerun = subprocess.run(command(source, out), env=ENV, capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert corpus(out) == expected
