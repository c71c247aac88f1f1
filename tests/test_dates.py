import pytest

from scraper.dates import parse_date


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
