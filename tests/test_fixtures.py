"""Every fixture of the project, one test id each, plus the `scraper fixtures` command."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from support import FIXTURES, run_cli

from scraper.fixtures import assert_fixture, find_fixtures
from scraper.profiles import load_profiles

ALL = list(find_fixtures(FIXTURES))
DIRTY = ("Judul Uji Fixture\n\nloading...\nIni paragraf pertama dari artikel uji.\n"
         "Ini paragraf kedua yang juga penting.\n(ahm)")


@pytest.mark.parametrize("fixture", ALL, ids=[f.id for f in ALL])
def test_fixture(fixture):
    assert_fixture(fixture)


@pytest.mark.parametrize("profile", load_profiles().names())
def test_every_profile_has_a_fixture(profile):
    assert any(f.meta.get("site") == profile for f in ALL), f"no fixture for profile {profile}"


def test_record_check_update_and_diff(tmp_path):
    source = tmp_path / "dump.txt"
    source.write_text(DIRTY)
    root = tmp_path / "fx"
    made = run_cli("fixtures", "record", str(source), "--dir", str(root), "--name", "uji")
    assert made.returncode == 0, made.stderr
    folder = root / "generic" / "uji"
    assert (folder / "input.txt").read_bytes() == source.read_bytes()
    expected = (folder / "expected.txt").read_text()
    assert expected.startswith("Judul Uji Fixture\n\nIni paragraf pertama")
    assert "loading" not in expected
    assert run_cli("fixtures", "record", str(source), "--dir", str(root), "--name", "uji"
                   ).returncode == 1  # exists already

    ok = run_cli("fixtures", "check", str(root))
    assert ok.returncode == 0 and "1 fixtures: 1 passed, 0 failed" in ok.stdout

    (folder / "expected.txt").write_text(expected.replace("pertama", "PERTAMA"))
    failed = run_cli("fixtures", "check", str(root))
    assert failed.returncode == 1
    assert "FAIL generic/uji" in failed.stdout and "-Ini paragraf PERTAMA" in failed.stdout
    assert "+Ini paragraf pertama" in failed.stdout
    assert "1 fixtures: 0 passed, 1 failed" in failed.stdout

    updated = run_cli("fixtures", "check", str(root), "--update")
    assert updated.returncode == 0 and f"updated {folder / 'expected.txt'}" in updated.stdout
    assert (folder / "expected.txt").read_text() == expected


def test_partial_expectations(tmp_path):
    folder = tmp_path / "generic" / "partial"
    folder.mkdir(parents=True)
    (folder / "input.txt").write_text(DIRTY)
    meta = {"site": "generic", "must_contain": ["paragraf kedua"], "must_not_contain": ["(ahm)"]}
    (folder / "meta.json").write_text(json.dumps(meta))
    assert run_cli("fixtures", "check", str(folder)).returncode == 0
    meta["must_contain"].append("tidak ada di teks")
    (folder / "meta.json").write_text(json.dumps(meta))
    result = run_cli("fixtures", "check", str(folder))
    assert result.returncode == 1 and "missing: 'tidak ada di teks'" in result.stdout
    # --update cannot make a missing sentence appear: the check still fails.
    assert run_cli("fixtures", "check", str(folder), "--update").returncode == 1


class _Page(BaseHTTPRequestHandler):
    body = (b"<html><head><title>Banjir</title></head><body><article><h1>Banjir Melanda Kota"
            b"</h1><p>Hujan deras sejak pagi membuat sungai di tengah kota meluap dan merendam "
            b"ratusan rumah warga di tiga kelurahan.</p><p>Petugas mengevakuasi warga lanjut usia "
            b"dengan perahu karet menuju posko pengungsian di balai kota.</p><p>Pemerintah kota "
            b"menyiapkan dapur umum dan layanan kesehatan bagi para pengungsi.</p></article>"
            b"</body></html>")

    def do_GET(self):
        if self.path == "/robots.txt":
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def test_record_from_a_url(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        config = tmp_path / "c.toml"
        config.write_text('[fetch]\ndelay = 0.0\nallow_private_networks = ["127.0.0.0/8"]\n')
        url = f"http://127.0.0.1:{server.server_port}/berita/banjir-melanda-kota"
        result = run_cli("fixtures", "record", url, "--dir", str(tmp_path / "fx"), "-c",
                         str(config))
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "fx" / "generic" / "banjir-melanda-kota"
    assert (folder / "input.html").read_bytes() == _Page.body
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["url"] == url and meta["fetched"]
    assert "Petugas mengevakuasi warga" in (folder / "expected.txt").read_text()


def test_a_fixture_whose_profile_missed_fails_unless_it_names_the_miss(tmp_path):
    import shutil
    folder = tmp_path / "detik" / "old-layout"
    shutil.copytree(FIXTURES / "detik" / "old-layout", folder)
    assert run_cli("fixtures", "check", str(tmp_path)).returncode == 0
    meta = json.loads((folder / "meta.json").read_text())
    del meta["profile_miss"]
    (folder / "meta.json").write_text(json.dumps(meta))
    failed = run_cli("fixtures", "check", str(tmp_path))
    assert failed.returncode == 1
    assert "profile_miss: expected None, got 'detik:body_not_found'" in failed.stdout
