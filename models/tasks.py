"""Bounded tasks, their occurrences and sign-ups: the rows, their states, and the queries that state a rule.

What may happen to them (sign up, accept, cancel, publish, …) is decided only by the use cases in
models/task_operations.py; this module says what is true ("upcoming", "overlapping", "waitlist
position", "can still cancel") once, for the operations and the pages alike.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (Boolean, CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text,
                        UniqueConstraint, and_, func, or_, select)
from sqlalchemy.orm import Mapped, aliased, joinedload, mapped_column, relationship

from models.base import UTCDateTime, db, local_day, matching_text, one_of, utcnow


class TaskStatus:
    """A task's states; portal code and templates name them through this class."""

    DRAFT = "draft"           # being written; only its institution sees it
    OPEN = "open"             # published and taking sign-ups (a full time still takes its waiting list)
    CLOSED = "closed"         # published, no new sign-ups; those signed up keep their places
    CANCELLED = "cancelled"   # called off, with a reason the volunteers were told
    ALL = (DRAFT, OPEN, CLOSED, CANCELLED)
    OFF = (DRAFT, CANCELLED)    # nothing happens: no reminders, no follow-ups


class TaskKind:
    FIXED = "fixed"             # fixed times
    WINDOW = "window"           # a number of hours some time within a window of days
    OPEN_ENDED = "open_ended"   # from a date, no fixed end
    ALL = (FIXED, WINDOW, OPEN_ENDED)


class Recurrence:
    NONE = "none"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    ALL = (NONE, WEEKLY, BIWEEKLY)
    STEP_DAYS = {WEEKLY: 7, BIWEEKLY: 14}


class SignupStatus:
    """A sign-up's states; portal code and templates name them through this class."""

    PENDING = "pending"         # holds a place and waits for screening (child certificate or pledge)
    ACCEPTED = "accepted"       # the place is the volunteer's
    WAITLISTED = "waitlisted"   # waits for a free place, in the order of signing up
    CANCELLED = "cancelled"     # the volunteer (or someone on their behalf) gave the place back
    DECLINED = "declined"       # the institution said no, or the application waited too long
    ATTENDED = "attended"       # came, with the hours given
    NO_SHOW = "no_show"         # was expected and did not come
    ALL = (PENDING, ACCEPTED, WAITLISTED, CANCELLED, DECLINED, ATTENDED, NO_SHOW)
    HOLDING = (PENDING, ACCEPTED)               # counted in occurrence.accepted_count
    ACTIVE = (PENDING, ACCEPTED, WAITLISTED)    # still going on; can be cancelled before the deadline
    TOOK_PART = (ACCEPTED, ATTENDED)            # took part, or is set to
    RECORDED = (ACCEPTED, ATTENDED, NO_SHOW)    # attendance can be recorded (again)
    ENDED = (CANCELLED, DECLINED)


# Breadth on every task (000, "bredde og mangfoldighed"): who the task is open to beyond the usual volunteer.
# Each is a column of its own on Task; the task list filters on them, suggestions use them and the overview
# counts the volunteers reached through them.
BREADTH_FLAGS = ("no_danish_needed", "wheelchair_accessible", "good_first_task", "for_under_18", "from_home")


class Task(db.Model):
    """A concrete, time-limited task with a clear frame of what a volunteer does and does not do."""

    __tablename__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text)
    skills_wanted: Mapped[str] = mapped_column(Text, default="")
    volunteers_do: Mapped[str] = mapped_column(Text)
    volunteers_do_not: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(4), index=True)
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    capacity: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12), default=TaskKind.FIXED)
    recurrence: Mapped[str] = mapped_column(String(10), default=Recurrence.NONE)
    hours_estimate: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    requires_child_certificate: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_pledge: Mapped[bool] = mapped_column(Boolean, default=False)
    no_danish_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    wheelchair_accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    good_first_task: Mapped[bool] = mapped_column(Boolean, default=False)
    for_under_18: Mapped[bool] = mapped_column(Boolean, default=False)
    from_home: Mapped[bool] = mapped_column(Boolean, default=False)
    compensation_note: Mapped[str] = mapped_column(Text, default="")
    insurance_note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=TaskStatus.DRAFT, index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCal SEQUENCE, raised on change
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    institution = relationship("Institution")
    occurrences: Mapped[list[Occurrence]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="Occurrence.starts_at")

    __table_args__ = (
        one_of("status", TaskStatus.ALL),
        one_of("kind", TaskKind.ALL),
        one_of("recurrence", Recurrence.ALL),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("hours_estimate IS NULL OR hours_estimate > 0", name="hours_positive"),
    )

    # What the matching reads of a task (portal.suggestions reads the same columns in bulk).
    MATCHING_FIELDS = ("title", "description", "skills_wanted", "volunteers_do")

    @property
    def matching_text(self) -> str:
        return matching_text(getattr(self, name) for name in self.MATCHING_FIELDS)

    @property
    def breadth(self) -> list[str]:
        """The breadth flags this task carries, in BREADTH_FLAGS order."""
        return [name for name in BREADTH_FLAGS if getattr(self, name)]

    @property
    def takes_signups(self) -> bool:
        return self.status == TaskStatus.OPEN


class Occurrence(db.Model):
    """One dated instance of a task; a window or open-ended task has a single occurrence."""

    __tablename__ = "occurrence"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    # Kept in step by the sign-up operations with an atomic conditional update.
    accepted_count: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)

    task: Mapped[Task] = relationship(back_populates="occurrences")
    signups: Mapped[list[Signup]] = relationship(back_populates="occurrence", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("accepted_count >= 0 AND accepted_count <= capacity", name="within_capacity"),
        Index("ix_occurrence_task_starts", "task_id", "starts_at"),
        Index("ix_occurrence_starts", "starts_at"),
    )

    @property
    def spots_left(self) -> int:
        return max(self.capacity - self.accepted_count, 0)

    @property
    def day(self) -> date:
        """The local day it starts: the day a child certificate must be valid on."""
        return local_day(self.starts_at)


class Signup(db.Model):
    __tablename__ = "signup"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrence.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    # Holds a place in the count (accepted or pending for screening).
    holds_spot: Mapped[bool] = mapped_column(Boolean, default=False)
    hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    note: Mapped[str] = mapped_column(Text, default="")
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the sign-up started waiting for screening (the follow-ups count from here).
    pending_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the volunteer answered "Jeg kommer" to the reminder (staff see it beside the attendance list).
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assisted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    occurrence: Mapped[Occurrence] = relationship(back_populates="signups")
    user = relationship("User", foreign_keys=[user_id])

    __table_args__ = (
        UniqueConstraint("user_id", "occurrence_id"),
        one_of("status", SignupStatus.ALL),
        CheckConstraint("hours IS NULL OR (hours >= 0 AND hours <= 1000)", name="hours_range"),
        Index("ix_signup_occurrence_status", "occurrence_id", "status", "created_at"),
    )


# --- rules as queries: each stated once, for the operations and the pages ------------------------

FRAME_FIELDS = ("volunteers_do", "volunteers_do_not", "contact_name", "contact_email", "compensation_note",
                "insurance_note")


def missing_frame(task: Task) -> list[str]:
    """The mandatory frame fields left empty."""
    return [name for name in FRAME_FIELDS if not (getattr(task, name) or "").strip()]


def signup_deadline(occurrence: Occurrence) -> datetime | None:
    """Until when one can sign up or cancel: the start, or the end of a window; None when open-ended."""
    if occurrence.task.kind == TaskKind.FIXED:
        return occurrence.starts_at
    return occurrence.ends_at


def before_deadline(occurrence: Occurrence, now: datetime) -> bool:
    """The occurrence can still be joined or left (the Python side of `joinable`)."""
    deadline = signup_deadline(occurrence)
    return deadline is None or now < deadline


def joinable(now: datetime):
    """SQL: an occurrence one can still join or leave (needs Occurrence joined with its Task)."""
    return and_(Occurrence.cancelled.is_(False),
                or_(Occurrence.starts_at > now,
                    and_(Task.kind != TaskKind.FIXED, or_(Occurrence.ends_at.is_(None), Occurrence.ends_at > now))))


def free_alternatives(task: Task, volunteer, *, now: datetime, exclude=(), limit: int = 5) -> list[Occurrence]:
    """The task's other coming times with a free place that the volunteer is not signed up for, soonest
    first: what to offer instead of the waiting list when a time is full."""
    taken = select(Signup.occurrence_id).where(Signup.user_id == volunteer.id, Signup.status.in_(SignupStatus.ACTIVE))
    query = (select(Occurrence).join(Task, Occurrence.task_id == Task.id)
             .where(Occurrence.task_id == task.id, joinable(now), Occurrence.accepted_count < Occurrence.capacity,
                    Occurrence.id.not_in(taken))
             .order_by(Occurrence.starts_at).limit(limit))
    if exclude:
        query = query.where(Occurrence.id.not_in(list(exclude)))
    return list(db.session.scalars(query))


def is_upcoming(occurrence: Occurrence, now: datetime) -> bool:
    """Not over yet: a fixed time that has not ended (or started, without an end), or a window still open."""
    if occurrence.ends_at is None:
        return occurrence.task.kind != TaskKind.FIXED or occurrence.starts_at > now
    return occurrence.ends_at > now


def upcoming(now: datetime):
    """SQL form of `is_upcoming` (needs Occurrence joined with its Task)."""
    return or_(Occurrence.ends_at > now,
               and_(Occurrence.ends_at.is_(None), or_(Task.kind != TaskKind.FIXED, Occurrence.starts_at > now)))


def can_cancel(signup: Signup, now: datetime) -> bool:
    """A sign-up still going on can be given back up to the deadline."""
    return signup.status in SignupStatus.ACTIVE and before_deadline(signup.occurrence, now)


def unmet_requirements(task: Task, volunteer, on: date) -> list[str]:
    """What the task requires that is not recorded for the volunteer: "child_certificate", "pledge".

    A child certificate counts when it is valid on `on`, the local day of the occurrence.
    """
    profile = volunteer.profile
    screening = profile.screening if profile is not None else None
    missing = []
    if task.requires_child_certificate and not (screening and screening.child_certificate_valid(on)):
        missing.append("child_certificate")
    if task.requires_pledge and not (screening and screening.pledge_accepted_at):
        missing.append("pledge")
    return missing


def missing_for(signup: Signup) -> list[str]:
    """What the sign-up's task requires that the volunteer lacks on the day of its occurrence."""
    occurrence = signup.occurrence
    return unmet_requirements(occurrence.task, signup.user, occurrence.day)


def overlapping(user_id: int, intervals: dict, exclude=frozenset()) -> dict[object, list[Signup]]:
    """For each keyed [start, end), the user's held fixed-time commitments that overlap it, in one query.

    Half-open intervals: one ending at 12:00 and one starting at 12:00 do not overlap. Sign-ups in
    `exclude` are left out.
    """
    intervals = {key: span for key, span in intervals.items() if span[1] is not None}
    if not intervals:
        return {}
    lo = min(a for a, _b in intervals.values())
    hi = max(b for _a, b in intervals.values())
    held = list(db.session.scalars(
        select(Signup).join(Occurrence, Signup.occurrence_id == Occurrence.id).join(Task, Occurrence.task_id == Task.id)
        .where(Signup.user_id == user_id, Signup.status.in_(SignupStatus.HOLDING), Occurrence.cancelled.is_(False),
               Task.status != TaskStatus.CANCELLED, Task.kind == TaskKind.FIXED, Occurrence.ends_at.is_not(None),
               Occurrence.starts_at < hi, Occurrence.ends_at > lo)
        .options(joinedload(Signup.occurrence).joinedload(Occurrence.task))
        .order_by(Occurrence.starts_at)))
    return {key: [other for other in held if other.id not in exclude
                  and other.occurrence.starts_at < b and other.occurrence.ends_at > a]
            for key, (a, b) in intervals.items()}


def timed(signups) -> dict[int, tuple[datetime, datetime]]:
    """The fixed-time sign-ups among `signups` as {id: (start, end)} (what `overlapping` compares)."""
    return {s.id: (s.occurrence.starts_at, s.occurrence.ends_at) for s in signups
            if s.occurrence.task.kind == TaskKind.FIXED and s.occurrence.ends_at is not None}


def waitlist_positions(signups) -> dict[int, int]:
    """Waiting-list places (1 = first) of the waitlisted ones among `signups`, in one query."""
    waiting = [s.id for s in signups if s.status == SignupStatus.WAITLISTED]
    if not waiting:
        return {}
    ahead = aliased(Signup)
    rows = db.session.execute(
        select(Signup.id, func.count(ahead.id)).join(ahead, and_(
            ahead.occurrence_id == Signup.occurrence_id, ahead.status == SignupStatus.WAITLISTED,
            ahead.id <= Signup.id))
        .where(Signup.id.in_(waiting)).group_by(Signup.id))
    return dict(rows.all())
