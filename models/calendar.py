"""The shared calendar: councils' and institutions' events and meetings, with sign-ups."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, and_, or_,
                        select, update)
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from models.base import DomainError, UTCDateTime, db, one_of, utcnow
from models.organisations import InstitutionMember
from models.projects import Project, is_council_member

EVENT_KINDS = ("meeting", "theme_meeting", "event", "talk")


class Event(db.Model):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int | None] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"), index=True)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"))
    # A volunteer team's own meeting (held by its tovholder, hosted by the team's institution).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default="event")
    place: Mapped[str] = mapped_column(String(200), default="")
    area: Mapped[str] = mapped_column(String(120), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)
    attendee_count: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    council = relationship("Council")
    institution = relationship("Institution")

    @property
    def host(self):
        return self.council or self.institution

    @property
    def spots_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.attendee_count, 0)

    __table_args__ = (
        one_of("kind", EVENT_KINDS),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        CheckConstraint("capacity IS NULL OR attendee_count <= capacity", name="within_capacity"),
        CheckConstraint("council_id IS NOT NULL OR institution_id IS NOT NULL", name="has_host"),
    )


class EventSignup(db.Model):
    __tablename__ = "event_signup"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    user = relationship("User")

    __table_args__ = (UniqueConstraint("event_id", "user_id"),)


# --- operations -----------------------------------------------------------------------------------
EVENT_FIELDS = ("title", "description", "kind", "place", "area", "starts_at", "ends_at", "capacity", "project_id")


def can_manage_event_host(user, *, council_id: int | None = None, institution_id: int | None = None) -> bool:
    """Whether `user` belongs to the council or institution that hosts (or would host) an event."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if council_id is not None:
        return is_council_member(user, council_id)
    if institution_id is not None:
        return db.session.scalar(select(InstitutionMember.id).where(
            InstitutionMember.institution_id == institution_id, InstitutionMember.user_id == user.id)) is not None
    return False


def can_manage_event(user, event: Event) -> bool:
    return can_manage_event_host(user, council_id=event.council_id, institution_id=event.institution_id)


def _check_event_fields(fields: dict, now: datetime, attendees: int = 0) -> None:
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValueError(f"not event fields: {sorted(unknown)}")
    if fields.get("kind", "event") not in EVENT_KINDS:
        raise DomainError("invalid_kind")
    starts, ends = fields.get("starts_at"), fields.get("ends_at")
    if starts is not None and ends is not None and ends <= starts:
        raise DomainError("ends_before_start")
    capacity = fields.get("capacity")
    if capacity is not None and capacity < max(attendees, 1):
        raise DomainError("capacity_below_attendees", attendees=attendees)


def _check_project(project_id: int | None, council_id: int | None) -> None:
    """An event may belong to a project of the council that holds it."""
    if project_id is None:
        return
    owner = db.session.scalar(select(Project.council_id).where(Project.id == project_id))
    if owner is None or owner != council_id:
        raise DomainError("project_of_other_host")


def create_event(*, actor, now: datetime, council_id: int | None = None, institution_id: int | None = None,
                 **fields) -> Event:
    """Publish an event or meeting in the shared calendar for a council or an institution.

    Only members of the hosting council or institution may. Raises DomainError "not_host_member",
    "event_in_past", "ends_before_start", "invalid_kind" or "capacity_below_attendees".
    """
    if (council_id is None) == (institution_id is None):
        raise ValueError("an event has exactly one host")
    if not can_manage_event_host(actor, council_id=council_id, institution_id=institution_id):
        raise DomainError("not_host_member")
    _check_event_fields(fields, now)
    _check_project(fields.get("project_id"), council_id)
    if fields["starts_at"] <= now:
        raise DomainError("event_in_past")
    event = Event(council_id=council_id, institution_id=institution_id, created_by_id=actor.id, created_at=now,
                  **fields)
    db.session.add(event)
    db.session.flush()
    return event


def edit_event(event: Event, *, actor, now: datetime, **fields) -> Event:
    """Change an event; its iCal SEQUENCE rises so calendars that imported it replace their copy."""
    if not can_manage_event(actor, event):
        raise DomainError("not_host_member")
    if event.cancelled:
        raise DomainError("event_cancelled")
    _check_event_fields({"starts_at": event.starts_at, "ends_at": event.ends_at, **fields}, now,
                        attendees=event.attendee_count)
    _check_project(fields.get("project_id"), event.council_id)
    for name, value in fields.items():
        setattr(event, name, value)
    event.sequence += 1
    db.session.flush()
    return event


def cancel_event(event: Event, *, actor, now: datetime) -> list[EventSignup]:
    """Cancel an event (it stays in the calendar marked cancelled); returns the sign-ups to tell."""
    if not can_manage_event(actor, event):
        raise DomainError("not_host_member")
    if event.cancelled:
        raise DomainError("event_cancelled")
    event.cancelled = True
    event.sequence += 1
    db.session.flush()
    return active_signups(event)


def active_signups(event: Event) -> list[EventSignup]:
    return list(db.session.scalars(
        select(EventSignup).where(EventSignup.event_id == event.id, EventSignup.cancelled.is_(False))
        .options(selectinload(EventSignup.user)).order_by(EventSignup.created_at)))


def sign_up_for_event(event: Event, *, user, now: datetime) -> EventSignup:
    """Sign `user` up for an event, holding a place if the event has a capacity.

    The place is taken with one conditional UPDATE on the event's attendee count, so two people can
    never take the last place together (no check-then-insert). Raises DomainError "event_cancelled",
    "event_past", "already_signed_up" or "event_full".
    """
    if event.cancelled:
        raise DomainError("event_cancelled")
    if event.starts_at <= now:
        raise DomainError("event_past")
    signup = db.session.scalar(select(EventSignup).where(
        EventSignup.event_id == event.id, EventSignup.user_id == user.id))
    if signup is not None and not signup.cancelled:
        raise DomainError("already_signed_up")
    taken = db.session.execute(
        update(Event)
        .where(Event.id == event.id, Event.cancelled.is_(False),
               or_(Event.capacity.is_(None), Event.attendee_count < Event.capacity))
        .values(attendee_count=Event.attendee_count + 1)
        .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise DomainError("event_full")
    if signup is None:
        signup = EventSignup(event_id=event.id, user_id=user.id, created_at=now)
        db.session.add(signup)
    else:
        signup.cancelled, signup.created_at = False, now
    db.session.flush()
    db.session.refresh(event, ["attendee_count"])
    return signup


def cancel_event_signup(signup: EventSignup, *, actor, now: datetime) -> EventSignup:
    """Give a place back: the person themself, or the event's host. Raises DomainError "not_allowed"."""
    event = signup.event
    if actor.id != signup.user_id and not can_manage_event(actor, event):
        raise DomainError("not_allowed")
    if signup.cancelled:
        return signup
    signup.cancelled = True
    db.session.execute(
        update(Event).where(Event.id == event.id, Event.attendee_count > 0)
        .values(attendee_count=Event.attendee_count - 1).execution_options(synchronize_session=False))
    db.session.flush()
    db.session.refresh(event, ["attendee_count"])
    return signup


def events_between(start: datetime, end: datetime, *, council_id: int | None = None, area: str | None = None,
                   include_cancelled: bool = True) -> list[Event]:
    """Events overlapping [start, end), earliest first, with their hosts loaded."""
    query = (select(Event).where(and_(Event.starts_at < end, Event.ends_at > start))
             .options(selectinload(Event.council), selectinload(Event.institution))
             .order_by(Event.starts_at, Event.id))
    if council_id is not None:
        query = query.where(Event.council_id == council_id)
    if area:
        query = query.where(Event.area == area)
    if not include_cancelled:
        query = query.where(Event.cancelled.is_(False))
    return list(db.session.scalars(query))
