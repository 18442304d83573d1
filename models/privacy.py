"""GDPR operations: export everything about a user, and erase a user's personal data at once."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from models.accounts import forget_log_in_data
from models.base import db, utcnow

FORMER_USER_NAME = "Tidligere bruger"
# Tables whose rows about a user are personal data and go when the user goes (beyond FK cascades).
ERASE_ROWS = ("outbox_message", "notification_preference", "consent_record", "event_signup",
              "project_follower", "co_creator")
# Tables whose rows are kept for others' sake, with the author link cut.
DETACH_AUTHOR = {"update_comment": "author_id", "project_update": "author_id", "idea_event": "actor_id"}


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


def erase_user(session: Session, user, *, now: datetime | None = None) -> None:
    """Erase personal data at once; keep anonymous counts and hours, and ideas others joined.

    The user row stays as an anonymous tombstone (no name, e-mail, phone or password) so that
    sign-ups keep counting hours for institutions' statistics without saying whose they were.
    """
    now = now or utcnow()
    from models.ideas import CoCreator, Idea
    from models.people import VolunteerProfile

    for name in ERASE_ROWS:
        table = db.metadata.tables[name]
        session.execute(delete(table).where(table.c.user_id == user.id))
    for name, column in DETACH_AUTHOR.items():
        table = db.metadata.tables[name]
        session.execute(update(table).where(table.c[column] == user.id).values({column: None}))
    for idea in session.scalars(select(Idea).where(Idea.initiator_id == user.id)):
        if session.scalar(select(func.count()).select_from(CoCreator).where(CoCreator.idea_id == idea.id)):
            idea.initiator_id = None  # shown as by a former user; co-creators keep their idea
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
