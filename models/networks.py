"""Thematic networks across institutions and associations ("Lektiehjælp i Lyngby", "Besøgsvenner").

A network has a public page with its purpose, its tovholder, its member count and its meetings. The
tovholder plans 3–4 meetings a year with an agenda, and publishes the minutes to the members; members
raise items for the municipality, which the coordinators answer by a deadline, as they answer ideas.
What may happen is decided in models/network_operations.py.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, matching_text, utcnow


class Network(db.Model):
    __tablename__ = "network"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    purpose: Mapped[str] = mapped_column(Text, default="")
    tovholder_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tovholder = relationship("User")
    meetings: Mapped[list[NetworkMeeting]] = relationship(back_populates="network", cascade="all, delete-orphan",
                                                          order_by="NetworkMeeting.starts_at")

    @property
    def matching_text(self) -> str:
        return matching_text([self.name, self.purpose])


class NetworkMember(db.Model):
    __tablename__ = "network_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    network: Mapped[Network] = relationship()
    user = relationship("User")

    __table_args__ = (UniqueConstraint("network_id", "user_id"),)


class NetworkMeeting(db.Model):
    __tablename__ = "network_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    minutes_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    network: Mapped[Network] = relationship(back_populates="meetings")

    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)


class NetworkItem(db.Model):
    """An item a network raises with the municipality; the coordinators answer it by `answer_due_at`."""

    __tablename__ = "network_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    body: Mapped[str] = mapped_column(Text, default="")
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    network: Mapped[Network] = relationship()
    raised_by = relationship("User", foreign_keys=[raised_by_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])


# --- rules as queries ---------------------------------------------------------------------------

def is_network_member(network_id: int, user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(NetworkMember.id).where(
        NetworkMember.network_id == network_id, NetworkMember.user_id == user.id)) is not None


def member_counts(network_ids=None) -> dict[int, int]:
    query = select(NetworkMember.network_id, func.count(NetworkMember.id)).group_by(NetworkMember.network_id)
    if network_ids is not None:
        query = query.where(NetworkMember.network_id.in_(list(network_ids)))
    return dict(db.session.execute(query).all())


def unanswered_items():
    return list(db.session.scalars(select(NetworkItem).where(NetworkItem.answered_at.is_(None))
                                   .order_by(NetworkItem.answer_due_at)))


def networks_of_member(user) -> list[Network]:
    return list(db.session.scalars(select(Network).join(NetworkMember, NetworkMember.network_id == Network.id)
                                   .where(NetworkMember.user_id == user.id).order_by(Network.name)))
