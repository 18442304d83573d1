"""The use cases of development plans and dialogue meetings: save a plan (a new version each time),
plan a meeting, write its minutes, add follow-up items and answer them."""
from __future__ import annotations

import json
from datetime import date, datetime

from models.audit import record as audit
from models.base import DomainError, db
from models.people import Role
from models.plans import DevelopmentPlan, DialogueMeeting, FollowUpItem, GoalStatus, PlanGoal, PlanVersion
from models.projects import is_council_member


def _is_administration(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.has_role(Role.COORDINATOR,
                                                                                           Role.ADMIN)


def save_plan(council, *, actor, now: datetime, vision: str, backers: str, goals: list[dict], note: str = ""
              ) -> DevelopmentPlan:
    """Save the council's development plan as a new version. `goals`: [{"title", "status", "project_id",
    "idea_id"}]. Raises DomainError "not_council_member", "plan_incomplete", "invalid_status"."""
    if not (is_council_member(actor, council.id) or _is_administration(actor)):
        raise DomainError("not_council_member")
    vision = (vision or "").strip()
    goals = [g for g in goals if (g.get("title") or "").strip()]
    if not vision:
        raise DomainError("plan_incomplete")
    if any(g.get("status", GoalStatus.PLANNED) not in GoalStatus.ALL for g in goals):
        raise DomainError("invalid_status")
    plan = db.session.query(DevelopmentPlan).filter_by(council_id=council.id).one_or_none()
    if plan is None:
        plan = DevelopmentPlan(council_id=council.id, version=0)
        db.session.add(plan)
    plan.vision, plan.backers, plan.updated_at = vision, (backers or "").strip(), now
    plan.goals.clear()
    for n, g in enumerate(goals):
        plan.goals.append(PlanGoal(position=n, title=g["title"].strip()[:200], status=g.get("status", GoalStatus.PLANNED),
                                   project_id=g.get("project_id"), idea_id=g.get("idea_id")))
    plan.version = (plan.version or 0) + 1
    content = {"vision": plan.vision, "backers": plan.backers,
               "goals": [{"title": g.title, "status": g.status, "project_id": g.project_id, "idea_id": g.idea_id}
                         for g in plan.goals]}
    plan.versions.append(PlanVersion(version=plan.version, content=json.dumps(content, ensure_ascii=False),
                                     note=(note or "").strip()[:300], author_id=actor.id, created_at=now))
    db.session.flush()
    audit(None, actor=actor, action="plan_saved", now=now, detail=f"{council.id}: v{plan.version}")
    return plan


def plan_meeting(*, actor, now: datetime, title: str, starts_at: datetime, place: str = "", agenda: str = "",
                 invited: str = "") -> DialogueMeeting:
    """The administration plans a dialogue meeting. Raises DomainError "not_administration", "meeting_incomplete"."""
    if not _is_administration(actor):
        raise DomainError("not_administration")
    if not (title or "").strip() or starts_at is None:
        raise DomainError("meeting_incomplete")
    meeting = DialogueMeeting(title=title.strip(), starts_at=starts_at, place=(place or "").strip(),
                              agenda=(agenda or "").strip(), invited=(invited or "").strip(),
                              created_by_id=actor.id, created_at=now)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def write_minutes(meeting: DialogueMeeting, *, actor, now: datetime, minutes: str) -> DialogueMeeting:
    if not _is_administration(actor):
        raise DomainError("not_administration")
    meeting.minutes = (minutes or "").strip()
    db.session.flush()
    return meeting


def add_follow_up(meeting: DialogueMeeting, *, actor, now: datetime, question: str, due_on: date | None
                  ) -> FollowUpItem:
    """A question from the meeting that the administration answers by `due_on`.
    Raises DomainError "not_administration", "follow_up_incomplete"."""
    if not _is_administration(actor):
        raise DomainError("not_administration")
    if not (question or "").strip() or due_on is None:
        raise DomainError("follow_up_incomplete")
    item = FollowUpItem(question=question.strip(), due_on=due_on)
    meeting.items.append(item)
    db.session.flush()
    return item


def answer_follow_up(item: FollowUpItem, *, actor, now: datetime, answer: str) -> FollowUpItem:
    """Raises DomainError "not_administration", "empty_answer"."""
    if not _is_administration(actor):
        raise DomainError("not_administration")
    if not (answer or "").strip():
        raise DomainError("empty_answer")
    item.answer, item.answered_at, item.answered_by_id = answer.strip(), now, actor.id
    db.session.flush()
    return item
