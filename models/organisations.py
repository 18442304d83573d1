"""Organisations: institutions and associations (foreninger) that post tasks, and local councils that hold
projects and events.

An association is an organisation of its own kind (`ASSOCIATION`): its board members are its members, it
posts tasks exactly as an institution does (same frame, same screening: models/task_operations.py), and it
has a public profile, a "we need" list and a CVR number when it has one (models/associations.py).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, one_of, utcnow

ASSOCIATION = "association"
INSTITUTION_KINDS = ("school", "elder_centre", "day_care", "library", "club", "other", ASSOCIATION)
COUNCIL_KINDS = ("local_council", "task_committee", "council")


class Institution(db.Model):
    __tablename__ = "institution"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str | None] = mapped_column(String(4))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The public page: its story, and a short statement of what volunteers do there (the frame).
    story: Mapped[str] = mapped_column(Text, default="", server_default="")
    volunteer_frame: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Associations: the CVR number when there is one (optional), and the area they work for.
    cvr: Mapped[str | None] = mapped_column(String(8))
    activity: Mapped[str] = mapped_column(String(80), default="", server_default="")

    members: Mapped[list[InstitutionMember]] = relationship(back_populates="institution", cascade="all, delete-orphan")

    __table_args__ = (one_of("kind", INSTITUTION_KINDS),)

    @property
    def is_association(self) -> bool:
        return self.kind == ASSOCIATION


def is_member(user, institution_id: int) -> bool:
    """Whether `user` works for the institution, or sits on the association's board."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(InstitutionMember.id).where(
        InstitutionMember.institution_id == institution_id, InstitutionMember.user_id == user.id)) is not None


class InstitutionMember(db.Model):
    __tablename__ = "institution_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)

    institution: Mapped[Institution] = relationship(back_populates="members")
    user = relationship("User")

    __table_args__ = (UniqueConstraint("institution_id", "user_id"),)


class Council(db.Model):
    __tablename__ = "council"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="local_council")
    area: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[CouncilMember]] = relationship(back_populates="council", cascade="all, delete-orphan")

    __table_args__ = (one_of("kind", COUNCIL_KINDS),)


class CouncilMember(db.Model):
    __tablename__ = "council_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)

    council: Mapped[Council] = relationship(back_populates="members")
    user = relationship("User")

    __table_args__ = (UniqueConstraint("council_id", "user_id"),)
