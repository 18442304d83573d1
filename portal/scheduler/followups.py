"""Follow-ups that keep things moving: pending sign-ups, unanswered ideas, half-empty tasks, certificates."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import (CertificateStatus, Idea, IdeaStatus, NetworkItem, Occurrence, Role, Screening, Task, TaskStatus,
                    User, VolunteerProfile, db)
from models.people import active_with_role
from models.task_operations import follow_up_pending
from models.team_operations import release_unconfirmed
from portal.mail.checks import stamp
from portal.mail.outbox import external_url, queue_mail
from portal.suggestions import volunteers_for
from portal.scheduler.timing import Lead, add_working_days, from_local, to_local

UNDERFILLED_LEAD = Lead("3d", days=3)       # tell the contact person three days before the start
SUGGESTED_VOLUNTEERS = 5
CERTIFICATE_WARNING_DAYS = 30
IDEA_ESCALATION_FACTOR = 2                   # the coordinators hear at twice the answer time (10 days)


def coordinators() -> list[User]:
    return active_with_role(Role.COORDINATOR)


# --- (7) sign-ups waiting for screening -------------------------------------------------------------

def pending_signups(now: datetime) -> None:
    """Waiting for screening is the coordinators' work: the use case tells them, pauses the closing while a
    certificate is requested, and closes a time already passed quietly (models.task_operations)."""
    follow_up_pending(now=now)


# --- (3) ideas waiting for an answer -------------------------------------------------------------

def idea_deadlines(now: datetime) -> list:
    """Tell the sparring agent at N working days without an answer, and the coordinators at 2N."""
    days = current_app.config["IDEA_ANSWER_WORKING_DAYS"]
    ideas = db.session.scalars(
        select(Idea).where(Idea.first_answer_at.is_(None), Idea.status.in_(IdeaStatus.UNANSWERED),
                           Idea.hidden.is_(False),
                           Idea.created_at <= now - timedelta(days=days))
        .options(selectinload(Idea.agent), selectinload(Idea.initiator))).all()
    staff = coordinators() if ideas else []
    messages = []
    for idea in ideas:
        first_due = idea.answer_due_at or add_working_days(idea.created_at, days)
        second_due = add_working_days(idea.created_at, days * IDEA_ESCALATION_FACTOR)
        if now >= first_due:
            agent_ok = idea.agent is not None and idea.agent.is_active and idea.agent.email
            for person in ([idea.agent] if agent_ok else staff):
                messages.append(_idea_mail(idea, person, days, "agent"))
        if now >= second_due:
            for person in staff:
                if idea.agent_id != person.id:
                    messages.append(_idea_mail(idea, person, days * IDEA_ESCALATION_FACTOR, "coordinator"))
    return messages


def _idea_mail(idea: Idea, person: User, days: int, step: str):
    return queue_mail("idea_deadline", dedup_key=f"idea_deadline:{idea.id}:{step}:{person.id}", recipient=person,
                      subject=lambda: _("An idea has waited %(days)d working days for an answer", days=days),
                      template="idea_deadline",
                      context={"idea": idea, "days": days, "escalated": step == "coordinator",
                               "idea_url": external_url("ideas.idea", idea_id=idea.id)},
                      ref=f"idea:{idea.id}")


# --- items a network raised, past their answer date ---------------------------------------------

def network_item_deadlines(now: datetime) -> list:
    """An item a network raised with the municipality and not answered by its date: every coordinator
    hears once (the network was promised an answer by that day when it raised the item)."""
    items = db.session.scalars(
        select(NetworkItem).where(NetworkItem.answered_at.is_(None), NetworkItem.answer_due_at <= now)
        .order_by(NetworkItem.answer_due_at).options(selectinload(NetworkItem.network))).all()
    staff = coordinators() if items else []
    return [queue_mail("network_item_deadline", dedup_key=f"network_item_deadline:{item.id}:{person.id}",
                       recipient=person,
                       subject=lambda item=item: _("A network waits for an answer: %(title)s", title=item.title),
                       template="network_item_deadline",
                       context={"item": item, "network": item.network,
                                "answer_url": external_url("community.coordinate")},
                       ref=f"network_item:{item.id}")
            for item in items for person in staff]


# --- places a team holds and no member confirmed -------------------------------------------------

def team_places(now: datetime) -> list:
    """A day before the start, places a team holds and no member confirmed go to the waiting list
    (models.team_operations.release_unconfirmed); the tovholder hears once how many, and for which time."""
    messages = []
    for team_signup, count in release_unconfirmed(now=now):
        team, occurrence = team_signup.team, team_signup.occurrence
        if occurrence.starts_at <= now:
            continue  # a time already begun (the scheduler was away): given back for the records, no mail
        messages.append(queue_mail(
            "team_places_released", dedup_key=f"team_places_released:{team_signup.id}:{stamp(occurrence.starts_at)}",
            recipient=team.tovholder,
            subject=lambda task=occurrence.task: _("Your team's unconfirmed places for %(title)s went to others",
                                                    title=task.title),
            template="team_places_released",
            context={"team": team, "task": occurrence.task, "occurrence": occurrence, "count": count,
                     "team_url": external_url("community.team", team_id=team.id)}))
    return messages


# --- (4) tasks starting soon with free places ---------------------------------------------------

def underfilled_tasks(now: datetime) -> list:
    """Three days before the start, tell the contact person about free places, with suggestions."""
    horizon = now + UNDERFILLED_LEAD.longest
    rows = db.session.execute(
        select(Occurrence, Task).join(Task, Occurrence.task_id == Task.id)
        .where(Occurrence.cancelled.is_(False), Task.status == TaskStatus.OPEN,
               Occurrence.starts_at > now, Occurrence.starts_at <= horizon,
               Occurrence.accepted_count < Occurrence.capacity)
        .order_by(Occurrence.starts_at)).all()
    due = [(occurrence, task) for occurrence, task in rows if UNDERFILLED_LEAD.send_at(occurrence.starts_at) <= now]
    if not due:
        return []
    messages = []
    for occurrence, task in due:
        start = occurrence.starts_at
        messages.append(queue_mail(
            "underfilled_task", dedup_key=f"underfilled_task:{occurrence.id}:{stamp(start)}",
            recipient=task.contact_email,
            subject=lambda task=task: _("%(title)s starts soon and has free places", title=task.title),
            template="underfilled_task",
            context={"task": task, "occurrence": occurrence, "free": occurrence.capacity - occurrence.accepted_count,
                     "suggestions": suggested_volunteers(task, occurrence, now=now),
                     "task_url": external_url("institutions.task", task_id=task.id)},
            ref=f"occurrence:{occurrence.id}:{stamp(start)}", expires_at=start))
    return messages


def suggested_volunteers(task: Task, occurrence: Occurrence, *, now: datetime) -> list[dict]:
    """Volunteers to suggest for one under-filled occurrence, from portal.suggestions: the same consent,
    hard filters (times, away, travel area, screening) and breadth as the staff's "Foreslåede frivillige"."""
    return [{"name": found.user.name, "terms": list(found.suggestion.terms)[:5]}
            for found in volunteers_for(task, now=now, k=SUGGESTED_VOLUNTEERS, occurrence_id=occurrence.id)]


# --- (5) child certificates about to expire -------------------------------------------------------

def certificates_expiring(now: datetime) -> list:
    """Tell the volunteer, and the coordinator who recorded it, 30 days before a certificate runs out."""
    today = to_local(now).date()
    rows = db.session.execute(
        select(Screening, VolunteerProfile, User)
        .join(VolunteerProfile, Screening.profile_id == VolunteerProfile.id)
        .join(User, VolunteerProfile.user_id == User.id)
        .where(Screening.child_certificate_status == CertificateStatus.RECEIVED,
               Screening.child_certificate_valid_until >= today,
               Screening.child_certificate_valid_until <= today + timedelta(days=CERTIFICATE_WARNING_DAYS),
               User.deleted_at.is_(None))).all()
    staff = coordinators() if rows else []
    messages = []
    for screening, profile, volunteer in rows:
        until = screening.child_certificate_valid_until
        ref = f"screening:{screening.id}:{until.isoformat()}"
        ends = from_local(datetime.combine(until + timedelta(days=1), time(0)))
        context = {"volunteer": volunteer, "valid_until": until}
        messages.append(queue_mail(
            "certificate_expiring", dedup_key=f"certificate_expiring:{screening.id}:{until.isoformat()}",
            recipient=volunteer, subject=lambda: _("Your child certificate expires soon"),
            template="certificate_expiring", context=context, ref=ref, expires_at=ends))
        recorder = next((c for c in staff if c.id == screening.recorded_by_id), None)
        for person in [recorder] if recorder else staff:
            messages.append(queue_mail(
                "certificate_expiring_staff",
                dedup_key=f"certificate_expiring_staff:{screening.id}:{until.isoformat()}:{person.id}",
                recipient=person, subject=lambda: _("A volunteer's child certificate expires soon"),
                template="certificate_expiring_staff",
                context={**context, "profile_url": external_url("coordinators.profile", profile_id=profile.id)},
                ref=ref, expires_at=ends))
    return messages
