"""Bounded tasks, their occurrences and sign-ups."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import (Boolean, CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text,
                        UniqueConstraint, func, select, update)
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from models.base import DomainError, UTCDateTime, db, one_of, utcnow

TASK_STATES = ("draft", "open", "full", "closed", "cancelled")
TASK_KINDS = ("fixed", "window", "open_ended")  # fixed times, a time window, or open-ended
RECURRENCES = ("none", "weekly", "biweekly")
SIGNUP_STATES = ("pending", "accepted", "waitlisted", "cancelled", "declined", "attended")


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
    kind: Mapped[str] = mapped_column(String(12), default="fixed")
    recurrence: Mapped[str] = mapped_column(String(10), default="none")
    hours_estimate: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    requires_child_certificate: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_pledge: Mapped[bool] = mapped_column(Boolean, default=False)
    compensation_note: Mapped[str] = mapped_column(Text, default="")
    insurance_note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
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
        one_of("status", TASK_STATES),
        one_of("kind", TASK_KINDS),
        one_of("recurrence", RECURRENCES),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("hours_estimate IS NULL OR hours_estimate > 0", name="hours_positive"),
    )

    @property
    def matching_text(self) -> str:
        return " ".join([self.title, self.description, self.skills_wanted, self.volunteers_do])


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
    # When the sign-up started waiting for the institution's answer (the follow-ups count from here).
    pending_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assisted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    occurrence: Mapped[Occurrence] = relationship(back_populates="signups")
    user = relationship("User", foreign_keys=[user_id])

    __table_args__ = (
        UniqueConstraint("user_id", "occurrence_id"),
        one_of("status", SIGNUP_STATES),
        CheckConstraint("hours IS NULL OR (hours >= 0 AND hours <= 1000)", name="hours_range"),
        Index("ix_signup_occurrence_status", "occurrence_id", "status", "created_at"),
    )


# --- the domain operations -------------------------------------------------------------------------
# They flush, never commit; the caller commits once. Mails are queued by the portal layer.

OPEN_STATES = ("open", "full")           # states that take sign-ups ("full" still takes the waitlist)
HOLDING = ("accepted", "pending")        # states that hold a place in occurrence.accepted_count
ACTIVE = ("accepted", "pending", "waitlisted")
PENDING_NUDGE_AFTER = timedelta(days=3)  # tell the contact person about an unanswered application
PENDING_CLOSE_AFTER = timedelta(days=10)  # then close it with a friendly word to the citizen
FRAME_FIELDS = ("volunteers_do", "volunteers_do_not", "contact_name", "contact_email", "compensation_note",
                "insurance_note")


@dataclass
class SignupResult:
    signup: Signup
    status: str                     # "accepted" | "pending" | "waitlisted"
    position: int | None = None     # place on the waiting list
    overlaps: list[Signup] = field(default_factory=list)


def signup_deadline(occurrence: Occurrence) -> datetime | None:
    """Until when one can sign up or cancel: the start, or the end of a window; None when open-ended."""
    if occurrence.task.kind == "fixed":
        return occurrence.starts_at
    return occurrence.ends_at


def _before_deadline(occurrence: Occurrence, now: datetime) -> bool:
    deadline = signup_deadline(occurrence)
    return deadline is None or now < deadline


def unmet_requirements(task: Task, volunteer, on: date) -> list[str]:
    """What the task requires that is not recorded for the volunteer: "child_certificate", "pledge"."""
    profile = volunteer.profile
    screening = profile.screening if profile is not None else None
    missing = []
    if task.requires_child_certificate and not (screening and screening.child_certificate_valid(on)):
        missing.append("child_certificate")
    if task.requires_pledge and not (screening and screening.pledge_accepted_at):
        missing.append("pledge")
    return missing


def _lock(occurrence: Occurrence) -> Occurrence:
    """Row lock on the occurrence (PostgreSQL): sign-ups on one occurrence queue up behind each other."""
    return db.session.execute(select(Occurrence).where(Occurrence.id == occurrence.id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one()


def _take_spot(occurrence: Occurrence) -> bool:
    """The atomic conditional update: one more place taken if, and only if, one is free."""
    taken = db.session.execute(
        update(Occurrence).where(Occurrence.id == occurrence.id, Occurrence.accepted_count < Occurrence.capacity)
        .values(accepted_count=Occurrence.accepted_count + 1).execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.expire(occurrence, ["accepted_count"])
    return taken


def _free_spot(occurrence: Occurrence) -> None:
    db.session.execute(
        update(Occurrence).where(Occurrence.id == occurrence.id, Occurrence.accepted_count > 0)
        .values(accepted_count=Occurrence.accepted_count - 1).execution_options(synchronize_session=False))
    db.session.expire(occurrence, ["accepted_count"])


def _holding_status(occurrence: Occurrence, volunteer) -> str:
    on = occurrence.starts_at.date()
    return "pending" if unmet_requirements(occurrence.task, volunteer, on) else "accepted"


def sign_up(occurrence: Occurrence, *, volunteer, now: datetime, note: str = "", assisted_by=None) -> SignupResult:
    """Sign a volunteer up for one occurrence: accepted, pending (screening missing) or waitlisted.

    The occurrence row is locked and the place taken with a conditional update, so two volunteers
    can never both get the last place. A previously cancelled or declined sign-up is replaced by a
    fresh one, which queues at the back. Overlapping commitments are returned as a warning.
    Raises DomainError "task_not_open", "occurrence_cancelled", "occurrence_past", "already_signed_up".
    """
    task = occurrence.task
    if task.status not in OPEN_STATES:
        raise DomainError("task_not_open")
    occurrence = _lock(occurrence)
    if occurrence.cancelled:
        raise DomainError("occurrence_cancelled")
    if not _before_deadline(occurrence, now):
        raise DomainError("occurrence_past")
    earlier = db.session.scalar(select(Signup).where(Signup.occurrence_id == occurrence.id,
                                                     Signup.user_id == volunteer.id))
    if earlier is not None:
        if earlier.status not in ("cancelled", "declined"):
            raise DomainError("already_signed_up")
        db.session.delete(earlier)
        db.session.flush()
    overlaps = overlapping_commitments(volunteer, occurrence.starts_at, occurrence.ends_at) \
        if task.kind == "fixed" else []
    if _take_spot(occurrence):
        status = _holding_status(occurrence, volunteer)
    else:
        status = "waitlisted"
    signup = Signup(occurrence=occurrence, user=volunteer, status=status, holds_spot=status in HOLDING,
                    pending_since=now if status == "pending" else None, note=(note or "").strip(),
                    created_at=now, assisted_by_id=assisted_by.id if assisted_by is not None else None)
    db.session.add(signup)
    db.session.flush()
    position = waitlist_position(signup) if signup.status == "waitlisted" else None
    return SignupResult(signup, signup.status, position, overlaps)


def sign_up_series(task: Task, *, volunteer, now: datetime, note: str = "", assisted_by=None) -> list[SignupResult]:
    """Sign up for every coming occurrence of a task; those already signed up for or past are skipped."""
    if task.status not in OPEN_STATES:
        raise DomainError("task_not_open")
    results = []
    for occurrence in task.occurrences:
        if occurrence.cancelled or not _before_deadline(occurrence, now):
            continue
        try:
            results.append(sign_up(occurrence, volunteer=volunteer, now=now, note=note, assisted_by=assisted_by))
        except DomainError as error:
            if error.code != "already_signed_up":
                raise
    if not results:
        raise DomainError("nothing_to_sign_up")
    return results


def waitlist_position(signup: Signup) -> int | None:
    """1 for the first on the waiting list; None when the sign-up is not waiting."""
    if signup.status != "waitlisted":
        return None
    return db.session.scalar(select(func.count()).select_from(Signup).where(
        Signup.occurrence_id == signup.occurrence_id, Signup.status == "waitlisted", Signup.id <= signup.id))


def promote_waitlist(occurrence: Occurrence, *, now: datetime) -> Signup | None:
    """Give a free place to the first on the waiting list (accepted, or pending if screening is missing)."""
    task = occurrence.task
    if task.status not in OPEN_STATES:
        return None
    occurrence = _lock(occurrence)
    if occurrence.cancelled or not _before_deadline(occurrence, now):
        return None
    first = db.session.scalar(select(Signup).where(Signup.occurrence_id == occurrence.id,
                                                   Signup.status == "waitlisted").order_by(Signup.id).limit(1))
    if first is None or not _take_spot(occurrence):
        return None
    first.status = _holding_status(occurrence, first.user)
    first.holds_spot = True
    first.pending_since = now if first.status == "pending" else None
    first.updated_at = now
    db.session.flush()
    return first


def _release(signup: Signup, status: str, now: datetime) -> Signup | None:
    """Leave `signup` in `status`; if it held a place, give that place to the waiting list."""
    held = signup.holds_spot
    signup.status = status
    signup.holds_spot = False
    signup.pending_since = None
    signup.updated_at = now
    db.session.flush()
    if not held:
        return None
    _free_spot(signup.occurrence)
    return promote_waitlist(signup.occurrence, now=now)


def cancel_signup(signup: Signup, *, actor, now: datetime, reason: str = "") -> Signup | None:
    """The volunteer (or someone on their behalf) cancels, up to the start; returns who moved up."""
    if signup.status not in ACTIVE:
        raise DomainError("not_cancellable")
    if not _before_deadline(signup.occurrence, now):
        raise DomainError("occurrence_started")
    signup.cancel_reason = (reason or "").strip() or None
    return _release(signup, "cancelled", now)


def accept_signup(signup: Signup, *, actor, now: datetime) -> Signup:
    """The institution accepts a pending application (it holds its place already)."""
    if signup.status != "pending":
        raise DomainError("not_pending")
    signup.status = "accepted"
    signup.pending_since = None
    signup.decided_at = now
    signup.updated_at = now
    db.session.flush()
    return signup


def decline_signup(signup: Signup, *, actor, now: datetime, reason: str) -> Signup | None:
    """The institution declines a pending application, with a reason; returns who moved up."""
    if signup.status != "pending":
        raise DomainError("not_pending")
    if not (reason or "").strip():
        raise DomainError("reason_required")
    signup.decline_reason = reason.strip()
    signup.decided_at = now
    return _release(signup, "declined", now)


def record_attendance(signup: Signup, *, actor, now: datetime, attended: bool, hours: Decimal | None) -> Signup:
    """After the start, mark whether the volunteer came and how many hours they gave.

    Without hours, a fixed occurrence counts its length and other kinds the task's estimate.
    """
    occurrence = signup.occurrence
    if signup.status not in ("accepted", "attended"):
        raise DomainError("not_accepted")
    if now < occurrence.starts_at:
        raise DomainError("not_started")
    if not attended:
        signup.status, signup.hours = "accepted", None
    else:
        if hours is None:
            hours = _default_hours(occurrence)
        hours = Decimal(hours)
        length = _length_hours(occurrence)
        if hours <= 0 or hours > 1000 or (occurrence.task.kind == "fixed" and length is not None and hours > length):
            raise DomainError("hours_invalid", most=length)
        signup.status, signup.hours = "attended", hours
    signup.decided_at = signup.decided_at or now
    signup.updated_at = now
    db.session.flush()
    return signup


def _length_hours(occurrence: Occurrence) -> Decimal | None:
    if occurrence.ends_at is None:
        return None
    return (Decimal((occurrence.ends_at - occurrence.starts_at).total_seconds()) / 3600).quantize(Decimal("0.01"))


def _default_hours(occurrence: Occurrence) -> Decimal | None:
    if occurrence.task.kind == "fixed":
        return _length_hours(occurrence)
    return occurrence.task.hours_estimate


def overlapping_commitments(volunteer, starts_at: datetime, ends_at: datetime | None) -> list[Signup]:
    """The volunteer's accepted or pending fixed-time sign-ups that overlap [starts_at, ends_at).

    Half-open intervals: one ending at 12:00 and one starting at 12:00 do not overlap.
    """
    if ends_at is None:
        return []
    return list(db.session.scalars(
        select(Signup).join(Occurrence, Signup.occurrence_id == Occurrence.id).join(Task, Occurrence.task_id == Task.id)
        .where(Signup.user_id == volunteer.id, Signup.status.in_(HOLDING), Occurrence.cancelled.is_(False),
               Task.status != "cancelled", Task.kind == "fixed", Occurrence.ends_at.is_not(None),
               Occurrence.starts_at < ends_at, Occurrence.ends_at > starts_at)
        .options(selectinload(Signup.occurrence).selectinload(Occurrence.task))
        .order_by(Occurrence.starts_at)))


def release_screened_signups(volunteer, *, now: datetime) -> list[Signup]:
    """After a coordinator records screening: pending sign-ups whose requirements are met are accepted."""
    pending = db.session.scalars(
        select(Signup).join(Occurrence, Signup.occurrence_id == Occurrence.id)
        .where(Signup.user_id == volunteer.id, Signup.status == "pending", Occurrence.cancelled.is_(False))
        .options(selectinload(Signup.occurrence).selectinload(Occurrence.task))).all()
    released = []
    for signup in pending:
        occurrence = signup.occurrence
        if _before_deadline(occurrence, now) and not unmet_requirements(occurrence.task, volunteer,
                                                                         occurrence.starts_at.date()):
            signup.status, signup.pending_since, signup.decided_at, signup.updated_at = "accepted", None, now, now
            released.append(signup)
    db.session.flush()
    return released


def accept_pledge(profile, *, now: datetime):
    """The volunteer accepts the confidentiality pledge on the spot; returns the screening record.

    Takes a VolunteerProfile (or a User, whose profile is created when missing).
    """
    from models.people import Screening, User, VolunteerProfile
    if isinstance(profile, User):
        user = profile
        profile = user.profile or VolunteerProfile(user=user)
        db.session.add(profile)
    screening = profile.screening
    if screening is None:
        screening = Screening(profile=profile)
        db.session.add(screening)
    if screening.pledge_accepted_at is None:
        screening.pledge_accepted_at = now
    db.session.flush()
    return screening


# --- the task's life: publish, edit, close, cancel -----------------------------------------------

def missing_frame(task: Task) -> list[str]:
    """The mandatory frame fields left empty."""
    return [name for name in FRAME_FIELDS if not (getattr(task, name) or "").strip()]


def publish_task(task: Task, *, actor, now: datetime) -> Task:
    """A draft goes public: the frame must be complete and the task must lie ahead."""
    if task.status != "draft":
        raise DomainError("not_draft")
    missing = missing_frame(task)
    if missing:
        raise DomainError("frame_incomplete", missing=missing)
    live = [o for o in task.occurrences if not o.cancelled]
    if not live:
        raise DomainError("no_occurrences")
    if task.kind == "fixed" and min(o.starts_at for o in live) <= now:
        raise DomainError("start_in_past")
    if task.kind != "fixed" and any(o.ends_at is not None and o.ends_at <= now for o in live):
        raise DomainError("start_in_past")
    task.status = "open"
    task.published_at = now
    task.updated_at = now
    db.session.flush()
    return task


def touch_task(task: Task, *, now: datetime) -> None:
    """Record that a published task changed: calendars see a higher SEQUENCE."""
    if task.status != "draft":
        task.sequence = (task.sequence or 0) + 1
    task.updated_at = now


def set_capacity(task: Task, capacity: int, *, now: datetime) -> list[Signup]:
    """Change the places of the task and its coming occurrences; returns those promoted by a rise."""
    if capacity < 1:
        raise DomainError("capacity_too_small")
    taken = max((o.accepted_count for o in task.occurrences if not o.cancelled), default=0)
    if capacity < taken:
        raise DomainError("capacity_below_taken", taken=taken)
    task.capacity = capacity
    promoted = []
    for occurrence in task.occurrences:
        occurrence.capacity = capacity
    db.session.flush()
    for occurrence in task.occurrences:
        while (moved := promote_waitlist(occurrence, now=now)) is not None:
            promoted.append(moved)
    return promoted


def close_task(task: Task, *, actor, now: datetime) -> Task:
    """No more sign-ups; those signed up keep their places."""
    if task.status not in OPEN_STATES:
        raise DomainError("task_not_open")
    task.status = "closed"
    task.updated_at = now
    db.session.flush()
    return task


def cancel_task(task: Task, *, actor, now: datetime, reason: str) -> list[Signup]:
    """Cancel the whole task; returns the active sign-ups of coming occurrences, who must be told."""
    if task.status == "cancelled":
        raise DomainError("already_cancelled")
    if not (reason or "").strip():
        raise DomainError("reason_required")
    affected = [s for o in task.occurrences if not o.cancelled and _before_deadline(o, now)
                for s in o.signups if s.status in ACTIVE]
    task.status = "cancelled"
    task.cancel_reason = reason.strip()
    touch_task(task, now=now)
    for occurrence in task.occurrences:
        if _before_deadline(occurrence, now):
            occurrence.cancelled = True
    db.session.flush()
    return affected


# --- pending applications that wait too long ------------------------------------------------------

def _pending_since():
    # Rows written before pending_since existed (or by hand) count from their creation.
    return func.coalesce(Signup.pending_since, Signup.created_at)


def pending_to_nudge(now: datetime) -> list[Signup]:
    """Pending applications unanswered for PENDING_NUDGE_AFTER (and not yet due to close)."""
    return list(db.session.scalars(
        select(Signup).join(Occurrence, Signup.occurrence_id == Occurrence.id)
        .where(Signup.status == "pending", _pending_since() <= now - PENDING_NUDGE_AFTER,
               _pending_since() > now - PENDING_CLOSE_AFTER, Occurrence.cancelled.is_(False))
        .options(selectinload(Signup.user), selectinload(Signup.occurrence).selectinload(Occurrence.task))
        .order_by(Signup.id)))


def close_stale_pending(now: datetime) -> list[tuple[Signup, Signup | None]]:
    """Close applications pending PENDING_CLOSE_AFTER; returns (closed, promoted from the waitlist)."""
    stale = db.session.scalars(
        select(Signup).where(Signup.status == "pending", _pending_since() <= now - PENDING_CLOSE_AFTER)
        .options(selectinload(Signup.user), selectinload(Signup.occurrence).selectinload(Occurrence.task))
        .order_by(Signup.id)).all()
    closed = []
    for signup in stale:
        signup.decline_reason = None
        signup.decided_at = now
        closed.append((signup, _release(signup, "declined", now)))
    return closed
