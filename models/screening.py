"""Coordinators' operations on volunteers: review decisions, notes, screening, assisted profiles, audit.

Every operation that reads or changes a volunteer's private or screening data on staff's behalf
writes exactly one AuditEntry, so the citizen can see who looked at their data and what was done.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from models.audit import AuditEntry
from models.base import DomainError, db
from models.people import ConsentRecord, Role, Screening, User, VolunteerProfile

# Audit actions; the citizen's insight page and the coordinator's log label them.
VIEWED_PROFILE = "profile_viewed"
VIEWED_SCREENING = "screening_viewed"
REVIEWED = "profile_reviewed"
NOTE_CHANGED = "note_changed"
SCREENING_RECORDED = "screening_recorded"
ASSISTED_CREATED = "assisted_profile_created"
CONSENT_RECORDED = "consent_recorded"
ASSISTED_SIGNUP = "assisted_signup"
PHONE_LIST = "phone_list_viewed"
DECISIONS = ("approved", "changes_requested", "declined")
CONSENT_KINDS = ("profile", "contact")
MAX_NOTE = 5000


def log_access(subject: User, *, actor: User, action: str, now: datetime, detail: str = "",
               on_behalf: bool = False) -> AuditEntry:
    """Write one audit row: `actor` looked at or changed `subject`'s private data at `now`."""
    entry = AuditEntry(actor_id=actor.id, subject_id=subject.id, action=action, detail=detail[:500],
                       on_behalf=on_behalf, created_at=now)
    db.session.add(entry)
    db.session.flush()
    return entry


def audit_trail(subject_id: int, *, limit: int = 500, skip_actor_id: int | None = None) -> list:
    """The audit rows about one person with the actor's name, newest first (rows of (AuditEntry, name))."""
    actor = aliased(User)
    query = (select(AuditEntry, actor.name).outerjoin(actor, AuditEntry.actor_id == actor.id)
             .where(AuditEntry.subject_id == subject_id))
    if skip_actor_id is not None:
        query = query.where(AuditEntry.actor_id != skip_actor_id)
    return db.session.execute(query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit)).all()


def review_profile(profile: VolunteerProfile, *, actor: User, now: datetime, decision: str,
                   message: str = "") -> VolunteerProfile:
    """Approve a profile, ask the citizen for a change, or decline it with a reason.

    Asking for a change and declining need a message to the citizen (the view sends it by mail).
    Raises DomainError "unknown_decision" or "message_required".
    """
    if decision not in DECISIONS:
        raise DomainError("unknown_decision", decision=decision)
    message = (message or "").strip()
    if decision != "approved" and not message:
        raise DomainError("message_required")
    profile.review_status = decision
    profile.review_message = message or None
    profile.reviewed_at = now
    profile.reviewed_by_id = actor.id
    log_access(profile.user, actor=actor, action=REVIEWED, now=now, detail=decision)
    return profile


def mark_profile_changed(profile: VolunteerProfile, *, now: datetime) -> VolunteerProfile:
    """The citizen changed what the coordinators review: the profile goes back into their queue.

    The one rule for every status: an approved profile, one where changes were requested and a declined
    one (the citizen may have dealt with the reason) all become "new" again; the earlier review stays
    recorded (reviewed_at), so the queue shows it as changed. A profile never reviewed just stays new.
    """
    profile.review_status = "new"
    profile.updated_at = now
    db.session.flush()
    return profile


def set_coordinator_note(profile: VolunteerProfile, *, actor: User, now: datetime, note: str) -> VolunteerProfile:
    """Replace the internal note that only coordinators see."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainError("note_too_long", limit=MAX_NOTE)
    profile.coordinator_note = note or None
    log_access(profile.user, actor=actor, action=NOTE_CHANGED, now=now)
    return profile


@dataclass(frozen=True)
class ScreeningFacts:
    """What a coordinator records: facts and dates only, never the certificate document itself."""

    certificate_status: str = "none"
    requested_on: date | None = None
    received_on: date | None = None
    valid_until: date | None = None
    pledge_given: bool = False


def record_screening(profile: VolunteerProfile, facts: ScreeningFacts, *, actor: User, now: datetime) -> list:
    """Record the screening facts for a profile, then release the sign-ups that waited for them.

    Returns the sign-ups that became accepted. Raises DomainError "certificate_dates" when the dates
    contradict each other or a received certificate lacks its dates.
    """
    _check_dates(facts)
    screening = profile.screening or db.session.scalar(select(Screening).where(Screening.profile_id == profile.id))
    if screening is None:
        screening = Screening(profile_id=profile.id)
        db.session.add(screening)
        profile.screening = screening
    screening.child_certificate_status = facts.certificate_status
    screening.child_certificate_requested_on = facts.requested_on
    screening.child_certificate_received_on = facts.received_on
    screening.child_certificate_valid_until = facts.valid_until
    if facts.pledge_given:
        screening.pledge_accepted_at = screening.pledge_accepted_at or now
    else:
        screening.pledge_accepted_at = None
    screening.recorded_by_id = actor.id
    screening.updated_at = now
    db.session.flush()
    log_access(profile.user, actor=actor, action=SCREENING_RECORDED, now=now, detail=facts.certificate_status)
    from models import tasks as task_operations  # the sign-up rules live with the sign-ups
    return task_operations.release_screened_signups(profile.user, now=now)


def _check_dates(facts: ScreeningFacts) -> None:
    if facts.certificate_status == "received" and (facts.received_on is None or facts.valid_until is None):
        raise DomainError("certificate_dates", reason="received_needs_dates")
    if facts.certificate_status == "requested" and facts.requested_on is None:
        raise DomainError("certificate_dates", reason="requested_needs_date")
    if facts.received_on and facts.valid_until and facts.valid_until < facts.received_on:
        raise DomainError("certificate_dates", reason="valid_before_received")
    if facts.requested_on and facts.received_on and facts.received_on < facts.requested_on:
        raise DomainError("certificate_dates", reason="received_before_requested")


def facts_for_task(profile: VolunteerProfile | None, task, *, on: date) -> dict[str, bool]:
    """Only the screening facts a task needs, as yes/no: no dates, no notes (for institution staff).

    Keys appear only for what the task requires: "child_certificate" (valid on `on`) and "pledge".
    """
    screening = profile.screening if profile is not None else None
    facts: dict[str, bool] = {}
    if task.requires_child_certificate:
        facts["child_certificate"] = bool(screening and screening.child_certificate_valid(on))
    if task.requires_pledge:
        facts["pledge"] = bool(screening and screening.pledge_accepted_at)
    return facts


def log_screening_views(volunteers, *, actor: User, now: datetime, detail: str = "") -> int:
    """Institution staff were shown screening facts of these volunteers: one audit row per volunteer."""
    seen = {volunteer.id: volunteer for volunteer in volunteers}
    for volunteer in seen.values():
        db.session.add(AuditEntry(actor_id=actor.id, subject_id=volunteer.id, action=VIEWED_SCREENING,
                                  detail=detail[:500], created_at=now))
    db.session.flush()
    return len(seen)


def create_assisted_profile(*, actor: User, now: datetime, name: str, email: str | None, phone: str | None,
                            consent_how: str, consent_at: datetime, postcode: str | None = None,
                            skills: str = "", interests: str = "", birth_year: int | None = None,
                            gender: str | None = None) -> User:
    """Create a citizen's account and volunteer profile on their behalf (medbetjening).

    The citizen's consent, how and when it was given, is recorded; the account has no password until
    the citizen chooses one through "forgot password" (if they have an e-mail address). The profile is
    approved at once: the coordinator met the citizen. Raises DomainError "email_taken", "consent_required"
    or "contact_required" (neither e-mail nor phone: nobody could reach them about a task).
    """
    email = (email or "").strip().lower() or None
    phone = (phone or "").strip() or None
    if not consent_how.strip():
        raise DomainError("consent_required")
    if email is None and phone is None:
        raise DomainError("contact_required")
    if email and db.session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise DomainError("email_taken")
    user = User(name=name.strip(), email=email, phone=phone, assisted_by_id=actor.id, created_at=now,
                email_verified_at=None)
    user.grant(Role.CITIZEN)
    db.session.add(user)
    db.session.flush()
    profile = VolunteerProfile(user_id=user.id, skills=skills, interests=interests, postcode=postcode or None,
                               birth_year=birth_year, gender=gender or None, consent_to_be_found=False,
                               review_status="approved", reviewed_at=now, reviewed_by_id=actor.id,
                               created_at=now, updated_at=now)
    db.session.add(profile)
    for kind in CONSENT_KINDS:
        db.session.add(ConsentRecord(user_id=user.id, kind=kind, given=True, how=consent_how.strip()[:200],
                                     recorded_by_id=actor.id, created_at=consent_at))
    db.session.flush()
    log_access(user, actor=actor, action=ASSISTED_CREATED, now=now, on_behalf=True)
    log_access(user, actor=actor, action=CONSENT_RECORDED, now=now, on_behalf=True,
               detail=f"{consent_how.strip()[:200]} ({consent_at.isoformat(timespec='minutes')})")
    return user


def assisted_sign_up(occurrence, *, volunteer: User, actor: User, now: datetime, note: str = ""):
    """Sign a citizen up for a task on their behalf; the sign-up and the audit log both say so."""
    from models import tasks as task_operations
    result = task_operations.sign_up(occurrence, volunteer=volunteer, now=now, note=note, assisted_by=actor)
    log_access(volunteer, actor=actor, action=ASSISTED_SIGNUP, now=now, on_behalf=True,
               detail=occurrence.task.title)
    return result
