"""Local development plans (one per local council, with goals and a history of versions) and the standing
dialogue meetings between local councils, the administration and the committee, with follow-up items the
administration answers by a deadline (shown in the shared calendar)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, one_of, utcnow


class GoalStatus:
    PLANNED = "planned"
    UNDER_WAY = "under_way"
    REACHED = "reached"
    PAUSED = "paused"
    ALL = (PLANNED, UNDER_WAY, REACHED, PAUSED)


class DevelopmentPlan(db.Model):
    __tablename__ = "development_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"), unique=True)
    vision: Mapped[str] = mapped_column(Text, default="")
    backers: Mapped[str] = mapped_column(Text, default="")     # who is behind it: councils, institutions, clubs
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    council = relationship("Council")
    goals: Mapped[list[PlanGoal]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                 order_by="PlanGoal.position")
    versions: Mapped[list[PlanVersion]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                       order_by="PlanVersion.version.desc()")


class PlanGoal(db.Model):
    __tablename__ = "plan_goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("development_plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default=GoalStatus.PLANNED)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="SET NULL"))

    plan: Mapped[DevelopmentPlan] = relationship(back_populates="goals")
    project = relationship("Project")
    idea = relationship("Idea")

    __table_args__ = (one_of("status", GoalStatus.ALL),)


class PlanVersion(db.Model):
    """A saved version of a plan, as it read then (JSON of vision, backers and goals)."""

    __tablename__ = "plan_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("development_plan.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(300), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[DevelopmentPlan] = relationship(back_populates="versions")
    author = relationship("User")

    __table_args__ = (UniqueConstraint("plan_id", "version"),)


class DialogueMeeting(db.Model):
    __tablename__ = "dialogue_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    place: Mapped[str] = mapped_column(String(200), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    invited: Mapped[str] = mapped_column(Text, default="")     # the parties invited
    minutes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list[FollowUpItem]] = relationship(back_populates="meeting", cascade="all, delete-orphan",
                                                     order_by="FollowUpItem.due_on")


class FollowUpItem(db.Model):
    __tablename__ = "follow_up_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("dialogue_meeting.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    meeting: Mapped[DialogueMeeting] = relationship(back_populates="items")


def follow_ups_due_between(start: date, end: date) -> list[FollowUpItem]:
    """Follow-up items whose deadline falls in [start, end): the shared calendar shows them."""
    return list(db.session.scalars(select(FollowUpItem).where(FollowUpItem.due_on >= start, FollowUpItem.due_on < end)
                                   .order_by(FollowUpItem.due_on, FollowUpItem.id)))
