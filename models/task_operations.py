"""The use cases of tasks and sign-ups: one function each, the door every caller goes through.

Citizens' pages, the coordinators' assisted service, staff pages, signed mail links, erasure, the
scheduler and the CLI all call these, so a rule cannot hold on one path and not on another. Each
checks every rule of its use case, writes, records the audit entry and tells who must be told
(models.notices) in the caller's transaction; it flushes, never commits. A forbidden act raises
DomainError, whose code the view turns into a Danish message.

The rules held here:
- a sign-up on a task that requires a child certificate (or the pledge) is accepted only when a
  certificate valid on the occurrence's local day (or the pledge) is recorded; until then it holds
  its place as "pending", in the coordinators' queue, and becomes accepted by itself once recorded;
- a volunteer whose profile is declined holds no place and cannot be signed up or invited;
- places are taken with a locked, conditional update, and a freed place goes to the waiting list in
  the order of signing up;
- waiting for screening is the coordinators' work: the pending follow-ups tell them, not the
  institution, pause the closing while a certificate is requested, and close a time already passed
  quietly.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import selectinload

from models.audit import AuditAction, record as audit
from models.base import DomainError, db
from models.consent import HOW_SIGN_UP
from models.notices import Notice, tell
from models.organisations import InstitutionMember
from models.people import CertificateStatus, ReviewStatus, Role, User, VolunteerProfile
from models.teams import TeamMember, TeamSignup, holds_for_member, team_confirmed_count
from models.tasks import (BREADTH_FLAGS, Occurrence, Recurrence, Signup, SignupStatus, Task, TaskKind, TaskStatus,
                          before_deadline, can_cancel, missing_for, missing_frame, overlapping,
                          waitlist_positions)

PENDING_NUDGE_AFTER = timedelta(days=3)    # tell the coordinators about screening not yet begun
PENDING_CLOSE_AFTER = timedelta(days=10)   # then close it with a friendly word to the citizen
# Edits to these change what volunteers agreed to: they are told, and calendars are updated.
NOTIFY_FIELDS = ("title", "place", "postcode", "volunteers_do", "volunteers_do_not", "contact_name", "contact_email",
                 "contact_phone", "requires_child_certificate", "requires_pledge", "compensation_note",
                 "insurance_note")
TEXT_FIELDS = ("title", "description", "skills_wanted", "place", "postcode", "contact_name", "contact_email",
               "contact_phone", "volunteers_do", "volunteers_do_not", "compensation_note", "insurance_note",
               "requires_child_certificate", "requires_pledge", "hours_estimate", *BREADTH_FLAGS)


# --- who may act -------------------------------------------------------------------------------

def may_manage(actor, task: Task) -> bool:
    """Staff of the task's institution, and coordinators, manage a task and answer its sign-ups."""
    if actor is None:
        return False
    if actor.has_role(Role.COORDINATOR):
        return True
    return actor.has_role(Role.STAFF) and db.session.scalar(select(InstitutionMember.id).where(
        InstitutionMember.institution_id == task.institution_id, InstitutionMember.user_id == actor.id)) is not None


def _require_manager(actor, task: Task) -> None:
    if not may_manage(actor, task):
        raise DomainError("not_allowed")


def is_declined(volunteer) -> bool:
    """The coordinators declined the volunteer's profile: they hold no place and are not invited."""
    profile = volunteer.profile
    return profile is not None and profile.review_status in ReviewStatus.BARRED


# --- places: taken with a lock and a conditional update ---------------------------------------------

def lock_places(occurrence: Occurrence) -> Occurrence:
    """Row lock on the occurrence (PostgreSQL): sign-ups on one occurrence queue up behind each other,
    and every change of its places (accepted_count, the places teams hold) happens under it."""
    return db.session.execute(select(Occurrence).where(Occurrence.id == occurrence.id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one()


def _take_spot(occurrence: Occurrence) -> bool:
    """The atomic conditional update: one more place taken if, and only if, one is free."""
    taken = db.session.execute(
        update(Occurrence).where(Occurrence.id == occurrence.id, Occurrence.accepted_count < Occurrence.capacity)
        .values(accepted_count=Occurrence.accepted_count + 1).execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.expire(occurrence, ["accepted_count"])
    return taken


def _free_spot(occurrence: Occurrence) -> None:
    db.session.execute(
        update(Occurrence).where(Occurrence.id == occurrence.id, Occurrence.accepted_count > 0)
        .values(accepted_count=Occurrence.accepted_count - 1).execution_options(synchronize_session=False))
    db.session.expire(occurrence, ["accepted_count"])


# --- places held for a volunteer team (models/team_operations.sign_up_team) --------------------------
# A team's places not yet confirmed by a member are counted in the occurrence's accepted_count, so
# nobody outside the team takes them; every change of them happens under the occurrence's row lock.

def _use_team_place(occurrence: Occurrence, volunteer, prefer: int | None = None) -> bool:
    """Take one of the places a team of the volunteer holds on the (locked) occurrence, if one is held:
    the team sign-up `prefer` first (the one the member confirms on), then the oldest."""
    row_id = db.session.scalar(
        holds_for_member(volunteer.id, [occurrence.id]).with_only_columns(TeamSignup.id)
        .order_by(case((TeamSignup.id == (prefer or 0), 0), else_=1), TeamSignup.id).limit(1))
    if row_id is None:
        return False
    return db.session.execute(
        update(TeamSignup).where(TeamSignup.id == row_id, TeamSignup.held > 0)
        .values(held=TeamSignup.held - 1).execution_options(synchronize_session="fetch")).rowcount == 1


def _return_to_team(signup: Signup, now: datetime) -> bool:
    """A team member's place given back before the deadline goes back to their team's held places when
    the team has fewer confirmed and held places than it asked for (instead of to the waiting list)."""
    occurrence = signup.occurrence
    if occurrence.cancelled or not before_deadline(occurrence, now) or team_places_closed(occurrence, now):
        return False
    rows = db.session.scalars(
        select(TeamSignup).join(TeamMember, TeamMember.team_id == TeamSignup.team_id)
        .where(TeamSignup.occurrence_id == occurrence.id, TeamMember.user_id == signup.user_id)
        .order_by(TeamSignup.id)).all()
    if not rows:
        return False
    lock_places(occurrence)
    for row in rows:
        db.session.refresh(row, ["held", "places"])  # as they are after the lock
        if team_confirmed_count(row.team_id, occurrence.id) + row.held < row.places:
            row.held += 1
            db.session.flush()
            return True
    return False


TEAM_PLACES_RELEASED_BEFORE = timedelta(hours=24)  # then places no member confirmed go to others (the scheduler)


def team_places_closed(occurrence: Occurrence, now: datetime) -> bool:
    """A time of a fixed task within TEAM_PLACES_RELEASED_BEFORE its start: teams hold no places for it
    any more (the institution needs to know who comes); members sign up one by one like anyone else.
    Times of window and open-ended tasks have no such moment."""
    return occurrence.task.kind == TaskKind.FIXED and occurrence.starts_at <= now + TEAM_PLACES_RELEASED_BEFORE


def hold_for_team(occurrence: Occurrence, team_id: int, existing: TeamSignup | None, *, places: int) -> int:
    """Hold `places` places on the occurrence for a team (`existing`: its sign-up for the time, if any);
    returns the number now held, for the caller to store.

    Everything is read after the occurrence's row lock: places the team's members hold count as the
    team's own; the rest are taken from the free places at once (a conditional update, so two teams
    never share a place), or given back when the team asks for fewer (the caller moves the waiting list
    up). Raises DomainError "places_below_confirmed" (with `confirmed`) or "places_not_free" (with
    `free`: the most the team can have).
    """
    occurrence = lock_places(occurrence)
    held = 0
    if existing is not None:
        db.session.refresh(existing, ["held"])
        held = existing.held
    confirmed = team_confirmed_count(team_id, occurrence.id)
    if existing is not None and places < confirmed:
        raise DomainError("places_below_confirmed", confirmed=confirmed)
    target = max(places - confirmed, 0)
    delta = target - held
    if delta > 0:
        taken = db.session.execute(
            update(Occurrence).where(Occurrence.id == occurrence.id,
                                     Occurrence.accepted_count + delta <= Occurrence.capacity)
            .values(accepted_count=Occurrence.accepted_count + delta).execution_options(synchronize_session=False)
        ).rowcount == 1
        db.session.expire(occurrence, ["accepted_count"])
        if not taken:
            free = max(occurrence.capacity - occurrence.accepted_count, 0) + held + confirmed
            raise DomainError("places_not_free", free=free)
    elif delta < 0:
        _give_back(occurrence, -delta)
    return target


def _give_back(occurrence: Occurrence, count: int) -> None:
    db.session.execute(
        update(Occurrence).where(Occurrence.id == occurrence.id)
        .values(accepted_count=Occurrence.accepted_count - count).execution_options(synchronize_session=False))
    db.session.expire(occurrence, ["accepted_count"])


def release_team_holds(occurrence: Occurrence, *, now: datetime | None = None) -> list[tuple[TeamSignup, int]]:
    """Give back every place teams hold on the time and no member has confirmed; returns (team sign-up,
    places given back) for each team. Used when the time is cancelled (nothing to promote), and by the
    scheduler a day before the start (`now` given: the waiting list moves up into the places)."""
    occurrence = lock_places(occurrence)
    released = []
    for row in db.session.scalars(select(TeamSignup).where(TeamSignup.occurrence_id == occurrence.id,
                                                           TeamSignup.held > 0)
                                  .execution_options(populate_existing=True)).all():  # as after the lock
        released.append((row, row.held))
        _give_back(occurrence, row.held)
        row.held = 0
    db.session.flush()
    if released and now is not None and not occurrence.cancelled:
        promote_all(occurrence, now=now)
    return released


def trim_team_holds(team_id: int, *, now: datetime) -> None:
    """After a member got a place without using one the team holds (they held it before joining), the
    team holds only what it still needs: places - confirmed; the rest goes to the waiting list."""
    _trim_holds(db.session.scalars(  # occurrences locked in start order, as every other path locks several
        select(TeamSignup).join(Occurrence, TeamSignup.occurrence_id == Occurrence.id)
        .where(TeamSignup.team_id == team_id, TeamSignup.held > 0)
        .order_by(Occurrence.starts_at, Occurrence.id)).all(), now=now)


def _trim_holds(rows: list[TeamSignup], *, now: datetime) -> None:
    for row in rows:
        occurrence = lock_places(row.occurrence)
        db.session.refresh(row, ["held", "places"])
        surplus = row.held - max(row.places - team_confirmed_count(row.team_id, occurrence.id), 0)
        if surplus > 0:
            row.held -= surplus
            _give_back(occurrence, surplus)
            db.session.flush()
            promote_all(occurrence, now=now)


def promote_all(occurrence: Occurrence, *, now: datetime) -> list[Signup]:
    """Fill every free place of the occurrence from its waiting list, in order; returns those moved up."""
    promoted = []
    while (moved := promote_waitlist(occurrence, now=now)) is not None:
        promoted.append(moved)
    return promoted


def take_team_place_from_waitlist(signup: Signup, *, now: datetime) -> bool:
    """A team member on the waiting list takes a place their team holds (moved up, and told)."""
    occurrence = lock_places(signup.occurrence)
    if occurrence.cancelled or not occurrence.task.takes_signups:
        raise DomainError("occurrence_cancelled" if occurrence.cancelled else "task_not_open")
    if not before_deadline(occurrence, now):
        raise DomainError("occurrence_past")
    _check_volunteer(signup.user)
    if signup.status != SignupStatus.WAITLISTED or not _use_team_place(occurrence, signup.user):
        return False
    _hold(signup, now)
    db.session.flush()
    tell(Notice.WAITLIST_PROMOTED, signup=signup)
    return True


def _hold(signup: Signup, now: datetime) -> None:
    """Give a sign-up that has a place its holding state: accepted, or pending while screening is missing."""
    signup.holds_spot = True
    signup.updated_at = now
    if missing_for(signup):
        signup.status, signup.pending_since = SignupStatus.PENDING, now
    else:
        signup.status, signup.pending_since, signup.decided_at = SignupStatus.ACCEPTED, None, now


# --- signing up ----------------------------------------------------------------------------------

@dataclass
class SignupResult:
    signup: Signup
    status: str                     # SignupStatus.ACCEPTED | PENDING | WAITLISTED
    position: int | None = None     # place on the waiting list
    overlaps: list[Signup] = field(default_factory=list)


def _check_volunteer(volunteer) -> None:
    if not volunteer.is_active:
        raise DomainError("not_allowed")
    if is_declined(volunteer):
        raise DomainError("profile_declined")


def _place(occurrence: Occurrence, volunteer, *, now: datetime, note: str, assisted_by,
           prefer_team: int | None = None) -> SignupResult:
    """Take a place (or a waiting-list place) on one occurrence; the rules of the task are checked by the caller."""
    occurrence = lock_places(occurrence)
    if occurrence.cancelled:
        raise DomainError("occurrence_cancelled")
    if not before_deadline(occurrence, now):
        raise DomainError("occurrence_past")
    earlier = db.session.scalar(select(Signup).where(Signup.occurrence_id == occurrence.id,
                                                     Signup.user_id == volunteer.id))
    if earlier is not None:
        if earlier.status not in SignupStatus.ENDED:
            raise DomainError("already_signed_up")
        db.session.delete(earlier)  # a fresh sign-up queues at the back
        db.session.flush()
    overlaps = []
    if occurrence.task.kind == TaskKind.FIXED:
        overlaps = overlapping(volunteer.id, {0: (occurrence.starts_at, occurrence.ends_at)}).get(0, [])
    from_team = _use_team_place(occurrence, volunteer, prefer_team)
    taken = from_team or _take_spot(occurrence)
    signup = Signup(occurrence=occurrence, user=volunteer, status=SignupStatus.WAITLISTED, holds_spot=False,
                    note=(note or "").strip(), created_at=now, updated_at=now,
                    assisted_by_id=assisted_by.id if assisted_by is not None else None)
    db.session.add(signup)
    if taken:
        _hold(signup, now)
    db.session.flush()
    if from_team:  # a member of several teams: the others need not hold a place for them as well (when
        # no team held one for them, _use_team_place found none, so no team holds one to give back)
        _trim_holds(db.session.scalars(holds_for_member(volunteer.id, [occurrence.id])).all(), now=now)
    position = waitlist_positions([signup]).get(signup.id)
    return SignupResult(signup, signup.status, position, overlaps)


def _signed_up(results: list[SignupResult], *, volunteer, actor, now: datetime) -> None:
    """What every sign-up tells: each accepted place to the volunteer; the ones waiting for screening,
    once per sign-up (also for a whole series), to the coordinators; an assisted one in the audit log."""
    for result in results:
        if result.status == SignupStatus.ACCEPTED:
            tell(Notice.SIGNUP_ACCEPTED, signup=result.signup)
    pending = [r.signup for r in results if r.status == SignupStatus.PENDING]
    if pending:
        tell(Notice.SCREENING_NEEDED, signups=pending, actor=actor)
    if actor.id != volunteer.id:
        task = results[0].signup.occurrence.task
        audit(volunteer, actor=actor, action=AuditAction.ASSISTED_SIGNUP, now=now, on_behalf=True, detail=task.title)


def _begin_signing_up(task: Task, volunteer, *, actor, now: datetime, pledge: bool) -> None:
    if not task.takes_signups:
        raise DomainError("task_not_open")
    _check_volunteer(volunteer)
    if actor.id != volunteer.id and not actor.has_role(Role.COORDINATOR):
        raise DomainError("not_allowed")  # only the citizen, or a coordinator on their behalf
    if pledge and task.requires_pledge:
        if actor.id != volunteer.id:
            raise DomainError("pledge_is_personal")
        from models.volunteer_operations import give_pledge
        give_pledge(volunteer, now=now, how=HOW_SIGN_UP, release=False)


def sign_up(occurrence: Occurrence, *, volunteer, actor, now: datetime, note: str = "",
            pledge: bool = False, team_signup_id: int | None = None) -> SignupResult:
    """Sign a volunteer up for one occurrence: accepted, pending (screening missing) or waitlisted.

    `actor` is the volunteer, or a coordinator signing up on their behalf (medbetjening: the sign-up
    and the audit log say so). `pledge=True` is the volunteer giving the confidentiality pledge on the
    spot. The occurrence row is locked and the place taken with a conditional update, so two
    volunteers never both get the last place; a previously cancelled or declined sign-up is replaced
    by a fresh one, which queues at the back. Overlapping commitments are returned as a warning.
    Raises DomainError "task_not_open", "profile_declined", "occurrence_cancelled", "occurrence_past",
    "already_signed_up", "pledge_is_personal" or "not_allowed". A member of a team holding places on
    the time takes one of them (that of `team_signup_id` first: the team they confirm for).
    """
    task = occurrence.task
    _begin_signing_up(task, volunteer, actor=actor, now=now, pledge=pledge)
    result = _place(occurrence, volunteer, now=now, note=note, assisted_by=actor if actor.id != volunteer.id else None,
                    prefer_team=team_signup_id)
    _signed_up([result], volunteer=volunteer, actor=actor, now=now)
    return result


def sign_up_series(task: Task, *, volunteer, actor, now: datetime, note: str = "",
                   pledge: bool = False) -> list[SignupResult]:
    """Sign up for every coming occurrence of a task; those already signed up for or past are skipped.

    The rules and notices are those of `sign_up`; raises DomainError "nothing_to_sign_up" when every
    coming time is taken by the volunteer already.
    """
    _begin_signing_up(task, volunteer, actor=actor, now=now, pledge=pledge)
    assisted_by = actor if actor.id != volunteer.id else None
    results = []
    for occurrence in task.occurrences:
        if occurrence.cancelled or not before_deadline(occurrence, now):
            continue
        try:
            results.append(_place(occurrence, volunteer, now=now, note=note, assisted_by=assisted_by))
        except DomainError as error:
            if error.code != "already_signed_up":
                raise
    if not results:
        raise DomainError("nothing_to_sign_up")
    _signed_up(results, volunteer=volunteer, actor=actor, now=now)
    return results


# --- giving places back, and the waiting list ---------------------------------------------------------

def promote_waitlist(occurrence: Occurrence, *, now: datetime) -> Signup | None:
    """Give a free place to the first on the waiting list (accepted, or pending if screening is missing).

    A volunteer whose profile was declined is skipped (their sign-up is closed quietly). The promoted
    volunteer is told.
    """
    if not occurrence.task.takes_signups:
        return None
    occurrence = lock_places(occurrence)
    if occurrence.cancelled or not before_deadline(occurrence, now):
        return None
    while True:
        first = db.session.scalar(select(Signup).where(Signup.occurrence_id == occurrence.id,
                                                       Signup.status == SignupStatus.WAITLISTED)
                                  .order_by(Signup.id).limit(1))
        if first is None:
            return None
        if not is_declined(first.user):
            break
        first.status, first.updated_at = SignupStatus.CANCELLED, now
        db.session.flush()
    if not _take_spot(occurrence):
        return None
    _hold(first, now)
    db.session.flush()
    tell(Notice.WAITLIST_PROMOTED, signup=first)
    # A member's team need not hold a place for them too.
    _trim_holds(db.session.scalars(holds_for_member(first.user_id, [occurrence.id])).all(), now=now)
    return first


def _release(signup: Signup, status: str, now: datetime) -> Signup | None:
    """Leave `signup` in `status`; if it held a place, give that place to the waiting list."""
    held = signup.holds_spot
    signup.status = status
    signup.holds_spot = False
    signup.pending_since = None
    signup.updated_at = now
    db.session.flush()
    if not held or _return_to_team(signup, now):
        return None
    _free_spot(signup.occurrence)
    return promote_waitlist(signup.occurrence, now=now)


def cancel_signup(signup: Signup, *, actor, now: datetime, reason: str = "") -> Signup | None:
    """The volunteer (or a coordinator on their behalf) gives the place back, up to the deadline.

    The contact person is told (with the reason), and whoever moves up from the waiting list; returns
    them. Raises DomainError "not_cancellable", "occurrence_started" or "not_allowed".
    """
    if actor is None or (actor.id != signup.user_id and not actor.has_role(Role.COORDINATOR)):
        raise DomainError("not_allowed")
    if signup.status not in SignupStatus.ACTIVE:
        raise DomainError("not_cancellable")
    if not can_cancel(signup, now):
        raise DomainError("occurrence_started")
    signup.cancel_reason = (reason or "").strip() or None
    promoted = _release(signup, SignupStatus.CANCELLED, now)
    tell(Notice.VOLUNTEER_CANCELLED, signup=signup, promoted=promoted)
    if actor.id != signup.user_id:
        audit(signup.user, actor=actor, action=AuditAction.SIGNUP_CANCELLED, now=now, on_behalf=True,
              detail=signup.occurrence.task.title)
    return promoted


def withdraw_from_coming(volunteer, *, now: datetime) -> list[Signup]:
    """Give back every place the volunteer holds or waits for in what has not begun, in order.

    Used when a profile is declined and when a person leaves (erasure). Each contact person is told
    and each waiting list moves up, in order. Returns the sign-ups given back.
    """
    coming = db.session.scalars(
        select(Signup).join(Occurrence, Signup.occurrence_id == Occurrence.id)
        .where(Signup.user_id == volunteer.id, Signup.status.in_(SignupStatus.ACTIVE))
        .options(selectinload(Signup.occurrence).selectinload(Occurrence.task))
        .order_by(Occurrence.starts_at, Signup.id)).all()
    withdrawn = []
    for signup in coming:
        if not before_deadline(signup.occurrence, now):
            continue  # already begun: it stays for the institution's records
        promoted = _release(signup, SignupStatus.CANCELLED, now)
        tell(Notice.VOLUNTEER_CANCELLED, signup=signup, promoted=promoted)
        withdrawn.append(signup)
    return withdrawn


# --- the institution's answers ---------------------------------------------------------------------

def accept_signup(signup: Signup, *, actor, now: datetime) -> Signup:
    """Staff accept a pending sign-up; never while the task's screening is missing for its day.

    Raises DomainError "not_pending", "screening_missing" (with `missing` and `day`: the sign-up stays
    pending in the coordinators' queue and becomes accepted by itself once screening is recorded),
    or "not_allowed".
    """
    _require_manager(actor, signup.occurrence.task)
    if signup.status != SignupStatus.PENDING:
        raise DomainError("not_pending")
    missing = missing_for(signup)
    if missing:
        raise DomainError("screening_missing", missing=missing, day=signup.occurrence.day)
    signup.status, signup.pending_since, signup.decided_at, signup.updated_at = SignupStatus.ACCEPTED, None, now, now
    db.session.flush()
    tell(Notice.SIGNUP_ACCEPTED, signup=signup)
    audit(signup.user, actor=actor, action=AuditAction.SIGNUP_ACCEPTED, now=now, detail=signup.occurrence.task.title)
    return signup


def decline_signup(signup: Signup, *, actor, now: datetime, reason: str) -> Signup | None:
    """Staff decline a pending application with a reason the volunteer is told; returns who moved up.

    Raises DomainError "not_pending", "reason_required" or "not_allowed".
    """
    _require_manager(actor, signup.occurrence.task)
    if signup.status != SignupStatus.PENDING:
        raise DomainError("not_pending")
    if not (reason or "").strip():
        raise DomainError("reason_required")
    signup.decline_reason = reason.strip()
    signup.decided_at = now
    promoted = _release(signup, SignupStatus.DECLINED, now)
    tell(Notice.SIGNUP_DECLINED, signup=signup)
    audit(signup.user, actor=actor, action=AuditAction.SIGNUP_DECLINED, now=now, detail=signup.occurrence.task.title)
    return promoted


def confirm_coming(signup: Signup, *, actor, now: datetime) -> Signup:
    """The volunteer answers "Jeg kommer" to the reminder; the first answer's time is kept for staff.

    Raises DomainError "not_allowed" (someone else), "not_accepted" or "occurrence_started".
    """
    if actor is None or actor.id != signup.user_id:
        raise DomainError("not_allowed")
    if signup.status != SignupStatus.ACCEPTED:
        raise DomainError("not_accepted")
    if now >= signup.occurrence.starts_at:
        raise DomainError("occurrence_started")
    if signup.confirmed_at is None:
        signup.confirmed_at = now
        db.session.flush()
    return signup


def record_attendance(signup: Signup, *, actor, now: datetime, attended: bool, hours: Decimal | None) -> Signup:
    """After the start, staff record whether the volunteer came (and the hours given) or did not come.

    Without hours, a fixed occurrence counts its length and other kinds the task's estimate. Raises
    DomainError "not_accepted", "not_started", "hours_invalid" (with `most`) or "not_allowed".
    """
    occurrence = signup.occurrence
    _require_manager(actor, occurrence.task)
    if signup.status not in SignupStatus.RECORDED:
        raise DomainError("not_accepted")
    if now < occurrence.starts_at:
        raise DomainError("not_started")
    before = (signup.status, signup.hours)
    if not attended:
        signup.status, signup.hours = SignupStatus.NO_SHOW, None
    else:
        hours = Decimal(hours) if hours is not None else _default_hours(occurrence)
        length = _length_hours(occurrence)
        if hours is None or hours <= 0 or hours > 1000 or (
                occurrence.task.kind == TaskKind.FIXED and length is not None and hours > length):
            raise DomainError("hours_invalid", most=length)
        signup.status, signup.hours = SignupStatus.ATTENDED, hours
    if (signup.status, signup.hours) != before:
        signup.decided_at = signup.decided_at or now
        signup.updated_at = now
        db.session.flush()
        audit(signup.user, actor=actor, action=AuditAction.ATTENDANCE_RECORDED, now=now,
              detail=f"{occurrence.task.title}: {signup.status}")
    return signup


def _length_hours(occurrence: Occurrence) -> Decimal | None:
    if occurrence.ends_at is None:
        return None
    return (Decimal((occurrence.ends_at - occurrence.starts_at).total_seconds()) / 3600).quantize(Decimal("0.01"))


def _default_hours(occurrence: Occurrence) -> Decimal | None:
    if occurrence.task.kind == TaskKind.FIXED:
        return _length_hours(occurrence)
    return occurrence.task.hours_estimate


def write_to_volunteers(task: Task, *, actor, now: datetime, subject: str, body: str) -> list[Signup]:
    """Staff write to every accepted volunteer of the task's coming times; returns whom it went to.

    Raises DomainError "nobody_to_write_to" or "not_allowed".
    """
    _require_manager(actor, task)
    signups = [s for o in task.occurrences if not o.cancelled for s in o.signups if s.status == SignupStatus.ACCEPTED]
    if not signups:
        raise DomainError("nobody_to_write_to")
    tell(Notice.TASK_MESSAGE, task=task, signups=signups, subject=subject, body=body, sender=actor, sent_at=now)
    return signups


# --- screening: keep every holding sign-up true to what is recorded ------------------------------------

def recheck_screening(signups, *, now: datetime) -> tuple[list[Signup], list[Signup]]:
    """After screening or a task's requirements changed: the coming holding sign-ups follow the facts.

    A pending one whose requirements are now met is accepted (and told); an accepted one that no
    longer meets them (a certificate that now runs out before the day, a requirement added) waits
    again as pending, keeping its place. Returns (accepted, back to pending).
    """
    accepted, waiting = [], []
    for signup in signups:
        occurrence = signup.occurrence
        if signup.status not in SignupStatus.HOLDING or occurrence.cancelled or not before_deadline(occurrence, now):
            continue
        missing = missing_for(signup)
        if signup.status == SignupStatus.PENDING and not missing:
            _hold(signup, now)
            accepted.append(signup)
        elif signup.status == SignupStatus.ACCEPTED and missing:
            _hold(signup, now)
            waiting.append(signup)
    db.session.flush()
    for signup in accepted:
        tell(Notice.SIGNUP_ACCEPTED, signup=signup)
    return accepted, waiting


def holding_signups_of(volunteer) -> list[Signup]:
    return list(db.session.scalars(
        select(Signup).join(Occurrence, Signup.occurrence_id == Occurrence.id)
        .where(Signup.user_id == volunteer.id, Signup.status.in_(SignupStatus.HOLDING))
        .options(selectinload(Signup.occurrence).selectinload(Occurrence.task))))


# --- the task's life: create, edit, publish, close, cancel ----------------------------------------------

@dataclass
class TaskPlan:
    """What the task editor sends: the texts and requirements, places, kind and the times (UTC)."""

    fields: dict
    capacity: int
    kind: str = TaskKind.FIXED
    recurrence: str = Recurrence.NONE
    schedule: list[tuple[datetime, datetime | None]] = field(default_factory=list)


@dataclass
class EditResult:
    changed: set[str]
    told: int = 0                                   # volunteers told about the change
    promoted: list[Signup] = field(default_factory=list)
    waiting_again: list[Signup] = field(default_factory=list)  # now wait for screening (a requirement added)


def _fill(task: Task, fields: dict) -> set[str]:
    unknown = set(fields) - set(TEXT_FIELDS)
    if unknown:
        raise TypeError(f"not task fields: {sorted(unknown)}")
    changed = set()
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip() or ("" if name not in ("postcode", "contact_phone") else None)
        if getattr(task, name) != value:
            setattr(task, name, value)
            changed.add(name)
    return changed


def _set_schedule(task: Task, schedule) -> None:
    if not schedule:
        raise DomainError("no_occurrences")
    task.occurrences.clear()
    db.session.flush()
    for starts_at, ends_at in schedule:
        task.occurrences.append(Occurrence(starts_at=starts_at, ends_at=ends_at, capacity=task.capacity))


def create_task(institution, plan: TaskPlan, *, actor, now: datetime) -> Task:
    """Staff write a new task as a draft (publishing comes after the preview).

    Raises DomainError "not_allowed", "no_occurrences" or "capacity_too_small".
    """
    task = Task(institution_id=institution.id, institution=institution, capacity=plan.capacity, kind=plan.kind,
                recurrence=plan.recurrence if plan.kind == TaskKind.FIXED else Recurrence.NONE,
                status=TaskStatus.DRAFT, created_by_id=actor.id, created_at=now, updated_at=now)
    _require_manager(actor, task)
    if plan.capacity < 1:
        raise DomainError("capacity_too_small")
    _fill(task, plan.fields)
    _set_schedule(task, plan.schedule)
    db.session.add(task)
    db.session.flush()
    audit(None, actor=actor, action=AuditAction.TASK_CREATED, now=now, detail=f"task:{task.id} {task.title}")
    return task


def schedule_locked(task: Task | None, now: datetime) -> bool:
    """A published series, or a published task that has begun, keeps its times; cancel and post anew instead."""
    if task is None or task.status == TaskStatus.DRAFT:
        return False
    return len(task.occurrences) > 1 or task.occurrences[0].starts_at <= now


def edit_task(task: Task, plan: TaskPlan, *, actor, now: datetime) -> EditResult:
    """Change a task; on a published one the calendars see a new SEQUENCE and those signed up are told.

    A draft may change its kind and times freely; a published task keeps its kind, and its times only
    while it is a single time that has not begun. More places move the waiting list up; fewer than
    are taken is refused. A requirement dropped accepts those who waited for it; one added sends
    accepted volunteers who lack it back to pending (their place kept). Raises DomainError
    "task_cancelled", "not_allowed", "capacity_too_small" or "capacity_below_taken" (with `taken`).
    """
    _require_manager(actor, task)
    if task.status == TaskStatus.CANCELLED:
        raise DomainError("task_cancelled")
    result = EditResult(changed=_fill(task, plan.fields))
    if plan.capacity != task.capacity:
        result.promoted = _set_capacity(task, plan.capacity, now=now)
        result.changed.add("capacity")
    if not schedule_locked(task, now):
        if task.status == TaskStatus.DRAFT:
            task.kind = plan.kind
            task.recurrence = plan.recurrence if task.kind == TaskKind.FIXED else Recurrence.NONE
            if [(o.starts_at, o.ends_at) for o in task.occurrences] != list(plan.schedule):
                _set_schedule(task, plan.schedule)
                result.changed.add("schedule")
        else:
            occurrence = task.occurrences[0]
            if (occurrence.starts_at, occurrence.ends_at) != plan.schedule[0]:
                occurrence.starts_at, occurrence.ends_at = plan.schedule[0]
                result.changed.add("schedule")
    if not result.changed:
        return result
    task.updated_at = now
    if task.status != TaskStatus.DRAFT:
        task.sequence = (task.sequence or 0) + 1
        db.session.flush()
        if result.changed & {"requires_child_certificate", "requires_pledge", "schedule"}:
            _accepted, result.waiting_again = recheck_screening(
                [s for o in task.occurrences for s in o.signups], now=now)
        if result.changed & (set(NOTIFY_FIELDS) | {"schedule"}):
            holding = [s for o in task.occurrences if not o.cancelled for s in o.signups
                       if s.status in SignupStatus.HOLDING]
            tell(Notice.TASK_CHANGED, task=task, signups=holding)
            result.told = len({s.user_id for s in holding})
    db.session.flush()
    audit(None, actor=actor, action=AuditAction.TASK_EDITED, now=now,
          detail=f"task:{task.id} {', '.join(sorted(result.changed))}")
    return result


def _set_capacity(task: Task, capacity: int, *, now: datetime) -> list[Signup]:
    """Change the places of the task and its occurrences; returns those promoted by a rise."""
    if capacity < 1:
        raise DomainError("capacity_too_small")
    taken = max((o.accepted_count for o in task.occurrences if not o.cancelled), default=0)
    if capacity < taken:
        raise DomainError("capacity_below_taken", taken=taken)
    task.capacity = capacity
    for occurrence in task.occurrences:
        occurrence.capacity = capacity
    db.session.flush()
    return [moved for occurrence in task.occurrences for moved in promote_all(occurrence, now=now)]


def publish_task(task: Task, *, actor, now: datetime) -> Task:
    """A draft goes public: the frame must be complete and the task must lie ahead.

    Raises DomainError "not_draft", "frame_incomplete" (with `missing`), "no_occurrences",
    "start_in_past" or "not_allowed".
    """
    _require_manager(actor, task)
    if task.status != TaskStatus.DRAFT:
        raise DomainError("not_draft")
    missing = missing_frame(task)
    if missing:
        raise DomainError("frame_incomplete", missing=missing)
    live = [o for o in task.occurrences if not o.cancelled]
    if not live:
        raise DomainError("no_occurrences")
    if task.kind == TaskKind.FIXED and min(o.starts_at for o in live) <= now:
        raise DomainError("start_in_past")
    if task.kind != TaskKind.FIXED and any(o.ends_at is not None and o.ends_at <= now for o in live):
        raise DomainError("start_in_past")
    task.status = TaskStatus.OPEN
    task.published_at = now
    task.updated_at = now
    db.session.flush()
    audit(None, actor=actor, action=AuditAction.TASK_PUBLISHED, now=now, detail=f"task:{task.id} {task.title}")
    return task


def close_task(task: Task, *, actor, now: datetime) -> Task:
    """No more sign-ups; those signed up keep their places. Raises DomainError "task_not_open" or "not_allowed"."""
    _require_manager(actor, task)
    if task.status != TaskStatus.OPEN:
        raise DomainError("task_not_open")
    task.status = TaskStatus.CLOSED
    task.updated_at = now
    db.session.flush()
    audit(None, actor=actor, action=AuditAction.TASK_CLOSED, now=now, detail=f"task:{task.id} {task.title}")
    return task


def cancel_task(task: Task, *, actor, now: datetime, reason: str) -> list[Signup]:
    """Cancel the whole task with a reason; everyone signed up for a coming time is told, and returned.

    Raises DomainError "already_cancelled", "reason_required" or "not_allowed".
    """
    _require_manager(actor, task)
    if task.status == TaskStatus.CANCELLED:
        raise DomainError("already_cancelled")
    if not (reason or "").strip():
        raise DomainError("reason_required")
    affected = [s for o in task.occurrences if not o.cancelled and before_deadline(o, now)
                for s in o.signups if s.status in SignupStatus.ACTIVE]
    task.status = TaskStatus.CANCELLED
    task.cancel_reason = reason.strip()
    task.sequence = (task.sequence or 0) + 1
    task.updated_at = now
    for occurrence in task.occurrences:
        if before_deadline(occurrence, now):
            occurrence.cancelled = True
    db.session.flush()
    for occurrence in task.occurrences:
        if occurrence.cancelled:
            release_team_holds(occurrence)
    tell(Notice.TASK_CANCELLED, task=task, signups=affected)
    audit(None, actor=actor, action=AuditAction.TASK_CANCELLED, now=now, detail=f"task:{task.id} {task.title}")
    return affected


# --- a personal invitation ----------------------------------------------------------------------

def invite_volunteer(task: Task, volunteer, *, actor, now: datetime) -> bool:
    """Staff (or a coordinator) invite a volunteer who may be found by institutions to a task.

    The volunteer must be in the institutions' consent scope (which leaves out declined profiles) and
    offer time, the task must take sign-ups with a coming time, and the volunteer must
    not be signed up for it already. Each person is invited to a task once: returns False when the
    invitation went before. Raises DomainError "cannot_invite" or "not_allowed".
    """
    from models.consent import Audience, may_find
    _require_manager(actor, task)
    if not task.takes_signups or not may_find(volunteer, Audience.INSTITUTIONS) or not volunteer.profile.offers_time:
        raise DomainError("cannot_invite")
    if not any(not o.cancelled and before_deadline(o, now) for o in task.occurrences):
        raise DomainError("cannot_invite")
    signed_up = db.session.scalar(
        select(func.count(Signup.id)).join(Occurrence, Signup.occurrence_id == Occurrence.id)
        .where(Occurrence.task_id == task.id, Signup.user_id == volunteer.id,
               Signup.status.in_(SignupStatus.ACTIVE)))
    if signed_up:
        raise DomainError("cannot_invite")
    sent = tell(Notice.INVITATION, task=task, volunteer=volunteer, inviter=actor)
    if sent:
        audit(volunteer, actor=actor, action=AuditAction.INVITED, now=now, detail=task.title)
    return bool(sent)


# --- pending sign-ups that wait too long (the scheduler's follow-up) --------------------------------------

def _certificate_requested(signup: Signup) -> bool:
    """The coordinator has asked for the child certificate the sign-up waits for: the closing pauses."""
    profile = signup.user.profile
    screening = profile.screening if profile is not None else None
    return ("child_certificate" in missing_for(signup) and screening is not None
            and screening.child_certificate_status == CertificateStatus.REQUESTED)


@dataclass
class PendingFollowUp:
    nudged: list[Signup] = field(default_factory=list)
    closed: list[Signup] = field(default_factory=list)
    closed_quietly: list[Signup] = field(default_factory=list)


def follow_up_pending(*, now: datetime) -> PendingFollowUp:
    """The scheduler's look at sign-ups waiting for screening; screening is the coordinators' work.

    - A time that has already begun is never nudged nor closed with a mail: its sign-up closes quietly.
    - After PENDING_NUDGE_AFTER the coordinators are told once, unless the certificate is requested.
    - After PENDING_CLOSE_AFTER the application closes with a friendly word and the waiting list moves
      up, except while the certificate it waits for is requested (the closing pauses).
    """
    pending = db.session.scalars(
        select(Signup).where(Signup.status == SignupStatus.PENDING)
        .options(selectinload(Signup.user).selectinload(User.profile).selectinload(VolunteerProfile.screening),
                 selectinload(Signup.occurrence).selectinload(Occurrence.task))
        .order_by(Signup.id)).all()
    done = PendingFollowUp()
    for signup in pending:
        since = signup.pending_since or signup.created_at
        if signup.occurrence.cancelled or not before_deadline(signup.occurrence, now):
            signup.decided_at = now
            _release(signup, SignupStatus.DECLINED, now)
            done.closed_quietly.append(signup)
        elif since > now - PENDING_NUDGE_AFTER or _certificate_requested(signup):
            continue
        elif since <= now - PENDING_CLOSE_AFTER:
            signup.decline_reason, signup.decided_at = None, now
            _release(signup, SignupStatus.DECLINED, now)
            tell(Notice.PENDING_CLOSED, signup=signup)
            done.closed.append(signup)
        elif tell(Notice.SCREENING_WAITING, signup=signup):
            done.nudged.append(signup)
    return done
