"""Leaving Samskab: give back the places a person holds, then erase their personal data at once.

Both "Delete my account" and the retention job use this, so a deleted volunteer never keeps a place
in a coming task or event (the next person on the waiting list gets it, and the contact person is told).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from models import DomainError, Occurrence, Signup, db
from models.calendar import EventSignup, cancel_event_signup
from models.privacy import erase_user
from models.tasks import ACTIVE, cancel_signup
from portal.mail import notify


def withdraw_and_erase(user, *, now: datetime) -> list:
    """Cancel the user's coming sign-ups and event places, erase the user; returns the mails queued."""
    messages = []
    coming = db.session.scalars(select(Signup).join(Occurrence).where(
        Signup.user_id == user.id, Signup.status.in_(ACTIVE), Occurrence.starts_at > now))
    for signup in list(coming):
        try:
            promoted = cancel_signup(signup, actor=user, now=now, reason="")
        except DomainError:
            continue  # too late to cancel: the sign-up stays, anonymised, for the institution's counts
        messages += notify.signup_cancelled(signup, promoted)
    places = db.session.scalars(select(EventSignup).where(EventSignup.user_id == user.id,
                                                          EventSignup.cancelled.is_(False)))
    for place in list(places):
        if place.event.starts_at > now:
            cancel_event_signup(place, actor=user, now=now)
    erase_user(db.session, user, now=now)
    return [m for m in messages if m is not None]
