"""What the user sees of a run: live progress, logs, and the summary at the end.

A run calls its sink as `on_event(event, **fields)` (thread-safe). The vocabulary:

    discovered  url, source                       a URL entered the frontier
    fetched     url, status, delay                its page came back (delay: the host's current
                                                  delay in seconds, for the display)
    kept        url, source, file                 written to the corpus
    dropped     url, source, reason[, outcome]    not written; outcome: duplicate, off-topic,
                                                  not-article ... (else guessed from reason)
    error       url or source, error, reason      failed (error: the FetchError class name);
                                                  RobotsDisallowed counts as robots-disallowed;
                                                  without url: the source itself failed
    profile-miss  url, site[, reason]             a site profile's selectors found nothing
    passed      stage                             a document went through a stage (clean's
                dropped   stage, reason           Stats observer; no url)

    written     source, file                      (clean) a document was written to OUT

`host` is taken from `url` when not given. Three displays share the counting:

    rich   on a terminal: counts and each host's queue and current delay, redrawn 4 times/s
    plain  one line every `interval` seconds (cron, systemd: the journal gets a heartbeat)
    json   one JSON object per event, as it happens (clean's "passed" counts are not shown)

`scraper run` counts with `Tally`; `scraper clean` has a line of its own (`CleanTally`: records
read, written, dropped, errors, docs/s), through `clean_progress`.

`Sink.summary()` gives the `Summary`; `write_summary(out, summary)` stores it atomically as
`OUT/.scraper/runs/<timestamp>.json`, which `scraper status` reads.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TextIO
from urllib.parse import urlsplit

from scraper.files import atomic_write_text

LOG_FORMATS = ("auto", "rich", "plain", "json")
DEFAULT_LOG_INTERVAL = 10.0
RUNS_DIR = Path(".scraper") / "runs"
# Drop reasons that mean "duplicate" (dedup relations, ids already written).
_DUPLICATE_WORDS = ("duplicate", "contained", "already in the output folder", "same id twice")
_NOT_ARTICLE_WORDS = ("not an article", "no article text", "index page", "later page")
_SHOWN_HOSTS = 8


@dataclass
class Summary:
    """One run's outcome, as printed and as stored in OUT/.scraper/runs/<timestamp>.json."""

    started: str
    finished: str = ""
    seconds: float = 0.0
    exit_code: int | None = None
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: dict[str, Counter[str]] = field(default_factory=dict)  # error class -> host -> n
    sources: dict[str, Counter[str]] = field(default_factory=dict)  # source -> event -> n
    profile_misses: Counter[str] = field(default_factory=Counter)  # site -> n
    stages: Counter[str] = field(default_factory=Counter)  # stage -> documents passed
    stage_drops: Counter[str] = field(default_factory=Counter)  # "stage: reason" -> n

    def to_json(self) -> dict[str, Any]:
        return {
            "started": self.started, "finished": self.finished,
            "seconds": round(self.seconds, 3), "exit_code": self.exit_code,
            "outcomes": dict(self.outcomes),
            "failures": {error: dict(hosts) for error, hosts in self.failures.items()},
            "sources": {source: dict(counts) for source, counts in self.sources.items()},
            "profile_misses": dict(self.profile_misses), "stages": dict(self.stages),
            "stage_drops": dict(self.stage_drops),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Summary:
        return cls(
            started=str(data.get("started", "")), finished=str(data.get("finished", "")),
            seconds=float(data.get("seconds", 0.0)), exit_code=data.get("exit_code"),
            outcomes=Counter(data.get("outcomes", {})),
            failures={k: Counter(v) for k, v in data.get("failures", {}).items()},
            sources={k: Counter(v) for k, v in data.get("sources", {}).items()},
            profile_misses=Counter(data.get("profile_misses", {})),
            stages=Counter(data.get("stages", {})),
            stage_drops=Counter(data.get("stage_drops", {})),
        )

    def lines(self) -> list[str]:
        """The summary as printed at the end of a run and by `scraper status`."""
        exit_note = "" if self.exit_code is None else f", exit {self.exit_code}"
        out = [f"run {self.started}: {_duration(self.seconds)}{exit_note}"]
        counts = ", ".join(f"{name} {n}" for name, n in self.outcomes.most_common())
        out.append(f"  {counts or 'nothing done'}")
        for error, hosts in sorted(self.failures.items()):
            where = ", ".join(f"{host} {n}" for host, n in hosts.most_common())
            out.append(f"  failed {error} {sum(hosts.values())}: {where}")
        if self.stages:
            out.append("  stages: " + ", ".join(f"{s} {n}" for s, n in self.stages.items()))
        if self.stage_drops:
            drops = ", ".join(f"{n} {why}" for why, n in self.stage_drops.most_common())
            out.append(f"  dropped: {drops}")
        if self.profile_misses:
            misses = ", ".join(f"{site} {n}" for site, n in self.profile_misses.most_common())
            out.append(f"  profile misses: {misses}")
        return out


def outcome_for_error(error: str | None) -> str:
    """The outcome of a URL that failed with this FetchError class name."""
    return "robots-disallowed" if error == "RobotsDisallowed" else "failed"


def outcome_of(event: str, fields: dict[str, Any]) -> str | None:
    """The summary outcome an event counts towards, or None."""
    if event == "kept":
        return "kept"
    if event == "error":
        return outcome_for_error(fields.get("error"))
    if event != "dropped" or "url" not in fields:
        return None  # a stage's count (clean's Stats), not a URL's outcome
    if fields.get("outcome"):
        return str(fields["outcome"])
    reason = str(fields.get("reason", "")).lower()
    if any(word in reason for word in _DUPLICATE_WORDS):
        return "duplicate"
    if "off-topic" in reason or "not relevant" in reason:
        return "off-topic"
    if any(word in reason for word in _NOT_ARTICLE_WORDS):
        return "not-article"
    return "dropped"


class Progress(Protocol):
    """What a display shows: the counts of the events it heard, as a line or a rich renderable."""

    def add(self, event: str, fields: dict[str, Any]) -> None: ...

    def line(self) -> str: ...

    def render(self) -> Any: ...


class Tally:
    """The counts behind every display of `scraper run`, and its summary."""

    def __init__(self) -> None:
        self.started = datetime.now(UTC)
        self.clock = time.monotonic()
        self.events: Counter[str] = Counter()
        self.queued: Counter[str] = Counter()  # host -> discovered, not yet done
        self.delays: dict[str, float] = {}
        self.summary = Summary(started=_stamp(self.started))

    def add(self, event: str, fields: dict[str, Any]) -> None:
        self.events[event] += 1
        host = str(fields.get("host") or _host(fields.get("url") or fields.get("source")))
        if event == "discovered" and host:
            self.queued[host] += 1
        if "delay" in fields and host:
            self.delays[host] = float(fields["delay"])
        outcome = outcome_of(event, fields)
        if outcome is not None:
            self.summary.outcomes[outcome] += 1
            if self.queued[host] > 0:
                self.queued[host] -= 1
        if outcome == "failed":
            error = str(fields.get("error") or "error")
            self.summary.failures.setdefault(error, Counter())[host] += 1
        if fields.get("source"):
            counts = self.summary.sources.setdefault(str(fields["source"]), Counter())
            # An error without a URL is the source's own: its feed or sitemap failed.
            counts["source-failed" if event == "error" and not fields.get("url") else event] += 1
        if event == "profile-miss":
            self.summary.profile_misses[str(fields.get("site"))] += 1
        if event == "passed":
            self.summary.stages[str(fields.get("stage"))] += int(fields.get("count", 1))
        elif event == "dropped" and "stage" in fields:
            why = f"{fields['stage']}: {fields.get('reason')}"
            self.summary.stage_drops[why] += int(fields.get("count", 1))

    def line(self) -> str:
        """The plain heartbeat line."""
        seen = self.events
        done = ", ".join(f"{name} {seen[name]}" for name in ("discovered", "fetched", "kept"))
        dropped = sum(n for name, n in self.summary.outcomes.items() if name != "kept")
        text = f"{_duration(time.monotonic() - self.clock)}: {done}, dropped {dropped}"
        if self.summary.stages:
            text += "; " + ", ".join(f"{s} {n}" for s, n in self.summary.stages.items())
        queue = sum(self.queued.values())
        if queue:
            busiest = ", ".join(self._host_text(h) for h, _ in self.queued.most_common(3))
            text += f"; queued {queue} ({busiest})"
        return text

    def _host_text(self, host: str) -> str:
        delay = self.delays.get(host)
        return f"{host} {self.queued[host]}" + (f" @{delay:g}s" if delay is not None else "")

    def render(self) -> Any:
        """The rich display: the counts, then each host's queue and current delay."""
        from rich.console import Group
        from rich.table import Table

        table = Table(title=f"scraper {_duration(time.monotonic() - self.clock)}",
                      show_edge=False)
        for name in ("discovered", "fetched", "kept", "dropped", "failed"):
            table.add_column(name, justify="right")
        outcomes = self.summary.outcomes
        dropped = sum(n for k, n in outcomes.items() if k not in ("kept", "failed"))
        table.add_row(str(self.events["discovered"]), str(self.events["fetched"]),
                      str(outcomes["kept"]), str(dropped), str(outcomes["failed"]))
        hosts = Table(show_edge=False)
        for name in ("host", "queued", "delay s"):
            hosts.add_column(name, justify="left" if name == "host" else "right")
        for host, queued in self.queued.most_common(_SHOWN_HOSTS):
            delay = self.delays.get(host)
            hosts.add_row(host, str(queued), "-" if delay is None else f"{delay:g}")
        stages = ", ".join(f"{s} {n}" for s, n in self.summary.stages.items())
        return Group(table, hosts, stages) if stages else Group(table, hosts)

    def finish(self, exit_code: int | None) -> Summary:
        self.summary.finished = _stamp(datetime.now(UTC))
        self.summary.seconds = time.monotonic() - self.clock
        self.summary.exit_code = exit_code
        return self.summary


class CleanTally:
    """The counts behind `scraper clean`'s progress line, from its `Stats` observer events and
    one "written" event per file written."""

    def __init__(self) -> None:
        self.clock = time.monotonic()
        self.counts: Counter[str] = Counter()

    def add(self, event: str, fields: dict[str, Any]) -> None:
        count = int(fields.get("count", 1))
        if event == "passed" and fields.get("stage") == "read":
            self.counts["read"] += count
        elif event in ("written", "dropped", "error"):
            self.counts[event] += count

    def line(self) -> str:
        seconds = time.monotonic() - self.clock
        counts = self.counts
        # Documents done (written, dropped or failed) per second: reading runs ahead of them by
        # the batches in flight and the corpus pass's window.
        done = counts["written"] + counts["dropped"] + counts["error"]
        return (f"{_duration(seconds)}: read {counts['read']}, written {counts['written']}, "
                f"dropped {counts['dropped']}, errors {counts['error']}, "
                f"{done / max(seconds, 1e-9):.1f} docs/s")

    def render(self) -> Any:
        return f"scraper clean {self.line()}"


class Sink:
    """`on_event` for a run: counts every event and shows it in the chosen `log_format`.

    `progress` is what is counted and shown (default: a `Tally` of `scraper run`'s events).
    """

    def __init__(
        self, log_format: str = "auto", stream: TextIO | None = None,
        interval: float = DEFAULT_LOG_INTERVAL, progress: Progress | None = None,
    ) -> None:
        if log_format not in LOG_FORMATS:
            raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}")
        self.stream = stream if stream is not None else sys.stderr
        if log_format == "auto":
            log_format = "rich" if self.stream.isatty() else "plain"
        self.log_format = log_format
        self.tally = Tally()
        self.progress: Progress = self.tally if progress is None else progress
        self._lock = threading.Lock()
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._live: Any = None

    def __call__(self, event: str, **fields: Any) -> None:
        with self._lock:
            self.progress.add(event, fields)
            if self.log_format == "json" and event != "passed":
                record = {"time": _stamp(datetime.now(UTC)), "event": event, **fields}
                self._write(json.dumps(record, ensure_ascii=False, default=str))

    def __enter__(self) -> Sink:
        if self.log_format == "rich":
            self._start_rich()
        elif self.log_format == "plain":
            self._thread = threading.Thread(target=self._heartbeat, daemon=True,
                                            name="scraper-log")
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._live is not None:
            self._live.stop()
            self._live = None

    def summary(self, exit_code: int | None = None) -> Summary:
        with self._lock:
            return self.tally.finish(exit_code)

    def finish(self, out: str | Path, exit_code: int) -> Summary:
        """End of a run: stop the display, print the summary, store it in OUT/.scraper/runs/."""
        self.close()
        summary = self.summary(exit_code)
        self.print_summary(summary)
        write_summary(out, summary)
        return summary

    def print_summary(self, summary: Summary) -> None:
        for line in summary.lines():
            self._write(f"scraper: {line}")

    def _write(self, line: str) -> None:
        print(line, file=self.stream, flush=True)

    def _heartbeat(self) -> None:
        while not self._stop.wait(self._interval):
            with self._lock:
                self._write(f"scraper: {self.progress.line()}")

    def _start_rich(self) -> None:
        from rich.console import Console
        from rich.live import Live

        console = Console(file=self.stream, force_terminal=True)
        # Print calls pass above the display only when stdout is this terminal too: piped
        # stdout (--explain > file) must get its lines, not the terminal.
        self._live = Live(get_renderable=self._render, console=console,
                          refresh_per_second=4, transient=False,
                          redirect_stdout=sys.stdout.isatty())
        self._live.start()

    def _render(self) -> Any:
        with self._lock:
            return self.progress.render()


def add_log_arguments(parser: argparse.ArgumentParser) -> None:
    """`--log-format` and `--log-interval`, for the commands that take a `Sink`."""
    parser.add_argument(
        "--log-format", choices=LOG_FORMATS, default="auto",
        help="progress on stderr: auto (rich on a terminal, else plain), rich, plain, json",
    )
    parser.add_argument(
        "--log-interval", type=float, default=DEFAULT_LOG_INTERVAL, metavar="SECONDS",
        help=f"seconds between plain progress lines (default {DEFAULT_LOG_INTERVAL:g})",
    )


@contextmanager
def clean_progress(log_format: str = "auto", stream: TextIO | None = None,
                   interval: float = DEFAULT_LOG_INTERVAL) -> Iterator[Sink]:
    """The progress display of `scraper clean`: pass it as `Stats(observer=...)`, and call it
    as `sink("written", source=..., file=...)` for each file written."""
    with Sink(log_format, stream, interval, CleanTally()) as sink:
        yield sink


def write_summary(out: str | Path, summary: Summary) -> Path:
    """Store `summary` as OUT/.scraper/runs/<timestamp>.json (atomically; never overwritten)."""
    folder = Path(out) / RUNS_DIR
    stem = summary.started.replace("-", "").replace(":", "")
    path = folder / f"{stem}.json"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.json"
    text = json.dumps(summary.to_json(), ensure_ascii=False, indent=1, sort_keys=True)
    atomic_write_text(path, text + "\n")
    return path


def read_summaries(out: str | Path) -> Iterator[tuple[Path, Summary | None]]:
    """Every stored summary of OUT, oldest first; None for a file that cannot be read."""
    folder = Path(out) / RUNS_DIR
    found = folder.glob("*.json") if folder.is_dir() else iter(())
    # <stamp>.json, then <stamp>-2.json ... for runs started in the same second.
    for path in sorted(found, key=lambda p: (p.stem.split("-")[0], len(p.stem), p.stem)):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            yield path, Summary.from_json(data) if isinstance(data, dict) else None
        except (OSError, ValueError, TypeError, AttributeError):
            yield path, None


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _host(url: object) -> str:
    return (urlsplit(url).hostname or "").lower() if isinstance(url, str) else ""


def _duration(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
