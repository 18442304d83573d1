"""Writers of the task and sign-up notices (models/task_operations.py decides when each is given)."""
from __future__ import annotations

import hashlib

from flask_babel import gettext as _

from models import Role, Signup, SignupStatus, Task
from models.people import active_with_role
from models.tasks import missing_for
from portal.mail.checks import stamp
from portal.mail.outbox import external_url, queue_mail

SCREENING_KIND = "pending_nudge"  # the coordinators' mails about sign-ups waiting for screening


def _context(signup: Signup, **extra) -> dict:
    occurrence = signup.occurrence
    task = occurrence.task
    return {"signup": signup, "occurrence": occurrence, "task": task, "institution": task.institution,
            "mine_url": external_url("citizens.my_tasks"), "task_url": external_url("public.task", task_id=task.id),
            **extra}


def _volunteer_ref(signup: Signup) -> str | None:
    # Checked again before sending: a mail about an accepted place is dropped if it is no longer true.
    return f"signup:{signup.id}:{stamp(signup.occurrence.starts_at)}" if signup.status == SignupStatus.ACCEPTED else None


def signup_accepted(signup: Signup):
    """To the volunteer: the place is theirs, with the frame and the contact person."""
    task = signup.occurrence.task
    return queue_mail("signup_accepted", dedup_key=f"signup_accepted:{signup.id}:{stamp(signup.occurrence.starts_at)}",
                      recipient=signup.user, subject=lambda: _("You are signed up: %(title)s", title=task.title),
                      template="signup_accepted", context=_context(signup), ref=_volunteer_ref(signup))


def waitlist_promoted(signup: Signup):
    """To the volunteer who moved up from the waiting list (accepted, or pending screening)."""
    task = signup.occurrence.task
    return queue_mail("waitlist_promoted", dedup_key=f"waitlist_promoted:{signup.id}:{stamp(signup.updated_at)}",
                      recipient=signup.user,
                      subject=lambda: _("You got a place: %(title)s", title=task.title),
                      template="waitlist_promoted", context=_context(signup, missing=missing_for(signup)),
                      ref=_volunteer_ref(signup))


def signup_declined(signup: Signup):
    """To the volunteer: the institution said no, with its reason."""
    task = signup.occurrence.task
    return queue_mail("signup_declined", dedup_key=f"signup_declined:{signup.id}:{stamp(signup.decided_at)}",
                      recipient=signup.user, subject=lambda: _("About your sign-up: %(title)s", title=task.title),
                      template="signup_declined", context=_context(signup, find_url=external_url("public.tasks")))


def pending_closed(signup: Signup):
    """To the volunteer: the application waited too long and is closed; a friendly word and other tasks."""
    task = signup.occurrence.task
    return queue_mail("pending_closed", dedup_key=f"pending_closed:{signup.id}", recipient=signup.user,
                      subject=lambda: _("About your sign-up: %(title)s", title=task.title),
                      template="pending_closed", context=_context(signup, find_url=external_url("public.tasks")))


def _screening_url(signup: Signup) -> str:
    profile = signup.user.profile
    if profile is None:
        return external_url("coordinators.pending")
    return external_url("coordinators.profile", profile_id=profile.id)


def _to_coordinators(signup: Signup, key: str, template: str, subject, skip=None) -> list:
    return [queue_mail(SCREENING_KIND, dedup_key=f"{key}:{person.id}", recipient=person, subject=subject,
                       template=template, context=_context(signup, volunteer=signup.user,
                                                           screening_url=_screening_url(signup),
                                                           pending_url=external_url("coordinators.pending")))
            for person in active_with_role(Role.COORDINATOR) if skip is None or person.id != skip.id]


def screening_needed(signups: list[Signup], actor) -> list:
    """To the coordinators: a new sign-up holds a place and waits for a child certificate or the pledge."""
    first = signups[0]
    return _to_coordinators(first, f"pending_received:{first.id}", "pending_received",
                            lambda: _("A new sign-up waits for screening"), skip=actor)


def screening_waiting(signup: Signup) -> list:
    """To the coordinators: a sign-up has waited three days for screening that has not begun."""
    since = signup.pending_since or signup.created_at
    return _to_coordinators(signup, f"pending_nudge:{signup.id}:{stamp(since)}", "pending_nudge",
                            lambda: _("A sign-up has waited three days for screening"))


def volunteer_cancelled(signup: Signup, promoted: Signup | None) -> list:
    """To the contact person: a volunteer cancelled (with the reason given) and who moved up."""
    task = signup.occurrence.task
    return [queue_mail("volunteer_cancelled", dedup_key=f"volunteer_cancelled:{signup.id}:{stamp(signup.updated_at)}",
                       recipient=task.contact_email, subject=lambda: _("A volunteer has cancelled"),
                       template="volunteer_cancelled",
                       context=_context(signup, staff_task_url=external_url("institutions.task", task_id=task.id),
                                        volunteer=signup.user, promoted=promoted))]


def task_cancelled(task: Task, signups: list[Signup]) -> list:
    """To everyone signed up for the coming occurrences: the task is cancelled, and why."""
    return [queue_mail("task_cancelled", dedup_key=f"task_cancelled:{task.id}:{s.id}", recipient=s.user,
                       subject=lambda: _("Cancelled: %(title)s", title=task.title), template="task_cancelled",
                       context=_context(s, find_url=external_url("public.tasks")))
            for s in signups]


def task_changed(task: Task, signups: list[Signup]) -> list:
    """To everyone signed up: the time, place or frame of the task changed (one mail per version)."""
    return [queue_mail("task_changed", dedup_key=f"task_changed:{task.id}:{task.sequence}:{s.user_id}",
                       recipient=s.user, subject=lambda: _("Changed: %(title)s", title=task.title),
                       template="task_changed", context=_context(s))
            for s in _one_per_person(signups)]


def task_message(task: Task, signups: list[Signup], *, subject: str, body: str, sender, sent_at) -> list:
    """A message from the institution to the accepted volunteers of a task."""
    # Two different messages in the same second both go; the same message sent twice (a double click) once.
    digest = hashlib.sha256(f"{getattr(sender, 'id', '')}\n{subject}\n{body}".encode()).hexdigest()[:16]
    key = f"task_message:{task.id}:{stamp(sent_at)}:{sent_at.second}:{digest}"
    return [queue_mail("task_message", dedup_key=f"{key}:{s.user_id}", recipient=s.user,
                       subject=f"{task.title}: {subject}", template="task_message",
                       context=_context(s, message=body, sender=sender))
            for s in _one_per_person(signups)]


def invitation_key(task: Task, user) -> str:
    return f"invitation:{task.id}:{user.id}"


def invitation(task: Task, volunteer, inviter):
    """To a volunteer who may be found by institutions: a personal invitation to a task (once per task)."""
    return queue_mail("invitation", dedup_key=invitation_key(task, volunteer), recipient=volunteer,
                      subject=lambda: _("An invitation: %(title)s", title=task.title), template="invitation",
                      context={"task": task, "inviter": inviter, "institution": task.institution,
                               "task_url": external_url("public.task", task_id=task.id)},
                      ref=f"task:{task.id}")


def _one_per_person(signups: list[Signup]) -> list[Signup]:
    seen, first = set(), []
    for signup in sorted(signups, key=lambda s: s.occurrence.starts_at):
        if signup.user_id not in seen:
            seen.add(signup.user_id)
            first.append(signup)
    return first
