"""Self-service measured against the 75 % goal (003, "Flyt borgere"): per day, how many start and how
many finish each flow, as bare counters with no person, session or cookie behind them; and the help
requests of those who would rather be called by a coordinator (the assisted-service queue)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, one_of, utcnow

GOAL = 0.75  # the share of citizens who should manage on their own


class Flow:
    REGISTRATION = "registration"   # creating an account
    PROFILE = "profile"             # writing the volunteer profile
    SIGNUP = "signup"               # signing up for a task
    IDEA = "idea"                   # posting an idea
    ALL = (REGISTRATION, PROFILE, SIGNUP, IDEA)


class Step:
    START = "start"     # the flow's form was shown
    FINISH = "finish"   # the flow was completed
    ALL = (START, FINISH)


class FlowCount(db.Model):
    """One counter per local day, flow and step. Nothing in it points at a person."""

    __tablename__ = "flow_count"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    flow: Mapped[str] = mapped_column(String(20))
    step: Mapped[str] = mapped_column(String(10))
    count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("day", "flow", "step"), one_of("flow", Flow.ALL), one_of("step", Step.ALL))


class HelpStatus:
    OPEN = "open"       # waits for a coordinator's call
    DONE = "done"       # a coordinator called
    ALL = (OPEN, DONE)


class HelpRequest(db.Model):
    """"Få hjælp": someone on one of the flows asks a coordinator to call them."""

    __tablename__ = "help_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    flow: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    # Set when the person was logged in; their request goes with their account.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=HelpStatus.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id])

    __table_args__ = (one_of("flow", Flow.ALL), one_of("status", HelpStatus.ALL))
