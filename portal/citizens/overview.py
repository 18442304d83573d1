"""The citizen's own page: one overview of everything they take part in, one query per block."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from models import (CoCreator, Event, EventSignup, Idea, Occurrence, Project, ProjectFollower, Signup, SignupStatus,
                    Task, User, db)
from models.tasks import upcoming

SHOWN = 5  # tasks and ideas shown here; their own pages (Mine opgaver, Mine idéer) have the full lists


@dataclass
class Overview:
    tasks: list[Signup]
    more_tasks: bool
    events: list[EventSignup]
    ideas: list[Idea]
    more_ideas: bool
    co_created: list[tuple[Idea, CoCreator]]
    more_co_created: bool
    projects: list[Project]


def _cut(rows: list) -> tuple[list, bool]:
    """Rows were fetched with one extra: show SHOWN and say whether there are more."""
    return rows[:SHOWN], len(rows) > SHOWN


def coming_tasks(user: User, now: datetime) -> list[Signup]:
    """Active sign-ups that are still ahead (including ones the institution called off), soonest first."""
    return list(db.session.scalars(
        select(Signup).join(Signup.occurrence).join(Occurrence.task)
        .where(Signup.user_id == user.id, Signup.status.in_(SignupStatus.ACTIVE), upcoming(now))
        .options(contains_eager(Signup.occurrence).contains_eager(Occurrence.task).joinedload(Task.institution))
        .order_by(Occurrence.starts_at, Signup.id).limit(SHOWN + 1)))


def coming_events(user: User, now: datetime) -> list[EventSignup]:
    """The citizen's places at events in the shared calendar that have not ended, with their hosts."""
    event = contains_eager(EventSignup.event)
    return list(db.session.scalars(
        select(EventSignup).join(EventSignup.event)
        .where(EventSignup.user_id == user.id, EventSignup.cancelled.is_(False), Event.ends_at > now)
        .options(event.joinedload(Event.council), event.joinedload(Event.institution))
        .order_by(Event.starts_at, Event.id)))


def proposed_ideas(user: User) -> list[Idea]:
    return list(db.session.scalars(
        select(Idea).where(Idea.initiator_id == user.id)
        .order_by(Idea.created_at.desc(), Idea.id.desc()).limit(SHOWN + 1)))


def co_created_ideas(user: User) -> list[tuple[Idea, CoCreator]]:
    rows = db.session.execute(
        select(Idea, CoCreator).join(CoCreator, CoCreator.idea_id == Idea.id).where(CoCreator.user_id == user.id)
        .order_by(CoCreator.created_at.desc(), CoCreator.id.desc()).limit(SHOWN + 1))
    return [(idea, me) for idea, me in rows]


def followed_projects(user: User) -> list[Project]:
    return list(db.session.scalars(
        select(Project).join(ProjectFollower, ProjectFollower.project_id == Project.id)
        .where(ProjectFollower.user_id == user.id).options(joinedload(Project.council))
        .order_by(Project.title, Project.id)))


def overview_of(user: User, *, now: datetime) -> Overview:
    """Everything `user` takes part in, each block loaded with one query whatever its length."""
    tasks, more_tasks = _cut(coming_tasks(user, now))
    ideas, more_ideas = _cut(proposed_ideas(user))
    co_created, more_co_created = _cut(co_created_ideas(user))
    return Overview(tasks=tasks, more_tasks=more_tasks, events=coming_events(user, now), ideas=ideas,
                    more_ideas=more_ideas, co_created=co_created, more_co_created=more_co_created,
                    projects=followed_projects(user))
