"""Answer times of ideas: median working days to the first answer and the share answered in time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from portal.scheduler.timing import add_working_days, is_working_day, to_local


@dataclass(frozen=True)
class AnswerTimes:
    received: int                   # ideas in the period
    answered: int                   # with a first answer
    judged: int                     # answered, or unanswered past the deadline: these count for the share
    answered_in_time: int
    overdue: int                    # still unanswered and past the deadline
    median_working_days: float | None
    deadline_days: int

    @property
    def share_in_time(self) -> float | None:
        return self.answered_in_time / self.judged if self.judged else None


def working_days_between(start: datetime, end: datetime) -> int:
    """Working days after `start`'s local day up to and including `end`'s (same day: 0)."""
    first, last = to_local(start).date(), to_local(end).date()
    days, day = 0, first
    while day < last:
        day += timedelta(days=1)
        if is_working_day(day):
            days += 1
    return days


def answer_times(ideas, *, now: datetime, deadline_days: int) -> AnswerTimes:
    """Figures over `ideas` (objects with created_at and first_answer_at), the deadline in working days.

    An idea is answered in time when its first answer came no later than `deadline_days` working days
    after it was received (the same local time). Unanswered ideas whose deadline has not passed yet
    are left out of the share: it is too early to judge them.
    """
    received = answered = judged = in_time = overdue = 0
    spans: list[int] = []
    for idea in ideas:
        received += 1
        due = add_working_days(idea.created_at, deadline_days)
        if idea.first_answer_at is not None:
            answered += 1
            judged += 1
            spans.append(working_days_between(idea.created_at, idea.first_answer_at))
            if idea.first_answer_at <= due:
                in_time += 1
        elif now > due:
            judged += 1
            overdue += 1
    return AnswerTimes(received=received, answered=answered, judged=judged, answered_in_time=in_time,
                       overdue=overdue, median_working_days=float(median(spans)) if spans else None,
                       deadline_days=deadline_days)
