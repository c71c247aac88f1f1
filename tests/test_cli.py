"""`scraper` as a user runs it: a real subprocess, real files, exit codes and one-line errors."""

import hashlib
import json

import pytest
from support import FIXTURES, SEEDS, run_cli


def manifest(out):
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


def texts(out):
    return sorted(p.read_bytes() for p in out.glob("[0-9]*_*.txt"))


def expected_seed(number):
    (path,) = FIXTURES.glob(f"*/seed-{number}/expected.txt")
    return path.read_bytes()


def tree_digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*")
            if p.is_file()}


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("scraper ")


def test_help_and_an_unknown_command_list_every_command():
    listing = "clean dedup discover fetch fixtures profiles query run serve-fixtures status"
    lines = run_cli("--help").stdout.splitlines()
    listed = [line.split()[0] for line in lines if line[:4] == "    " and line[4:5] != " "]
    assert listed == listing.split()
    unknown = run_cli("--debug", "nosuch")
    assert unknown.returncode == 2
    assert "invalid choice: 'nosuch' (choose from 'clean', 'dedup'" in unknown.stderr


def test_a_command_loads_only_what_it_needs(tmp_path):
    """`scraper clean` starts without the HTTP clients that only fetching needs."""
    import subprocess
    import sys

    program = (
        "import sys\nfrom scraper.cli import main\n"
        f"status = main(['--debug', 'clean', {str(SEEDS)!r}, '-o', {str(tmp_path / 'o')!r}])\n"
        "print(status, sorted({'aiohttp', 'httpx', 'scraper.fetch'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "0 []"


def test_clean_seeds_writes_four_clean_files_and_keeps_000_over_003(tmp_path):
    before = tree_digest(SEEDS)
    out = tmp_path / "out"
    result = run_cli("clean", str(SEEDS), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert tree_digest(SEEDS) == before  # inputs untouched
    assert texts(out) == sorted(expected_seed(n) for n in ("000", "001", "002", "004"))
    entries = {e["source"].rsplit("/", 1)[-1][:3]: e for e in manifest(out)}
    assert sorted(entries) == ["000", "001", "002", "004"]
    assert [d["source"].rsplit("/", 1)[-1][:3] for d in entries["000"]["duplicates"]] == ["003"]
    assert entries["000"]["site"] == "sindonews"
    assert entries["000"]["date"] == "2024-06-20T13:45:00+07:00"
    assert entries["001"]["author"] == "Noer Huda"
    assert entries["004"]["title"] is None
    for entry in entries.values():
        assert (out / entry["file"]).read_text() .count("\n\n") >= 1
        assert entry["chars"] > 0 and entry["removed"] >= 1

    again = run_cli("clean", str(SEEDS), "-o", str(out))
    assert again.returncode == 0 and len(manifest(out)) == 4 and len(texts(out)) == 4


def test_no_dedup_writes_one_output_per_input(tmp_path):
    out = tmp_path / "out"
    result = run_cli("clean", str(SEEDS), "-o", str(out), "--no-dedup")
    assert result.returncode == 0, result.stderr
    assert len(manifest(out)) == 5
    assert expected_seed("003") in texts(out)


def test_explain_names_the_rule_of_every_removal(tmp_path):
    result = run_cli("clean", str(SEEDS / "000_828710dd0518d4aa.txt"), "-o", str(tmp_path / "o"),
                     "--explain")
    assert result.returncode == 0, result.stderr
    assert "[site: sindonews]" in result.stdout
    removed = [line for line in result.stdout.splitlines() if line.startswith("  - ")]
    assert any("loading..." in line for line in removed)
    assert any("(ahm)" in line for line in removed)
    assert all(line.split(": ", 1)[0].strip("- ").strip() for line in removed)


def test_bad_inputs_get_one_line_each_and_the_rest_is_written(tmp_path):
    good = tmp_path / "in" / "good.txt"
    good.parent.mkdir()
    good.write_text("Judul Berita Baik\n\nIni isi berita yang baik dan cukup panjang.")
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "binary.txt").write_bytes(b"\x00\x01\x02abc")
    (tmp_path / "in" / "big.txt").write_text("Judul\n\n" + "kata " * 400)
    (tmp_path / "in" / "latin1.txt").write_bytes(
        "Judul Lain\n\nMenteri berkata “pasti” soal café baru di kota.".encode("cp1252"))
    (tmp_path / "in" / "dump.jsonl").write_text(
        '{"title": "Satu", "text": "Isi rekaman satu."}\n{oops\n'
        '{"title": "Tiga", "text": "Isi rekaman tiga."}\n')
    (tmp_path / "in" / "dump.csv").write_text("judul,isi\nA,Isi baris A.\nB\n")
    (tmp_path / "in" / "chrome.txt").write_text("Judul Kosong\n\nloading...\nA A A\n(ahm)")
    out = tmp_path / "out"
    result = run_cli("clean", str(tmp_path / "in"), "-o", str(out), "--max-bytes", "1000")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("scraper: error:")]
    joined = "\n".join(errors)
    for fragment in ("empty.txt: empty input", "binary.txt: binary data",
                     "big.txt: larger than --max-bytes", "dump.jsonl#1: malformed JSON",
                     "dump.csv#1: CSV row has 1 fields", "chrome.txt: nothing left after cleaning"):
        assert fragment in joined, joined
    assert len(errors) == 6
    titles = sorted(e["title"] for e in manifest(out))
    assert titles == ["A", "Judul Berita Baik", "Judul Lain", "Satu", "Tiga"]
    latin = next(e for e in manifest(out) if e["title"] == "Judul Lain")
    assert "“pasti”" in (out / latin["file"]).read_text()
    assert not list(out.glob(".tmp-*"))


def test_stdin(tmp_path):
    result = run_cli("clean", "-", "-o", str(tmp_path / "o"),
                     stdin=b"Judul Dari Stdin\n\nIsi dari masukan standar.")
    assert result.returncode == 0, result.stderr
    (entry,) = manifest(tmp_path / "o")
    assert entry["source"] == "-" and entry["title"] == "Judul Dari Stdin"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "nosuchsite"], "nosuchsite: unknown site profile"),
        (["-c", "missing.toml"], "missing.toml: cannot read config file"),
    ],
)
def test_usage_errors_exit_2(tmp_path, args, message):
    result = run_cli("clean", str(SEEDS), "-o", str(tmp_path / "o"), *args)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == f"scraper: error: {message}" or \
        message in result.stderr
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").glob("*.txt"))


def test_config_file_sets_defaults_and_flags_win(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[clean]\nsite = "nosuchsite"\n')
    assert run_cli("clean", str(SEEDS), "-o", str(tmp_path / "o"), "-c", str(config)
                   ).returncode == 2
    result = run_cli("clean", str(SEEDS), "-o", str(tmp_path / "o"), "-c", str(config),
                     "--site", "sindonews")
    assert result.returncode == 0, result.stderr


def test_explain_says_where_each_document_went(tmp_path):
    out = tmp_path / "out"
    first = run_cli("clean", str(SEEDS), "-o", str(out), "--explain")
    heads = [line for line in first.stdout.splitlines() if line.startswith("== ")]
    assert any(line.startswith("== ") and "003_" in line and "-> duplicate of 000_" in line
               for line in heads)
    again = run_cli("clean", str(SEEDS), "-o", str(out), "--explain")
    heads = [line for line in again.stdout.splitlines() if line.startswith("== ")]
    assert len(heads) == 5 and all("-> already " in line for line in heads)


def _store_from_fixture(root, fixture):
    """A page store holding a fixture's pages, as `scraper fetch --store` would have left it."""
    from scraper.fetch import FetchResult, PageStore

    meta = json.loads((fixture / "meta.json").read_text())
    store = PageStore(root)
    pages = {meta["url"]: "input.html", **meta["pages"]}
    for url, name in pages.items():
        body = (fixture / name).read_bytes()
        store.put(FetchResult(url=url, final_url=url, status=200, body=body,
                              headers={"content-type": "text/html; charset=utf-8"}))
    return meta


def test_clean_a_page_store_offline(tmp_path):
    fixture = FIXTURES / "detik" / "krl-single"
    _store_from_fixture(tmp_path / "pages", fixture)
    out = tmp_path / "out"
    result = run_cli("clean", "--store", str(tmp_path / "pages"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    # The later page and the single-page form are parts of the article, not articles of their own.
    (entry,) = manifest(out)
    assert (out / entry["file"]).read_bytes() == (fixture / "expected.txt").read_bytes()
    assert entry["site"] == "detik" and entry["url"].startswith("https://news.detik.com/")
    again = run_cli("clean", "--store", str(tmp_path / "pages"), "-o", str(out))
    assert again.returncode == 0 and len(manifest(out)) == 1
    assert "already in the output folder" in again.stderr


def test_clean_needs_an_input_or_a_store(tmp_path):
    result = run_cli("clean", "-o", str(tmp_path / "out"))
    assert result.returncode == 2 and "give at least one INPUT or --store DIR" in result.stderr
    missing = run_cli("clean", "--store", str(tmp_path), "-o", str(tmp_path / "out"))
    assert missing.returncode == 1
    assert f"scraper: error: {tmp_path}: not a page store" in missing.stderr


def test_explain_lists_as_many_removals_as_the_manifest_and_why_a_record_was_not_written(
    tmp_path,
):
    record = {"title": "Taman Baru", "url": "https://www.contoh.co.id/2025/06/10/taman",
              "text": "Pemkot membuka taman baru di pusat kota pada Sabtu pagi.\n\n"
                      "ADVERTISEMENT\n\n"
                      "Pemkot membuka taman baru di pusat kota pada Sabtu pagi.\n\n"
                      "Taman itu punya jalur lari dan area bermain anak."}
    dump = tmp_path / "dump.jsonl"
    dump.write_text("\n".join([json.dumps(record)] * 2) + "\n")
    out = tmp_path / "o"
    result = run_cli("clean", str(dump), "-o", str(out), "--explain")
    assert result.returncode == 0, result.stderr
    # The repeat is told first: it is skipped before cleaning, the first record when written.
    second, written = result.stdout.split("== ")[1:]
    entry = manifest(out)[0]
    assert entry["removed"] == written.count("\n  - ") == 2
    assert "dedup:repeated-paragraph" in written
    assert entry["date"] == "2025-06-10"
    assert second.startswith(f"{dump}#1 -> same id twice in this run")


def test_an_output_that_is_a_file_is_a_usage_error(tmp_path):
    existing = tmp_path / "corpus.txt"
    existing.write_text("isi lama")
    result = run_cli("clean", str(SEEDS), "-o", str(existing))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"scraper: error: {existing}: -o names a file; it must be a folder (new or existing)")
    assert existing.read_text() == "isi lama"


def test_explain_reports_a_kept_uncertain_headline_boundary(tmp_path):
    text = ("Warga senang taman dibuka. Baca Juga: Gubernur Tinjau Taman Kota Gubernur Jawa "
            "Barat Budi Santoso meninjau taman itu pada Sabtu pagi bersama wali kota.")
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps({"title": "Taman Baru", "text": text}) + "\n")
    out = tmp_path / "o"
    result = run_cli("clean", str(dump), "-o", str(out), "--explain")
    assert result.returncode == 0, result.stderr
    assert ("  ~ kept: uncertain boundary (generic:inline_promo): Gubernur Tinjau Taman Kota "
            "Gubernur Jawa Barat Budi Santoso") in result.stdout
    assert "  - generic:inline_promo: Baca Juga:" in result.stdout
    body = texts(out)[0].decode()
    assert "Budi Santoso meninjau taman itu" in body and "Baca Juga" not in body
    assert manifest(out)[0]["removed"] == result.stdout.count("\n  - ")


@pytest.mark.parametrize(("mode", "in_text"), [("keep", True), ("manifest", False)])
def test_the_dateline_goes_to_the_manifest_and_the_config_says_if_it_stays(tmp_path, mode,
                                                                           in_text):
    record = {"title": "Taman Baru", "text": "Jakarta\n\n-\n\nPemkot membuka taman baru di pusat "
              "kota pada Sabtu pagi.\n\nTaman itu punya jalur lari dan area bermain anak."}
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps(record) + "\n")
    config = tmp_path / "scraper.toml"
    config.write_text(f'[clean]\ndateline = "{mode}"\n')
    out = tmp_path / "o"
    result = run_cli("clean", str(dump), "-o", str(out), "-c", str(config))
    assert result.returncode == 0, result.stderr
    assert manifest(out)[0]["dateline"] == "Jakarta"
    body = texts(out)[0].decode()
    assert body.startswith("Taman Baru\n\nJakarta - Pemkot" if in_text else "Taman Baru\n\nPemkot")
