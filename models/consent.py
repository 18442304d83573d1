"""Consent scopes: who may find a person, decided here and nowhere else.

Every page, suggestion, invitation and export that shows a person to someone who did not already
meet them (through a sign-up, or by joining an idea) asks `findable(audience)`, as SQL, or
`may_find(person, audience)` for one person, which evaluates the same condition:

- coordinators and institutions find the people who said "coordinators and institutions may find me
  and invite me" (consent_to_be_found), unless the coordinators declined their profile
  (ReviewStatus.BARRED);
- other citizens (an idea's initiator) find them only if they also chose the separate consent
  "citizens with an idea may see my name and what I offer" (consent_shown_to_citizens) and the
  coordinators approved the profile. Without it an initiator sees how many people fit, never who.
"""
from __future__ import annotations

from sqlalchemy import and_, select

from models.base import db
from models.people import ReviewStatus, User, VolunteerProfile


# How a consent was given, as the person reads it in their data (stored as written, in Danish).
HOW_PROFILE = "online, på profilsiden"
HOW_SIGN_UP = "online, ved tilmeldingen"
# Records written before the words were Danish, shown in Danish.
LEGACY_HOW = {"online, profile page": HOW_PROFILE, "online, when signing up": HOW_SIGN_UP, "online": "online"}


def how_shown(how: str | None) -> str:
    return LEGACY_HOW.get(how or "", how or "")


class Audience:
    COORDINATORS = "coordinators"
    INSTITUTIONS = "institutions"
    CITIZENS = "citizens"
    ALL = (COORDINATORS, INSTITUTIONS, CITIZENS)


def findable(audience: str):
    """SQL: the profiles (joined with their users) that `audience` may find."""
    if audience not in Audience.ALL:
        raise ValueError(f"unknown audience {audience!r}")
    condition = and_(VolunteerProfile.consent_to_be_found.is_(True),
                     VolunteerProfile.review_status.not_in(ReviewStatus.BARRED),
                     User.active.is_(True), User.deleted_at.is_(None))
    if audience == Audience.CITIZENS:
        condition = and_(condition, VolunteerProfile.consent_shown_to_citizens.is_(True),
                         VolunteerProfile.review_status == ReviewStatus.APPROVED)
    return condition


def findable_profiles(audience: str):
    """A select of the profiles `audience` may find (add columns or conditions as needed)."""
    return select(VolunteerProfile).join(User, VolunteerProfile.user_id == User.id).where(findable(audience))


def may_find(person: User, audience: str) -> bool:
    """Whether `audience` may find this one person (the same condition as `findable`)."""
    query = findable_profiles(audience).where(VolunteerProfile.user_id == person.id)
    return db.session.scalar(query.with_only_columns(VolunteerProfile.id)) is not None
