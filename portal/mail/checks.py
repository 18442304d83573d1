"""Re-checks, just before sending, that a queued mail is still true and still timely.

A message names what it is about in `ref` ("signup:12:20260330T0700Z"); a mail that sat in the
outbox while SMTP was down must not remind someone of a shift that was cancelled or moved meanwhile.
Each check takes a batch, so a full outbox costs one query per kind of reference, not one per mail.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timezone
from typing import Callable

from sqlalchemy import select

from models import (CertificateStatus, Event, EventSignup, Idea, IdeaStatus, Occurrence, OutboxMessage, ProjectUpdate,
                    Screening, Signup, SignupStatus, Task, TaskStatus, User, db)


def stamp(moment: datetime) -> str:
    """A compact UTC stamp for keys and references: 20260330T0700Z."""
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%MZ")


def _ids(items) -> list[int]:
    return [int(parts[0]) for _m, parts in items if parts and parts[0].isdigit()]


def _signups(items) -> set[int]:
    """Still accepted, on an occurrence and task still on, starting at the same time."""
    rows = db.session.execute(
        select(Signup.id, Occurrence.starts_at)
        .join(Occurrence, Signup.occurrence_id == Occurrence.id).join(Task, Occurrence.task_id == Task.id)
        .where(Signup.id.in_(_ids(items)), Signup.status == SignupStatus.ACCEPTED, Occurrence.cancelled.is_(False),
               Task.status.not_in(TaskStatus.OFF)))
    starts = {sid: stamp(start) for sid, start in rows}
    return {m.id for m, parts in items if len(parts) > 1 and starts.get(int(parts[0])) == parts[1]}


def _occurrences(items) -> set[int]:
    """Still on, same start, and still with free places."""
    rows = db.session.execute(
        select(Occurrence.id, Occurrence.starts_at).join(Task, Occurrence.task_id == Task.id)
        .where(Occurrence.id.in_(_ids(items)), Occurrence.cancelled.is_(False), Task.status.not_in(TaskStatus.OFF),
               Occurrence.accepted_count < Occurrence.capacity))
    starts = {oid: stamp(start) for oid, start in rows}
    return {m.id for m, parts in items if len(parts) > 1 and starts.get(int(parts[0])) == parts[1]}


def _ideas(items) -> set[int]:
    """Still waiting for its first answer."""
    open_ids = set(db.session.scalars(select(Idea.id).where(
        Idea.id.in_(_ids(items)), Idea.first_answer_at.is_(None), Idea.status.in_(IdeaStatus.UNANSWERED))))
    return {m.id for m, parts in items if int(parts[0]) in open_ids}


def _help_requests(items) -> set[int]:
    """Still in the queue: nobody has called yet."""
    from models.selfservice import HelpRequest
    waiting = set(db.session.scalars(select(HelpRequest.id).where(HelpRequest.id.in_(_ids(items)))))
    return {m.id for m, parts in items if int(parts[0]) in waiting}


def _screenings(items) -> set[int]:
    """The certificate still runs out on the same date (no new one was recorded)."""
    rows = db.session.execute(select(Screening.id, Screening.child_certificate_valid_until).where(
        Screening.id.in_(_ids(items)), Screening.child_certificate_status == CertificateStatus.RECEIVED))
    until = {sid: valid.isoformat() for sid, valid in rows if isinstance(valid, date)}
    return {m.id for m, parts in items if len(parts) > 1 and until.get(int(parts[0])) == parts[1]}


def _inactive(items) -> set[int]:
    """The person has not been back since the mail was queued."""
    rows = db.session.execute(select(User.id, User.last_seen_at, User.created_at).where(
        User.id.in_(_ids(items)), User.deleted_at.is_(None)))
    seen = {uid: stamp(last or created) for uid, last, created in rows}
    return {m.id for m, parts in items if len(parts) > 1 and seen.get(int(parts[0])) == parts[1]}


def _event_signups(items) -> set[int]:
    """The person is still signed up and the event still on."""
    live = set(db.session.scalars(select(EventSignup.id).join(Event, EventSignup.event_id == Event.id).where(
        EventSignup.id.in_(_ids(items)), EventSignup.cancelled.is_(False), Event.cancelled.is_(False))))
    return {m.id for m, parts in items if int(parts[0]) in live}


def _project_updates(items) -> set[int]:
    """The update has not been hidden by a moderator meanwhile."""
    shown = set(db.session.scalars(select(ProjectUpdate.id).where(
        ProjectUpdate.id.in_(_ids(items)), ProjectUpdate.hidden.is_(False))))
    return {m.id for m, parts in items if int(parts[0]) in shown}


CHECKS: dict[str, Callable] = {
    "signup": _signups,
    "occurrence": _occurrences,
    "idea": _ideas,
    "screening": _screenings,
    "inactive": _inactive,
    "event_signup": _event_signups,
    "project_update": _project_updates,
    "help_request": _help_requests,
}


def stale(messages: list[OutboxMessage], now: datetime) -> dict[int, str]:
    """{message id: reason} for the messages that must be dropped instead of sent."""
    reasons: dict[int, str] = {}
    by_prefix = defaultdict(list)
    for message in messages:
        if message.expires_at is not None and message.expires_at <= now:
            reasons[message.id] = "stale: its moment has passed"
        elif message.ref:
            prefix, *parts = message.ref.split(":")
            by_prefix[prefix].append((message, parts))
    for prefix, items in by_prefix.items():
        check = CHECKS.get(prefix)
        if check is None:
            continue
        true_ids = check(items)
        for message, _parts in items:
            if message.id not in true_ids:
                reasons[message.id] = f"no longer true: {message.ref}"
    return reasons
