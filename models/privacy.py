"""GDPR operations: export everything about a user, and erase a user's personal data at once."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import String, Text, delete, func, or_, select, update
from sqlalchemy.orm import Session

from models.accounts import forget_log_in_data
from models.base import db, utcnow

FORMER_USER_NAME = "Tidligere bruger"
# What stands where the erased person was named, and where an address or a phone number was.
LEAVER = "en frivillig"
MASKED_EMAIL = "[e-mail fjernet]"
MASKED_PHONE = "[telefon fjernet]"
# Tables whose rows about a user are personal data and go when the user goes (beyond FK cascades):
# the council and institution memberships too, so an erased member is not listed as a member.
ERASE_ROWS = ("outbox_message", "notification_preference", "consent_record", "event_signup",
              "project_follower", "co_creator", "council_member", "institution_member",
              "proposal_co_creator", "budget_voter", "team_member", "team_shift_answer",
              "network_member", "need_offer")
# Tables whose rows are kept for others' sake, with the author link cut.
DETACH_AUTHOR = {"update_comment": "author_id", "project_update": "author_id", "idea_event": "actor_id",
                 "content_report": "reporter_id", "budget_proposal": "author_id", "plan_version": "author_id",
                 "team": "tovholder_id", "network": "tovholder_id", "team_message": "sender_id",
                 "network_item": "raised_by_id"}
# Text the person wrote that others' rows keep: emptied (the page says the comment was deleted).
ERASE_TEXT = {"update_comment": ("author_id", "body"), "content_report": ("reporter_id", "reason")}
# Outbox rows are read in bounded batches.
BATCH = 1000
EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Danish numbers: 8 digits, maybe grouped, maybe with +45 / 0045 in front.
PHONE_PATTERN = re.compile(r"(?<![\w])(?:(?:\+|00)\s?45[\s-]?)?\d{2}(?:[\s.-]?\d{2}){3}(?![\w])")


def mask_contact_details(text: str | None) -> str | None:
    """Text with every e-mail address and phone number masked (an idea whose initiator has left)."""
    if not text:
        return text
    return PHONE_PATTERN.sub(MASKED_PHONE, EMAIL_PATTERN.sub(MASKED_EMAIL, text))


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _user_columns():
    """Every (table, column) in the schema that points at user.id."""
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            for fk in column.foreign_keys:
                if fk.column.table.name == "user":
                    yield table, column


def export_user_data(session: Session, user) -> dict:
    """Everything stored about the user, by table, as JSON-ready data (the right of access)."""
    user_table = db.metadata.tables["user"]
    data = {"user": [dict(session.execute(select(user_table).where(user_table.c.id == user.id)).mappings().one())]}
    data["user"][0].pop("password_hash", None)
    for table, column in _user_columns():
        rows = session.execute(select(table).where(column == user.id)).mappings().all()
        if rows:
            data.setdefault(table.name, []).extend(dict(r) for r in rows)
    profile_ids = [r["id"] for r in data.get("volunteer_profile", [])]
    for name in ("availability_slot", "away_period", "screening"):
        table = db.metadata.tables[name]
        rows = session.execute(select(table).where(table.c.profile_id.in_(profile_ids))).mappings().all()
        if rows:
            data[name] = [dict(r) for r in rows]
    for rows in data.values():
        for row in rows:
            for key, value in row.items():
                row[key] = _plain(value)
    from models.consent import how_shown
    for row in data.get("consent_record", []):
        row["how"] = how_shown(row.get("how"))
    data.pop("audit_entry", None)
    audit = db.metadata.tables["audit_entry"]
    data["audit_entry"] = [{k: _plain(v) for k, v in r.items()} for r in session.execute(
        select(audit).where((audit.c.subject_id == user.id) | (audit.c.actor_id == user.id))).mappings()]
    return data


def erase_user(session: Session, user, *, now: datetime | None = None, needles: dict[str, str] | None = None) -> None:
    """Erase personal data at once; keep anonymous counts and hours, and ideas others joined.

    The user row stays as an anonymous tombstone (no name, e-mail, phone or password) so that
    sign-ups keep counting hours for institutions' statistics without saying whose they were.
    """
    now = now or utcnow()
    from models.ideas import CoCreator, Idea
    from models.people import VolunteerProfile

    needles = needles or identifying_strings(user)
    outbox = db.metadata.tables["outbox_message"]
    if user.email:
        session.execute(delete(outbox).where(func.lower(outbox.c.recipient) == user.email.lower()))
    for name in ERASE_ROWS:
        table = db.metadata.tables[name]
        session.execute(delete(table).where(table.c.user_id == user.id))
    for name, (column, text_column) in ERASE_TEXT.items():
        table = db.metadata.tables[name]
        session.execute(update(table).where(table.c[column] == user.id).values({text_column: ""}))
    for name, column in DETACH_AUTHOR.items():
        table = db.metadata.tables[name]
        session.execute(update(table).where(table.c[column] == user.id).values({column: None}))
    for idea in session.scalars(select(Idea).where(Idea.initiator_id == user.id)):
        if session.scalar(select(func.count()).select_from(CoCreator).where(CoCreator.idea_id == idea.id)):
            idea.initiator_id = None  # shown as by a former user; co-creators keep their idea
            for field in ("title", "what", "why", "for_whom", "own_contribution", "needs_from_municipality", "area"):
                setattr(idea, field, mask_contact_details(getattr(idea, field)))
        else:
            session.delete(idea)
    profile = session.scalar(select(VolunteerProfile).where(VolunteerProfile.user_id == user.id))
    if profile is not None:
        session.delete(profile)
    signup = db.metadata.tables["signup"]
    session.execute(update(signup).where(signup.c.user_id == user.id).values(note="", cancel_reason=None))
    user.name = FORMER_USER_NAME
    user.email = None
    user.phone = None
    user.password_hash = None
    user.ical_token = None
    user.active = False
    user.deleted_at = now
    user.roles.clear()
    forget_log_in_data(user)  # provider links, second factor, recovery codes
    session.flush()
    forget_mentions(session, needles, skip_user_id=user.id)


def identifying_strings(user) -> dict[str, str]:
    """The person's name, e-mail address and phone number (as stored and as bare digits), each with
    what stands in its place once the person is erased."""
    found = {}
    name = (user.name or "").strip()
    if len(name) >= 4 and name != FORMER_USER_NAME and name != LEAVER:
        found[name] = LEAVER
    if user.email:
        found[user.email] = MASKED_EMAIL
    phone = (user.phone or "").strip()
    if phone:
        found[phone] = MASKED_PHONE
        digits = re.sub(r"\D", "", phone)
        if len(digits) >= 8:
            found[digits] = MASKED_PHONE
            found[digits[-8:]] = MASKED_PHONE
    return found


def _text_columns(table):
    return [c for c in table.columns if isinstance(c.type, (String, Text)) and not c.foreign_keys]


def forget_mentions(session: Session, needles: dict[str, str], *, skip_user_id: int | None = None) -> int:
    """Replace the person's name, address and phone wherever another row still holds them (mails about
    them, texts others wrote, audit details). Each table is read in bounded batches of matching rows."""
    if not needles:
        return 0
    changed = 0
    patterns = [(re.compile(re.escape(needle), re.IGNORECASE), stand_in)
                for needle, stand_in in sorted(needles.items(), key=lambda item: -len(item[0]))]
    for table in db.metadata.sorted_tables:
        columns = _text_columns(table)
        keys = list(table.primary_key.columns)
        if not columns or len(keys) != 1 or table.name in ("user", "alembic_version"):
            continue
        key = keys[0]
        matches = or_(*(func.lower(c).contains(needle.lower(), autoescape=True) for c in columns for needle in needles))
        last = None
        while True:
            query = select(key, *columns).where(matches).order_by(key).limit(BATCH)
            if last is not None:
                query = query.where(key > last)
            rows = session.execute(query).all()
            if not rows:
                break
            for row in rows:
                values = {}
                for column, value in zip(columns, row[1:]):
                    if isinstance(value, str):
                        new = value
                        for pattern, stand_in in patterns:
                            new = pattern.sub(stand_in, new)
                        if new != value:
                            values[column.name] = new[:column.type.length] if column.type.length else new
                if values:
                    session.execute(update(table).where(key == row[0]).values(values))
                    changed += 1
            last = rows[-1][0]
    return changed


def purge_outbox_bodies(session: Session, *, now: datetime, days: int) -> int:
    """Empty the subject and text of mails sent (or given up) more than `days` ago, in bounded batches;
    the row stays as a record that a mail went."""
    from models.messages import OutboxMessage, OutboxStatus
    cutoff = now - timedelta(days=days)
    purged = 0
    while True:
        ids = list(session.scalars(select(OutboxMessage.id).where(
            OutboxMessage.status.not_in(OutboxStatus.DUE), OutboxMessage.created_at < cutoff,
            OutboxMessage.body_text != "").order_by(OutboxMessage.id).limit(BATCH)))
        if not ids:
            return purged
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                        .values(subject="", body_text="", body_html="", ics=None, unsubscribe_url=None))
        purged += len(ids)
