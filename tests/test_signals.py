"""Real signals sent to real subprocesses: the first stops the loop cleanly, a second at once."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import pytest
from support import ROOT

from scraper.signals import EXIT_SIGINT, EXIT_SIGTERM, StopOnSignal, exit_code

# A run loop in miniature: batches that take `sys.argv[1]` seconds each, checked between them.
LOOP = textwrap.dedent("""
    import sys, time
    from scraper.signals import StopOnSignal, exit_code
    batch_seconds = float(sys.argv[1])
    with StopOnSignal() as stop:
        done = 0
        print("ready", flush=True)
        while not stop() and done < 200:
            print(f"batch {done + 1} started", flush=True)
            time.sleep(batch_seconds)  # a batch of writes in flight
            done += 1
            print(f"batch {done} written", flush=True)
    print(f"stopped after {done}", flush=True)
    sys.exit(exit_code(failed=False, signal_number=stop.signal_number))
""")


def start(batch_seconds: float) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", LOOP, str(batch_seconds)], cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"
    return child


@pytest.mark.parametrize(("number", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_first_signal_finishes_the_batch_in_flight_then_stops(number, code):
    child = start(0.3)
    assert child.stdout.readline() == "batch 1 started\n"
    assert child.stdout.readline() == "batch 1 written\n"
    assert child.stdout.readline() == "batch 2 started\n"
    child.send_signal(number)  # during batch 2
    out, err = child.communicate(timeout=10)
    assert child.returncode == code
    assert out == "batch 2 written\nstopped after 2\n"
    assert "finishing the work in flight" in err


def test_second_signal_exits_at_once():
    child = start(30.0)  # a batch that would take half a minute
    assert child.stdout.readline() == "batch 1 started\n"
    child.send_signal(signal.SIGINT)
    time.sleep(0.3)
    began = time.monotonic()
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=10)
    assert time.monotonic() - began < 5
    assert child.returncode == EXIT_SIGINT
    assert out == ""  # the batch never finished, and no summary pretended it did
    assert "SIGINT again: stopping now" in err


def test_no_signal_runs_to_the_end():
    child = start(0.0)
    out, _ = child.communicate(timeout=30)
    assert child.returncode == 0
    assert out.endswith("batch 200 started\nbatch 200 written\nstopped after 200\n")


def test_previous_handlers_come_back():
    before = signal.getsignal(signal.SIGTERM)
    with StopOnSignal() as stop:
        assert signal.getsignal(signal.SIGTERM) != before
        assert not stop()
        assert stop.exit_code is None
    assert signal.getsignal(signal.SIGTERM) == before


def test_exit_codes():
    assert exit_code(failed=False) == 0
    assert exit_code(failed=True) == 1
    assert exit_code(failed=True, signal_number=signal.SIGTERM) == EXIT_SIGTERM == 143
    assert exit_code(failed=False, signal_number=signal.SIGINT) == EXIT_SIGINT == 130
