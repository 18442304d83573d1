"""Numbers, dates and times in pages and mails, in the reader's language (a mail forces the recipient's
locale) and local time; the factory registers them as Jinja filters (portal.wiring)."""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date, format_skeleton
from flask_babel import format_decimal, get_locale, gettext as _, ngettext

from models.base import LOCAL


def _locale() -> str:
    return str(get_locale() or "da")


# One time format everywhere: hours and minutes with the locale's own separator ("15.00" in Danish,
# "15:00" in English), never seconds. Templates may name a pattern; it is brought to this form here.
NAMED = {"medium": "d. MMM y HH:mm", "long": "d. MMMM y HH:mm", "full": "EEEE d. MMMM y HH:mm"}


def time_pattern(fmt: str, locale: str | None = None) -> str:
    """The Babel pattern for `fmt` (a name or a pattern) with the locale's time separator."""
    pattern = NAMED.get(fmt, fmt)
    if (locale or _locale()).startswith("da"):
        pattern = pattern.replace("HH:mm", "HH.mm")
    return pattern


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


def kroner(value) -> str:
    """An amount of money the Danish way, whole kroner: 1.250.000 kr."""
    return format_decimal(round(value or 0), format="#,##0") + " kr"



def requires(missing) -> str:
    """The screening a task needs that a volunteer lacks, named: "Kræver børneattest",
    "Kræver tavshedserklæring" or both (`missing` as models.tasks.unmet_requirements gives it)."""
    missing = set(missing or ())
    if {"child_certificate", "pledge"} <= missing:
        return _("Requires a child certificate and a confidentiality pledge")
    if "child_certificate" in missing:
        return _("Requires a child certificate")
    if "pledge" in missing:
        return _("Requires a confidentiality pledge")
    return ""


def awaited(missing) -> str:
    """What a waiting sign-up waits for, named ("your child certificate", …), to put in a sentence."""
    missing = set(missing or ())
    if {"child_certificate", "pledge"} <= missing:
        return _("your child certificate and your confidentiality pledge")
    if "child_certificate" in missing:
        return _("your child certificate")
    if "pledge" in missing:
        return _("your confidentiality pledge")
    return ""


def _one(value) -> int:
    # The plural form of a number of hours: only exactly one is singular ("1 time", "1,5 timer").
    return 1 if value is not None and float(value) == 1 else 2


def hours_text(value) -> str:
    """"1 time", "2,5 timer"."""
    return ngettext("%(hours)s hour", "%(hours)s hours", _one(value), hours=hours(value))


def about_hours(value) -> str:
    """"Cirka 1 time", "Cirka 2,5 timer"."""
    return ngettext("About %(hours)s hour", "About %(hours)s hours", _one(value), hours=hours(value))


def consent_how(how: str | None) -> str:
    from models.consent import how_shown
    return how_shown(how)


def breadth_label(flag: str) -> str:
    from portal.public.forms import breadth_labels
    return str(breadth_labels().get(flag, flag))


def month_label(value) -> str:
    """'2026-09' -> 'september 2026' (in the page's language); anything else is shown as it is."""
    text = str(value)
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit() and 1 <= int(text[5:]) <= 12:
        return format_date(date(int(text[:4]), int(text[5:]), 1), "LLLL y", locale=_locale())
    return text


FILTERS = {"when": when, "day": day, "clock": clock, "hours": hours, "amount": amount, "requires": requires,
           "awaited": awaited, "kr": kroner, "consent_how": consent_how, "breadth_label": breadth_label,
           "hours_text": hours_text, "about_hours": about_hours, "month_label": month_label}
