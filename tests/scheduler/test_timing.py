"""Local-time arithmetic: daylight saving, reminder windows, working days, months, digest periods."""
from datetime import date, datetime, timedelta, timezone

import pytest

from portal.scheduler.timing import (LOCAL, Lead, add_months, add_working_days, due_lead, easter,
                                     is_working_day, next_period_start, period_start)

UTC = timezone.utc
DAY_BEFORE, TWO_HOURS = Lead("24h", days=1), Lead("2h", hours=2)


def local(*args):
    return datetime(*args, tzinfo=LOCAL).astimezone(UTC)


@pytest.mark.parametrize("shift, reminder, real_hours", [
    # Summer time starts Sunday 29 March 2026 at 02:00: that day has 23 hours.
    (local(2026, 3, 29, 9), local(2026, 3, 28, 9), 23),
    (local(2026, 3, 30, 9), local(2026, 3, 29, 9), 24),
    # Summer time ends Sunday 25 October 2026 at 03:00: that day has 25 hours.
    (local(2026, 10, 25, 9), local(2026, 10, 24, 9), 25),
    (local(2026, 10, 26, 9), local(2026, 10, 25, 9), 24),
])
def test_day_before_is_the_same_local_time(shift, reminder, real_hours):
    assert DAY_BEFORE.send_at(shift) == reminder
    assert shift - reminder == timedelta(hours=real_hours)
    assert reminder.astimezone(LOCAL).hour == 9


def test_spring_switch_in_utc():
    # 09:00 CEST on the 29th is 07:00 UTC; 09:00 CET on the 28th is 08:00 UTC (not 07:00).
    assert DAY_BEFORE.send_at(datetime(2026, 3, 29, 7, tzinfo=UTC)) == datetime(2026, 3, 28, 8, tzinfo=UTC)
    assert DAY_BEFORE.send_at(datetime(2026, 10, 25, 8, tzinfo=UTC)) == datetime(2026, 10, 24, 7, tzinfo=UTC)


def test_hour_leads_are_real_hours_across_the_switch():
    start = local(2026, 3, 29, 3, 30)  # 01:30 UTC, just after the clocks jumped
    assert start - TWO_HOURS.send_at(start) == timedelta(hours=2)


def test_windows_catch_up_and_skip_the_stale():
    start = local(2026, 5, 6, 10)
    leads = (DAY_BEFORE, TWO_HOURS)
    assert due_lead(start, start - timedelta(hours=25), leads) is None
    assert due_lead(start, start - timedelta(hours=24), leads) == (DAY_BEFORE, start - timedelta(hours=2))
    assert due_lead(start, start - timedelta(hours=3), leads)[0] == DAY_BEFORE  # late, still relevant
    assert due_lead(start, start - timedelta(hours=1), leads) == (TWO_HOURS, start)  # 24 h one is stale
    assert due_lead(start, start, leads) is None


def test_easter_and_holidays():
    assert [easter(y) for y in (2024, 2025, 2026, 2027)] == [
        date(2024, 3, 31), date(2025, 4, 20), date(2026, 4, 5), date(2027, 3, 28)]
    assert not is_working_day(date(2026, 4, 2))   # skærtorsdag
    assert not is_working_day(date(2026, 4, 6))   # 2. påskedag
    assert not is_working_day(date(2026, 5, 14))  # Kristi himmelfartsdag
    assert is_working_day(date(2026, 5, 1))       # not a Danish public holiday
    assert is_working_day(date(2024, 4, 26))      # store bededag was abolished from 2024
    assert not is_working_day(date(2023, 5, 5))


def test_working_days_skip_weekends_and_easter():
    # Wednesday 1 April 2026 + 5 working days: Thu, Fri (Easter), Mon (2. påskedag) are closed.
    assert add_working_days(local(2026, 4, 1, 10), 5) == local(2026, 4, 13, 10)
    assert add_working_days(local(2026, 5, 4, 10), 5) == local(2026, 5, 11, 10)
    assert add_working_days(local(2026, 5, 9, 10), 1) == local(2026, 5, 11, 10)  # from a Saturday


def test_months_clamp_and_keep_local_time():
    assert add_months(local(2026, 3, 31, 12), -1) == local(2026, 2, 28, 12)
    assert add_months(local(2024, 2, 29, 12), 12) == local(2025, 2, 28, 12)
    assert add_months(local(2026, 1, 15, 9), 24) == local(2028, 1, 15, 9)


def test_digest_periods_are_local():
    monday_6 = local(2026, 3, 30, 6, 59)
    assert period_start("weekly", monday_6, 7) == local(2026, 3, 23, 7)
    assert period_start("weekly", local(2026, 3, 30, 7), 7) == local(2026, 3, 30, 7)
    assert period_start("daily", monday_6, 7) == local(2026, 3, 29, 7)
    assert next_period_start("daily", local(2026, 3, 28, 7), 7) == local(2026, 3, 29, 7)  # 23 hours later
    assert next_period_start("weekly", local(2026, 3, 23, 7), 7) == local(2026, 3, 30, 7)
