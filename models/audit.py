"""The audit log: who looked at or changed whose private data, and who decided what; moderation reports.

Every use case that reads or changes a person's private data, or decides about them, writes one row
through `record` (the citizen sees the rows about them at /min-profil/indsigt); task decisions that
concern no single person are recorded with no subject.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, aliased, mapped_column

from models.base import UTCDateTime, db, one_of, utcnow

REPORTABLE = ("idea", "comment", "update")


class AuditAction:
    """What an audit row records; the coordinators' log and the citizen's insight page label them."""

    VIEWED_PROFILE = "profile_viewed"
    VIEWED_SCREENING = "screening_viewed"
    REVIEWED = "profile_reviewed"
    NOTE_CHANGED = "note_changed"
    SCREENING_RECORDED = "screening_recorded"
    ASSISTED_CREATED = "assisted_profile_created"
    CONSENT_RECORDED = "consent_recorded"
    ASSISTED_SIGNUP = "assisted_signup"
    PHONE_LIST = "phone_list_viewed"
    SIGNUP_ACCEPTED = "signup_accepted"
    SIGNUP_DECLINED = "signup_declined"
    SIGNUP_CANCELLED = "signup_cancelled"        # by a coordinator on the volunteer's behalf
    PLACES_RELEASED = "places_released"          # a declined profile's coming places were given back
    ATTENDANCE_RECORDED = "attendance_recorded"
    INVITED = "invited"                          # to a task, by staff
    IDEA_INVITED = "idea_invited"                # to a citizen's idea, by a sparring agent
    TASK_CREATED = "task_created"
    TASK_EDITED = "task_edited"
    TASK_PUBLISHED = "task_published"
    TASK_CLOSED = "task_closed"
    TASK_CANCELLED = "task_cancelled"
    CONTENT_HIDDEN = "content_hidden"
    CONTENT_SHOWN = "content_shown"
    CONTENT_KEPT = "content_kept"
    ROLE_GRANTED = "role_granted"
    MUNICIPALITY_CHANGED = "municipality_changed"  # name, contact details, colour or logo, by an administrator
    ROLE_REMOVED = "role_removed"
    MEMBERSHIP_ADDED = "membership_add"
    MEMBERSHIP_REMOVED = "membership_remove"
    TEAM_JOINED = "team_joined"                  # with consent to share name and phone with the team
    TEAM_LEFT = "team_left"
    ACTIVATED = "activated"
    DEACTIVATED = "deactivated"
    HELP_GIVEN = "help_given"   # a coordinator called someone who asked for help (models.selfservice)


class AuditEntry(db.Model):
    """Who looked at or changed whose private data, when, and whether on the citizen's behalf."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_audit_subject_created", "subject_id", "created_at"),)


def record(subject, *, actor, action: str, now: datetime, detail: str = "", on_behalf: bool = False) -> AuditEntry:
    """Write one audit row: `actor` looked at, changed or decided about `subject` (a User, or None) at `now`."""
    entry = AuditEntry(actor_id=actor.id if actor is not None else None,
                       subject_id=subject.id if subject is not None else None, action=action,
                       detail=(detail or "")[:500], on_behalf=on_behalf, created_at=now)
    db.session.add(entry)
    db.session.flush()
    return entry


def audit_trail(subject_id: int, *, limit: int = 500, skip_actor_id: int | None = None) -> list:
    """The audit rows about one person with the actor's name, newest first (rows of (AuditEntry, name))."""
    from models.people import User
    actor = aliased(User)
    query = (select(AuditEntry, actor.name).outerjoin(actor, AuditEntry.actor_id == actor.id)
             .where(AuditEntry.subject_id == subject_id))
    if skip_actor_id is not None:
        query = query.where(AuditEntry.actor_id != skip_actor_id)
    return db.session.execute(query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit)).all()


class ContentReport(db.Model):
    """Anyone may report an idea, comment or update; a coordinator decides, nothing vanishes silently."""

    __tablename__ = "content_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(Integer)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (one_of("target_kind", REPORTABLE), Index("ix_report_target", "target_kind", "target_id"))


def report_content(target_kind: str, target_id: int, *, reporter, now: datetime, reason: str) -> ContentReport:
    """Record that someone finds an idea, comment or update inappropriate; a coordinator decides.

    One open report per person and target is enough: a repeated report returns the open one.
    Raises DomainError "reason_required" without a reason.
    """
    from sqlalchemy import select

    from models.base import DomainError
    if target_kind not in REPORTABLE:
        raise ValueError(f"cannot report a {target_kind}")
    if not (reason or "").strip():
        raise DomainError("reason_required")
    reporter_id = reporter.id if reporter is not None else None
    if reporter_id is not None:
        open_report = db.session.scalar(select(ContentReport).where(
            ContentReport.target_kind == target_kind, ContentReport.target_id == target_id,
            ContentReport.reporter_id == reporter_id, ContentReport.resolved_at.is_(None)))
        if open_report is not None:
            return open_report
    report = ContentReport(target_kind=target_kind, target_id=target_id, reporter_id=reporter_id,
                           reason=reason.strip(), created_at=now)
    db.session.add(report)
    db.session.flush()
    return report


# --- moderation decisions (the coordinators' queue; used for ideas, comments and updates) -------

def report_target(target_kind: str, target_id: int):
    """The reported object (Idea, UpdateComment or ProjectUpdate), or None when it no longer exists."""
    from models.ideas import Idea
    from models.projects import ProjectUpdate, UpdateComment
    model = {"idea": Idea, "comment": UpdateComment, "update": ProjectUpdate}[target_kind]
    return db.session.get(model, target_id)


def is_shown(target_kind: str, target) -> bool:
    """Whether the reported object is public: neither it nor the update a comment is under is hidden."""
    if target is None or target.hidden:
        return False
    return not (target_kind == "comment" and target.update.hidden)


def target_author_id(target_kind: str, target) -> int | None:
    return target.initiator_id if target_kind == "idea" else target.author_id


def _resolve_reports(target_kind: str, target_id: int, *, actor, now: datetime) -> int:
    from sqlalchemy import select
    reports = db.session.scalars(select(ContentReport).where(
        ContentReport.target_kind == target_kind, ContentReport.target_id == target_id,
        ContentReport.resolved_at.is_(None))).all()
    for report in reports:
        report.resolved_at = now
        report.resolved_by_id = actor.id
    return len(reports)


def _decide(target_kind: str, target_id: int, *, actor, now: datetime, hidden: bool, reason: str):
    from models.base import DomainError
    from models.idea_operations import hide_idea, show_idea
    from models.people import Role
    from models.projects import set_hidden
    if actor is None or not actor.has_role(Role.COORDINATOR):
        raise DomainError("not_moderator")
    target = report_target(target_kind, target_id)
    if target is None:
        raise DomainError("report_target_gone")
    reason = (reason or "").strip()
    if target_kind == "idea":
        (hide_idea if hidden else show_idea)(target, actor=actor, now=now, reason=reason)
    else:
        set_hidden(target, actor=actor, now=now, hidden=hidden, reason=reason)
    _resolve_reports(target_kind, target_id, actor=actor, now=now)
    db.session.add(AuditEntry(actor_id=actor.id, subject_id=target_author_id(target_kind, target),
                              action=AuditAction.CONTENT_HIDDEN if hidden else AuditAction.CONTENT_SHOWN,
                              detail=f"{target_kind}:{target_id}: {reason}", created_at=now))
    db.session.flush()
    return target


def hide_content(target_kind: str, target_id: int, *, actor, now: datetime, reason: str):
    """A coordinator hides an idea, comment or update with a reason its author sees; nothing is deleted.

    Open reports about it are resolved and the decision is logged. Raises DomainError
    "not_moderator", "report_target_gone" or "reason_required".
    """
    return _decide(target_kind, target_id, actor=actor, now=now, hidden=True, reason=reason)


def show_content(target_kind: str, target_id: int, *, actor, now: datetime, reason: str = ""):
    """A coordinator shows hidden content again; the decision is logged like hiding."""
    return _decide(target_kind, target_id, actor=actor, now=now, hidden=False, reason=reason)


def dismiss_reports(target_kind: str, target_id: int, *, actor, now: datetime) -> int:
    """A coordinator keeps the content as it is: its open reports are resolved; returns how many."""
    from models.base import DomainError
    from models.people import Role
    if actor is None or not actor.has_role(Role.COORDINATOR):
        raise DomainError("not_moderator")
    count = _resolve_reports(target_kind, target_id, actor=actor, now=now)
    target = report_target(target_kind, target_id)
    db.session.add(AuditEntry(actor_id=actor.id, subject_id=target_author_id(target_kind, target) if target else None,
                              action=AuditAction.CONTENT_KEPT, detail=f"{target_kind}:{target_id}", created_at=now))
    db.session.flush()
    return count
