"""Digests of ambient news (new matching tasks, project updates), only for people with something new.

A digest is built once per period (daily at DIGEST_HOUR, weekly on Monday at DIGEST_HOUR, local
time) from what appeared since that person's previous digest, grouped by item, newest first.
Direct mails never wait for a digest; digests are off until a person turns them on.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from models.base import chunks
from models import OutboxMessage, Project, ProjectFollower, ProjectUpdate, Signup, Task, TaskStatus, User, db
from portal.mail import preferences
from portal.mail.kinds import DIGEST_MESSAGE_KIND
from portal.mail.outbox import external_url, queue_mail
from portal.scheduler.timing import next_period_start, period_start, to_local

DIGEST_HOUR = 7
MAX_TASKS = 10
PERIOD = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def daily(now: datetime) -> list:
    return build("daily", now)


def weekly(now: datetime) -> list:
    return build("weekly", now)


def build(frequency: str, now: datetime) -> list:
    """Queue this period's digest for every subscriber with news; returns the queued messages."""
    start = period_start(frequency, now, DIGEST_HOUR)
    everyone = preferences.digest_subscribers(frequency)
    messages = []
    for batch in chunks(sorted(everyone), DIGEST_BATCH):  # bounded batches: IN lists and memory
        messages.extend(_build_batch(frequency, now, start, {uid: everyone[uid] for uid in batch}))
    return messages


DIGEST_BATCH = 2_000


def _build_batch(frequency: str, now: datetime, start: datetime, subscribers: dict) -> list:
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_(list(subscribers)), User.active.is_(True), User.deleted_at.is_(None),
                           User.email.is_not(None)).options(selectinload(User.profile)))} if subscribers else {}
    if not users:
        return []
    since = _since(frequency, users, start - PERIOD[frequency])
    earliest = min(since.values())
    wants_tasks = [uid for uid in users if "digest_tasks" in subscribers[uid]]
    wants_projects = [uid for uid in users if "digest_projects" in subscribers[uid]]
    tasks = _matching_tasks(wants_tasks, users, since, earliest, now) if wants_tasks else {}
    projects = _project_news(wants_projects, since, earliest, now) if wants_projects else {}
    key_day = to_local(start).date().isoformat()
    messages = []
    for uid, user in users.items():
        found_tasks, found_projects = tasks.get(uid, []), projects.get(uid, [])
        if not found_tasks and not found_projects:
            continue  # nothing new: no mail at all
        messages.append(queue_mail(
            DIGEST_MESSAGE_KIND, dedup_key=f"digest:{frequency}:{uid}:{key_day}", recipient=user,
            subject=lambda: _("News from Samskab"), template="digest",
            context={"frequency": frequency, "tasks": found_tasks, "projects": found_projects},
            unsubscribe_kinds=subscribers[uid], expires_at=next_period_start(frequency, start, DIGEST_HOUR)))
    return messages


def _since(frequency: str, users: dict, floor: datetime) -> dict[int, datetime]:
    """From when news counts for each person: their previous digest, at most one period back."""
    rows = db.session.execute(
        select(OutboxMessage.user_id, func.max(OutboxMessage.created_at))
        .where(OutboxMessage.kind == DIGEST_MESSAGE_KIND, OutboxMessage.user_id.in_(list(users)),
               OutboxMessage.dedup_key.like(f"digest:{frequency}:%"))
        .group_by(OutboxMessage.user_id))
    last = {uid: at for uid, at in rows}
    return {uid: max(floor, last[uid]) if uid in last else floor for uid in users}


def _matching_tasks(user_ids, users, since, earliest, now) -> dict[int, list[dict]]:
    candidates = [t for t in db.session.scalars(
        select(Task).where(Task.status == TaskStatus.OPEN, Task.published_at >= earliest, Task.published_at < now)
        .options(selectinload(Task.occurrences), selectinload(Task.institution)))
        if any(not o.cancelled and o.starts_at > now for o in t.occurrences)]
    if not candidates:
        return {}
    from matching import TextIndex
    from matching.params import DEFAULT
    by_id = {t.id: t for t in candidates}
    index = TextIndex.build({t.id: t.matching_text for t in candidates})
    signed_up = defaultdict(set)
    for uid, task_id in db.session.execute(
            select(Signup.user_id, Task.id).join(Signup.occurrence).join(Task)
            .where(Signup.user_id.in_(user_ids), Task.id.in_(list(by_id)))):
        signed_up[uid].add(task_id)
    result = {}
    for uid in user_ids:
        profile = users[uid].profile
        if profile is None or not profile.matching_text.strip():
            continue
        found = []
        for match in index.search(profile.matching_text, MAX_TASKS * 2):
            task = by_id.get(match.id)
            if (task is None or match.score < DEFAULT.min_score or task.id in signed_up[uid]
                    or task.published_at < since[uid]):
                continue
            found.append({"task": task, "terms": list(match.explanation), "next": _next_start(task, now),
                          "url": external_url("public.task", task_id=task.id)})
        found.sort(key=lambda item: item["task"].published_at, reverse=True)
        if found:
            result[uid] = found[:MAX_TASKS]
    return result


def _next_start(task: Task, now: datetime):
    return min((o.starts_at for o in task.occurrences if not o.cancelled and o.starts_at > now), default=None)


def _project_news(user_ids, since, earliest, now) -> dict[int, list[dict]]:
    rows = db.session.execute(
        select(ProjectFollower.user_id, ProjectUpdate, Project)
        .join(Project, ProjectFollower.project_id == Project.id)
        .join(ProjectUpdate, ProjectUpdate.project_id == Project.id)
        .where(ProjectFollower.user_id.in_(user_ids), ProjectUpdate.hidden.is_(False),
               ProjectUpdate.created_at >= earliest, ProjectUpdate.created_at < now)
        .order_by(ProjectUpdate.created_at.desc())).all()
    grouped: dict[int, dict[int, dict]] = defaultdict(dict)
    for uid, update, project in rows:
        if update.created_at < since[uid]:
            continue
        group = grouped[uid].setdefault(project.id, {
            "project": project, "updates": [],
            "url": external_url("councils.project", project_id=project.id)})
        group["updates"].append(update)  # rows come newest first, so groups and updates are too
    return {uid: list(groups.values()) for uid, groups in grouped.items()}
