"""Indonesian (and ISO) publication dates to ISO 8601 with a time zone.

Shapes seen on Indonesian news sites:
    "Kamis, 20 Juni 2024 - 13:45 WIB"   (SINDOnews)
    "Sabtu, 24 Mei 2025 16:40 WIB"      (detik)
    "10/06/2025, 21:23 WIB"             (kompas)
    "19 Juni 2024"                       (date only)
WIB = UTC+7, WITA = UTC+8, WIT = UTC+9. A date without a zone is taken as WIB, the zone of
most Indonesian newsrooms; a date without a time is returned as a plain date.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("januari", "jan"),
            ("februari", "feb", "pebruari"),
            ("maret", "mar"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "jun"),
            ("juli", "jul"),
            ("agustus", "agu", "agt", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "oct"),
            ("november", "nov", "nopember"),
            ("desember", "des", "dec"),
        ],
        start=1,
    )
    for name in names
}
ZONES = {"WIB": 7, "WITA": 8, "WIT": 9}

_TIME = r"(?:[,\-–|\s]+(?:pukul\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::\d{2})?)?"
_ZONE = r"(?:\s*(?P<zone>WIB|WITA|WIT)\b)?"
_NAMED = re.compile(
    r"(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]{3,9})\.?\s+(?P<year>\d{4})" + _TIME + _ZONE,
    re.IGNORECASE,
)
_NUMERIC = re.compile(
    r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})" + _TIME + _ZONE, re.IGNORECASE
)


def _build(match: re.Match[str], month: int) -> str | None:
    try:
        day = date(int(match["year"]), month, int(match["day"]))
    except ValueError:
        return None
    if match["hour"] is None:
        return day.isoformat()
    zone = timezone(timedelta(hours=ZONES.get((match["zone"] or "WIB").upper(), 7)))
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        return day.isoformat()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).isoformat()


def parse_indonesian_date(text: str) -> str | None:
    """The first date in `text` as ISO 8601, or None."""
    for match in _NAMED.finditer(text):
        month = MONTHS.get(match["month"].lower())
        if month:
            return _build(match, month)
    numeric = _NUMERIC.search(text)
    if numeric and 1 <= int(numeric["month"]) <= 12:
        return _build(numeric, int(numeric["month"]))
    return None


def parse_iso_date(text: str) -> str | None:
    """An ISO 8601 date or datetime (e.g. JSON-LD `datePublished`), normalised, or None."""
    value = text.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if len(value) <= 10:
        return parsed.date().isoformat()
    return parsed.isoformat()


def parse_date(text: str) -> str | None:
    """ISO 8601 first, then the Indonesian shapes."""
    return parse_iso_date(text) or parse_indonesian_date(text)


# "/2025/06/10/" (most sites), "/read/2025/06/10/" (kompas), "/2025-06-10/": a day in the path.
# A bare number such as detik's "/d-7654321/" is an id, not a date.
_URL_DATE = re.compile(
    r"/(?P<year>(?:19|20)\d{2})([/-])(?P<month>\d{1,2})\2(?P<day>\d{1,2})(?=/|$)"
)


def date_from_url(url: str | None) -> str | None:
    """The publication day written in an article URL's path, as YYYY-MM-DD, or None."""
    if not url:
        return None
    match = _URL_DATE.search(url.split("?", 1)[0].split("#", 1)[0])
    if match is None:
        return None
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"])).isoformat()
    except ValueError:
        return None  # "/2025/13/40/": numbers, not a day
