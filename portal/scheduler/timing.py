"""Time arithmetic in Europe/Copenhagen: reminder leads, working days, months and digest periods.

Everything is stored in UTC; what people mean by "the day before" or "five working days" is local.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from models.base import LOCAL, from_local, to_local  # noqa: F401  (the zone is named once, in models.base)


@dataclass(frozen=True)
class Lead:
    """How long before a start something goes out.

    `days` are calendar days in Copenhagen: "one day before" a 09:00 shift is 09:00 the day before,
    also across a daylight-saving switch (23 or 25 real hours). `hours` are real hours.
    """

    name: str
    days: int = 0
    hours: int = 0
    answer_links: bool = False  # carry "I am coming" / "I cannot come after all" links

    def send_at(self, start: datetime) -> datetime:
        moment = start
        if self.days:
            wall = to_local(start).replace(tzinfo=None) - timedelta(days=self.days)
            moment = from_local(wall)
        return moment - timedelta(hours=self.hours)

    @property
    def longest(self) -> timedelta:
        # A local day is at most 25 hours long.
        return timedelta(days=self.days, hours=self.hours + self.days)


def due_lead(start: datetime, now: datetime, leads) -> tuple[Lead, datetime] | None:
    """The lead whose window holds `now`, with the window's end; None when no reminder is due.

    The windows run from each lead's send time to the next (shorter) lead's, the last one until the
    start. After downtime this catches up on what is still relevant and skips the stale: at one hour
    before the start the day-before reminder is stale, the two-hour one is due.
    """
    ordered = sorted(leads, key=lambda lead: lead.send_at(start))
    for i, lead in enumerate(ordered):
        begins = lead.send_at(start)
        ends = ordered[i + 1].send_at(start) if i + 1 < len(ordered) else start
        if begins <= now < ends:
            return lead, ends
    return None


# --- working days -----------------------------------------------------------------------------

def easter(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    j = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * j) // 451
    month, day = divmod(h + j - 7 * m + 114, 31)
    return date(year, month, day + 1)


def closed_days(year: int) -> set[date]:
    """Danish public holidays plus the days town halls close (Constitution Day, Christmas and New Year's Eve)."""
    e = easter(year)
    days = {e + timedelta(days=n) for n in (-3, -2, 0, 1, 39, 49, 50)}
    if year <= 2023:  # Store bededag was abolished from 2024
        days.add(e + timedelta(days=26))
    days |= {date(year, 1, 1), date(year, 6, 5), date(year, 12, 24), date(year, 12, 25), date(year, 12, 26),
             date(year, 12, 31)}
    return days


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in closed_days(day.year)


def add_working_days(moment: datetime, count: int) -> datetime:
    """The same local time `count` working days later (weekends and holidays skipped)."""
    local = to_local(moment)
    day = local.date()
    done = 0
    while done < count:
        day += timedelta(days=1)
        if is_working_day(day):
            done += 1
    return from_local(datetime.combine(day, local.time().replace(tzinfo=None)))


# --- months and periods -----------------------------------------------------------------------

def add_months(moment: datetime, months: int) -> datetime:
    """The same local day and time `months` later (or earlier), clamped to the month's last day."""
    local = to_local(moment)
    index = local.year * 12 + local.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    wall = local.replace(tzinfo=None, year=year, month=month, day=min(local.day, last))
    return from_local(wall)


def period_start(frequency: str, now: datetime, hour: int) -> datetime:
    """The latest digest moment at or before `now`: today's (or Monday's) `hour` o'clock, local time."""
    local = to_local(now)
    day = local.date()
    if frequency == "weekly":
        day -= timedelta(days=day.weekday())
    start = from_local(datetime.combine(day, time(hour)))
    if start > now:
        start = from_local(datetime.combine(day - timedelta(days=7 if frequency == "weekly" else 1), time(hour)))
    return start


def next_period_start(frequency: str, start: datetime, hour: int) -> datetime:
    day = to_local(start).date() + timedelta(days=7 if frequency == "weekly" else 1)
    return from_local(datetime.combine(day, time(hour)))
