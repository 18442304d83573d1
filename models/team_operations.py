"""The use cases of volunteer teams: one function each, the door every caller goes through.

Rules held here:
- the institution's staff (or the association's board) create a team, name its tovholder and are its
  fixed contact person; coordinators may too;
- the tovholder manages only their own team: shifts within the frame of the team's task, messages,
  meetings in the shared calendar, team sign-ups; the staff of the institution may do the same;
- joining needs the consent to share one's name and phone with that team's members, and joining twice
  changes nothing; a declined profile cannot join;
- a team sign-up holds places on a time of a task of the team's institution: they are taken from the
  free places at once, so nobody outside the team takes them (models/task_operations.hold_for_team);
  each member confirms their own place, which is an ordinary sign-up (models/task_operations.sign_up:
  same screening) using one of the held places, and no more members confirm than the places asked
  for; a member's place given back goes back to the team, and places the team no longer asks for go
  to the waiting list, as do places no member has confirmed a day before the start (the scheduler).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from models.audit import AuditAction, record as audit
from models.base import DomainError, db
from models.calendar import Event
from models.notices import Notice, tell
from models.organisations import Institution, is_member
from models.people import Role
from models.task_operations import (TEAM_PLACES_RELEASED_BEFORE, SignupResult, hold_for_team, is_declined,
                                    lock_places, promote_all, release_team_holds, sign_up, team_places_closed,
                                    take_team_place_from_waitlist, trim_team_holds)
from models.tasks import Occurrence, Signup, SignupStatus, Task, TaskKind, TaskStatus, before_deadline
from models.teams import (ShiftAnswer, Team, TeamMember, TeamMessage, TeamShift, TeamShiftAnswer, TeamSignup, membership,
                          team_confirmed_count, team_confirmed_query)

NAME_MAX = 120


def may_run_institution(actor, institution_id: int) -> bool:
    """Staff of the institution (board of the association) and coordinators."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return actor.has_role(Role.COORDINATOR) or (actor.has_role(Role.STAFF) and is_member(actor, institution_id))


def may_lead(actor, team: Team) -> bool:
    """The team's tovholder, the staff of its institution, and coordinators."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return team.tovholder_id == actor.id or may_run_institution(actor, team.institution_id)


def _require_lead(actor, team: Team) -> None:
    if not may_lead(actor, team):
        raise DomainError("not_allowed")


def _clean(text: str | None) -> str:
    return (text or "").strip()


def create_team(institution: Institution, *, actor, now: datetime, name: str, purpose: str = "",
                tovholder=None, task: Task | None = None) -> Team:
    """A new team at the institution; the creating member of staff is its fixed contact person.

    Raises DomainError "not_allowed", "name_required", "name_taken" or "task_of_other_institution".
    """
    if not may_run_institution(actor, institution.id):
        raise DomainError("not_allowed")
    name = _clean(name)[:NAME_MAX]
    if not name:
        raise DomainError("name_required")
    if db.session.scalar(select(Team.id).where(Team.institution_id == institution.id, Team.name == name)):
        raise DomainError("name_taken")
    if task is not None and task.institution_id != institution.id:
        raise DomainError("task_of_other_institution")
    contact = actor if is_member(actor, institution.id) else None
    team = Team(institution_id=institution.id, name=name, purpose=_clean(purpose), task_id=task.id if task else None,
                tovholder_id=None, contact_id=contact.id if contact else None, created_at=now)
    db.session.add(team)
    db.session.flush()
    if tovholder is not None:
        set_tovholder(team, tovholder, actor=actor, now=now)
    return team


def set_tovholder(team: Team, person, *, actor, now: datetime) -> Team:
    """Name a volunteer the team's tovholder; they become a member if they were not (their consent is
    taken as given by accepting the role, which the staff agreed with them)."""
    if not may_run_institution(actor, team.institution_id):
        raise DomainError("not_allowed")
    if not person.is_active or is_declined(person):
        raise DomainError("not_allowed")
    if membership(team.id, person) is None:
        _add_member(team, person, now=now)
    team.tovholder_id = person.id
    db.session.flush()
    return team


def _add_member(team: Team, person, *, now: datetime) -> TeamMember:
    member = TeamMember(team_id=team.id, user_id=person.id, consent_at=now, joined_at=now)
    db.session.add(member)
    audit(person, actor=person, action=AuditAction.TEAM_JOINED, now=now, detail=team.name)
    db.session.flush()
    trim_team_holds(team.id, now=now)  # a place the newcomer already holds is one the team need not hold
    return member


def join_team(team: Team, *, person, now: datetime, consent: bool) -> TeamMember:
    """Join a team; one's name and phone are shown to this team's members only. Twice changes nothing.

    Raises DomainError "consent_required" or "not_allowed".
    """
    existing = membership(team.id, person)
    if existing is not None:
        return existing
    if not consent:
        raise DomainError("consent_required")
    if not person.is_active or is_declined(person) or not person.has_role(Role.CITIZEN):
        raise DomainError("not_allowed")
    return _add_member(team, person, now=now)


def leave_team(team: Team, *, person, now: datetime) -> bool:
    """Leave the team: one's name and phone are no longer shown to it. A tovholder hands over first."""
    existing = membership(team.id, person)
    if existing is None:
        return False
    if team.tovholder_id == person.id:
        raise DomainError("tovholder_cannot_leave")
    db.session.delete(existing)
    for answer in db.session.scalars(select(TeamShiftAnswer).join(TeamShift)
                                     .where(TeamShift.team_id == team.id, TeamShiftAnswer.user_id == person.id)):
        db.session.delete(answer)
    audit(person, actor=person, action=AuditAction.TEAM_LEFT, now=now, detail=team.name)
    db.session.flush()
    return True


# --- the tovholder's self-organisation --------------------------------------------------------------

def add_shift(team: Team, *, actor, now: datetime, starts_at: datetime, ends_at: datetime, needed: int = 1,
              note: str = "") -> TeamShift:
    """A shift of the team's own, within the frame of its task. Raises DomainError "not_allowed",
    "ends_before_start", "start_in_past", "needed_invalid" or "task_not_running"."""
    _require_lead(actor, team)
    if ends_at <= starts_at:
        raise DomainError("ends_before_start")
    if starts_at <= now:
        raise DomainError("start_in_past")
    if not 1 <= needed <= 50:
        raise DomainError("needed_invalid")
    if team.task is not None and team.task.status in (TaskStatus.CANCELLED,):
        raise DomainError("task_not_running")
    shift = TeamShift(team_id=team.id, starts_at=starts_at, ends_at=ends_at, needed=needed, note=_clean(note),
                      created_by_id=actor.id, created_at=now)
    db.session.add(shift)
    db.session.flush()
    return shift


def _answer_row(shift: TeamShift, person) -> TeamShiftAnswer | None:
    return db.session.scalar(select(TeamShiftAnswer).where(TeamShiftAnswer.shift_id == shift.id,
                                                           TeamShiftAnswer.user_id == person.id))


def ask_to_cover(shift: TeamShift, person, *, actor, now: datetime) -> TeamShiftAnswer:
    """The tovholder asks a member to cover a shift (the member answers on the team page)."""
    _require_lead(actor, shift.team)
    if membership(shift.team_id, person) is None:
        raise DomainError("not_a_member")
    row = _answer_row(shift, person)
    if row is None:
        row = TeamShiftAnswer(shift_id=shift.id, user_id=person.id, answer=ShiftAnswer.ASKED, updated_at=now)
        db.session.add(row)
    db.session.flush()
    return row


def answer_shift(shift: TeamShift, *, person, now: datetime, coming: bool) -> TeamShiftAnswer:
    """A member says they come (or not). Raises "not_a_member", "shift_over" or "shift_full"."""
    if membership(shift.team_id, person) is None:
        raise DomainError("not_a_member")
    if shift.starts_at <= now:
        raise DomainError("shift_over")
    row = _answer_row(shift, person)
    if coming and (row is None or row.answer != ShiftAnswer.COMING) and len(shift.coming) >= shift.needed:
        raise DomainError("shift_full")
    if row is None:
        row = TeamShiftAnswer(shift_id=shift.id, user_id=person.id)
        db.session.add(row)
    row.answer = ShiftAnswer.COMING if coming else ShiftAnswer.NOT_COMING
    row.updated_at = now
    db.session.flush()
    db.session.refresh(shift)
    return row


def write_to_team(team: Team, *, actor, now: datetime, body: str) -> TeamMessage:
    """A message on the team's page, mailed to its members. Raises "not_allowed" or "message_required"."""
    _require_lead(actor, team)
    body = _clean(body)
    if not body:
        raise DomainError("message_required")
    message = TeamMessage(team_id=team.id, sender_id=actor.id, body=body[:4000], sent_at=now)
    db.session.add(message)
    db.session.flush()
    tell(Notice.TEAM_MESSAGE, message=message,
         recipients=[m.user for m in team.members if m.user_id != actor.id])
    return message


def hold_team_meeting(team: Team, *, actor, now: datetime, starts_at: datetime, ends_at: datetime, place: str,
                      description: str = "") -> Event:
    """A team meeting in the shared calendar, hosted by the team's institution."""
    _require_lead(actor, team)
    if ends_at <= starts_at:
        raise DomainError("ends_before_start")
    if starts_at <= now:
        raise DomainError("start_in_past")
    event = Event(institution_id=team.institution_id, team_id=team.id, kind="meeting",
                  title=team.name, description=_clean(description), place=_clean(place)[:200],
                  starts_at=starts_at, ends_at=ends_at, created_by_id=actor.id, created_at=now)
    db.session.add(event)
    db.session.flush()
    return event


# --- team sign-up ------------------------------------------------------------------------------------

def sign_up_team(team: Team, occurrence: Occurrence, *, actor, now: datetime, places: int) -> TeamSignup:
    """The tovholder signs the team up for a time with a number of places (again: changes the number).

    The places are held at once (taken from the time's free places; see task_operations.hold_for_team):
    nobody outside the team can take them. Asking for fewer gives the rest to the waiting list.
    Raises "not_allowed", "task_of_other_institution", "task_not_open", "too_late", "team_places_closed"
    (a fixed time within a day of its start: members sign up one by one), "places_invalid",
    "places_below_confirmed" (fewer places than members have confirmed), "places_not_free" (more places
    than the time has free; places its members already hold count as the team's own).
    """
    _require_lead(actor, team)
    task = occurrence.task
    if task.institution_id != team.institution_id:
        raise DomainError("task_of_other_institution")
    if not task.takes_signups or occurrence.cancelled:
        raise DomainError("task_not_open")
    if not before_deadline(occurrence, now):
        raise DomainError("too_late")
    if team_places_closed(occurrence, now):
        raise DomainError("team_places_closed")
    members = len(team.members)
    if not 1 <= places <= max(members, 1):
        raise DomainError("places_invalid", members=members)
    existing = db.session.scalar(select(TeamSignup).where(TeamSignup.team_id == team.id,
                                                          TeamSignup.occurrence_id == occurrence.id))
    held = hold_for_team(occurrence, team.id, existing, places=places)
    if existing is not None:
        lowered = held < existing.held
        existing.places, existing.held = places, held
        db.session.flush()
        if lowered:
            promote_all(occurrence, now=now)
        return existing
    row = TeamSignup(team_id=team.id, occurrence_id=occurrence.id, places=places, held=held, created_by_id=actor.id,
                     created_at=now)
    db.session.add(row)
    db.session.flush()
    return row


def release_unconfirmed(*, now: datetime) -> list[tuple[TeamSignup, int]]:
    """The scheduler's look at places teams hold: from TEAM_PLACES_RELEASED_BEFORE the start, places no
    member has confirmed are given to the waiting list (the institution needs to know who comes, and
    others may want them). Returns (team sign-up, places given back) for each team that had some."""
    due = db.session.scalars(
        select(Occurrence).join(TeamSignup, TeamSignup.occurrence_id == Occurrence.id)
        .join(Task, Occurrence.task_id == Task.id)
        .where(TeamSignup.held > 0, Task.kind == TaskKind.FIXED, Occurrence.cancelled.is_(False),
               Occurrence.starts_at <= now + TEAM_PLACES_RELEASED_BEFORE)
        .order_by(Occurrence.starts_at, Occurrence.id).distinct()).all()
    return [released for occurrence in due for released in release_team_holds(occurrence, now=now)]


def confirmed_count(team_signup: TeamSignup) -> int:
    return team_confirmed_count(team_signup.team_id, team_signup.occurrence_id)


def confirmed_signups(team_signup: TeamSignup) -> list[Signup]:
    return list(db.session.scalars(team_confirmed_query(team_signup.team_id, team_signup.occurrence_id)))


def confirm_team_place(team_signup: TeamSignup, *, person, now: datetime):
    """A member takes one of the team's places: an ordinary sign-up (same screening, same places).

    Raises "not_a_member", "team_places_taken", or what task_operations.sign_up raises.
    """
    if membership(team_signup.team_id, person) is None:
        raise DomainError("not_a_member")
    lock_places(team_signup.occurrence)  # two members confirming at once never exceed the places
    if confirmed_count(team_signup) >= team_signup.places:
        raise DomainError("team_places_taken")
    waiting = db.session.scalar(select(Signup).where(Signup.occurrence_id == team_signup.occurrence_id,
                                                     Signup.user_id == person.id,
                                                     Signup.status == SignupStatus.WAITLISTED))
    if waiting is not None:  # on the waiting list from before: moved up into a place the team holds
        if not take_team_place_from_waitlist(waiting, now=now):
            raise DomainError("team_places_taken")
        return SignupResult(waiting, waiting.status)
    return sign_up(team_signup.occurrence, volunteer=person, actor=person, now=now,
                   note=team_signup.team.name, team_signup_id=team_signup.id)
