"""Numbers, dates and times in pages and mails, in the reader's language (a mail forces the recipient's
locale) and local time; the factory registers them as Jinja filters (portal.wiring)."""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date, format_skeleton
from flask_babel import format_decimal, get_locale, gettext as _

from models.base import LOCAL


def _locale() -> str:
    return str(get_locale() or "da")


def when(moment: datetime | None) -> str:
    """"man. 30. marts kl. 09.00" / "Mon, Mar 30 at 09:00"."""
    if moment is None:
        return ""
    weekday = _skeleton("MMMMEd", moment, _locale())
    return _("%(day)s at %(time)s", day=weekday, time=clock(moment))


def day(value: date | datetime | None) -> str:
    """"mandag den 30. marts 2026" / "Monday, March 30, 2026"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL).date()
    return format_date(value, "full", locale=_locale())


def clock(moment: datetime) -> str:
    return _skeleton("Hm", moment, _locale())


@lru_cache(maxsize=4096)
def _skeleton(skeleton: str, moment: datetime, locale: str) -> str:
    # A batch of reminders names the same few start times thousands of times.
    return format_skeleton(skeleton, moment, tzinfo=LOCAL, locale=locale)


def hours(value) -> str:
    """Hours the Danish way: 2, 1,5 or 12,25."""
    return format_decimal(value or 0, format="#,##0.##")


def amount(value) -> str:
    """A count or a number of hours, with a decimal comma only when needed."""
    number = float(value or 0)
    return f"{number:.0f}" if number.is_integer() else f"{number:.1f}".replace(".", ",")


def month_label(value) -> str:
    """'2026-09' -> 'september 2026' (in the page's language); anything else is shown as it is."""
    text = str(value)
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit() and 1 <= int(text[5:]) <= 12:
        return format_date(date(int(text[:4]), int(text[5:]), 1), "LLLL y", locale=_locale())
    return text


FILTERS = {"when": when, "day": day, "clock": clock, "hours": hours, "amount": amount, "month_label": month_label}
