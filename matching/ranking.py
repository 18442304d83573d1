"""Hard filters and breadth re-ranking over plain data (no database, no web code).

The portal turns its rows into the frozen dataclasses below; everything here is a pure function of
them and `now`, so it can be tested without a database.

Final score of a suggestion (also in the README, section "Matching"):

    text      = cosine similarity of the two texts from TextIndex (0..1)
    task side:      final = text * (1 + LIFT * urgency) / (1 + LIFT)
                    urgency = 1 when the next fitting occurrence with free spots starts within
                    SOON_DAYS, falling linearly to 0 at LATER_DAYS
    volunteer side: final = text / (1 + DEMOTE * min(upcoming, LOAD_CAP))
                    upcoming = the volunteer's accepted/pending commitments in the future

Only candidates that pass every hard filter are ranked at all (they are given to TextIndex.search
as `allowed_ids`, so filtered-out documents never take a result slot).
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
# Local hours of the parts of the day on the availability grid (as the task search uses them).
PART_HOURS = {"morning": (0, 12), "afternoon": (12, 17), "evening": (17, 24)}
DEFAULT_DURATION = timedelta(hours=2)  # an occurrence without an end is taken to last this long
MAX_SPAN_DAYS = 8  # a longer occurrence (a window task) meets every weekly availability

LIFT = 0.25  # how much a task starting soon with free spots is lifted
SOON_DAYS = 7
LATER_DAYS = 21
DEMOTE = 0.15  # how much each upcoming commitment demotes a volunteer
LOAD_CAP = 10

# Travel area from postcodes alone (the data has no coordinates): Danish postcodes are grouped
# geographically, so a shared prefix approximates a distance. travel_km → digits that must agree.
TRAVEL_PREFIX = ((5, 4), (25, 2), (75, 1))  # up to 5 km: same postcode; 25 km: same 2 digits; …

# Reason codes; the portal turns them into Danish sentences.
AVAILABLE = "available"  # an occurrence falls in the volunteer's stated availability
NEARBY = "nearby"  # within the travel area
STARTS_SOON = "starts_soon"  # lifted: starts soon with free spots
SCREENING_NEEDED = "screening_needed"  # the task needs a child certificate/pledge not yet recorded
FEW_COMMITMENTS = "few_commitments"  # the volunteer has room in their calendar


@dataclass(frozen=True, slots=True)
class Opening:
    """One occurrence of a task (aware datetimes)."""

    id: Hashable
    starts_at: datetime
    ends_at: datetime | None
    spots_left: int
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class TaskFacts:
    id: Hashable
    openings: tuple[Opening, ...]
    is_open: bool = True  # published and taking sign-ups
    postcode: str | None = None
    needs_child_certificate: bool = False
    needs_pledge: bool = False


@dataclass(frozen=True, slots=True)
class VolunteerFacts:
    id: Hashable
    consent_to_be_found: bool
    availability: frozenset[tuple[int, str]] = frozenset()  # (weekday 0=Monday, part); empty = not stated
    away: tuple[tuple[date, date], ...] = ()
    postcode: str | None = None
    travel_km: int | None = None
    child_certificate_until: date | None = None  # a received certificate's validity
    pledge_given: bool = False
    can_be_screened: bool = True  # requirements not yet met can still be met
    upcoming: int = 0
    busy_openings: frozenset[Hashable] = frozenset()  # occurrences already signed up for


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: Hashable
    score: float
    text_score: float
    # Why the texts meet, from the query's side (Match.explanation): a word both wrote as the query wrote
    # it, otherwise "query word ~ document word" (a part of a word, a skill equivalent or a concept).
    terms: tuple[str, ...]
    reasons: tuple[str, ...] = ()
    opening: Opening | None = None  # the first fitting occurrence (task suggestions)


@dataclass(frozen=True, slots=True)
class Fit:
    """Why a volunteer and a task pass the hard filters."""

    openings: tuple[Opening, ...]
    reasons: tuple[str, ...] = field(default=())


def _in_part(start: datetime, end: datetime, weekday: int, part: str) -> bool:
    lo_hour, hi_hour = PART_HOURS[part]
    local_start, local_end = start.astimezone(COPENHAGEN), end.astimezone(COPENHAGEN)
    day = local_start.date()
    while day <= local_end.date():
        if day.weekday() == weekday:
            window_start = datetime.combine(day, time(lo_hour), COPENHAGEN)
            window_end = (datetime.combine(day + timedelta(days=1), time(0), COPENHAGEN) if hi_hour == 24
                          else datetime.combine(day, time(hi_hour), COPENHAGEN))
            if local_start < window_end and window_start < local_end:
                return True
        day += timedelta(days=1)
    return False


def fits_availability(opening: Opening, volunteer: VolunteerFacts) -> bool:
    """True if the occurrence overlaps a stated weekly window (or no availability was stated)."""
    if not volunteer.availability:
        return True
    end = opening.ends_at or opening.starts_at + DEFAULT_DURATION
    if end - opening.starts_at >= timedelta(days=MAX_SPAN_DAYS):
        return True
    return any(_in_part(opening.starts_at, end, weekday, part) for weekday, part in volunteer.availability)


def is_away(opening: Opening, volunteer: VolunteerFacts) -> bool:
    day = opening.starts_at.astimezone(COPENHAGEN).date()
    return any(first <= day <= last for first, last in volunteer.away)


def within_travel_area(task: TaskFacts, volunteer: VolunteerFacts) -> bool:
    """Postcode-prefix approximation of the volunteer's travel distance; unknown postcodes pass."""
    if not task.postcode or not volunteer.postcode:
        return True
    km = 10 if volunteer.travel_km is None else volunteer.travel_km
    for limit, digits in TRAVEL_PREFIX:
        if km <= limit:
            return task.postcode[:digits] == volunteer.postcode[:digits]
    return True


def bookable(opening: Opening, *, now: datetime) -> bool:
    return not opening.cancelled and opening.spots_left > 0 and opening.starts_at > now


def requirements(task: TaskFacts, volunteer: VolunteerFacts, opening: Opening) -> str | None:
    """None if the volunteer cannot take this occurrence; SCREENING_NEEDED if they can after screening;
    "" if every requirement is met already."""
    missing = False
    if task.needs_child_certificate:
        until = volunteer.child_certificate_until
        missing |= until is None or until < opening.starts_at.astimezone(COPENHAGEN).date()
    if task.needs_pledge:
        missing |= not volunteer.pledge_given
    if not missing:
        return ""
    return SCREENING_NEEDED if volunteer.can_be_screened else None


def fit(task: TaskFacts, volunteer: VolunteerFacts, *, now: datetime) -> Fit | None:
    """The hard filters: consent, an open task with a future occurrence with spots left that the
    volunteer is free for (availability, not away, not already signed up), within the travel area,
    requirements met or meetable. Returns None when any filter fails."""
    if not volunteer.consent_to_be_found or not task.is_open or not within_travel_area(task, volunteer):
        return None
    openings: list[Opening] = []
    screening = False
    stated = bool(volunteer.availability)
    for opening in task.openings:
        if (not bookable(opening, now=now) or opening.id in volunteer.busy_openings
                or is_away(opening, volunteer) or not fits_availability(opening, volunteer)):
            continue
        need = requirements(task, volunteer, opening)
        if need is None:
            continue
        screening |= bool(need)
        openings.append(opening)
    if not openings:
        return None
    openings.sort(key=lambda o: (o.starts_at, str(o.id)))
    reasons = [AVAILABLE] if stated else []
    if task.postcode and volunteer.postcode:
        reasons.append(NEARBY)
    if screening:
        reasons.append(SCREENING_NEEDED)
    return Fit(tuple(openings), tuple(reasons))


def urgency(opening: Opening, *, now: datetime) -> float:
    """1 within SOON_DAYS of the start, falling linearly to 0 at LATER_DAYS; 0 without free spots."""
    if opening.spots_left <= 0:
        return 0.0
    days = (opening.starts_at - now).total_seconds() / 86400.0
    if days <= SOON_DAYS:
        return 1.0
    if days >= LATER_DAYS:
        return 0.0
    return (LATER_DAYS - days) / (LATER_DAYS - SOON_DAYS)


def task_score(text: float, opening: Opening, *, now: datetime) -> float:
    return text * (1.0 + LIFT * urgency(opening, now=now)) / (1.0 + LIFT)


def volunteer_score(text: float, upcoming: int) -> float:
    return text / (1.0 + DEMOTE * min(max(upcoming, 0), LOAD_CAP))


def _ordered(items: list[Suggestion], k: int) -> list[Suggestion]:
    items.sort(key=lambda s: (-s.score, -s.text_score, str(s.id)))
    return items[:k]


def rank_tasks(matches: Sequence, tasks: Mapping[Hashable, TaskFacts], volunteer: VolunteerFacts, *,
               now: datetime, k: int = 5) -> list[Suggestion]:
    """Tasks for one volunteer: `matches` (TextIndex results, ids of tasks) filtered and lifted."""
    result = []
    for match in matches:
        task = tasks.get(match.id)
        found = fit(task, volunteer, now=now) if task is not None else None
        if found is None:
            continue
        first = found.openings[0]
        reasons = found.reasons + ((STARTS_SOON,) if urgency(first, now=now) > 0 else ())
        result.append(Suggestion(match.id, round(task_score(match.score, first, now=now), 6), match.score,
                                 match.explanation, reasons, first))
    return _ordered(result, k)


def rank_volunteers(matches: Sequence, volunteers: Mapping[Hashable, VolunteerFacts], task: TaskFacts, *,
                    now: datetime, k: int = 5) -> list[Suggestion]:
    """Volunteers for one task: `matches` (ids of volunteers) filtered, busy people demoted."""
    result = []
    for match in matches:
        volunteer = volunteers.get(match.id)
        found = fit(task, volunteer, now=now) if volunteer is not None else None
        if found is None:
            continue
        reasons = found.reasons + ((FEW_COMMITMENTS,) if volunteer.upcoming == 0 else ())
        result.append(Suggestion(match.id, round(volunteer_score(match.score, volunteer.upcoming), 6),
                                 match.score, match.explanation, reasons, found.openings[0]))
    return _ordered(result, k)


def eligible(candidates: Iterable[Hashable], check) -> list[Hashable]:
    """The candidate ids for which `check(id)` finds a fit (to pass to TextIndex as allowed_ids)."""
    return [c for c in candidates if check(c) is not None]
