"""Body decoding: BOM, header, meta, and detection when the label lies."""

from __future__ import annotations

import codecs

import pytest

from scraper.charset import decode_body, header_charset, markup_charset

TEXT = "Menteri berkata, “Kami tidak akan mundur,” kata dia – Senin (20/6)."


def html(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body><p>{body}</p></body></html>"


@pytest.mark.parametrize("label", ["iso-8859-1", "latin1", "windows-1252", "us-ascii"])
def test_utf8_page_labelled_single_byte_decodes_right(label):
    page = html(TEXT).encode("utf-8")
    assert TEXT in decode_body(page, f"text/html; charset={label}")


def test_utf8_page_with_a_lying_meta_tag_decodes_right():
    page = html(TEXT, '<meta charset="iso-8859-1">').encode("utf-8")
    assert TEXT in decode_body(page, "text/html")


def test_windows_1252_page_labelled_utf8_falls_back_to_detection():
    text = "Pemerintah menegaskan “tidak ada kenaikan harga” menjelang Lebaran, kata menteri."
    page = html(text * 5).encode("cp1252")
    assert text in decode_body(page, "text/html; charset=utf-8")


def test_honest_latin_labels_are_read_as_windows_1252():
    page = html("Caf\xe9 \u201cfrase\u201d").encode("cp1252")
    assert "Café “frase”" in decode_body(page, "text/html; charset=iso-8859-1")


def test_meta_charset_is_used_without_a_header():
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    page = html("Caf\xe9", meta)
    assert "Café" in decode_body(page.encode("cp1252"), None)


@pytest.mark.parametrize(("bom", "codec"), [(codecs.BOM_UTF8, "utf-8"),
                                              (codecs.BOM_UTF16_LE, "utf-16-le")])
def test_bom_wins_over_labels(bom, codec):
    page = bom + html(TEXT).encode(codec)
    assert TEXT in decode_body(page, "text/html; charset=iso-8859-1")


def test_xml_declaration_gives_the_encoding():
    feed = '<?xml version="1.0" encoding="windows-1252"?><rss><title>Caf\xe9</title></rss>'
    assert "Café" in decode_body(feed.encode("cp1252"), "application/rss+xml")


def test_unknown_labels_are_ignored():
    assert header_charset("text/html; charset=no-such-codec") is None
    assert decode_body(html(TEXT).encode(), "text/html; charset=no-such-codec").count("“") == 1


def test_label_parsing():
    assert header_charset('text/html; charset="UTF-8"') == "utf-8"
    assert header_charset("text/html") is None
    assert markup_charset(b"<meta charset='ISO-8859-1'>") == "cp1252"
