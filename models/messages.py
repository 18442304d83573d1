"""The e-mail outbox, per-user notification preferences and the scheduler's single-runner lease."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import UTCDateTime, db, one_of, utcnow

class OutboxStatus:
    """An outbox message's states (written only by portal.mail's outbox writer and sender)."""

    QUEUED = "queued"
    SENDING = "sending"     # claimed by a sender, with a lease
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"     # no longer true or its moment passed
    ALL = (QUEUED, SENDING, SENT, FAILED, DROPPED)
    DUE = (QUEUED, SENDING)


DIGEST_FREQUENCIES = ("daily", "weekly")


class OutboxMessage(db.Model):
    """An e-mail written in the same transaction as the change that causes it."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    ics: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    # What the message is about ("signup:12:20260330T0700Z"): the sender re-checks it is still true.
    ref: Mapped[str | None] = mapped_column(String(120))
    # After this moment the message is stale and is dropped instead of sent (a reminder after the start).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribe_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        one_of("status", OutboxStatus.ALL),
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_user_kind", "user_id", "kind", "created_at"),
    )


class NotificationPreference(db.Model):
    """A user's choice for one kind of mail; absent rows mean the kind's default."""

    __tablename__ = "notification_preference"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column(Boolean)
    # Only for digest kinds: how often the digest comes.
    frequency: Mapped[str | None] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "kind"),
        one_of("frequency", DIGEST_FREQUENCIES),  # NULL passes: direct kinds have no frequency
    )


class SchedulerLease(db.Model):
    """A lock row with a lease, so only one scheduler acts at a time (also the heartbeat)."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)
