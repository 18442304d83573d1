"""Which kinds of mail a user gets: stored choices over the kinds' defaults."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from models.base import chunks
from models import NotificationPreference, User, db
from portal.mail import kinds as mail_kinds

DEFAULT_FREQUENCY = "weekly"


@dataclass(frozen=True)
class Choice:
    enabled: bool
    frequency: str | None  # digest kinds only


def choices(user: User) -> dict[str, Choice]:
    """The user's effective choice for every optional kind (defaults where nothing is stored)."""
    stored = {p.kind: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    result = {}
    for kind in mail_kinds.KINDS:
        if not kind.optional:
            continue
        row = stored.get(kind.name)
        enabled = row.enabled if row is not None else kind.default
        frequency = ((row.frequency if row is not None else None) or DEFAULT_FREQUENCY) if kind.is_digest else None
        result[kind.name] = Choice(enabled, frequency)
    return result


def is_enabled(user: User, kind_name: str) -> bool:
    """Whether `user` gets mails of this kind; mandatory and unknown kinds are always on."""
    kind = mail_kinds.get(kind_name)
    if not kind.optional:
        return True
    stored = db.session.scalar(select(NotificationPreference.enabled).where(
        NotificationPreference.user_id == user.id, NotificationPreference.kind == kind.name))
    return kind.default if stored is None else stored


def turned_off(user_ids, kind_name: str) -> set[int]:
    """Among `user_ids`, those who do not get this kind (one query for a whole job's recipients)."""
    kind = mail_kinds.get(kind_name)
    ids = list(user_ids)
    if not kind.optional or not ids:
        return set()
    stored = {}
    for batch in chunks(ids):  # a job's recipients can be 100,000 people: bounded IN lists
        stored.update(db.session.execute(select(NotificationPreference.user_id, NotificationPreference.enabled).where(
            NotificationPreference.user_id.in_(batch), NotificationPreference.kind == kind.name)).all())
    return {uid for uid in ids if not stored.get(uid, kind.default)}


def save(user: User, wanted: dict[str, Choice]) -> None:
    """Store the user's choices for optional kinds; mandatory kinds are ignored. Flushes."""
    stored = {p.kind: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    for name, choice in wanted.items():
        kind = mail_kinds.BY_NAME.get(name)
        if kind is None or not kind.optional:
            continue
        frequency = choice.frequency if kind.is_digest else None
        row = stored.get(name)
        if row is None:
            db.session.add(NotificationPreference(user_id=user.id, kind=name, enabled=choice.enabled,
                                                  frequency=frequency))
        elif row.enabled != choice.enabled or row.frequency != frequency:
            row.enabled, row.frequency = choice.enabled, frequency
    db.session.flush()


def turn_off(user: User, kind_names) -> list[str]:
    """Turn the given optional kinds off (the one-click unsubscribe); returns the kinds changed."""
    current = choices(user)
    changed = [name for name in kind_names if name in current and current[name].enabled]
    save(user, {name: Choice(False, current[name].frequency) for name in changed})
    return changed


def digest_subscribers(frequency: str) -> dict[int, list[str]]:
    """{user id: [digest kinds]} for users who turned on a digest kind at this frequency."""
    rows = db.session.execute(
        select(NotificationPreference.user_id, NotificationPreference.kind, NotificationPreference.frequency)
        .where(NotificationPreference.enabled.is_(True),
               NotificationPreference.kind.in_([k.name for k in mail_kinds.DIGEST_KINDS])))
    result: dict[int, list[str]] = {}
    for user_id, kind, stored_frequency in rows:
        if (stored_frequency or DEFAULT_FREQUENCY) == frequency:
            result.setdefault(user_id, []).append(kind)
    return result
