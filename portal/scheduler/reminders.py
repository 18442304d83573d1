"""Shift reminders to volunteers with an accepted sign-up: the day before and two hours before."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Occurrence, Signup, SignupStatus, Task, TaskStatus, db
from portal import tokens
from portal import formatting
from portal.mail import preferences
from portal.mail.checks import stamp
from portal.mail.outbox import Stencil, already_queued, external_url, queue_from_stencil, queue_mail, stencil
from portal.scheduler.timing import Lead, due_lead

SHIFT_TOKEN = "shift"
ANSWER_LINK_MAX_AGE = 14 * 24 * 3600
KIND = "shift_reminder"


def parse_leads(spec: str) -> tuple[Lead, ...]:
    """"1d,2h" -> a day before (local clock) and two hours before; the longest lead carries the answer links."""
    found = []
    for part in (p.strip().lower() for p in spec.split(",") if p.strip()):
        number, unit = part[:-1], part[-1:]
        if not number.isdigit() or unit not in ("d", "h") or int(number) == 0:
            raise ValueError(f"REMINDER_LEADS: {part!r} is not like '1d' or '2h'")
        found.append(Lead(f"{number}{unit}", days=int(number) if unit == "d" else 0,
                          hours=int(number) if unit == "h" else 0))
    found.sort(key=lambda lead: lead.longest, reverse=True)
    return tuple(Lead(lead.name, lead.days, lead.hours, answer_links=(i == 0)) for i, lead in enumerate(found))


def leads() -> tuple[Lead, ...]:
    """The configured leads (REMINDER_LEADS, "1d,2h" by default): the day-before reminder goes out at the
    same local clock time the day before (also across a daylight-saving switch) and carries the
    "I am coming" / "I cannot come after all" links."""
    return parse_leads(current_app.config["REMINDER_LEADS"])


def answer_token(signup: Signup) -> str:
    return tokens.make(SHIFT_TOKEN, {"sid": signup.id, "uid": signup.user_id})


def dedup_key(signup: Signup, occurrence: Occurrence, lead: Lead) -> str:
    # The start is part of the key: a moved shift gets its reminders again, for the new time.
    return f"{KIND}:{occurrence.id}:{signup.user_id}:{lead.name}:{stamp(occurrence.starts_at)}"


def queue_due(now: datetime) -> list:
    """Queue the reminders whose window holds `now`; stale ones (their moment passed) are skipped."""
    plan = leads()
    horizon = max(lead.longest for lead in plan)
    query = (select(Signup, Occurrence, Task)
             .join(Occurrence, Signup.occurrence_id == Occurrence.id).join(Task, Occurrence.task_id == Task.id)
             .where(Signup.status == SignupStatus.ACCEPTED, Occurrence.cancelled.is_(False),
                    Task.status.not_in(TaskStatus.OFF),
                    Occurrence.starts_at > now, Occurrence.starts_at <= now + horizon)
             .options(selectinload(Signup.user), selectinload(Task.institution)).order_by(Signup.id).limit(BATCH))
    messages, last = [], 0
    while True:  # bounded batches by sign-up id: neither memory nor IN lists grow with the site
        rows = db.session.execute(query.where(Signup.id > last)).all()
        if not rows:
            return messages
        messages.extend(_queue_batch(rows, now, plan))
        last = rows[-1][0].id


BATCH = 5_000


def _queue_batch(rows, now: datetime, plan) -> list:
    due = []
    for signup, occurrence, task in rows:
        found = due_lead(occurrence.starts_at, now, plan)
        if found is not None:
            due.append((signup, occurrence, task, *found))
    sent_before = already_queued(dedup_key(s, o, lead) for s, o, _t, lead, _e in due)
    unwanted = preferences.turned_off({s.user_id for s, *_rest in due}, KIND)
    groups: dict[tuple, list] = {}
    for signup, occurrence, task, lead, window_end in due:
        key = dedup_key(signup, occurrence, lead)
        if key not in sent_before and signup.user_id not in unwanted:
            groups.setdefault((occurrence.id, lead.name, signup.user.locale), []).append(
                (signup, occurrence, task, lead, window_end, key))
    messages = []
    for (_occurrence, _lead, locale), group in groups.items():
        # Everyone on one shift gets the same words in their language: render once, fill in each person.
        _signup, occurrence, task, lead, _end, _key = group[0]
        mold = _stencil(occurrence, task, lead, locale)
        messages.extend(_queue(mold, *item) for item in group)
    # The job commits once, at its end; until then only the rows' keys are needed, not their texts:
    # once written to the database, the texts leave memory (the rows themselves stay until the commit).
    db.session.flush()
    for message in messages:
        if message is not None:
            db.session.expire(message, ["body_text", "body_html"])
    return messages


def _context(occurrence: Occurrence, task: Task, lead: Lead) -> dict:
    return {"task": task, "occurrence": occurrence, "institution": task.institution,
            "answer_links": lead.answer_links, "mine_url": external_url("citizens.index")}


def _subject(occurrence: Occurrence, task: Task):
    start = occurrence.starts_at
    return lambda: _("Reminder: %(title)s, %(when)s", title=task.title, when=formatting.when(start))


def _stencil(occurrence: Occurrence, task: Task, lead: Lead, locale: str) -> Stencil:
    return stencil(KIND, locale=locale, subject=_subject(occurrence, task), template="shift_reminder",
                   context=_context(occurrence, task, lead),
                   personal=("coming_url", "cancel_url") if lead.answer_links else ())


def _queue(mold: Stencil, signup: Signup, occurrence: Occurrence, task: Task, lead: Lead, window_end: datetime,
           key: str):
    values = {}
    if lead.answer_links:
        token = answer_token(signup)
        values = {"coming_url": external_url("mail.shift_coming", token=token),
                  "cancel_url": external_url("mail.shift_cancel", token=token)}
    return queue_from_stencil(mold, KIND, dedup_key=key, recipient=signup.user, values=values,
                              ref=f"signup:{signup.id}:{stamp(occurrence.starts_at)}", expires_at=window_end)


def queue_one(signup: Signup, occurrence: Occurrence, task: Task, lead: Lead, window_end: datetime, key: str):
    """One reminder rendered on its own (queue_mail): what every group rendering must equal."""
    context = _context(occurrence, task, lead)
    if lead.answer_links:
        token = answer_token(signup)
        context["coming_url"] = external_url("mail.shift_coming", token=token)
        context["cancel_url"] = external_url("mail.shift_cancel", token=token)
    return queue_mail(KIND, dedup_key=key, recipient=signup.user, subject=_subject(occurrence, task),
                      template="shift_reminder", context=context,
                      ref=f"signup:{signup.id}:{stamp(occurrence.starts_at)}", expires_at=window_end, checked=True)
