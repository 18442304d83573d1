"""Mails about an account (reset link, confirmation link): asked for in the request, answered outside it.

`ask` is all a request does, for a known and an unknown address alike; `answer` looks the account up,
queues the mail (or nothing) and deletes the ask. It runs right after the response in the process's
background thread and, for asks a dying process left behind, in the scheduler's `account_mails` job.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from models import OutboxMessage, User, db, utcnow
from models.accounts import AccountMailRequest
from models.addresses import normalise_email
from portal import tokens
from portal.mail.outbox import external_url, queue_mail

# An ask older than this is dropped unanswered: nobody waits a quarter of an hour for a reset link.
STALE_AFTER = timedelta(minutes=15)
# The scheduler leaves fresh asks to the background thread of the process that took them.
LEFT_BEHIND_AFTER = timedelta(seconds=30)
BATCH = 200


def ask(purpose: str, address: str, *, now: datetime) -> AccountMailRequest:
    """Record that a mail of this purpose was asked for this address (the same work for every address)."""
    row = AccountMailRequest(purpose=purpose, address=normalise_email(address)[:254], created_at=now)
    db.session.add(row)
    db.session.flush()
    return row


def answer(ids: list[int] | None = None, *, now: datetime) -> list[OutboxMessage]:
    """Answer the given asks (or all left behind): queue each mail that is due and delete the ask.

    Each ask is claimed by deleting its row, so the thread and the scheduler never both answer one.
    """
    query = select(AccountMailRequest).order_by(AccountMailRequest.id).limit(BATCH)
    if ids is not None:
        query = query.where(AccountMailRequest.id.in_(ids))
    else:
        query = query.where(AccountMailRequest.created_at <= now - LEFT_BEHIND_AFTER)
    messages = []
    for row in db.session.scalars(query).all():
        claimed = db.session.execute(delete(AccountMailRequest).where(AccountMailRequest.id == row.id))
        if claimed.rowcount != 1 or now - row.created_at > STALE_AFTER:
            continue
        user = User.by_email(row.address)
        if user is None or not user.is_active:
            continue
        if row.purpose == "reset":
            messages.append(queue_reset(user))
        elif user.email_verified_at is None:
            messages.append(queue_verification(user))
    return [m for m in messages if m is not None]


def answer_and_deliver(ids: list[int]) -> None:
    """The background thread's part: answer these asks, commit, and send what was queued."""
    messages = answer(ids, now=utcnow())
    db.session.commit()
    from flask import current_app
    if messages and current_app.config.get("MAIL_SEND_IMMEDIATELY", True):
        from portal.mail import sender
        sender.deliver(ids=[m.id for m in messages])


def left_behind(now: datetime) -> list[OutboxMessage]:
    """Scheduled job: answer asks that no background thread answered (its process stopped)."""
    return answer(now=now)


def password_stamp(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def queue_reset(user: User) -> OutboxMessage | None:
    token = tokens.make("reset", {"uid": user.id, "stamp": password_stamp(user)})
    return queue_mail("reset", dedup_key=f"reset:{user.id}:{token[-12:]}", recipient=user,
                      subject=lambda: _("Choose a new password"), template="reset",
                      context={"link": external_url("auth.reset", token=token)})


def queue_verification(user: User) -> OutboxMessage | None:
    token = tokens.make("verify", {"uid": user.id, "email": user.email})
    return queue_mail("verify", dedup_key=f"verify:{user.id}:{token[-12:]}", recipient=user,
                      subject=lambda: _("Confirm your e-mail address"), template="verify",
                      context={"link": external_url("auth.verify", token=token)})
