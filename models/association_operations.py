"""The use cases of associations (foreninger) and of every organisation's public page.

Rules held here:
- a logged-in person registers an association and becomes its first board member (CVR optional, eight
  digits when given); board members post tasks exactly as institutions do (models/task_operations.py:
  same frame, same screening), because an association is an organisation with members;
- a board member edits only their own association (a member of staff only their own institution's page);
- the "we need" list is the board's; anyone logged in may offer to fill a need (once);
- coordinators list the municipality's offers to associations.
"""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from models.associations import OFFER_KINDS, AssociationNeed, MunicipalOffer, NeedOffer
from models.audit import AuditAction, record as audit
from models.base import DomainError, db
from models.organisations import ASSOCIATION, Institution, InstitutionMember, is_member
from models.people import Role

CVR = re.compile(r"^\d{8}$")
POSTCODE = re.compile(r"^\d{4}$")
PROFILE_FIELDS = ("description", "story", "volunteer_frame", "address", "postcode", "email", "phone", "activity", "cvr")


def _clean(text: str | None) -> str:
    return (text or "").strip()


def may_edit_organisation(actor, institution: Institution) -> bool:
    """Its members (staff, or board members of an association) and coordinators."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return actor.has_role(Role.COORDINATOR) or (actor.has_role(Role.STAFF) and is_member(actor, institution.id))


def _check_profile(values: dict) -> dict:
    values = {k: _clean(v) for k, v in values.items()}
    if values.get("cvr"):
        cvr = values["cvr"].replace(" ", "")
        if not CVR.match(cvr):
            raise DomainError("cvr_invalid")
        values["cvr"] = cvr
    if values.get("postcode") and not POSTCODE.match(values["postcode"]):
        raise DomainError("postcode_invalid")
    for key in ("cvr", "postcode", "email", "phone"):
        if key in values and not values[key]:
            values[key] = None
    return values


def register_association(*, actor, now: datetime, name: str, **fields) -> Institution:
    """A board member registers their association; they become its first board member.

    Raises "not_allowed", "name_required", "name_taken", "cvr_invalid" or "postcode_invalid".
    """
    if actor is None or not actor.is_active:
        raise DomainError("not_allowed")
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    name = _clean(name)[:160]
    if not name:
        raise DomainError("name_required")
    if db.session.scalar(select(Institution.id).where(Institution.name == name)):
        raise DomainError("name_taken")
    values = _check_profile(fields)
    association = Institution(name=name, kind=ASSOCIATION, created_at=now, **values)
    db.session.add(association)
    db.session.flush()
    db.session.add(InstitutionMember(institution_id=association.id, user_id=actor.id))
    if not actor.holds_role(Role.STAFF):
        actor.grant(Role.STAFF)
        audit(actor, actor=actor, action=AuditAction.ROLE_GRANTED, now=now, detail=f"staff (board of {name})")
    audit(actor, actor=actor, action=AuditAction.MEMBERSHIP_ADDED, now=now, detail=f"board of {name}")
    db.session.flush()
    return association


def edit_profile(institution: Institution, *, actor, now: datetime, **fields) -> Institution:
    """The organisation's public page: story, the frame statement, contact details (CVR for associations)."""
    if not may_edit_organisation(actor, institution):
        raise DomainError("not_allowed")
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    values = _check_profile(fields)
    if not institution.is_association:
        values.pop("cvr", None)
    for key, value in values.items():
        setattr(institution, key, value)
    db.session.flush()
    return institution


def add_board_member(association: Institution, person, *, actor, now: datetime) -> InstitutionMember:
    """A board member adds another board member (who gets the staff role for the association's tasks)."""
    if not association.is_association or not may_edit_organisation(actor, association):
        raise DomainError("not_allowed")
    if is_member(person, association.id):
        return db.session.scalar(select(InstitutionMember).where(
            InstitutionMember.institution_id == association.id, InstitutionMember.user_id == person.id))
    member = InstitutionMember(institution_id=association.id, user_id=person.id)
    db.session.add(member)
    if not person.holds_role(Role.STAFF):
        person.grant(Role.STAFF)
        audit(person, actor=actor, action=AuditAction.ROLE_GRANTED, now=now, detail=f"staff (board of {association.name})")
    audit(person, actor=actor, action=AuditAction.MEMBERSHIP_ADDED, now=now, detail=f"board of {association.name}")
    db.session.flush()
    return member


def add_need(association: Institution, *, actor, now: datetime, title: str, description: str = "",
             period: str = "") -> AssociationNeed:
    """Raises "not_allowed" or "title_required"."""
    if not association.is_association or not may_edit_organisation(actor, association):
        raise DomainError("not_allowed")
    title = _clean(title)[:160]
    if not title:
        raise DomainError("title_required")
    need = AssociationNeed(institution_id=association.id, title=title, description=_clean(description),
                           period=_clean(period)[:80], filled=False, created_at=now)
    db.session.add(need)
    db.session.flush()
    return need


def mark_need_filled(need: AssociationNeed, *, actor, now: datetime) -> AssociationNeed:
    if not may_edit_organisation(actor, need.institution):
        raise DomainError("not_allowed")
    need.filled = True
    db.session.flush()
    return need


def offer_for_need(need: AssociationNeed, *, person, now: datetime, message: str = "") -> NeedOffer:
    """Offer to fill a need (once; again changes nothing). Raises "need_filled" or "not_allowed"."""
    if need.filled:
        raise DomainError("need_filled")
    if not person.is_active:
        raise DomainError("not_allowed")
    existing = db.session.scalar(select(NeedOffer).where(NeedOffer.need_id == need.id, NeedOffer.user_id == person.id))
    if existing is not None:
        return existing
    offer = NeedOffer(need_id=need.id, user_id=person.id, message=_clean(message)[:2000], created_at=now)
    db.session.add(offer)
    db.session.flush()
    return offer


def add_municipal_offer(*, actor, now: datetime, kind: str, title: str, description: str, how_to_apply: str,
                        link: str = "") -> MunicipalOffer:
    """Raises "not_allowed", "invalid_kind" or "title_required"."""
    if actor is None or not actor.has_role(Role.COORDINATOR):
        raise DomainError("not_allowed")
    if kind not in OFFER_KINDS:
        raise DomainError("invalid_kind")
    if not _clean(title) or not _clean(how_to_apply):
        raise DomainError("title_required")
    offer = MunicipalOffer(kind=kind, title=_clean(title)[:160], description=_clean(description),
                           how_to_apply=_clean(how_to_apply), link=_clean(link)[:300], created_at=now)
    db.session.add(offer)
    db.session.flush()
    return offer
