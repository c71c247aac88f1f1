"""One writer per folder: a second writer exits 3 at once; a dead holder's lock is free."""

import os
import signal
import subprocess
import sys
import time

import pytest
from support import ROOT, run_cli

from scraper.errors import LockedError
from scraper.lock import folder_lock, lock_path

HOLD = "import sys, time\nfrom pathlib import Path\nfrom scraper.lock import folder_lock\n" \
       "with folder_lock(Path(sys.argv[1]), 'holder'):\n    print('held', flush=True)\n" \
       "    time.sleep(60)\n"


def start_holder(folder):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE,
                            text=True, env=env)
    line = proc.stdout.readline()
    proc.stdout.close()
    assert line == "held\n"
    return proc


def test_a_second_holder_is_refused_with_the_holders_pid_and_start(tmp_path):
    holder = start_holder(tmp_path)
    try:
        refused = pytest.raises(LockedError, match=rf"in use by pid {holder.pid} since \d{{4}}-")
        with refused, folder_lock(tmp_path):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_a_lock_left_by_a_sigkilled_process_is_taken_over(tmp_path):
    holder = start_holder(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    assert f"pid {holder.pid}" in lock_path(tmp_path).read_text()  # the stale note is still there
    with folder_lock(tmp_path, "taker"):
        assert lock_path(tmp_path).read_text().startswith(f"pid {os.getpid()} since ")


def test_the_lock_is_reentrant_within_a_process(tmp_path):
    with folder_lock(tmp_path), folder_lock(tmp_path):
        pass
    with folder_lock(tmp_path):  # and released after the outer block
        pass


def test_two_concurrent_clean_runs_give_one_run_and_one_exit_3(tmp_path):
    out = tmp_path / "out"
    records = "".join(
        f'{{"title": "Berita {i}", "text": "Warga desa {i} membangun jembatan baru. '
        f'Jembatan itu menghubungkan dua kampung di tepi sungai nomor {i}."}}\n'
        for i in range(40)
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # The first run holds the lock while it waits for its stdin: the overlap is certain.
    first = subprocess.Popen(
        [sys.executable, "-m", "scraper", "clean", "-", "-o", str(out), "--jobs", "1"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    deadline = time.monotonic() + 60
    while f"pid {first.pid}" not in _note(out):
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.05)
    second = run_cli("clean", "-", "-o", str(out), stdin=records.encode())
    assert second.returncode == 3
    assert second.stderr.strip().count("\n") == 0  # one line
    assert f"in use by pid {first.pid} since " in second.stderr
    _, err = first.communicate(records, timeout=120)
    assert first.returncode == 0, err
    lines = (out / "manifest.jsonl").read_bytes().split(b"\n")[:-1]
    files = sorted(p.name for p in out.glob("*.txt"))
    assert len(lines) == len(files) == 40


def _note(out):
    try:
        return lock_path(out).read_text()
    except OSError:
        return ""


@pytest.mark.parametrize("command", [
    ["fetch", "--store", "{dir}", "--export-warc", "{tmp}/x.warc.gz"],
    ["dedup", "{dir}"],
    ["clean", "{tmp}/in.txt", "-o", "{dir}"],
])
def test_every_writer_command_takes_the_lock(tmp_path, command):
    folder = tmp_path / "folder"
    folder.mkdir()
    (tmp_path / "in.txt").write_text("Judul\n\nSatu kalimat berita.")
    holder = start_holder(folder)
    try:
        args = [a.format(dir=folder, tmp=tmp_path) for a in command]
        result = run_cli(*args)
        assert result.returncode == 3, result.stderr
        assert f"in use by pid {holder.pid}" in result.stderr
    finally:
        holder.kill()
        holder.wait(timeout=10)
