"""Parsing of request parameters, in one place, so that no value a visitor can type gives a 500.

- `parse_id`: a database id from a query or form value: ASCII decimal digits only (`"²".isdigit()` is true
  but `int("²")` fails; `"٣".isdecimal()` is true and `int()` accepts it), within the range of the columns.
- `parse_date` / `clamp_date`: dates within a range that SQL, `timedelta` and the calendar can handle.
- `safe_next`: the only place that decides whether a `next` parameter may be followed.
"""
from __future__ import annotations

import unicodedata
from datetime import date
from urllib.parse import urlsplit

# The largest id any table holds (a 32-bit signed INTEGER on PostgreSQL; SQLite takes 64 bits).
MAX_ID = 2**31 - 1
# Dates outside this range are refused before they reach SQL, `timedelta` or a CSV stream.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)


def parse_id(raw) -> int | None:
    """The id in `raw`, or None: ASCII digits only, 1 ≤ id ≤ MAX_ID."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 1 <= raw <= MAX_ID else None
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    if not raw or len(raw) > 10 or not raw.isascii() or not raw.isdecimal():
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


def parse_ids(raw: str | None, *, sep: str = ",", limit: int = 100) -> list[int]:
    """The ids in a separated list (at most `limit` of them), dropping whatever is not an id."""
    found = []
    for part in (raw or "").split(sep)[:limit]:
        value = parse_id(part)
        if value is not None:
            found.append(value)
    return found


def in_date_range(day: date | None) -> bool:
    return day is not None and MIN_DATE <= day <= MAX_DATE


def parse_date(raw) -> date | None:
    """An ISO date (YYYY-MM-DD) within MIN_DATE..MAX_DATE, or None."""
    if isinstance(raw, date):
        return raw if in_date_range(raw) else None
    if not isinstance(raw, str) or not raw.isascii():
        return None
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        return None
    return day if in_date_range(day) else None


def clamp_date(day: date) -> date:
    return min(max(day, MIN_DATE), MAX_DATE)


def safe_next(target) -> str | None:
    """A same-site relative path to follow after an action, or None.

    Browsers drop tabs and line breaks inside a URL (`/\\t/evil.example` is `//evil.example`) and treat a
    backslash as a slash, so any control, format or space character and any backslash refuses the value.
    """
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2000:
        return None
    if "\\" in target or any(unicodedata.category(ch)[0] in "CZ" for ch in target):
        return None
    if target.startswith("//"):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        return None
    return target

