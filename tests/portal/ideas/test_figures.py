"""Answer-time figures computed from a constructed timeline (working days, holidays, the deadline)."""
from datetime import datetime
from types import SimpleNamespace

import pytest

from portal.ideas.figures import answer_times, working_days_between
from portal.scheduler.timing import from_local


def at(*wall) -> datetime:
    return from_local(datetime(*wall))


def idea(created, answered=None):
    return SimpleNamespace(created_at=created, first_answer_at=answered)


NOW = at(2026, 4, 20, 12, 0)
TIMELINE = [
    idea(at(2026, 3, 2, 10), at(2026, 3, 4, 15)),    # Mon -> Wed: 2 working days, in time
    idea(at(2026, 3, 6, 10), at(2026, 3, 9, 9)),     # Fri -> Mon: 1 working day (the weekend does not count)
    idea(at(2026, 3, 2, 10), at(2026, 3, 10, 9)),    # Mon -> Tue next week: 6 working days, late
    idea(at(2026, 4, 1, 10), at(2026, 4, 7, 11)),    # Wed before Easter -> Tue after: 1 working day
    idea(at(2026, 3, 2, 10)),                        # never answered, long past its deadline
    idea(at(2026, 4, 17, 10)),                       # unanswered, deadline not reached yet: too early to judge
]


def test_working_days_skip_weekends_and_holidays():
    assert working_days_between(at(2026, 3, 2, 10), at(2026, 3, 2, 16)) == 0
    assert working_days_between(at(2026, 3, 6, 10), at(2026, 3, 9, 9)) == 1
    assert working_days_between(at(2026, 4, 1, 10), at(2026, 4, 7, 11)) == 1   # Maundy Thursday to Easter Monday
    assert working_days_between(at(2026, 12, 23, 10), at(2026, 12, 28, 10)) == 1  # 24th-26th are closed


def test_answer_time_figures_from_a_timeline():
    figures = answer_times(TIMELINE, now=NOW, deadline_days=5)
    assert figures.received == 6
    assert figures.answered == 4
    assert figures.median_working_days == pytest.approx(1.5)   # spans 2, 1, 6, 1
    assert figures.judged == 5 and figures.answered_in_time == 3 and figures.overdue == 1
    assert figures.share_in_time == pytest.approx(0.6)


def test_the_deadline_is_configurable_and_measured_to_the_minute():
    assert answer_times(TIMELINE, now=NOW, deadline_days=6).answered_in_time == 4
    # With one working day only Friday's idea is in time; the Easter one came an hour after its deadline.
    assert answer_times(TIMELINE, now=NOW, deadline_days=1).answered_in_time == 1
    # Answered at 10:01 on the fifth working day: one minute late.
    late = idea(at(2026, 3, 2, 10), at(2026, 3, 9, 10, 1))
    on_time = idea(at(2026, 3, 2, 10), at(2026, 3, 9, 10, 0))
    assert answer_times([late, on_time], now=NOW, deadline_days=5).answered_in_time == 1


def test_no_ideas_gives_no_figures():
    figures = answer_times([], now=NOW, deadline_days=5)
    assert figures.median_working_days is None and figures.share_in_time is None
