"""The use cases of volunteers: their own profile, the coordinators' review, screening and assisted profiles.

Like every *_operations module, each function checks every rule of its use case, writes, records the
audit entry (the citizen sees who looked at or changed their data, and what was decided) and tells who
must be told, in the caller's transaction; it flushes, never commits.

A declined profile holds no place: declining gives its coming places back (the waiting lists move up)
and tells the citizen kindly, once, with the decision. When the citizen changes a declined profile it
goes back to the coordinators' queue as "resubmitted", still holding no place until they decide.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from models.addresses import normalise_email
from models.audit import AuditAction, AuditEntry, record as audit
from models.base import DomainError, db
from models.consent import HOW_PROFILE
from models.notices import Notice, tell
from models.people import (GENDERS, AvailabilitySlot, AwayPeriod, CertificateStatus, ConsentRecord, ReviewStatus,
                           Role, Screening, User, VolunteerProfile)

DECISIONS = (ReviewStatus.APPROVED, ReviewStatus.CHANGES_REQUESTED, ReviewStatus.DECLINED)
MAX_NOTE = 5000


class ConsentKind:
    """What a ConsentRecord is about."""

    PROFILE = "profile"                       # keeping the profile and contact details (assisted profiles)
    CONTACT = "contact"                       # being contacted about tasks (assisted profiles)
    BE_FOUND = "be_found"                     # coordinators and institutions may find and invite me
    SHOWN_TO_CITIZENS = "shown_to_citizens"   # citizens with an idea may see my name and what I offer
    PLEDGE = "confidentiality_pledge"
    ASSISTED = (PROFILE, CONTACT)


def awaiting_review():
    """SQL: the profiles in the coordinators' review queue (new, changed, or changed after a decline)."""
    return VolunteerProfile.review_status.in_(ReviewStatus.QUEUE)


# --- the citizen's own profile -----------------------------------------------------------------------

# What the coordinators approved; a change to any of these sends the profile back to their queue.
REVIEWED_FIELDS = ("skills", "interests", "tags", "postcode", "travel_km", "languages", "offers_time",
                   "offers_ideas", "motivations", "consent_to_be_found", "consent_shown_to_citizens")


KEEP = object()  # a ProfileChanges field that leaves what is recorded alone


@dataclass
class ProfileChanges:
    """What the profile page sends, parsed."""

    skills: str = ""
    interests: str = ""
    tags: list[str] = field(default_factory=list)
    postcode: str | None = None
    travel_km: int | None = None
    languages: str = ""
    offers_time: bool = True
    offers_ideas: bool = False
    motivations: list[str] = field(default_factory=list)
    consent_to_be_found: bool = False
    consent_shown_to_citizens: bool = False
    availability: set[tuple[int, str]] = field(default_factory=set)
    away: set[tuple[date, date]] = field(default_factory=set)
    # Optional facts with a stated purpose (portal.citizens.purposes): the phone is the account's, birth
    # year and gender only feed the overview's breadth figures. KEEP leaves what is recorded as it is.
    phone: str | None | object = KEEP
    birth_year: int | None | object = KEEP
    gender: str | None | object = KEEP


def _snapshot(profile: VolunteerProfile) -> tuple:
    slots = sorted((s.weekday, s.part) for s in profile.availability)
    away = sorted((a.starts_on, a.ends_on) for a in profile.away)
    return tuple(getattr(profile, name) for name in REVIEWED_FIELDS) + (tuple(slots), tuple(away))


def update_profile(user: User, changes: ProfileChanges, *, now: datetime) -> VolunteerProfile:
    """The citizen writes their profile (creating it the first time).

    Each consent that changes is recorded with its time. A change to what the coordinators reviewed
    returns the profile to their queue: approved, returned and new profiles become "new"; a declined
    one becomes "resubmitted" and still holds no place until a coordinator decides again. Seeing one's
    name shown to citizens needs the consent to be found as well. Raises DomainError "consent_scope".
    """
    if changes.consent_shown_to_citizens and not changes.consent_to_be_found:
        raise DomainError("consent_scope")
    profile = user.profile
    if profile is None:
        profile = VolunteerProfile(user=user, skills="", interests="", tags="", motivations="", languages="",
                                   created_at=now)
        db.session.add(profile)
        db.session.flush()
    before = _snapshot(profile)
    consents = {kind: getattr(profile, name) for kind, name in _CONSENT_FIELDS.items()}
    profile.skills, profile.interests = changes.skills or "", changes.interests or ""
    profile.tags = ",".join(changes.tags)
    profile.postcode = changes.postcode or None
    profile.travel_km = changes.travel_km
    profile.languages = changes.languages or ""
    profile.offers_time, profile.offers_ideas = changes.offers_time, changes.offers_ideas
    profile.motivations = ",".join(changes.motivations)
    profile.consent_to_be_found = changes.consent_to_be_found
    profile.consent_shown_to_citizens = changes.consent_shown_to_citizens
    if changes.birth_year is not KEEP:
        profile.birth_year = changes.birth_year
    if changes.gender is not KEEP:
        if changes.gender not in (None, *GENDERS):
            raise DomainError("gender_unknown")
        profile.gender = changes.gender
    if changes.phone is not KEEP:
        user.phone = (changes.phone or "").strip() or None
    profile.availability = [s for s in profile.availability if (s.weekday, s.part) in changes.availability]
    have = {(s.weekday, s.part) for s in profile.availability}
    profile.availability.extend(AvailabilitySlot(weekday=d, part=p) for d, p in sorted(changes.availability - have))
    profile.away = [a for a in profile.away if (a.starts_on, a.ends_on) in changes.away]
    kept = {(a.starts_on, a.ends_on) for a in profile.away}
    profile.away.extend(AwayPeriod(starts_on=s, ends_on=e) for s, e in sorted(changes.away - kept))
    for kind, name in _CONSENT_FIELDS.items():
        if getattr(profile, name) != consents[kind]:
            db.session.add(ConsentRecord(user_id=user.id, kind=kind, given=getattr(profile, name),
                                         how=HOW_PROFILE, created_at=now))
    if _snapshot(profile) != before:
        profile.review_status = (ReviewStatus.RESUBMITTED if profile.review_status in ReviewStatus.BARRED
                                 else ReviewStatus.NEW)
    profile.updated_at = now
    db.session.flush()
    return profile


_CONSENT_FIELDS = {ConsentKind.BE_FOUND: "consent_to_be_found",
                   ConsentKind.SHOWN_TO_CITIZENS: "consent_shown_to_citizens"}


def give_pledge(user: User, *, now: datetime, how: str, release: bool = True):
    """The volunteer gives the confidentiality pledge themselves; the consent is recorded with its time.

    With `release`, the sign-ups that waited only for it are accepted (signing up does this itself).
    Returns the screening record.
    """
    profile = user.profile
    if profile is None:
        profile = VolunteerProfile(user=user)
        db.session.add(profile)
    screening = profile.screening
    if screening is None:
        screening = Screening(profile=profile)
        db.session.add(screening)
    if screening.pledge_accepted_at is None:
        screening.pledge_accepted_at = now
        db.session.add(ConsentRecord(user_id=user.id, kind=ConsentKind.PLEDGE, given=True, how=how, created_at=now))
    db.session.flush()
    if release:
        from models import task_operations
        task_operations.recheck_screening(task_operations.holding_signups_of(user), now=now)
    return screening


# --- the coordinators' review -------------------------------------------------------------------------

def review_profile(profile: VolunteerProfile, *, actor: User, now: datetime, decision: str,
                   message: str = "") -> VolunteerProfile:
    """A coordinator approves a profile, returns it to the citizen for a change, or declines it.

    Returning and declining need a message to the citizen. Declining gives back every coming place
    the volunteer holds or waits for (each waiting list moves up, each contact person is told) and
    the citizen gets one kind mail with the decision and the places given back. The decision is in
    the audit log the citizen sees. Raises DomainError "not_allowed", "unknown_decision" or
    "message_required".
    """
    if not actor.has_role(Role.COORDINATOR):
        raise DomainError("not_allowed")
    if decision not in DECISIONS:
        raise DomainError("unknown_decision", decision=decision)
    message = (message or "").strip()
    if decision != ReviewStatus.APPROVED and not message:
        raise DomainError("message_required")
    profile.review_status = decision
    profile.review_message = message or None
    profile.reviewed_at = now
    profile.reviewed_by_id = actor.id
    profile.updated_at = now
    db.session.flush()
    audit(profile.user, actor=actor, action=AuditAction.REVIEWED, now=now, detail=decision)
    released = []
    if decision == ReviewStatus.DECLINED:
        from models.task_operations import withdraw_from_coming
        released = withdraw_from_coming(profile.user, now=now)
        if released:
            audit(profile.user, actor=actor, action=AuditAction.PLACES_RELEASED, now=now,
                  detail=", ".join(s.occurrence.task.title for s in released))
    tell(Notice.PROFILE_REVIEWED, profile=profile, decision=decision, message=message, released=released)
    return profile


def set_coordinator_note(profile: VolunteerProfile, *, actor: User, now: datetime, note: str) -> VolunteerProfile:
    """Replace the internal note that only coordinators see."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainError("note_too_long", limit=MAX_NOTE)
    profile.coordinator_note = note or None
    audit(profile.user, actor=actor, action=AuditAction.NOTE_CHANGED, now=now)
    return profile


# --- screening ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScreeningFacts:
    """What a coordinator records: facts and dates only, never the certificate document itself."""

    certificate_status: str = CertificateStatus.NONE
    requested_on: date | None = None
    received_on: date | None = None
    valid_until: date | None = None
    pledge_given: bool = False


@dataclass
class ScreeningResult:
    accepted: list                    # sign-ups accepted now that screening is in place (they are told)
    waiting_again: list               # accepted sign-ups that wait for screening again (a date moved back)


def record_screening(profile: VolunteerProfile, facts: ScreeningFacts, *, actor: User, now: datetime
                     ) -> ScreeningResult:
    """A coordinator records the screening facts; every coming sign-up of the volunteer follows them.

    Pending sign-ups whose requirements are now met on their day are accepted (and told); accepted
    ones that no longer meet them (say, a certificate now valid only until before the day) wait
    again as pending, keeping their places. Raises DomainError "not_allowed" or "certificate_dates"
    when the dates contradict each other or a received certificate lacks its dates.
    """
    if not actor.has_role(Role.COORDINATOR):
        raise DomainError("not_allowed")
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
    audit(profile.user, actor=actor, action=AuditAction.SCREENING_RECORDED, now=now, detail=facts.certificate_status)
    from models import task_operations
    accepted, waiting = task_operations.recheck_screening(task_operations.holding_signups_of(profile.user), now=now)
    return ScreeningResult(accepted, waiting)


def _check_dates(facts: ScreeningFacts) -> None:
    if facts.certificate_status == CertificateStatus.RECEIVED and (facts.received_on is None or facts.valid_until is None):
        raise DomainError("certificate_dates", reason="received_needs_dates")
    if facts.certificate_status == CertificateStatus.REQUESTED and facts.requested_on is None:
        raise DomainError("certificate_dates", reason="requested_needs_date")
    if facts.received_on and facts.valid_until and facts.valid_until < facts.received_on:
        raise DomainError("certificate_dates", reason="valid_before_received")
    if facts.requested_on and facts.received_on and facts.received_on < facts.requested_on:
        raise DomainError("certificate_dates", reason="received_before_requested")


def log_screening_views(volunteers, *, actor: User, now: datetime, detail: str = "") -> int:
    """Institution staff were shown screening facts of these volunteers: one audit row per volunteer."""
    seen = {volunteer.id: volunteer for volunteer in volunteers}
    for volunteer in seen.values():
        db.session.add(AuditEntry(actor_id=actor.id, subject_id=volunteer.id, action=AuditAction.VIEWED_SCREENING,
                                  detail=detail[:500], created_at=now))
    db.session.flush()
    return len(seen)


# --- assisted service (medbetjening) -----------------------------------------------------------------

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
    email = normalise_email(email)
    phone = (phone or "").strip() or None
    if not consent_how.strip():
        raise DomainError("consent_required")
    if email is None and phone is None:
        raise DomainError("contact_required")
    if email and User.by_email(email) is not None:
        raise DomainError("email_taken")
    if not actor.has_role(Role.COORDINATOR):
        raise DomainError("not_allowed")
    user = User(name=name.strip(), email=email, phone=phone, assisted_by_id=actor.id, created_at=now,
                email_verified_at=None)
    user.grant(Role.CITIZEN)
    db.session.add(user)
    db.session.flush()
    profile = VolunteerProfile(user_id=user.id, skills=skills, interests=interests, postcode=postcode or None,
                               birth_year=birth_year, gender=gender or None, consent_to_be_found=False,
                               review_status=ReviewStatus.APPROVED, reviewed_at=now, reviewed_by_id=actor.id,
                               created_at=now, updated_at=now)
    db.session.add(profile)
    for kind in ConsentKind.ASSISTED:
        db.session.add(ConsentRecord(user_id=user.id, kind=kind, given=True, how=consent_how.strip()[:200],
                                     recorded_by_id=actor.id, created_at=consent_at))
    db.session.flush()
    audit(user, actor=actor, action=AuditAction.ASSISTED_CREATED, now=now, on_behalf=True)
    audit(user, actor=actor, action=AuditAction.CONSENT_RECORDED, now=now, on_behalf=True,
               detail=f"{consent_how.strip()[:200]} ({consent_at.isoformat(timespec='minutes')})")
    return user
