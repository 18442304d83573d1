"""What associations (foreninger) have besides an institution's profile: a "we need" list of competences
that other associations' volunteers can offer, and the municipality's offers to associations (rooms,
§18 grants) with how to apply. The association itself is an Institution of kind ASSOCIATION (see
models/organisations.py); its use cases are in models/association_operations.py.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, one_of, utcnow

OFFER_KINDS = ("room", "grant", "other")


class AssociationNeed(db.Model):
    """A competence the association needs for a while ("a treasurer for a year")."""

    __tablename__ = "association_need"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    period: Mapped[str] = mapped_column(String(80), default="")
    filled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    institution = relationship("Institution")
    offers: Mapped[list[NeedOffer]] = relationship(back_populates="need", cascade="all, delete-orphan")


class NeedOffer(db.Model):
    """Someone offers to fill a need; the association's board sees the offer and the person's e-mail."""

    __tablename__ = "need_offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("association_need.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    need: Mapped[AssociationNeed] = relationship(back_populates="offers")
    user = relationship("User")

    __table_args__ = (UniqueConstraint("need_id", "user_id"),)


class MunicipalOffer(db.Model):
    """Something the municipality offers associations: a room, a §18 grant, … with how to apply."""

    __tablename__ = "municipal_offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    how_to_apply: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (one_of("kind", OFFER_KINDS),)
