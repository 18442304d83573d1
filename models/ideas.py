"""Citizens' ideas, their public timeline and co-creators; what may happen to them is in idea_operations.

The initiator owns an idea, a sparring agent answers, co-creators join. The municipality answers and
supports but never rewrites an idea (principle 5).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, matching_text, one_of, utcnow


class IdeaStatus:
    """An idea's states; portal code and templates name them through this class."""

    RECEIVED = "received"
    IN_DIALOGUE = "in_dialogue"
    CAN_GO_AHEAD = "can_go_ahead"
    CANNOT_ENGAGE = "cannot_engage"
    REALISED = "realised"
    CLOSED = "closed"
    ALL = (RECEIVED, IN_DIALOGUE, CAN_GO_AHEAD, CANNOT_ENGAGE, REALISED, CLOSED)
    FINAL = (REALISED, CLOSED)
    UNANSWERED = (RECEIVED,)


class IdeaEventKind:
    """The entries on an idea's public timeline."""

    CREATED = "created"
    ASSIGNED = "assigned"
    STATUS = "status"
    ANSWER = "answer"
    EDITED = "edited"
    JOINED = "joined"
    HIDDEN = "hidden"
    SHOWN = "shown"
    MEETING = "meeting"
    CO_OWNER = "co_owner"
    PEOPLE_ASKED = "people_asked"   # the initiator asked the sparring agent to invite people who fit
    INVITED = "invited"             # the sparring agent invited someone who fits (not named)
    ALL = (CREATED, ASSIGNED, STATUS, ANSWER, EDITED, JOINED, HIDDEN, SHOWN, MEETING, CO_OWNER, PEOPLE_ASKED,
           INVITED)


IDEA_THEMES = ("community", "culture", "nature", "sport", "children", "elderly", "health", "inclusion",
               "environment", "other")
EDITABLE_FIELDS = ("title", "what", "why", "for_whom", "own_contribution", "needs_from_municipality", "area",
                   "theme")
REQUIRED_FIELDS = ("title", "what")
# What the municipality (a sparring agent) may answer from each state.
ANSWERS = {
    IdeaStatus.RECEIVED: (IdeaStatus.IN_DIALOGUE, IdeaStatus.CAN_GO_AHEAD, IdeaStatus.CANNOT_ENGAGE),
    IdeaStatus.IN_DIALOGUE: (IdeaStatus.IN_DIALOGUE, IdeaStatus.CAN_GO_AHEAD, IdeaStatus.CANNOT_ENGAGE),
    IdeaStatus.CAN_GO_AHEAD: (IdeaStatus.IN_DIALOGUE,),
    IdeaStatus.CANNOT_ENGAGE: (IdeaStatus.IN_DIALOGUE,),
}
# What the initiator (or a co-owner) may decide from each state.
OWNER_MOVES = {
    IdeaStatus.RECEIVED: (IdeaStatus.CLOSED,),
    IdeaStatus.IN_DIALOGUE: (IdeaStatus.CLOSED,),
    IdeaStatus.CAN_GO_AHEAD: (IdeaStatus.REALISED, IdeaStatus.CLOSED),
    IdeaStatus.CANNOT_ENGAGE: (IdeaStatus.CLOSED,),
}


class Idea(db.Model):
    __tablename__ = "idea"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    what: Mapped[str] = mapped_column(Text)
    why: Mapped[str] = mapped_column(Text, default="")
    for_whom: Mapped[str] = mapped_column(Text, default="")
    own_contribution: Mapped[str] = mapped_column(Text, default="")
    needs_from_municipality: Mapped[str] = mapped_column(Text, default="")
    area: Mapped[str] = mapped_column(String(120), default="")
    theme: Mapped[str] = mapped_column(String(40), default="", index=True)
    status: Mapped[str] = mapped_column(String(16), default=IdeaStatus.RECEIVED, index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"), index=True)
    answer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    initiator = relationship("User", foreign_keys=[initiator_id])
    agent = relationship("User", foreign_keys=[agent_id])
    events: Mapped[list[IdeaEvent]] = relationship(
        back_populates="idea", cascade="all, delete-orphan", order_by="(IdeaEvent.created_at, IdeaEvent.id)")
    co_creators: Mapped[list[CoCreator]] = relationship(
        back_populates="idea", cascade="all, delete-orphan", order_by="CoCreator.created_at")

    __table_args__ = (one_of("status", IdeaStatus.ALL),)

    # What the matching reads of an idea (portal.suggestions reads the same columns in bulk).
    MATCHING_FIELDS = ("title", "what", "why", "for_whom", "own_contribution")

    @property
    def is_final(self) -> bool:
        return self.status in IdeaStatus.FINAL

    @property
    def matching_text(self) -> str:
        return matching_text(getattr(self, name) for name in self.MATCHING_FIELDS)

    def is_owner(self, user) -> bool:
        """The initiator or a co-owner they invited: the people who may edit the idea."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        if self.initiator_id is not None and self.initiator_id == user.id:
            return True
        return any(c.user_id == user.id and c.co_owner for c in self.co_creators)

    def co_creator_of(self, user) -> CoCreator | None:
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return next((c for c in self.co_creators if c.user_id == user.id), None)


class IdeaEvent(db.Model):
    """One entry on an idea's public timeline."""

    __tablename__ = "idea_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(12))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text, default="")
    next_step: Mapped[str] = mapped_column(Text, default="")
    next_who: Mapped[str] = mapped_column(String(160), default="")
    next_when: Mapped[str] = mapped_column(String(160), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    idea: Mapped[Idea] = relationship(back_populates="events")
    actor = relationship("User")

    __table_args__ = (one_of("kind", IdeaEventKind.ALL),)


class CoCreator(db.Model):
    """A person who joined an idea saying what they offer ("Jeg vil være med: …")."""

    __tablename__ = "co_creator"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    offer: Mapped[str] = mapped_column(Text)
    co_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    idea: Mapped[Idea] = relationship(back_populates="co_creators")
    user = relationship("User")

    __table_args__ = (UniqueConstraint("idea_id", "user_id"),)


class AgentTheme(db.Model):
    """A theme a sparring agent takes: new ideas with that theme go to them (in turn, if several)."""

    __tablename__ = "agent_theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    theme: Mapped[str] = mapped_column(String(40))

    __table_args__ = (UniqueConstraint("user_id", "theme"), one_of("theme", IDEA_THEMES))
