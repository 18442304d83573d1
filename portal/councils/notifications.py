"""Mails from councils' projects and the shared calendar, written to the outbox in the caller's transaction."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from models import Event, EventSignup, NotificationPreference, Project, ProjectFollower, ProjectUpdate, User, db
from portal.councils import ical
from portal.mail.outbox import external_url, queue_mail

PROJECT_UPDATE = "project_update"
PROJECT_INVITATION = "project_invitation"
EVENT_SIGNUP = "event_signup"
EVENT_CANCELLED = "event_cancelled"
DIGEST_KIND = "digest_projects"


def notify_followers(update: ProjectUpdate, *, now: datetime) -> list:
    """Tell each follower about a new update, once per follower and update (the dedup key).

    Followers who chose the project digest get the update there instead; the author is not told.
    """
    project = update.project
    followers = list(db.session.scalars(
        select(User).join(ProjectFollower, ProjectFollower.user_id == User.id)
        .where(ProjectFollower.project_id == project.id, User.id != (update.author_id or 0))
        .order_by(User.id)))
    if not followers:
        return []
    digest_readers = set(db.session.scalars(select(NotificationPreference.user_id).where(
        NotificationPreference.kind == DIGEST_KIND, NotificationPreference.enabled.is_(True),
        NotificationPreference.user_id.in_([u.id for u in followers]))))
    url = external_url("councils.project", project_id=project.id) + f"#update-{update.id}"
    queued = []
    for user in followers:
        if user.id in digest_readers:
            continue
        message = queue_mail(
            PROJECT_UPDATE, dedup_key=f"{PROJECT_UPDATE}:{update.id}:{user.id}", recipient=user,
            subject=lambda: _("News from the project %(title)s", title=project.title), template="project_update",
            context={"project": project, "update": update, "project_url": url},
            ref=f"project_update:{update.id}")
        if message is not None:
            queued.append(message)
    return queued


def invite_participants(project: Project, people: list[User], *, inviter: User, now: datetime) -> list:
    """Ask those who took part to follow the project; each person is asked once per project."""
    url = external_url("councils.project", project_id=project.id)
    queued = []
    for user in people:
        message = queue_mail(
            PROJECT_INVITATION, dedup_key=f"{PROJECT_INVITATION}:{project.id}:{user.id}", recipient=user,
            subject=lambda: _("Follow what comes of %(title)s", title=project.title), template="project_invitation",
            context={"project": project, "project_url": url, "inviter": inviter})
        if message is not None:
            queued.append(message)
    return queued


def confirm_event_signup(signup: EventSignup, *, now: datetime):
    """The confirmation with the event as an .ics attachment."""
    event = signup.event
    return queue_mail(
        EVENT_SIGNUP, dedup_key=f"{EVENT_SIGNUP}:{signup.id}:{int(signup.created_at.timestamp())}",
        recipient=signup.user, subject=lambda: _("You are signed up: %(title)s", title=event.title),
        template="event_signup", context={"event": event, "event_url": ical.event_url(event)},
        ics=ical.single(event, now=now), ref=f"event_signup:{signup.id}", expires_at=event.starts_at)


def tell_event_cancelled(event: Event, signups: list[EventSignup], *, now: datetime) -> list:
    """Everyone signed up hears that the event is cancelled, with an .ics that removes it."""
    ics = ical.single(event, now=now)
    queued = []
    for signup in signups:
        message = queue_mail(
            EVENT_CANCELLED, dedup_key=f"{EVENT_CANCELLED}:{event.id}:{signup.user_id}", recipient=signup.user,
            subject=lambda: _("Cancelled: %(title)s", title=event.title), template="event_cancelled",
            context={"event": event, "event_url": ical.event_url(event)}, ics=ics, expires_at=event.ends_at)
        if message is not None:
            queued.append(message)
    return queued
