"""The mails caused by sign-ups and tasks, queued in the caller's transaction (the caller commits)."""
from __future__ import annotations

from flask_babel import gettext as _

from models import Signup, Task
from portal.mail.checks import stamp
from portal.mail.outbox import link, queue_mail


def _mine_url() -> str:
    return link("citizens.my_tasks", "citizens.index")


def _find_url() -> str:
    return link("public.tasks", "public.home")


def _task_url(task: Task) -> str:
    return link("public.task", "public.home", task_id=task.id)


def _staff_task_url(task: Task) -> str:
    return link("institutions.task", "institutions.index", task_id=task.id)


def _context(signup: Signup, **extra) -> dict:
    occurrence = signup.occurrence
    task = occurrence.task
    return {"signup": signup, "occurrence": occurrence, "task": task, "institution": task.institution,
            "mine_url": _mine_url(), "task_url": _task_url(task), **extra}


def _volunteer_ref(signup: Signup) -> str | None:
    # Checked again before sending: a mail about an accepted place is dropped if it is no longer true.
    return f"signup:{signup.id}:{stamp(signup.occurrence.starts_at)}" if signup.status == "accepted" else None


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
                      template="waitlist_promoted", context=_context(signup), ref=_volunteer_ref(signup))


def signup_declined(signup: Signup):
    """To the volunteer: the institution said no, with its reason."""
    task = signup.occurrence.task
    return queue_mail("signup_declined", dedup_key=f"signup_declined:{signup.id}:{stamp(signup.decided_at)}",
                      recipient=signup.user, subject=lambda: _("About your sign-up: %(title)s", title=task.title),
                      template="signup_declined", context=_context(signup, find_url=_find_url()))


def pending_closed(signup: Signup):
    """To the volunteer: the application waited too long and is closed; a friendly word and other tasks."""
    task = signup.occurrence.task
    return queue_mail("pending_closed", dedup_key=f"pending_closed:{signup.id}", recipient=signup.user,
                      subject=lambda: _("About your sign-up: %(title)s", title=task.title),
                      template="pending_closed", context=_context(signup, find_url=_find_url()))


def pending_received(signup: Signup):
    """To the contact person: a new application waits for an answer."""
    return _to_contact(signup, "pending_nudge", f"pending_received:{signup.id}", "pending_received",
                       lambda: _("A new sign-up waits for your answer"))


def pending_nudge(signup: Signup):
    """To the contact person: an application has waited three days for an answer."""
    since = signup.pending_since or signup.created_at
    return _to_contact(signup, "pending_nudge", f"pending_nudge:{signup.id}:{stamp(since)}",
                       "pending_nudge", lambda: _("A sign-up has waited three days for your answer"))


def volunteer_cancelled(signup: Signup, promoted: Signup | None = None):
    """To the contact person: a volunteer cancelled (with the reason given) and who moved up."""
    return _to_contact(signup, "volunteer_cancelled", f"volunteer_cancelled:{signup.id}:{stamp(signup.updated_at)}",
                       "volunteer_cancelled", lambda: _("A volunteer has cancelled"), promoted=promoted)


def signup_cancelled(signup: Signup, promoted: Signup | None) -> list:
    """After a volunteer's cancellation: tell the contact person, and whoever moved up from the waiting list."""
    messages = [volunteer_cancelled(signup, promoted)]
    if promoted is not None:
        messages.append(waitlist_promoted(promoted))
    return messages


def _to_contact(signup: Signup, kind: str, key: str, template: str, subject, **extra):
    task = signup.occurrence.task
    return queue_mail(kind, dedup_key=key, recipient=task.contact_email, subject=subject, template=template,
                      context=_context(signup, staff_task_url=_staff_task_url(task), volunteer=signup.user, **extra))


def task_cancelled(task: Task, signups: list[Signup]) -> list:
    """To everyone signed up for the coming occurrences: the task is cancelled, and why."""
    return [queue_mail("task_cancelled", dedup_key=f"task_cancelled:{task.id}:{s.id}", recipient=s.user,
                       subject=lambda: _("Cancelled: %(title)s", title=task.title), template="task_cancelled",
                       context=_context(s, find_url=_find_url()))
            for s in signups]


def task_changed(task: Task, signups: list[Signup]) -> list:
    """To everyone signed up: the time, place or frame of the task changed (one mail per version)."""
    return [queue_mail("task_changed", dedup_key=f"task_changed:{task.id}:{task.sequence}:{s.user_id}",
                       recipient=s.user, subject=lambda: _("Changed: %(title)s", title=task.title),
                       template="task_changed", context=_context(s))
            for s in _one_per_person(signups)]


def task_message(task: Task, signups: list[Signup], *, subject: str, body: str, sender, sent_at) -> list:
    """A message from the institution to the accepted volunteers of a task."""
    key = f"task_message:{task.id}:{stamp(sent_at)}:{sent_at.second}"
    return [queue_mail("task_message", dedup_key=f"{key}:{s.user_id}", recipient=s.user,
                       subject=f"{task.title}: {subject}", template="task_message",
                       context=_context(s, message=body, sender=sender))
            for s in _one_per_person(signups)]


def _one_per_person(signups: list[Signup]) -> list[Signup]:
    seen, first = set(), []
    for signup in sorted(signups, key=lambda s: s.occurrence.starts_at):
        if signup.user_id not in seen:
            seen.add(signup.user_id)
            first.append(signup)
    return first

