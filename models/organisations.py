"""Organisations: institutions that post tasks and local councils that hold projects and events."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, one_of, utcnow

INSTITUTION_KINDS = ("school", "elder_centre", "day_care", "library", "club", "other")
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

    members: Mapped[list[InstitutionMember]] = relationship(back_populates="institution", cascade="all, delete-orphan")

    __table_args__ = (one_of("kind", INSTITUTION_KINDS),)


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
