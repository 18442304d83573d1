"""The coordinators' overview: the yearly status for Frivillig Fredag, as SQL aggregates per period."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, distinct, func, literal, select

from models import Idea, IdeaStatus, Institution, Occurrence, Signup, SignupStatus, Task, TaskStatus, VolunteerProfile, db
from models.base import LOCAL
from portal.public.finding import local_month

# A task is under-filled while fewer than half of an upcoming occurrence's places are taken.
UNDERFILLED_SHARE = 0.5
SOON = timedelta(days=7)
# Sign-ups that mean someone took part (or is set to): the basis of every "volunteers" figure.
PARTICIPATING = SignupStatus.TOOK_PART
AGE_BANDS = ((0, 17, "under 18"), (18, 29, "18-29"), (30, 49, "30-49"), (50, 66, "50-66"), (67, 200, "67+"))
LIST_LIMIT = 50


@dataclass(frozen=True)
class Period:
    """Local calendar days [first, last], both included."""

    first: date
    last: date

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.first, time(0), LOCAL)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(0), LOCAL)

    def months(self) -> list[str]:
        keys, year, month = [], self.first.year, self.first.month
        while (year, month) <= (self.last.year, self.last.month):
            keys.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return keys


def default_period(today: date) -> Period:
    """The year up to today: since the day after last year's Frivillig Fredag (Friday of week 39)."""
    friday = date.fromisocalendar(today.year, 39, 5)
    if friday >= today:
        friday = date.fromisocalendar(today.year - 1, 39, 5)
    return Period(friday + timedelta(days=1), today)


@dataclass
class Overview:
    period: Period
    open_tasks: int = 0
    underfilled_tasks: int = 0
    soon_with_spots: list = field(default_factory=list)
    ideas_overdue: int = 0
    overdue_ideas: list = field(default_factory=list)
    new_volunteers: list = field(default_factory=list)        # [(month, count)]
    hours_by_month: list = field(default_factory=list)        # [(month, hours)]
    hours_by_institution: list = field(default_factory=list)  # [(institution, {month: hours}, total)]
    age_bands: list = field(default_factory=list)             # [(band, count)]
    genders: list = field(default_factory=list)
    areas: list = field(default_factory=list)
    returning: int = 0
    one_time: int = 0
    participants: int = 0
    signups: int = 0
    total_hours: float = 0.0
    no_shows: int = 0             # expected and did not come (recorded with the attendance)
    no_shows_confirmed: int = 0   # of those, had answered "Jeg kommer" to the reminder
    # Forankring: of the volunteers who took part, how many are in a team, only in a network, or alone.
    in_teams: int = 0
    in_networks_only: int = 0
    alone: int = 0
    # Volunteers reached through each breadth flag: distinct people who took part in a task carrying it.
    breadth_reached: list = field(default_factory=list)       # [(flag, people)]


def month_of(column):
    """The local calendar month 'YYYY-MM' of a UTC timestamp column, computed in the database
    (in Copenhagen time in both databases, so a month's figures do not depend on the database)."""
    return local_month(column)


def build(period: Period, *, now: datetime) -> Overview:
    """All figures of the overview for `period`; the "now" figures (open, soon, overdue) ignore it."""
    view = Overview(period=period)
    _current(view, now)
    _new_volunteers(view, period)
    _hours(view, period)
    _breadth(view, period)
    _no_shows(view, period)
    _together(view, period)
    _breadth_reached(view, period)
    return view


def _together(view: Overview, period: Period) -> None:
    """Volunteers who took part in the period: in a volunteer team, in a thematic network (and no team),
    or on their own, as counted in one grouped query."""
    from models import NetworkMember, TeamMember
    people = _participations(period)
    in_team = select(TeamMember.id).where(TeamMember.user_id == people.c.user_id).exists()
    in_network = select(NetworkMember.id).where(NetworkMember.user_id == people.c.user_id).exists()
    kind = case((in_team, literal("team")), (in_network, literal("network")), else_=literal("alone")).label("kind")
    counts = dict(db.session.execute(select(kind, func.count()).select_from(people).group_by(kind)).all())
    view.in_teams, view.in_networks_only, view.alone = (counts.get("team", 0), counts.get("network", 0),
                                                        counts.get("alone", 0))



def _breadth_reached(view: Overview, period: Period) -> None:
    """For each breadth flag, the distinct volunteers who took part in the period in a task carrying it."""
    from models.tasks import BREADTH_FLAGS
    counts = db.session.execute(
        select(*[func.count(distinct(case((getattr(Task, flag).is_(True), Signup.user_id)))) for flag in BREADTH_FLAGS])
        .select_from(Signup).join(Occurrence, Signup.occurrence_id == Occurrence.id)
        .join(Task, Occurrence.task_id == Task.id)
        .where(Signup.status.in_(PARTICIPATING), _in_period(Occurrence.starts_at, period))).one()
    view.breadth_reached = list(zip(BREADTH_FLAGS, (int(n or 0) for n in counts)))


def _current(view: Overview, now: datetime) -> None:
    view.open_tasks = db.session.scalar(select(func.count()).select_from(Task)
                                        .where(Task.status == TaskStatus.OPEN)) or 0
    upcoming = and_(Occurrence.starts_at >= now, Occurrence.cancelled.is_(False), Task.status == TaskStatus.OPEN)
    view.underfilled_tasks = db.session.scalar(
        select(func.count(distinct(Task.id))).select_from(Occurrence).join(Task, Occurrence.task_id == Task.id)
        .where(upcoming, Occurrence.accepted_count < Occurrence.capacity * UNDERFILLED_SHARE)) or 0
    view.soon_with_spots = db.session.execute(
        select(Task.id, Task.title, Institution.name.label("institution"), Occurrence.starts_at,
               (Occurrence.capacity - Occurrence.accepted_count).label("free"))
        .select_from(Occurrence).join(Task, Occurrence.task_id == Task.id)
        .join(Institution, Task.institution_id == Institution.id)
        .where(upcoming, Occurrence.starts_at < now + SOON, Occurrence.accepted_count < Occurrence.capacity)
        .order_by(Occurrence.starts_at).limit(LIST_LIMIT)).all()
    overdue = idea_overdue(now)
    view.ideas_overdue = db.session.scalar(select(func.count()).select_from(Idea).where(overdue)) or 0
    view.overdue_ideas = db.session.execute(
        select(Idea.id, Idea.title, Idea.answer_due_at).where(overdue)
        .order_by(Idea.answer_due_at).limit(LIST_LIMIT)).all()


def idea_overdue(now: datetime):
    """Ideas past their answer deadline: visible, still open and without a first answer."""
    return and_(Idea.answer_due_at < now, Idea.first_answer_at.is_(None), Idea.hidden.is_(False),
                Idea.status.not_in((*IdeaStatus.FINAL, IdeaStatus.CANNOT_ENGAGE)))


def _in_period(column, period: Period):
    return and_(column >= period.starts_at, column < period.ends_at)


def _new_volunteers(view: Overview, period: Period) -> None:
    month = month_of(VolunteerProfile.created_at).label("month")
    rows = dict(db.session.execute(
        select(month, func.count()).where(_in_period(VolunteerProfile.created_at, period))
        .group_by(month)).all())
    view.new_volunteers = [(key, rows.get(key, 0)) for key in period.months()]


def _hours(view: Overview, period: Period) -> None:
    month = month_of(Occurrence.starts_at).label("month")
    rows = db.session.execute(
        select(Institution.name, month, func.sum(Signup.hours))
        .select_from(Signup).join(Occurrence, Signup.occurrence_id == Occurrence.id)
        .join(Task, Occurrence.task_id == Task.id).join(Institution, Task.institution_id == Institution.id)
        .where(Signup.status == SignupStatus.ATTENDED, Signup.hours.is_not(None),
               _in_period(Occurrence.starts_at, period))
        .group_by(Institution.name, month).order_by(Institution.name)).all()
    by_institution: dict[str, dict[str, float]] = {}
    by_month: dict[str, float] = {}
    for name, key, hours in rows:
        by_institution.setdefault(name, {})[key] = float(hours or 0)
        by_month[key] = by_month.get(key, 0.0) + float(hours or 0)
    view.hours_by_institution = [(name, months, sum(months.values())) for name, months in by_institution.items()]
    view.hours_by_month = [(key, by_month.get(key, 0.0)) for key in period.months()]
    view.total_hours = sum(by_month.values())


def _no_shows(view: Overview, period: Period) -> None:
    """Sign-ups in the period recorded as "did not come", and how many of them had said they would."""
    view.no_shows, view.no_shows_confirmed = db.session.execute(
        select(func.count(Signup.id), func.count(Signup.confirmed_at))
        .join(Occurrence, Signup.occurrence_id == Occurrence.id)
        .where(Signup.status == SignupStatus.NO_SHOW, _in_period(Occurrence.starts_at, period))).one()


def _participations(period: Period):
    """One row per volunteer who took part in the period, with how many times."""
    return (select(Signup.user_id.label("user_id"), func.count(Signup.id).label("times"))
            .join(Occurrence, Signup.occurrence_id == Occurrence.id)
            .where(Signup.status.in_(PARTICIPATING), _in_period(Occurrence.starts_at, period))
            .group_by(Signup.user_id).subquery())


def _breadth(view: Overview, period: Period) -> None:
    """Age band, gender, area and returning/one-time in one grouped scan; the groups are few, so adding
    them up in Python costs nothing."""
    people = _participations(period)
    age = literal(period.last.year) - VolunteerProfile.birth_year
    band = case(*[(age.between(low, high), literal(label)) for low, high, label in AGE_BANDS],
                else_=literal("unknown")).label("band")
    gender = func.coalesce(VolunteerProfile.gender, "unknown").label("gender")
    area = func.coalesce(VolunteerProfile.postcode, "unknown").label("area")
    returning = case((people.c.times > 1, 1), else_=0).label("is_returning")
    groups = db.session.execute(
        select(band, gender, area, returning, func.count(), func.sum(people.c.times)).select_from(people)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == people.c.user_id)
        .group_by(band, gender, area, returning)).all()
    bands: dict[str, int] = {}
    genders: dict[str, int] = {}
    areas: dict[str, int] = {}
    for band_key, gender_key, area_key, is_returning, count, times in groups:
        bands[band_key] = bands.get(band_key, 0) + count
        genders[gender_key] = genders.get(gender_key, 0) + count
        areas[area_key] = areas.get(area_key, 0) + count
        view.participants += count
        view.signups += int(times or 0)
        view.returning += count if is_returning else 0
    view.one_time = view.participants - view.returning
    view.age_bands = [(label, bands.get(label, 0)) for *_r, label in AGE_BANDS] + [("unknown", bands.get("unknown", 0))]
    view.genders = [(g, genders.get(g, 0)) for g in ("female", "male", "other", "unknown")]
    view.areas = sorted(areas.items(), key=lambda item: (-item[1], item[0]))


BREADTH_WORDS = {"no_danish_needed": "ingen danskkundskaber nødvendige", "wheelchair_accessible": "kørestolsvenlig",
                 "good_first_task": "god første opgave", "for_under_18": "for unge under 18",
                 "from_home": "kan gøres hjemmefra"}


def figures_rows(view: Overview) -> list[tuple[str, str, object]]:
    """The overview flattened to (section, key, value) rows: the CSV export of the figures, in Danish."""
    genders = {"female": "kvinder", "male": "mænd", "other": "andet", "unknown": "ikke oplyst"}
    unknown = {"unknown": "ikke oplyst"}
    rows: list[tuple[str, str, object]] = [
        ("periode", "første dag", view.period.first.isoformat()),
        ("periode", "sidste dag", view.period.last.isoformat()),
        ("nu", "åbne opgaver", view.open_tasks), ("nu", "underbesatte opgaver", view.underfilled_tasks),
        ("nu", "gange inden for 7 dage med ledige pladser", len(view.soon_with_spots)),
        ("nu", "idéer over svarfristen", view.ideas_overdue),
        ("periode", "gange nogen var med", view.signups), ("periode", "frivillige der var med", view.participants),
        ("periode", "tilbagevendende frivillige", view.returning), ("periode", "frivillige der var med én gang", view.one_time),
        ("periode", "timer", view.total_hours), ("periode", "udeblivelser", view.no_shows),
        ("periode", "udeblivelser efter 'Jeg kommer'", view.no_shows_confirmed),
        ("periode", "frivillige i et hold", view.in_teams),
        ("periode", "frivillige kun i et netværk", view.in_networks_only),
        ("periode", "frivillige alene", view.alone)]
    rows += [("nye frivillige pr. måned", month, n) for month, n in view.new_volunteers]
    rows += [("timer pr. måned", month, h) for month, h in view.hours_by_month]
    rows += [(f"timer: {name}", month, h) for name, months, _t in view.hours_by_institution
             for month, h in sorted(months.items())]
    rows += [("alder", unknown.get(band, band), n) for band, n in view.age_bands]
    rows += [("køn", genders.get(g, g), n) for g, n in view.genders]
    rows += [("område", unknown.get(a, a), n) for a, n in view.areas]
    rows += [("nået gennem bredde", BREADTH_WORDS.get(flag, flag), n) for flag, n in view.breadth_reached]
    return rows
