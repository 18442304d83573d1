"""Writes e-mails to the outbox inside the caller's transaction, deduplicated by key.

Each queued message is remembered on the session; once its transaction commits it is handed to
`take_committed()`, which the factory's after-request hook (and the scheduler's job runner) use to
send right away what a request or job caused (portal.mail.sender.deliver_committed).
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import OutboxMessage, OutboxStatus, User, db, utcnow
from portal import tokens
from portal.mail import kinds as mail_kinds
from portal.mail import preferences

QUEUED, COMMITTED = "samskab.outbox.queued", "samskab.outbox.committed"
# A scheduled job's moment (portal.scheduler.jobs.execute): what it queues is due from then.
DUE_AT = "samskab.outbox.due_at"
SETTINGS_TOKEN = "mail-settings"
UNSUBSCRIBE_TOKEN = "unsubscribe"
# Links in mails keep working for a good while: an old mail's unsubscribe link must still work.
LINK_MAX_AGE = 400 * 24 * 3600


def external_url(endpoint: str, **values) -> str:
    """An absolute link for e-mails, built on BASE_URL, so jobs outside a request make the same links.

    An endpoint that does not exist (or lacks a value) raises werkzeug's BuildError: a mail never
    links somewhere else than meant.
    """
    return _adapter(current_app.url_map, current_app.config["BASE_URL"]).build(endpoint, values, force_external=True)


@lru_cache(maxsize=16)
def _adapter(url_map, base_url: str):
    # Bound once per site address: a job builds four links for each of thousands of mails.
    base = urlsplit(base_url)
    return url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http")


def settings_url(user: User) -> str:
    return external_url("mail.settings_by_token", token=tokens.make(SETTINGS_TOKEN, {"uid": user.id}))


def unsubscribe_url(user: User, kind_names: list[str]) -> str:
    token = tokens.make(UNSUBSCRIBE_TOKEN, {"uid": user.id, "kinds": list(kind_names)})
    return external_url("mail.unsubscribe", token=token)


def _user_for(recipient: User | str) -> User | None:
    if isinstance(recipient, User):
        return recipient
    # A contact address that belongs to a profile gets that person's language and choices.
    return User.by_email(recipient)


def queue_mail(kind: str, *, dedup_key: str, recipient: User | str, subject, template: str,
               context: dict | None = None, ics: str | None = None, ref: str | None = None,
               expires_at: datetime | None = None, unsubscribe_kinds: list[str] | None = None,
               checked: bool = False) -> OutboxMessage | None:
    """Queue one e-mail unless the same dedup key was queued before; returns the new row or None.

    `subject` is a callable (so it is translated in the recipient's language) or a string.
    Nothing is queued when the recipient turned this kind off. `ref` names what the mail is about
    (see portal.mail.checks) and `expires_at` when it goes stale; the sender drops it then instead
    of sending something no longer true. The row is flushed within a savepoint, so a concurrent
    duplicate never spoils the caller's work. A bulk caller that already checked the keys and the
    preferences for all its mails passes `checked=True`: the row is only added, and a concurrent
    duplicate surfaces at the caller's commit (see portal.scheduler.jobs.execute).
    """
    if not recipient:
        return None
    user = _user_for(recipient)
    address = user.email if user else recipient
    if not address or (user is not None and not _gets_mail(user)):
        return None
    key = dedup_key[:255]
    if not checked:
        if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key == key)) is not None:
            return None
        if user is not None and not any(preferences.is_enabled(user, k) for k in (unsubscribe_kinds or [kind])):
            return None
    links = _links(user, unsubscribe_kinds or [kind])
    locale = user.locale if user else "da"
    ctx = {"recipient": user, "base_url": current_app.config["BASE_URL"], "kind": kind, **links,
           **(context or {})}
    with force_locale(locale):
        title = subject() if callable(subject) else subject
        ctx["gettext"] = _bound_gettext(get_translations())
        text = _render(f"mail/{template}.txt", subject=title, **ctx)
        html = _render(f"mail/{template}.html", subject=title, **ctx)
    return _add(OutboxMessage(dedup_key=key, kind=kind, user_id=user.id if user else None, recipient=address,
                              subject=str(title)[:255], body_text=text, body_html=html, ics=ics,
                              status=OutboxStatus.QUEUED, next_attempt_at=_due_at(), ref=ref, expires_at=expires_at,
                              unsubscribe_url=links["unsubscribe_url"]), checked)


def _due_at() -> datetime:
    return db.session.info.get(DUE_AT) or utcnow()


def _add(message: OutboxMessage, checked: bool) -> OutboxMessage | None:
    if checked:
        db.session.add(message)
    else:
        try:
            with db.session.begin_nested():
                db.session.add(message)
        except IntegrityError:
            return None
    db.session.info.setdefault(QUEUED, []).append(message)
    return message


def _gets_mail(user: User) -> bool:
    return bool(user.email) and user.active is not False and user.deleted_at is None


def _bound_gettext(translations):
    """The templates' `_()` bound to one catalogue: a batch of mails skips Flask-Babel's per-call lookup.

    Behaves like Jinja's new-style gettext: the result is a format string, escaped in HTML templates.
    """
    @pass_context
    def gettext(context, message: str, **variables) -> str:
        result = translations.ugettext(message)
        if context.eval_ctx.autoescape:
            result = Markup(result)
        return result % variables

    return gettext


def _render(name: str, **context) -> str:
    # Straight from the Jinja environment: the site's context processors (navigation, the signed-in
    # user) belong to web pages and would need a request, which jobs do not have.
    return current_app.jinja_env.get_template(name).render(**context)


def _links(user: User | None, kind_names: list[str]) -> dict:
    """The footer links: settings for every profile, one-click unsubscribe for optional kinds."""
    if user is None:
        return {"settings_url": None, "unsubscribe_url": None}
    optional = [name for name in kind_names if mail_kinds.get(name).optional]
    return {"settings_url": settings_url(user),
            "unsubscribe_url": unsubscribe_url(user, optional) if optional else None}


def already_queued(keys) -> set[str]:
    """The deduplication keys among `keys` that are in the outbox (one query per 500 keys)."""
    keys = [key[:255] for key in keys]
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        found.update(db.session.scalars(select(OutboxMessage.dedup_key).where(OutboxMessage.dedup_key.in_(chunk))))
    return found


# --- what a transaction queued, once it committed ------------------------------------------------

def _committed(session) -> None:
    if not session.in_nested_transaction():
        session.info.setdefault(COMMITTED, []).extend(session.info.pop(QUEUED, []))


def _rolled_back(session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(QUEUED, None)


def track_commits(session) -> None:
    """Follow the session's commits and rollbacks (the factory calls this once)."""
    from sqlalchemy import event
    for name, listener in (("after_commit", _committed), ("after_rollback", _rolled_back)):
        if not event.contains(session, name, listener):
            event.listen(session, name, listener)


def queued_in_transaction() -> list[OutboxMessage]:
    """The messages queued in this session's open transaction (not committed yet)."""
    return list(db.session.info.get(QUEUED, []))


def hand_over(messages) -> None:
    """Leave these committed messages to another sender (account mails go out after the response), so the
    after-request hook does not also send them inside the request."""
    committed = db.session.info.get(COMMITTED)
    if committed:
        handed = {id(m) for m in messages}
        committed[:] = [m for m in committed if id(m) not in handed]


def take_committed() -> list[OutboxMessage]:
    """The messages queued in this session whose transaction has committed since the last call."""
    return db.session.info.pop(COMMITTED, [])


# --- one rendering for a group of recipients ------------------------------------------------------
#
# A job that queues thousands of mails from one template (shift reminders: everyone on one shift gets the
# same words in their language) renders the text and HTML templates once per group, with a placeholder
# where each personal part goes (the name, the signed links). Each recipient's mail is that rendering with
# their parts put in: as they are in the text, HTML-escaped in the HTML, which is what autoescaping does
# when the templates are rendered for one recipient. tests/portal/mail/test_stencil.py holds the two ways
# to the same bytes, for several languages and names with HTML's special characters.

_MARK = "zq" + secrets.token_hex(8)  # new in every process: no task title or name can contain it
_PLACEHOLDER = re.compile(f"{_MARK}([a-z_]+){_MARK}")


class StencilError(RuntimeError):
    """The template uses a personal part in a way a group rendering cannot reproduce."""


def _placeholder(field: str) -> str:
    return f"{_MARK}{field}{_MARK}"


class _Recipient:
    """Stands for the recipient while a group's stencil is rendered: the name is a placeholder and the
    language the group's; reading anything else of the person raises instead of rendering it wrong."""

    def __init__(self, locale: str):
        self.locale = locale
        self.name = _placeholder("name")

    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        raise StencilError(f"the template reads recipient.{attribute}")

    def __getitem__(self, item):
        raise StencilError(f"the template reads recipient[{item!r}]")


def _parts(rendered: str) -> list[str]:
    """[literal, field, literal, field, …, literal]; a placeholder a filter changed is refused."""
    parts = _PLACEHOLDER.split(rendered)
    if any(_MARK[2:] in part.lower() for part in parts[::2]):
        raise StencilError("a placeholder was changed by a filter")
    return parts


class Stencil:
    """A mail kind's text and HTML rendered once for recipients of one language; `fill` makes one mail."""

    def __init__(self, subject: str, text: str, html: str):
        self.subject = subject
        self._text, self._html = _parts(text), _parts(html)

    @staticmethod
    def _join(parts: list[str], values: dict[str, str]) -> str:
        return "".join([part if i % 2 == 0 else values[part] for i, part in enumerate(parts)])

    def fill(self, values: dict[str, str]) -> tuple[str, str]:
        values = {name: str(value) for name, value in values.items()}
        return (self._join(self._text, values),
                self._join(self._html, {name: str(escape(value)) for name, value in values.items()}))


def stencil(kind: str, *, locale: str, subject, template: str, context: dict, personal=()) -> Stencil:
    """Render `template` once for the recipients in `locale` who are profiles (queue_mail's context: the
    footer links and `recipient.name` personal, plus the context keys named in `personal`)."""
    links = {name: _placeholder(name) for name in ("settings_url", "unsubscribe_url")}
    if not mail_kinds.get(kind).optional:
        links["unsubscribe_url"] = None
    ctx = {"recipient": _Recipient(locale), "base_url": current_app.config["BASE_URL"], "kind": kind, **links,
           **context, **{name: _placeholder(name) for name in personal}}
    with force_locale(locale):
        title = subject() if callable(subject) else subject
        ctx["gettext"] = _bound_gettext(get_translations())
        text = _render(f"mail/{template}.txt", subject=title, **ctx)
        html = _render(f"mail/{template}.html", subject=title, **ctx)
    if _MARK in str(title):
        raise StencilError("the subject has a personal part")
    return Stencil(str(title), text, html)


def queue_from_stencil(mold: Stencil, kind: str, *, dedup_key: str, recipient: User, values: dict | None = None,
                       ref: str | None = None, expires_at: datetime | None = None) -> OutboxMessage | None:
    """queue_mail(…, checked=True) for one recipient of a group rendered once (see `stencil`): the caller
    checked the keys and the preferences; the same mail, only the templates are not rendered again."""
    if not _gets_mail(recipient):
        return None
    unsubscribe = unsubscribe_url(recipient, [kind]) if mail_kinds.get(kind).optional else None
    text, html = mold.fill({"name": recipient.name, "settings_url": settings_url(recipient),
                            "unsubscribe_url": unsubscribe or "", **(values or {})})
    return _add(OutboxMessage(dedup_key=dedup_key[:255], kind=kind, user_id=recipient.id,
                              recipient=recipient.email, subject=mold.subject[:255], body_text=text, body_html=html,
                              status=OutboxStatus.QUEUED, next_attempt_at=_due_at(), ref=ref, expires_at=expires_at,
                              unsubscribe_url=unsubscribe), checked=True)
