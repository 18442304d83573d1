"""Councils' projects with progress updates, followers and their comments."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, delete,
                        select, union)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import DomainError, UTCDateTime, db, one_of, utcnow
from models.ideas import CoCreator, Idea
from models.organisations import CouncilMember
from models.people import User
from models.tasks import Occurrence, Signup, SignupStatus, Task, TaskStatus

PROJECT_STATES = ("proposed", "active", "completed", "paused")


class Project(db.Model):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    goal: Mapped[str] = mapped_column(Text)
    area: Mapped[str] = mapped_column(String(120), default="")
    budget_kr: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    council = relationship("Council")
    updates: Mapped[list[ProjectUpdate]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectUpdate.created_at.desc()")

    __table_args__ = (
        one_of("status", PROJECT_STATES),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        CheckConstraint("budget_kr IS NULL OR budget_kr >= 0", name="budget_positive"),
    )


class ProjectUpdate(db.Model):
    __tablename__ = "project_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    progress: Mapped[int | None] = mapped_column(Integer)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="updates")
    author = relationship("User")
    comments: Mapped[list[UpdateComment]] = relationship(back_populates="update", cascade="all, delete-orphan")

    __table_args__ = (CheckConstraint("progress IS NULL OR (progress >= 0 AND progress <= 100)",
                                      name="progress_range"),)


class ProjectFollower(db.Model):
    __tablename__ = "project_follower"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("project_id", "user_id"),)


class UpdateComment(db.Model):
    __tablename__ = "update_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("project_update.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    update: Mapped[ProjectUpdate] = relationship(back_populates="comments")
    author = relationship("User")


# --- operations -----------------------------------------------------------------------------------
# Fields a council member may set on a project; everything else belongs to the operations.
PROJECT_FIELDS = ("title", "goal", "area", "budget_kr", "status", "progress")
HIDEABLE = (ProjectUpdate, UpdateComment)


def is_council_member(user, council_id: int | None) -> bool:
    """Whether `user` sits on the council `council_id` (the only people who manage its projects)."""
    if user is None or council_id is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(CouncilMember.id).where(
        CouncilMember.council_id == council_id, CouncilMember.user_id == user.id)) is not None


def _require_member(council_id: int, actor) -> None:
    if not is_council_member(actor, council_id):
        raise DomainError("not_council_member")


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"not project fields: {sorted(unknown)}")
    if fields.get("status", "proposed") not in PROJECT_STATES:
        raise DomainError("invalid_status")
    if not 0 <= int(fields.get("progress", 0) or 0) <= 100:
        raise DomainError("invalid_progress")
    if fields.get("budget_kr") is not None and fields["budget_kr"] < 0:
        raise DomainError("invalid_budget")


def create_project(council, *, actor, now: datetime, **fields) -> Project:
    """Publish a new project for `council`; only the council's own members may.

    Raises DomainError "not_council_member", "invalid_status", "invalid_progress" or "invalid_budget".
    """
    _require_member(council.id, actor)
    _check_fields(fields)
    project = Project(council_id=council.id, created_by_id=actor.id, created_at=now, **fields)
    db.session.add(project)
    db.session.flush()
    return project


def edit_project(project: Project, *, actor, now: datetime, **fields) -> Project:
    """Change a project's description, status or progress; only members of its council may."""
    _require_member(project.council_id, actor)
    _check_fields(fields)
    for name, value in fields.items():
        setattr(project, name, value)
    db.session.flush()
    return project


def post_update(project: Project, *, actor, now: datetime, body: str, progress: int | None = None) -> ProjectUpdate:
    """Add a progress update to a project (and move its progress when given).

    The caller tells the followers (portal.councils.notifications), in the same transaction.
    Raises DomainError "not_council_member", "empty_update" or "invalid_progress".
    """
    _require_member(project.council_id, actor)
    if not body or not body.strip():
        raise DomainError("empty_update")
    if progress is not None:
        if not 0 <= progress <= 100:
            raise DomainError("invalid_progress")
        project.progress = progress
    update = ProjectUpdate(project=project, author_id=actor.id, body=body.strip(), progress=progress,
                           created_at=now)
    db.session.add(update)
    db.session.flush()
    return update


def follow_project(project: Project, *, user, now: datetime) -> ProjectFollower:
    """Let `user` follow the project; following twice is the same as following once."""
    existing = db.session.scalar(select(ProjectFollower).where(
        ProjectFollower.project_id == project.id, ProjectFollower.user_id == user.id))
    if existing is not None:
        return existing
    follower = ProjectFollower(project_id=project.id, user_id=user.id, created_at=now)
    db.session.add(follower)
    db.session.flush()
    return follower


def unfollow_project(project: Project, *, user, now: datetime) -> bool:
    """Stop following; returns whether the user was following."""
    result = db.session.execute(delete(ProjectFollower).where(
        ProjectFollower.project_id == project.id, ProjectFollower.user_id == user.id))
    db.session.flush()
    return bool(result.rowcount)


def is_following(project: Project, user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(ProjectFollower.id).where(
        ProjectFollower.project_id == project.id, ProjectFollower.user_id == user.id)) is not None


def comment_on_update(update: ProjectUpdate, *, actor, now: datetime, body: str) -> UpdateComment:
    """A follower (or a member of the council) gives feedback on an update.

    Raises DomainError "not_follower" (follow the project first), "update_hidden" or "empty_comment".
    """
    project = update.project
    if not (is_following(project, actor) or is_council_member(actor, project.council_id)):
        raise DomainError("not_follower")
    if update.hidden:
        raise DomainError("update_hidden")
    if not body or not body.strip():
        raise DomainError("empty_comment")
    comment = UpdateComment(update=update, author_id=actor.id, body=body.strip(), created_at=now)
    db.session.add(comment)
    db.session.flush()
    return comment


# A draft is not public yet; a cancelled task did not happen.
LINKABLE_TASK_STATES = (TaskStatus.OPEN, TaskStatus.CLOSED)


def link_to_project(project: Project, item, *, actor, now: datetime) -> None:
    """Gather an idea or a task under the project (an item belongs to at most one project).

    An item may move between projects of the same council, never away from another council's project.
    Raises DomainError "not_council_member", "item_hidden" (a hidden idea), "task_not_linkable" (a draft
    or cancelled task) or "linked_elsewhere" (it belongs to another council's project).
    """
    _require_member(project.council_id, actor)
    if getattr(item, "hidden", False):
        raise DomainError("item_hidden")
    if isinstance(item, Task) and item.status not in LINKABLE_TASK_STATES:
        raise DomainError("task_not_linkable", status=item.status)
    if item.project_id is not None and item.project_id != project.id:
        current_council = db.session.scalar(select(Project.council_id).where(Project.id == item.project_id))
        if current_council is not None and current_council != project.council_id:
            raise DomainError("linked_elsewhere")
    item.project_id = project.id
    db.session.flush()


def unlink_from_project(project: Project, item, *, actor, now: datetime) -> None:
    """Take an idea or a task out of the project again."""
    _require_member(project.council_id, actor)
    if item.project_id != project.id:
        raise DomainError("not_linked")
    item.project_id = None
    db.session.flush()


def set_hidden(item, *, actor, now: datetime, hidden: bool, reason: str = ""):
    """Hide an update or comment with a reason the author sees, or show it again (nothing is deleted).

    Used by the coordinators' moderation queue. Raises DomainError "reason_required" when hiding
    without a reason.
    """
    if not isinstance(item, HIDEABLE):
        raise TypeError(f"cannot hide a {type(item).__name__}")
    if hidden and not (reason or "").strip():
        raise DomainError("reason_required")
    item.hidden = hidden
    item.hidden_reason = reason.strip() if hidden else None
    db.session.flush()
    return item


def participants(project: Project) -> list:
    """Everyone who took part and does not follow yet: initiators and co-creators of the project's
    ideas, and volunteers who signed up for (or did) its tasks. Nobody is listed twice."""
    took_part = union(
        select(Idea.initiator_id.label("uid")).where(Idea.project_id == project.id, Idea.initiator_id.is_not(None)),
        select(CoCreator.user_id).join(Idea, CoCreator.idea_id == Idea.id).where(Idea.project_id == project.id),
        select(Signup.user_id).join(Occurrence, Signup.occurrence_id == Occurrence.id)
        .join(Task, Occurrence.task_id == Task.id)
        .where(Task.project_id == project.id, Signup.status.in_(SignupStatus.TOOK_PART)),
    ).subquery()
    following = select(ProjectFollower.user_id).where(ProjectFollower.project_id == project.id)
    return list(db.session.scalars(
        select(User).where(User.id.in_(select(took_part.c.uid)), User.id.not_in(following),
                           User.active.is_(True), User.deleted_at.is_(None)).order_by(User.id)))
