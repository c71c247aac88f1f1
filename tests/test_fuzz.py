"""Fuzzing `scraper clean` as an attacker and a careless user would.

The hostile corpus is generated here, at run time, in a temporary folder: it is never committed.
Every input is cleaned on its own (in-process, through `scraper.cli.main`), then the whole corpus
at once and again (a real subprocess). Whatever the input: no traceback, an exit status of 0, 1 or
2, less than 10 s of CPU, and an output folder whose manifest and files agree.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from support import run_cli

from scraper.clean import clean_text
from scraper.cli import main

SENTENCE = "Presiden tiba di Jakarta pada Kamis pagi untuk membuka rapat kerja nasional."
ARTICLE = "\n\n".join([SENTENCE, "Rapat itu dihadiri para menteri dan daerah.", SENTENCE[::-1]])
CPU_LIMIT = 10.0
FILE = "@FILE@"


def _page(head: str = "", body: str = "") -> str:
    return (f"<html><head>{head}</head><body>{body}<article><p>{SENTENCE}</p>"
            f"<p>Rapat itu dihadiri para menteri dan kepala daerah.</p></article></body></html>")


def _jsonl(*records: str) -> str:
    # Five good records around the hostile ones; the fixture names their file in their text.
    good = [json.dumps({"title": f"Judul {n}", "text": f"{SENTENCE} Nomor {n} dari {FILE}."})
            for n in range(5)]
    return "\n".join([good[0], *records, *good[1:]]) + "\n"


def _ld(json_text: str) -> str:
    return f'<script type="application/ld+json">{json_text}</script>'


# name -> content (str is written as UTF-8, bytes as they are)
HOSTILE: dict[str, Callable[[], str | bytes]] = {
    "surrogates.jsonl": lambda: _jsonl(
        '{"title": "J\\ud800", "text": "Isi\\udfff panjang.", "url": "https://a.id/\\ud800"}',
        '{"text": "Tulisan \\udc80\\ud83d.", "author": "\\ud800"}'),
    "deep.jsonl": lambda: _jsonl('{"text": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    "deep-dicts.jsonl": lambda: _jsonl('{"text": "Isi.", "x": ' + '{"a": ' * 5000 + "1"
                                       + "}" * 5000 + "}"),
    "long-number.jsonl": lambda: _jsonl('{"text": "Isi.", "n": ' + "9" * 5000 + "}"),
    "not-objects.jsonl": lambda: _jsonl("[1, 2]", '"teks"', "null", "{broken", "{}"),
    "odd-fields.jsonl": lambda: _jsonl(
        json.dumps({"title": ["a", {"b": 1}], "text": "Isi teks.", "date": 10**300,
                    "author": True, "url": 3.5}),
        json.dumps({"text": "Isi.", "url": "http://[::1"}),
        json.dumps({"text": 12345})),
    "bad-ipv6-canonical.html": lambda: _page('<link rel="canonical" href="http://[::1">'),
    "bad-og-url.html": lambda: _page('<meta property="og:url" content="https://[x/y">'),
    "bad-next-link.html": lambda: _page(
        '<link rel="canonical" href="https://www.bloombergtechnoz.com/detail-news/1/a">',
        '<div class="pager"><a href="http://[::1">1</a><span class="pager__item--current">2'
        '</span><a class="pager__next" href="http://[::1/3">Next</a></div>'),
    "surrogate-ld.html": lambda: _page(_ld('{"@type": "NewsArticle", "headline": "J\\ud800",'
                                           ' "author": {"name": "\\udfff"}}')),
    "deep-ld.html": lambda: _page(_ld("[" * 100_000 + "]" * 100_000)),
    "deep-graph-ld.html": lambda: _page(_ld('{"@graph": ' + "[" * 950 + "{}" + "]" * 950 + "}")),
    "long-number-ld.html": lambda: _page(_ld('{"@type": "NewsArticle", "x": ' + "7" * 6000
                                             + "}")),
    "deep-divs.html": lambda: _page(body="<div>kata " * 120_000),
    "deep-spans.html": lambda: _page(body="<span><b>" * 50_000),
    "binary.html": lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40,
    "binary.txt": lambda: b"GIF89a\x00\x01" + bytes(range(256)) * 40,
    "bomb.html.gz": lambda: gzip.compress(b"<p>" + b"a" * 3_000_000),
    "empty.txt": lambda: "",
    "spaces.txt": lambda: " \n\t\n\u3000\n",
    "dots.txt": lambda: "Kata" + "." * 100_000 + " akhir",
    "bangs.txt": lambda: "Judul\n\n" + "!" * 50_000 + "?" * 50_000,
    "mixed-marks.txt": lambda: "Judul\n\n" + "?!.”“…" * 15_000,
    "one-long-line.txt": lambda: (SENTENCE + " ") * 20_000,
    "soft-hyphen-title.txt": lambda: "Judul berita.\u00ad\n\n" + ARTICLE,
    "separators.txt": lambda: "Judul\u2028dua\u2029tiga\x85\n\n" + ARTICLE + "\u2028" + SENTENCE,
    "controls.txt": lambda: "Judul\x01\x02\x1b[31m\n\n" + ARTICLE + "\x7f\x0b\x0c",
    "bidi.txt": lambda: "\u202eJudul\u202c\n\n" + ARTICLE + "\u200f\u2066x\u2069",
    "crlf-bom.txt": lambda: "\ufeff" + ("Judul\r\n\r\n" + ARTICLE).replace("\n", "\r\n"),
    "latin1.txt": lambda: ("Judul caf\xe9\n\n" + ARTICLE).encode("latin-1"),
    "utf16.txt": lambda: ("Judul\n\n" + ARTICLE).encode("utf-16"),
    "no-text-column.csv": lambda: "judul,isi artikel\nSatu,Isi satu.\n",
    "broken-quote.csv": lambda: 'title,text\nSatu,"Isi satu.\nDua,Isi dua.\n',
    "ragged.csv": lambda: "title,text\nSatu\nDua,Isi dua.,lebih\nTiga,Isi tiga.\n",
    "huge-cell.csv": lambda: "title,text\nSatu," + "kata " * 100_000 + "\n",
    "seed-twice-a.txt": lambda: "Judul Sama\n\n" + ARTICLE,
    "seed-twice-b.txt": lambda: "Judul Sama\n\n" + ARTICLE,
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name, make in HOSTILE.items():
        content = make()
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            content = content.replace(FILE, name)
            path.write_text(content, encoding="utf-8", errors="surrogatepass")
    return folder


def assert_consistent(out: Path) -> None:
    """Every manifest line names a file that exists, every file has its line, ids are unique."""
    manifest = out / "manifest.jsonl"
    if not out.exists():
        return
    lines = manifest.read_bytes().decode("utf-8").split("\n") if manifest.exists() else []
    entries = [json.loads(line) for line in lines if line]
    files = {p.name for p in out.iterdir() if re.fullmatch(r"\d{3,}_[0-9a-f]{16}\.txt", p.name)}
    named = [entry["file"] for entry in entries]
    assert sorted(named) == sorted(files)
    ids = [entry["id"] for entry in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        assert entry["file"].endswith(f"_{entry['id']}.txt")
        (out / entry["file"]).read_bytes().decode("utf-8")  # always valid UTF-8


def clean_in_process(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    start = time.process_time()
    status = main(["clean", *args])
    assert time.process_time() - start < CPU_LIMIT, args
    return status, capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_input_is_cleaned_or_refused_in_one_line(corpus, tmp_path, capsys, name):
    out = tmp_path / "out"
    status, err = clean_in_process(capsys, str(corpus / name), "-o", str(out))
    assert status in (0, 1, 2)
    assert "Traceback" not in err
    for line in err.splitlines():
        assert line.startswith("scraper: "), line
    assert_consistent(out)


def test_the_whole_corpus_twice_in_a_real_process(corpus, tmp_path):
    out = tmp_path / "out"
    for _ in range(2):
        result = run_cli("clean", str(corpus), "-o", str(out))
        assert result.returncode in (0, 1, 2)
        assert "Traceback" not in result.stderr
        assert_consistent(out)
    entries = [json.loads(line) for line in
               (out / "manifest.jsonl").read_text(encoding="utf-8").split("\n") if line]
    kept = {entry["source"] for entry in entries}
    kept |= {dup["source"] for entry in entries for dup in entry["duplicates"]}
    # The five good records next to the hostile ones are all there (written or duplicates).
    for name in ("surrogates.jsonl", "deep.jsonl", "long-number.jsonl"):
        assert {f"{corpus / name}#{n}" for n in (0, 2)} <= kept, name
        assert sum(source.startswith(f"{corpus / name}#") for source in kept) >= 5, name


# Hostile pieces for generated documents and records.
PIECES = st.sampled_from([
    "\ud800", "\udfff", "\u00ad", "\u200b", "\u2028", "\u2029", "\x85", "\x00", "\ufeff", "\u202e",
    ".", "!", "?", "…", "“", "”", "(", ")", ":", "-", "•", "\t", "\r", "\n", "\n\n", " ", "\u3000",
    "Baca juga:", "Foto/AP", "(ahm)", "Judul", "Kata", "Berikut", "http://[::1", "e\u0301",
])
hostile_text = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40).map("".join)
runs = st.tuples(st.sampled_from(".!?… \n“”-"), st.integers(1, 3000)).map(lambda r: r[0] * r[1])
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.lists(st.one_of(hostile_text, runs), max_size=6).map("".join),
       st.sampled_from([None, "sindonews", "detik", "kompas"]))
def test_clean_text_is_idempotent_on_hostile_text(text: str, site: str | None) -> None:
    first = clean_text(text, site=site).document
    once = first.to_seed()
    once.encode("utf-8")
    assert clean_text(once, site=first.site).document.to_seed() == once


record = st.fixed_dictionaries(
    {"text": hostile_text},
    optional={"title": hostile_text, "url": hostile_text, "author": hostile_text,
              "date": hostile_text},
)


# No shrinking: each example runs the command twice, and shrinking a failure took minutes.
@settings(max_examples=15, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(record, min_size=1, max_size=8))
def test_generated_records_keep_the_folder_consistent_run_after_run(tmp_path_factory, capsys,
                                                                     records):
    folder = tmp_path_factory.mktemp("records")
    dump = folder / "dump.jsonl"
    # json.dumps escapes surrogates as \udXXX, as exports in the wild do.
    dump.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    out = folder / "out"
    for _ in range(2):
        status, err = clean_in_process(capsys, str(dump), "-o", str(out), "--no-corpus-pass")
        assert status in (0, 1) and "Traceback" not in err
        assert_consistent(out)
