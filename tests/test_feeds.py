"""Parsing RSS, Atom and sitemaps into (url, published) entries, safely."""

from __future__ import annotations

import gzip

import pytest

from scraper.errors import InputError
from scraper.sources.feeds import Entry, entry_date, newest_first, parse_feed

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Kabar Nusantara - Ekonomi</title>
    <link>https://www.kabarnusantara.co.id/ekonomi</link>
    <item>
      <title>Harga cabai naik menjelang Lebaran</title>
      <link>
        https://www.kabarnusantara.co.id/ekonomi/2025/03/10/harga-cabai-naik
      </link>
      <pubDate>Mon, 10 Mar 2025 14:30:00 +0700</pubDate>
    </item>
    <item>
      <title>Ekspor kopi Gayo meningkat</title>
      <guid isPermaLink="true">https://www.kabarnusantara.co.id/ekonomi/ekspor-kopi-gayo</guid>
      <pubDate>Tue, 11 Mar 2025 02:00:00 GMT</pubDate>
    </item>
    <item>
      <title>Tanpa tautan</title>
      <guid isPermaLink="false">kn-88812</guid>
    </item>
    <item>
      <title>Pasar saham dibuka menguat</title>
      <link>/ekonomi/pasar-saham-dibuka-menguat</link>
      <dc:date>2025-03-09T08:15:00+07:00</dc:date>
    </item>
    <item>
      <title>Tanggal tidak terbaca</title>
      <link>https://www.kabarnusantara.co.id/ekonomi/tanpa-tanggal</link>
      <pubDate>kemarin sore</pubDate>
    </item>
    <item><link>javascript:void(0)</link></item>
  </channel>
</rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Warta Kota Kembang</title>
  <link rel="self" href="https://wartakembang.example.id/atom.xml"/>
  <entry>
    <title>Banjir surut di Dayeuhkolot</title>
    <link rel="edit" href="https://wartakembang.example.id/api/entri/77"/>
    <link rel="alternate" type="text/html" href="/daerah/banjir-surut-dayeuhkolot"/>
    <updated>2025-02-02T10:00:00Z</updated>
    <published>2025-02-01T21:45:00+07:00</published>
  </entry>
  <entry>
    <title>Festival layang-layang</title>
    <link href="https://wartakembang.example.id/budaya/festival-layang-layang"/>
    <updated>2025-02-03T07:00:00+07:00</updated>
  </entry>
  <entry><title>Tanpa link</title></entry>
</feed>
"""

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <image:image><image:loc>https://cdn.example.co.id/foto/tps.jpg</image:loc></image:image>
    <loc>https://berita.example.co.id/nasional/2025/04/01/pemilu-daerah</loc>
    <lastmod>2025-04-02T09:00:00+07:00</lastmod>
    <news:news>
      <news:publication><news:name>Berita Contoh</news:name>
        <news:language>id</news:language></news:publication>
      <news:publication_date>2025-04-01T18:20:00+07:00</news:publication_date>
      <news:title>Pemilu daerah berjalan lancar</news:title>
    </news:news>
  </url>
  <url>
    <loc> https://berita.example.co.id/olahraga/timnas-menang </loc>
    <lastmod>2025-03-30</lastmod>
  </url>
  <url><loc>https://berita.example.co.id/tanpa-tanggal</loc></url>
  <url><lastmod>2025-03-30</lastmod></url>
</urlset>
"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap>
    <loc>https://berita.example.co.id/sitemap-2025-04.xml</loc>
    <lastmod>2025-04-30T23:00:00+07:00</lastmod>
  </sitemap>
  <sitemap><loc>https://berita.example.co.id/sitemap-2025-03.xml</loc></sitemap>
</sitemapindex>
"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><item><link>https://a.example.id/&lol4;</link></item></channel></rss>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY rahasia SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://a.example.id/&rahasia;</loc></url>
</urlset>
"""


def test_rss_links_dates_guid_and_relative_links():
    feed = parse_feed(RSS, "https://www.kabarnusantara.co.id/ekonomi/rss")
    assert feed.kind == "rss"
    assert feed.entries == [
        Entry("https://www.kabarnusantara.co.id/ekonomi/2025/03/10/harga-cabai-naik",
              "2025-03-10T14:30:00+07:00"),
        Entry("https://www.kabarnusantara.co.id/ekonomi/ekspor-kopi-gayo",
              "2025-03-11T02:00:00+00:00"),
        Entry("https://www.kabarnusantara.co.id/ekonomi/pasar-saham-dibuka-menguat",
              "2025-03-09T08:15:00+07:00"),
        Entry("https://www.kabarnusantara.co.id/ekonomi/tanpa-tanggal", None),
    ]


def test_atom_prefers_the_alternate_link_and_the_published_date():
    feed = parse_feed(ATOM, "https://wartakembang.example.id/atom.xml")
    assert feed.kind == "atom"
    assert feed.entries == [
        Entry("https://wartakembang.example.id/daerah/banjir-surut-dayeuhkolot",
              "2025-02-01T21:45:00+07:00"),
        Entry("https://wartakembang.example.id/budaya/festival-layang-layang",
              "2025-02-03T07:00:00+07:00"),
    ]


def test_news_sitemap_publication_date_wins_over_lastmod():
    feed = parse_feed(NEWS_SITEMAP, "https://berita.example.co.id/sitemap-news.xml")
    assert (feed.kind, feed.is_index) == ("urlset", False)
    assert feed.entries == [
        Entry("https://berita.example.co.id/nasional/2025/04/01/pemilu-daerah",
              "2025-04-01T18:20:00+07:00"),
        Entry("https://berita.example.co.id/olahraga/timnas-menang", "2025-03-30"),
        Entry("https://berita.example.co.id/tanpa-tanggal", None),
    ]


def test_sitemap_index_lists_child_sitemaps():
    feed = parse_feed(INDEX, "sitemap.xml")
    assert feed.is_index
    assert feed.entries == [
        Entry("https://berita.example.co.id/sitemap-2025-04.xml", "2025-04-30T23:00:00+07:00"),
        Entry("https://berita.example.co.id/sitemap-2025-03.xml", None),
    ]


def test_sitemap_without_namespace_and_gzipped():
    plain = (b"<urlset><url><loc>https://lokal.example.id/a</loc>"
             b"<lastmod>2025-01-05T10:00:00+08:00</lastmod></url></urlset>")
    for data in (plain, gzip.compress(plain)):
        feed = parse_feed(data, "sitemap.xml.gz")
        assert feed.entries == [Entry("https://lokal.example.id/a", "2025-01-05T10:00:00+08:00")]


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "external"])
def test_entity_declarations_are_refused_not_expanded(document):
    with pytest.raises(InputError) as raised:
        parse_feed(document, "https://a.example.id/feed")
    assert raised.value.subject == "https://a.example.id/feed"
    assert raised.value.reason.startswith("unsafe XML refused")


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"<rss><channel><item><link>https://a.example.id/x</link></channel></rss>",
         "malformed XML (mismatched tag: line 1, column"),
        (b"<!DOCTYPE html><html><body>Bukan feed<br></body></html>",
         "an HTML page, not a feed or sitemap"),
        (b"<opml version='2.0'><body/></opml>",
         "not an RSS, Atom or sitemap document (root element <opml>)"),
        (b"  \n", "empty feed"),
        (b"\x1f\x8b\x08\x00rusak", "not a valid gzip file"),
    ],
    ids=["malformed", "html", "opml", "empty", "bad-gzip"],
)
def test_a_bad_document_is_one_input_error_naming_the_source(document, reason):
    with pytest.raises(InputError) as raised:
        parse_feed(document, "https://a.example.id/rss")
    assert str(raised.value).startswith("https://a.example.id/rss: ")
    assert raised.value.reason.startswith(reason)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-10T13:45:00Z", "2025-06-10T13:45:00+00:00"),
        ("2025-06-10", "2025-06-10"),
        ("Tue, 10 Jun 2025 13:45:00 +0700", "2025-06-10T13:45:00+07:00"),
        ("Tue, 10 Jun 2025 13:45:00 GMT", "2025-06-10T13:45:00+00:00"),
        ("Tue, 10 Jun 2025 13:45:00 -0000", "2025-06-10T13:45:00+00:00"),
        ("Selasa, 10 Jun 2025 13:45:00 WITA", "2025-06-10T13:45:00+08:00"),
        ("Kamis, 20 Juni 2024 - 13:45 WIB", "2024-06-20T13:45:00+07:00"),
        ("baru saja", None),
        ("", None),
        (None, None),
    ],
)
def test_entry_date(text, expected):
    assert entry_date(text) == expected


def test_newest_first_compares_instants_across_zones_and_keeps_undated_last():
    entries = [
        Entry("https://a.example.id/tanpa", None),
        Entry("https://a.example.id/utc", "2025-06-10T01:00:00+00:00"),  # 08:00 WIB
        Entry("https://a.example.id/wib", "2025-06-10T07:30:00+07:00"),
        Entry("https://a.example.id/tanggal", "2025-06-11"),  # midnight WIB
        Entry("https://a.example.id/tanpa-2", None),
    ]
    assert [e.url.rsplit("/", 1)[1] for e in newest_first(entries)] == [
        "tanggal", "utc", "wib", "tanpa", "tanpa-2"]


def test_rss_1_0_and_prefixed_atom():
    rdf = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
        xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="https://a.example.id/rss"><title>Kanal</title>
        <items><rdf:Seq><rdf:li resource="https://a.example.id/berita/1"/></rdf:Seq></items>
      </channel>
      <item rdf:about="https://a.example.id/berita/1">
        <link>https://a.example.id/berita/1</link><dc:date>2025-01-02T03:04:05+07:00</dc:date>
      </item>
    </rdf:RDF>"""
    atom = b"""<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:entry>
        <a:link href="https://a.example.id/berita/2"/><a:updated>2025-01-03</a:updated>
      </a:entry></a:feed>"""
    assert parse_feed(rdf, "rdf.xml").entries == [
        Entry("https://a.example.id/berita/1", "2025-01-02T03:04:05+07:00")]
    assert parse_feed(atom, "atom.xml").entries == [
        Entry("https://a.example.id/berita/2", "2025-01-03")]


def test_bom_and_blank_lines_before_the_declaration_are_tolerated():
    feed = parse_feed(b"\xef\xbb\xbf\n\n  " + RSS, "https://www.kabarnusantara.co.id/ekonomi/rss")
    assert feed == parse_feed(RSS, "https://www.kabarnusantara.co.id/ekonomi/rss")
    assert len(feed.entries) == 4


def test_the_declared_encoding_is_honoured():
    data = (b'<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><item>'
            b"<link>https://a.example.id/kuliner/kafe-\xe9clair</link></item></channel></rss>")
    assert parse_feed(data, "rss.xml").entries == [Entry("https://a.example.id/kuliner/kafe-éclair")]


def test_a_link_that_is_no_url_is_skipped():
    rss = (b'<rss version="2.0"><channel><title>K</title><item><link>http://[::1</link></item>'
           b"<item><link>https://a.id/ok</link></item></channel></rss>")
    assert [e.url for e in parse_feed(rss, "https://a.id/rss").entries] == ["https://a.id/ok"]
    assert [e.url for e in parse_feed(rss, "feed.xml").entries] == ["https://a.id/ok"]
