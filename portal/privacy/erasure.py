"""Leaving Samskab: give back the places a person holds, then erase their personal data at once.

Both "Delete my account" and the retention job use this, so a deleted volunteer never keeps a place
in a coming task or event: the task places go through the same door as a declined profile's
(models.task_operations.withdraw_from_coming: the waiting list moves up, the contact person is told).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from models import db
from models.calendar import EventSignup, cancel_event_signup
from models.privacy import LEAVER, erase_user, identifying_strings
from models.task_operations import withdraw_from_coming


def withdraw_and_erase(user, *, now: datetime) -> None:
    """Give back the user's coming task and event places, then erase the user.

    The notices the withdrawal writes ("… har meldt afbud") already speak of "en frivillig".
    """
    needles = identifying_strings(user)
    user.name = LEAVER
    user.phone = None
    withdraw_from_coming(user, now=now)
    places = db.session.scalars(select(EventSignup).where(EventSignup.user_id == user.id,
                                                          EventSignup.cancelled.is_(False)))
    for place in list(places):
        if place.event.starts_at > now:
            cancel_event_signup(place, actor=user, now=now)
    erase_user(db.session, user, now=now, needles=needles)
