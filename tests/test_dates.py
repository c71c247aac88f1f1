import pytest

from scraper.dates import date_from_url, parse_date


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Kamis, 20 Juni 2024 - 13:45 WIB", "2024-06-20T13:45:00+07:00"),
        ("Sabtu, 24 Mei 2025 16:40 WIB", "2025-05-24T16:40:00+07:00"),
        ("10/06/2025, 21:23 WIB", "2025-06-10T21:23:00+07:00"),
        ("Jum'at, 24 Juli 2026 - 13:39 WITA", "2026-07-24T13:39:00+08:00"),
        ("Senin, 3 Feb 2025 08.15 WIT", "2025-02-03T08:15:00+09:00"),
        ("NAGAGG NEWS, 19 Juni 2024 – Kim", "2024-06-19"),
        ("2024-06-20T06:45:00Z", "2024-06-20T06:45:00+00:00"),
        ("2024-06-20", "2024-06-20"),
        ("31 Februari 2024", None),
        ("tidak ada tanggal", None),
    ],
)
def test_dates(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://nasional.kompas.com/read/2025/06/10/21230041/judul", "2025-06-10"),
        ("https://www.contoh.co.id/2024/1/5/judul-berita", "2024-01-05"),
        ("https://www.contoh.co.id/berita/2023-11-30/judul", "2023-11-30"),
        ("https://news.detik.com/berita/d-7654321/judul", None),
        ("https://www.contoh.co.id/2025/13/40/judul", None),
        ("https://www.contoh.co.id/id/2025/06/10123", None),
        (None, None),
    ],
)
def test_a_day_in_the_url_path_is_read(url: str | None, day: str | None) -> None:
    assert date_from_url(url) == day


def test_a_record_without_a_date_takes_the_day_of_its_url() -> None:
    from scraper.clean import clean_text
    text = "Judul\n\nPemerintah kota membuka taman baru di pusat kota pada Sabtu pagi."
    url = "https://regional.kompas.com/read/2025/06/10/1/taman-baru"
    assert clean_text(text, url=url).document.date == "2025-06-10"
    assert clean_text(text, url="https://news.detik.com/berita/d-7654321/x").document.date is None
