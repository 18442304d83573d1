"""Inactive accounts (GDPR storage limitation): a nudge after a year, a warning before deletion.

Deleting is the privacy work's job; it should call `deletion_candidates(now)`, which returns only
people who were warned by mail at least DELETION_WARNING_DAYS earlier and have not been back since.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, select

from models.base import chunks
from models import OutboxMessage, OutboxStatus, User, db
from portal.mail.checks import stamp
from portal.mail.outbox import external_url, queue_mail
from portal.scheduler.timing import add_months

DELETION_WARNING_DAYS = 30


def _months() -> tuple[int, int]:
    cfg = current_app.config
    return cfg.get("RETENTION_NUDGE_MONTHS", 12), cfg.get("RETENTION_INACTIVE_MONTHS", 24)


def last_activity(user: User) -> datetime:
    return user.last_seen_at or user.created_at


def deletion_date(user: User) -> datetime:
    return add_months(last_activity(user), _months()[1])


def _active_at():
    return func.coalesce(User.last_seen_at, User.created_at)


def inactive_accounts(now: datetime) -> list:
    """Queue the nudge (after 12 months) or the deletion warning (30 days before 24 months)."""
    nudge_months, limit_months = _months()
    nudge_cutoff = add_months(now, -nudge_months)
    warn_cutoff = add_months(now, -limit_months) + timedelta(days=DELETION_WARNING_DAYS)
    users = db.session.scalars(select(User).where(
        User.deleted_at.is_(None), User.active.is_(True), User.email.is_not(None), _active_at() <= nudge_cutoff))
    messages = []
    for user in users:
        seen = last_activity(user)
        ref = f"inactive:{user.id}:{stamp(seen)}"
        context = {"last_seen": seen, "deletion_on": deletion_date(user), "login_url": external_url("auth.login")}
        if seen <= warn_cutoff:
            messages.append(queue_mail(
                "deletion_warning", dedup_key=f"deletion_warning:{user.id}:{stamp(seen)}", recipient=user,
                subject=lambda: _("Your Samskab profile will be deleted unless you log in"),
                template="deletion_warning", context=context, ref=ref))
        else:
            # Once the warning is due, the friendly nudge is stale.
            warn_at = add_months(seen, limit_months) - timedelta(days=DELETION_WARNING_DAYS)
            messages.append(queue_mail(
                "inactive_nudge", dedup_key=f"inactive_nudge:{user.id}:{stamp(seen)}", recipient=user,
                subject=lambda: _("We miss you on Samskab"), template="inactive_nudge", context=context,
                ref=ref, expires_at=warn_at))
    return messages


def deletion_candidates(now: datetime) -> list[User]:
    """Accounts past the retention limit whose deletion warning was delivered DELETION_WARNING_DAYS ago.

    The warning must have reached the mail server (status "sent") for the present period of
    inactivity (its key holds the last-activity stamp), so a person who logged in meanwhile, or
    whose warning is still stuck in the outbox, is never deleted.
    """
    limit_cutoff = add_months(now, -_months()[1])
    warned_before = now - timedelta(days=DELETION_WARNING_DAYS)
    users = db.session.scalars(select(User).where(
        User.deleted_at.is_(None), User.email.is_not(None), _active_at() <= limit_cutoff)).all()
    if not users:
        return []
    keys = {f"deletion_warning:{u.id}:{stamp(last_activity(u))}": u for u in users}
    sent = set()
    for batch in chunks(keys):  # bounded IN lists
        sent.update(db.session.scalars(select(OutboxMessage.dedup_key).where(and_(
            OutboxMessage.dedup_key.in_(batch), OutboxMessage.status == OutboxStatus.SENT,
            OutboxMessage.sent_at <= warned_before))))
    return [user for key, user in keys.items() if key in sent]
