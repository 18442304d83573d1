"""Dates and times in mails, in the recipient's language (the caller forces the locale) and local time."""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date, format_skeleton
from flask_babel import get_locale, gettext as _

from portal.scheduler.timing import LOCAL


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
