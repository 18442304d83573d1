"""Volunteer teams: volunteers who work together at one institution or association, self-organised.

A team has a volunteer tovholder (who arranges its shifts within the frame of the institution's task,
writes to the team and holds its meetings in the shared calendar) and the institution's fixed contact
person (a member of staff). Joining shares one's name and phone with that team only, by a consent the
member gives on joining (`TeamMember.consent_at`). What may happen is decided in models/team_operations.py.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, func,
                        select)
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from models.base import UTCDateTime, db, matching_text, one_of, utcnow
from models.tasks import Signup, SignupStatus


class ShiftAnswer:
    """A member's answer to one of the team's own shifts."""

    ASKED = "asked"           # the tovholder asked the member to cover it
    COMING = "coming"
    NOT_COMING = "not_coming"
    ALL = (ASKED, COMING, NOT_COMING)


class Team(db.Model):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"), index=True)
    # The institution's task whose frame the team works within (what volunteers do and do not do).
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(Text, default="")
    tovholder_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    institution = relationship("Institution")
    task = relationship("Task")
    tovholder = relationship("User", foreign_keys=[tovholder_id])
    contact = relationship("User", foreign_keys=[contact_id])
    members: Mapped[list[TeamMember]] = relationship(back_populates="team", cascade="all, delete-orphan",
                                                     order_by="TeamMember.joined_at")

    __table_args__ = (UniqueConstraint("institution_id", "name"),)

    MATCHING_FIELDS = ("name", "purpose")

    @property
    def matching_text(self) -> str:
        return matching_text([self.name, self.purpose, self.task.matching_text if self.task else ""])


class TeamMember(db.Model):
    __tablename__ = "team_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # The member agreed that their name and phone are shown to this team's members (and to no one else).
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship(back_populates="members")
    user = relationship("User")

    __table_args__ = (UniqueConstraint("team_id", "user_id"),)


class TeamShift(db.Model):
    """A shift the tovholder arranges for the team, within the frame of the team's task."""

    __tablename__ = "team_shift"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    needed: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship()
    answers: Mapped[list[TeamShiftAnswer]] = relationship(back_populates="shift", cascade="all, delete-orphan")

    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),
                      CheckConstraint("needed >= 1", name="needed_positive"))

    @property
    def coming(self) -> list:
        return [a.user for a in self.answers if a.answer == ShiftAnswer.COMING]


class TeamShiftAnswer(db.Model):
    __tablename__ = "team_shift_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("team_shift.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(12))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    shift: Mapped[TeamShift] = relationship(back_populates="answers")
    user = relationship("User")

    __table_args__ = (UniqueConstraint("shift_id", "user_id"), one_of("answer", ShiftAnswer.ALL))


class TeamMessage(db.Model):
    __tablename__ = "team_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship()
    sender = relationship("User")


class TeamSignup(db.Model):
    """The tovholder signed the team up for a time of a task with a number of places; members confirm
    their own place (each confirmation is an ordinary sign-up through models/task_operations.py)."""

    __tablename__ = "team_signup"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrence.id", ondelete="CASCADE"), index=True)
    places: Mapped[int] = mapped_column(Integer)
    # Places taken from the time's free places and kept for members who have not confirmed yet: they are
    # counted in the occurrence's accepted_count, so nobody outside the team can take them. A member's
    # sign-up for the time uses one (held - 1); a member's place given back returns here (held + 1).
    # Always places - confirmed members or less (less when a member with a place left the team).
    held: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship()
    occurrence = relationship("Occurrence")

    __table_args__ = (UniqueConstraint("team_id", "occurrence_id"),
                      CheckConstraint("places >= 1", name="places_positive"),
                      CheckConstraint("held >= 0 AND held <= places", name="held_within_places"))


# --- rules as queries ---------------------------------------------------------------------------

def membership(team_id: int, user) -> TeamMember | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(TeamMember).where(TeamMember.team_id == team_id, TeamMember.user_id == user.id))


def team_confirmed_query(team_id: int, occurrence_id: int):
    """The sign-ups of the team's members that hold a place on the time: the team's confirmed places
    (a member on the waiting list holds none; confirming moves them into a place the team holds)."""
    return (select(Signup).join(TeamMember, TeamMember.user_id == Signup.user_id)
            .where(TeamMember.team_id == team_id, Signup.occurrence_id == occurrence_id,
                   Signup.status.in_(SignupStatus.HOLDING)))


def team_confirmed_count(team_id: int, occurrence_id: int) -> int:
    query = team_confirmed_query(team_id, occurrence_id)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def holds_for_member(user_id: int, occurrence_ids):
    """The team sign-ups on these times where a team of the person holds places no member has taken yet."""
    return (select(TeamSignup).join(TeamMember, TeamMember.team_id == TeamSignup.team_id)
            .where(TeamSignup.occurrence_id.in_(list(occurrence_ids)), TeamSignup.held > 0,
                   TeamMember.user_id == user_id))


def held_for(user, occurrence_ids) -> set[int]:
    """Of these times, those where a team of the user holds a place no member has taken yet: a sign-up
    of theirs gets one of those places (models/task_operations._use_team_place)."""
    ids = list(occurrence_ids)
    if not ids or user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(db.session.scalars(holds_for_member(user.id, ids).with_only_columns(TeamSignup.occurrence_id)))


def holds_by_occurrence(occurrence_ids) -> dict[int, list[TeamSignup]]:
    """For the staff's view of a task: per time, the teams holding places no member has taken yet."""
    found: dict[int, list[TeamSignup]] = {}
    for row in db.session.scalars(select(TeamSignup).where(TeamSignup.occurrence_id.in_(list(occurrence_ids)),
                                                           TeamSignup.held > 0)
                                  .options(joinedload(TeamSignup.team)).order_by(TeamSignup.id)):
        found.setdefault(row.occurrence_id, []).append(row)
    return found


def member_counts(team_ids) -> dict[int, int]:
    ids = list(team_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(TeamMember.team_id, func.count(TeamMember.id))
                                   .where(TeamMember.team_id.in_(ids)).group_by(TeamMember.team_id)).all())


def teams_of_institution(institution_id: int) -> list[Team]:
    return list(db.session.scalars(select(Team).where(Team.institution_id == institution_id).order_by(Team.name)))


def teams_led_by(user) -> list[Team]:
    return list(db.session.scalars(select(Team).where(Team.tovholder_id == user.id).order_by(Team.name)))


def teams_of_member(user) -> list[Team]:
    return list(db.session.scalars(select(Team).join(TeamMember, TeamMember.team_id == Team.id)
                                   .where(TeamMember.user_id == user.id).order_by(Team.name)))

