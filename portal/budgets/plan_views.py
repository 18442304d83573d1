"""Local development plans (public page, history of versions, editing) and dialogue meetings (agenda,
invited parties, minutes, follow-up items answered by a deadline)."""
from __future__ import annotations

import json
from datetime import date, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from models import Council, DomainError, Project, Role, db, utcnow
from models.base import from_local
from models.plan_operations import add_follow_up, answer_follow_up, plan_meeting, save_plan, write_minutes
from models.plans import DevelopmentPlan, DialogueMeeting, FollowUpItem, GoalStatus, PlanVersion
from models.projects import is_council_member
from portal.params import parse_id
from portal.access import PUBLIC, access
from portal.forms import BaseForm
from portal.routes import RouteTable

routes = RouteTable()

MESSAGES = {
    "not_council_member": _l("Only the council's members can change its plan."),
    "plan_incomplete": _l("Write the plan's vision."),
    "invalid_status": _l("Choose a status for every goal."),
    "not_administration": _l("Only the administration can do that."),
    "meeting_incomplete": _l("Give the meeting a title, a date and a time."),
    "follow_up_incomplete": _l("Write the question and its deadline."),
    "empty_answer": _l("Write the answer."),
}
EMPTY_GOAL_ROWS = 3


def _message(error: DomainError) -> str:
    return str(MESSAGES.get(error.code, _l("That is not possible right now.")))


def goal_labels() -> dict[str, str]:
    return {GoalStatus.PLANNED: _("Planned"), GoalStatus.UNDER_WAY: _("Under way"), GoalStatus.REACHED: _("Reached"),
            GoalStatus.PAUSED: _("Paused")}


def _plan_of(council_id: int) -> DevelopmentPlan | None:
    return db.session.scalar(select(DevelopmentPlan).where(DevelopmentPlan.council_id == council_id))


@routes.route("/udviklingsplaner/<int:council_id>")
@access(PUBLIC)
def plan(council_id: int):
    """A local council's development plan: vision, goals with status and links, who is behind it, versions."""
    council = db.get_or_404(Council, council_id)
    may_edit = is_council_member(current_user, council.id) or (
        current_user.is_authenticated and current_user.has_role(Role.COORDINATOR, Role.ADMIN))
    return render_template("plans/plan.html", council=council, plan=_plan_of(council.id), labels=goal_labels(),
                           may_edit=may_edit)


@routes.route("/udviklingsplaner/<int:council_id>/versioner/<int:version>")
@access(PUBLIC)
def plan_version(council_id: int, version: int):
    """The plan as it read in one of its versions."""
    council = db.get_or_404(Council, council_id)
    plan = _plan_of(council.id)
    row = plan and db.session.scalar(select(PlanVersion).where(PlanVersion.plan_id == plan.id,
                                                               PlanVersion.version == version))
    if not row:
        abort(404)
    return render_template("plans/version.html", council=council, row=row, content=json.loads(row.content),
                           labels=goal_labels())


@routes.route("/udviklingsplaner/<int:council_id>/rediger", methods=["GET", "POST"])
@access(Role.COUNCIL, Role.COORDINATOR, Role.ADMIN)
def edit_plan(council_id: int):
    """Edit the plan; saving makes a new version."""
    council = db.get_or_404(Council, council_id)
    if not (is_council_member(current_user, council.id) or current_user.has_role(Role.COORDINATOR, Role.ADMIN)):
        abort(403)
    plan = _plan_of(council.id)
    projects = list(db.session.scalars(select(Project).where(Project.council_id == council.id).order_by(Project.title)))
    error, status = None, 200
    if request.method == "POST":
        values = _plan_values()
        if BaseForm().validate_on_submit():
            try:
                save_plan(council, actor=current_user, now=utcnow(), **values)
            except DomainError as failure:
                db.session.rollback()
                error = _message(failure)
            else:
                db.session.commit()
                flash(_("The plan is saved as a new version."), "success")
                return redirect(url_for("budgets.plan", council_id=council.id))
        else:
            error = _("The form expired. Try again.")
        status = 400
    else:
        values = {"vision": plan.vision if plan else "", "backers": plan.backers if plan else "", "note": "",
                  "goals": [{"title": g.title, "status": g.status, "project_id": g.project_id} for g in plan.goals]
                  if plan else []}
    rows = values["goals"] + [{"title": "", "status": GoalStatus.PLANNED, "project_id": None}] * EMPTY_GOAL_ROWS
    return render_template("plans/edit.html", council=council, values=values, rows=rows, labels=goal_labels(),
                           projects=projects, error=error), status


def _plan_values() -> dict:
    titles, statuses, projects = (request.form.getlist(name) for name in ("goal_title", "goal_status", "goal_project"))
    goals = []
    for title, status, project in zip(titles, statuses, projects):
        goals.append({"title": title.strip(), "status": status,
                      "project_id": parse_id(project)})
    return {"vision": request.form.get("vision", ""), "backers": request.form.get("backers", ""),
            "note": request.form.get("note", ""), "goals": [g for g in goals if g["title"]]}


# --- dialogue meetings ------------------------------------------------------------------------------------

def _administration() -> bool:
    return current_user.is_authenticated and current_user.has_role(Role.COORDINATOR, Role.ADMIN)


def _meetings_page(*, error=None, values=None, status=200):
    meetings = list(db.session.scalars(select(DialogueMeeting).order_by(DialogueMeeting.starts_at.desc())))
    open_items = list(db.session.scalars(select(FollowUpItem).where(FollowUpItem.answered_at.is_(None))
                                         .order_by(FollowUpItem.due_on)))
    return render_template("plans/meetings.html", meetings=meetings, open_items=open_items, error=error,
                           values=values or {}, administration=_administration(), today=date.today()), status


@routes.route("/dialogmoeder")
@access(PUBLIC)
def meetings():
    """The dialogue meetings (3–4 a year) and the follow-up items waiting for an answer."""
    return _meetings_page()


def _parse_day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        return None


@routes.route("/dialogmoeder", methods=["POST"])
@access(Role.COORDINATOR, Role.ADMIN)
def new_meeting():
    """Plan a dialogue meeting."""
    values = {k: request.form.get(k, "") for k in ("title", "day", "time", "place", "agenda", "invited")}
    day = _parse_day(values["day"])
    try:
        clock = datetime.strptime(values["time"], "%H:%M").time() if values["time"] else None
    except ValueError:
        clock = None
    if not BaseForm().validate_on_submit():
        return _meetings_page(error=_("The form expired. Try again."), values=values, status=400)
    try:
        starts = from_local(datetime.combine(day, clock)) if day and clock else None
        meeting = plan_meeting(actor=current_user, now=utcnow(), title=values["title"], starts_at=starts,
                               place=values["place"], agenda=values["agenda"], invited=values["invited"])
    except DomainError as failure:
        db.session.rollback()
        return _meetings_page(error=_message(failure), values=values, status=400)
    db.session.commit()
    flash(_("The meeting is planned."), "success")
    return redirect(url_for("budgets.meeting", meeting_id=meeting.id))


def _meeting_page(meeting, *, error=None, values=None, status=200):
    return render_template("plans/meeting.html", meeting=meeting, error=error, values=values or {},
                           administration=_administration(), today=date.today()), status


@routes.route("/dialogmoeder/<int:meeting_id>")
@access(PUBLIC)
def meeting(meeting_id: int):
    """A dialogue meeting: agenda, invited parties, minutes and follow-up items with deadlines and answers."""
    return _meeting_page(db.get_or_404(DialogueMeeting, meeting_id))


def _meeting_action(meeting, operation, values, success):
    if not BaseForm().validate_on_submit():
        return _meeting_page(meeting, error=_("The form expired. Try again."), values=values, status=400)
    try:
        operation()
    except DomainError as failure:
        db.session.rollback()
        return _meeting_page(meeting, error=_message(failure), values=values, status=400)
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("budgets.meeting", meeting_id=meeting.id))


@routes.route("/dialogmoeder/<int:meeting_id>/referat", methods=["POST"])
@access(Role.COORDINATOR, Role.ADMIN)
def minutes(meeting_id: int):
    """Write the meeting's minutes."""
    meeting = db.get_or_404(DialogueMeeting, meeting_id)
    values = {"minutes": request.form.get("minutes", "")}
    return _meeting_action(meeting, lambda: write_minutes(meeting, actor=current_user, now=utcnow(),
                                                          minutes=values["minutes"]), values, _("The minutes are saved."))


@routes.route("/dialogmoeder/<int:meeting_id>/opfoelgning", methods=["POST"])
@access(Role.COORDINATOR, Role.ADMIN)
def follow_up(meeting_id: int):
    """Add a follow-up item with the deadline for its answer."""
    meeting = db.get_or_404(DialogueMeeting, meeting_id)
    values = {"question": request.form.get("question", ""), "due_on": request.form.get("due_on", "")}
    return _meeting_action(meeting, lambda: add_follow_up(meeting, actor=current_user, now=utcnow(),
                                                          question=values["question"],
                                                          due_on=_parse_day(values["due_on"])),
                           values, _("The follow-up item is added and shown in the calendar."))


@routes.route("/dialogmoeder/opfoelgning/<int:item_id>/svar", methods=["POST"])
@access(Role.COORDINATOR, Role.ADMIN)
def answer(item_id: int):
    """The administration answers a follow-up item."""
    item = db.get_or_404(FollowUpItem, item_id)
    values = {f"answer-{item.id}": request.form.get("answer", "")}
    return _meeting_action(item.meeting, lambda: answer_follow_up(item, actor=current_user, now=utcnow(),
                                                                  answer=request.form.get("answer", "")),
                           values, _("The answer is published."))
