"""The ideas room: public idea list and pages, co-creators, sparring agents' answers, answer times, moderation."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent, gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.routing import BuildError

from models import (CoCreator, ContentReport, DomainError, Idea, IdeaEvent, IdeaEventKind, IdeaStatus, ProjectUpdate,
                    Role, UpdateComment, User, UserRole, db, utcnow)
from models.audit import (REPORTABLE, dismiss_reports, hide_content, is_shown, report_content, report_target,
                          show_content)
from models.consent import Audience
from models.ideas import ANSWERS, OWNER_MOVES
from models.idea_operations import (answer_idea, ask_for_people, assign_sparring_agent, close_idea, edit_idea,
                                    invite_co_owner, invite_to_idea, invite_to_meeting, join_idea, set_agent_themes,
                                    submit_idea, themes_of)
from models.selfservice import Flow
from portal import selfservice
from portal.access import LOGIN, PUBLIC, access
from portal.forms import BaseForm
from portal import obstacles
from portal.ideas import suggest
from portal.ideas.figures import answer_times as compute_answer_times
from portal.ideas.forms import (AnswerForm, AnswerTimesForm, AssignForm, CloseForm, IdeaFilterForm, IdeaForm,
                                JoinForm, MeetingForm, ModerationForm, ReportForm, ThemesForm, status_labels,
                                theme_labels)
from portal.scheduler.timing import add_working_days

bp = Blueprint("ideas", __name__, url_prefix="/ideer")

LIST_PAGE_SIZE = 50
HIDDEN_SHOWN = 50
PERIODS = ((30, _l("Last 30 days")), (365, _l("Last 12 months")), (None, _l("All time")))
MESSAGES = {
    "idea_incomplete": _l("Give the idea a title and say what it is."),
    "unknown_theme": _l("Choose one of the themes."),
    "not_idea_owner": _l("Only the initiator and the co-owners they invite can do that."),
    "not_initiator": _l("Only the initiator can do that."),
    "idea_closed": _l("The idea is closed, so it cannot be changed."),
    "idea_hidden": _l("The idea is hidden for now."),
    "not_sparring_agent": _l("Only a sparring agent can do that."),
    "transition_not_allowed": _l("The idea cannot go to that status from where it is now."),
    "reason_required": _l("Give the reason."),
    "message_required": _l("Write a message to the initiator."),
    "next_step_required": _l("Say what happens next, who does it and when."),
    "offer_required": _l("Tell the initiator what you can offer."),
    "own_idea": _l("It is your own idea, so you are already part of it."),
    "already_joined": _l("You have already joined this idea."),
    "not_co_creator": _l("That person has not joined this idea."),
    "meeting_incomplete": _l("Say when and where the meeting is."),
    "no_co_creators": _l("Nobody has joined the idea yet, so there is no one to invite."),
    "not_moderator": _l("Only a coordinator can do that."),
    "report_target_gone": _l("It no longer exists."),
    "already_asked": _l("You have already asked the sparring agent. They will invite the people who fit."),
    "cannot_invite": _l("That person cannot be invited to the idea."),
}


def message_for(error: DomainError) -> str:
    return str(MESSAGES.get(error.code, _l("That is not possible right now.")))


def is_coordinator() -> bool:
    return current_user.is_authenticated and current_user.has_role(Role.COORDINATOR)


def deadline_days() -> int:
    return current_app.config["IDEA_ANSWER_WORKING_DAYS"]


def _load(idea_id: int) -> Idea:
    idea = db.session.scalar(
        select(Idea).where(Idea.id == idea_id)
        .options(joinedload(Idea.initiator), joinedload(Idea.agent),
                 selectinload(Idea.events).joinedload(IdeaEvent.actor),
                 selectinload(Idea.co_creators).joinedload(CoCreator.user)))
    if idea is None:
        abort(404)
    return idea


def _agents() -> list[User]:
    return list(db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.COORDINATOR.value, User.active.is_(True), User.deleted_at.is_(None))
        .order_by(User.name)))


def _assign_form(idea: Idea, form=None) -> AssignForm:
    form = form or AssignForm(formdata=None, agent=idea.agent_id)
    form.agent.choices = [(a.id, a.name) for a in _agents()]
    return form


def _idea_page(idea: Idea, *, status: int = 200, **forms):
    owner = idea.is_owner(current_user)
    coordinator = is_coordinator()
    if idea.hidden and not (owner or coordinator):
        return render_template("ideas/hidden.html", idea=idea), 200
    is_initiator = current_user.is_authenticated and idea.initiator_id == current_user.id
    mine = idea.co_creator_of(current_user)
    close_form = forms.get("close_form") or CloseForm(formdata=None)
    close_form.status.choices = [c for c in close_form.status.choices if c[0] in OWNER_MOVES.get(idea.status, ())]
    answer_form = forms.get("answer_form") or AnswerForm(formdata=None)
    answer_form.status.choices = [c for c in answer_form.status.choices if c[0] in ANSWERS.get(idea.status, ())]
    context = {
        "idea": idea, "owner": owner, "coordinator": coordinator, "is_initiator": is_initiator, "mine": mine,
        **_people(idea, owner=owner, coordinator=coordinator),
        "can_join": (current_user.is_authenticated and not owner and mine is None and not idea.is_final
                     and not idea.hidden and idea.initiator_id != current_user.id),
        "answer_choices": ANSWERS.get(idea.status, ()), "owner_moves": OWNER_MOVES.get(idea.status, ()),
        "join_form": forms.get("join_form") or JoinForm(formdata=None),
        "answer_form": answer_form,
        "close_form": close_form,
        "meeting_form": forms.get("meeting_form") or MeetingForm(formdata=None),
        "assign_form": _assign_form(idea, forms.get("assign_form")) if coordinator else None,
        "action_form": BaseForm(formdata=None),
        "statuses": status_labels(), "themes": theme_labels(),
        "similar_ideas": suggest.similar_ideas(idea), "similar_tasks": suggest.similar_tasks(idea),
    }
    return render_template("ideas/idea.html", **context), status


def _people(idea: Idea, *, owner: bool, coordinator: bool) -> dict:
    """People whose skills fit, as models.consent allows: a sparring agent sees who (and invites them);
    the initiator sees how many, and names only of those who chose to be shown to citizens."""
    if coordinator:
        people = suggest.people_for(idea, Audience.COORDINATORS)
        # An empty list says what stands in the way (portal.obstacles), for an idea still in play.
        obstacle = obstacles.for_idea(idea) if not people and not idea.is_final else None
        return {"people": people, "fitting": 0, "asked": False, "people_obstacle": obstacle}
    if not owner or idea.hidden or idea.is_final:
        return {"people": [], "fitting": 0, "asked": False}
    asked = [e for e in idea.events if e.kind == IdeaEventKind.PEOPLE_ASKED]
    invited = [e for e in idea.events if e.kind == IdeaEventKind.INVITED]
    return {"people": suggest.people_for(idea, Audience.CITIZENS), "fitting": suggest.how_many_fit(idea),
            "asked": bool(asked) and (not invited or invited[-1].created_at < asked[-1].created_at)}


def _fail(error: DomainError, idea: Idea):
    flash(message_for(error), "error")
    db.session.rollback()
    return redirect(url_for("ideas.idea", idea_id=idea.id))


def _carry_out(idea: Idea, act, done, category: str = "success"):
    """Call the use case; a refusal is shown in Danish, else commit and say what happened (`done` may
    take the use case's result)."""
    try:
        result = act()
    except DomainError as error:
        return _fail(error, idea)
    db.session.commit()
    flash(done(result) if callable(done) else done, category)
    return redirect(url_for("ideas.idea", idea_id=idea.id))


# --- public list and page ---------------------------------------------------------------------

@bp.route("/")
@access(PUBLIC)
def index():
    """All visible ideas, newest first, filtered by status, theme and area."""
    form = IdeaFilterForm(request.args)
    form.validate()
    joined = (select(CoCreator.idea_id, func.count(CoCreator.id).label("n")).group_by(CoCreator.idea_id).subquery())
    query = (select(Idea, func.coalesce(joined.c.n, 0)).outerjoin(joined, joined.c.idea_id == Idea.id)
             .where(Idea.hidden.is_(False)))
    if form.status.data and not form.status.errors:
        query = query.where(Idea.status == form.status.data)
    if form.theme.data and not form.theme.errors:
        query = query.where(Idea.theme == form.theme.data)
    if form.area.data:
        query = query.where(func.lower(Idea.area).contains(form.area.data.lower(), autoescape=True))
    page = max(request.args.get("side", 1, type=int) or 1, 1)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(query.order_by(Idea.created_at.desc(), Idea.id.desc())
                              .offset((page - 1) * LIST_PAGE_SIZE).limit(LIST_PAGE_SIZE)).all()
    args = {k: v for k, v in request.args.items() if k != "side" and v}
    return render_template("ideas/index.html", form=form, rows=rows, total=total, page=page,
                           pages=max((total + LIST_PAGE_SIZE - 1) // LIST_PAGE_SIZE, 1), args=args,
                           statuses=status_labels(), themes=theme_labels())


@bp.route("/ny", methods=["GET", "POST"])
@access(LOGIN)
def new():
    """Propose an idea in plain words."""
    form = IdeaForm()
    selfservice.started(Flow.IDEA)
    if form.validate_on_submit():
        now = utcnow()
        try:
            idea = submit_idea(initiator=current_user, now=now, answer_due_at=add_working_days(now, deadline_days()),
                               **form.values())
        except DomainError as error:
            db.session.rollback()
            flash(message_for(error), "error")
        else:
            db.session.commit()
            selfservice.finished(Flow.IDEA)
            flash(_("Thank you! Your idea is received. A sparring agent answers you within %(days)d working days.",
                    days=deadline_days()), "success")
            return redirect(url_for("ideas.idea", idea_id=idea.id))
    return render_template("ideas/form.html", form=form, idea=None)


@bp.route("/<int:idea_id>")
@access(PUBLIC)
def idea(idea_id: int):
    """An idea's page: the idea, its co-creators, its public timeline and suggestions."""
    return _idea_page(_load(idea_id))


@bp.route("/<int:idea_id>/rediger", methods=["GET", "POST"])
@access(LOGIN)
def edit(idea_id: int):
    """The initiator and co-owners edit their idea; the municipality cannot rewrite it."""
    idea = _load(idea_id)
    if not idea.is_owner(current_user):
        abort(403)
    form = IdeaForm(obj=idea)
    if form.validate_on_submit():
        try:
            changed = edit_idea(idea, actor=current_user, now=utcnow(), **form.values())
        except DomainError as error:
            return _fail(error, idea)
        db.session.commit()
        flash(_("Your changes are saved.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for("ideas.idea", idea_id=idea.id))
    return render_template("ideas/form.html", form=form, idea=idea)


@bp.route("/<int:idea_id>/vaer-med", methods=["POST"])
@access(LOGIN)
def join(idea_id: int):
    """Join an idea as a co-creator, saying what one offers; the initiator is told at once."""
    idea = _load(idea_id)
    form = JoinForm()
    if not form.validate_on_submit():
        return _idea_page(idea, join_form=form)
    return _carry_out(idea, lambda: join_idea(idea, user=current_user, now=utcnow(), offer=form.offer.data),
                      _("You have joined the idea. The initiator has been told and can contact you."))


@bp.route("/<int:idea_id>/svar", methods=["POST"])
@access(Role.COORDINATOR)
def answer(idea_id: int):
    """The sparring agent's answer: in dialogue, can go ahead, or cannot engage (with the reason)."""
    idea = _load(idea_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _idea_page(idea, answer_form=form)
    return _carry_out(idea, lambda: answer_idea(
        idea, actor=current_user, now=utcnow(), status=form.status.data, message=form.message.data or "",
        next_step=form.next_step.data or "", next_who=form.next_who.data or "", next_when=form.next_when.data or ""),
        _("Your answer is on the idea's timeline and has been sent to the initiator."))


@bp.route("/<int:idea_id>/sparringsagent", methods=["POST"])
@access(Role.COORDINATOR)
def assign(idea_id: int):
    """A coordinator hands the idea to another sparring agent."""
    idea = _load(idea_id)
    form = _assign_form(idea, AssignForm())
    if not form.validate_on_submit():
        return _idea_page(idea, assign_form=form)
    return _carry_out(idea, lambda: assign_sparring_agent(idea, actor=current_user, now=utcnow(),
                                                          agent=db.session.get(User, form.agent.data)),
                      _("The sparring agent is changed."))


@bp.route("/<int:idea_id>/afslut", methods=["POST"])
@access(LOGIN)
def close(idea_id: int):
    """The initiator marks the idea realised, or closes it."""
    idea = _load(idea_id)
    if not idea.is_owner(current_user):
        abort(403)
    form = CloseForm()
    if not form.validate_on_submit():
        return _idea_page(idea, close_form=form)
    return _carry_out(idea, lambda: close_idea(idea, actor=current_user, now=utcnow(), status=form.status.data,
                                               message=form.message.data or ""),
                      _("The idea's status is updated."))


@bp.route("/<int:idea_id>/medejer/<int:co_creator_id>", methods=["POST"])
@access(LOGIN)
def co_owner(idea_id: int, co_creator_id: int):
    """The initiator makes a co-creator co-owner of the idea."""
    idea = _load(idea_id)
    if idea.initiator_id != current_user.id:
        abort(403)
    co_creator = next((c for c in idea.co_creators if c.id == co_creator_id), None)
    if co_creator is None:
        abort(404)
    if not BaseForm().validate_on_submit():
        return redirect(url_for("ideas.idea", idea_id=idea.id))
    return _carry_out(idea, lambda: invite_co_owner(idea, co_creator, actor=current_user, now=utcnow()),
                      _("%(name)s is now co-owner and can edit the idea with you.", name=co_creator.user.name))


@bp.route("/<int:idea_id>/moede", methods=["POST"])
@access(LOGIN)
def meeting(idea_id: int):
    """The initiator invites the co-creators to a meeting (each gets an e-mail)."""
    idea = _load(idea_id)
    if not idea.is_owner(current_user):
        abort(403)
    form = MeetingForm()
    if not form.validate_on_submit():
        return _idea_page(idea, meeting_form=form)
    return _carry_out(idea, lambda: invite_to_meeting(idea, actor=current_user, now=utcnow(), when=form.when.data,
                                                      where=form.where.data, message=form.message.data or ""),
                      lambda called: _("The invitation has been sent to %(n)d co-creators.", n=len(called[1])))


@bp.route("/<int:idea_id>/find-folk", methods=["POST"])
@access(LOGIN)
def ask_people(idea_id: int):
    """The initiator asks the sparring agent to invite the people whose skills fit."""
    idea = _load(idea_id)
    if not idea.is_owner(current_user):
        abort(403)
    if not BaseForm().validate_on_submit():
        return redirect(url_for("ideas.idea", idea_id=idea.id))
    return _carry_out(idea, lambda: ask_for_people(idea, actor=current_user, now=utcnow()),
                      _("The sparring agent has been asked to invite the people whose skills fit."))


@bp.route("/<int:idea_id>/inviter/<int:user_id>", methods=["POST"])
@access(Role.COORDINATOR)
def invite_person(idea_id: int, user_id: int):
    """A sparring agent invites someone whose skills fit to look at the idea (one e-mail, once)."""
    idea = _load(idea_id)
    person = db.get_or_404(User, user_id)
    if not BaseForm().validate_on_submit():
        return redirect(url_for("ideas.idea", idea_id=idea.id))
    return _carry_out(idea, lambda: invite_to_idea(idea, person, actor=current_user, now=utcnow()),
                      lambda sent: _("%(name)s is invited to look at the idea.", name=person.name) if sent else
                      _("%(name)s has already been invited.", name=person.name))


# --- reports: one form page for ideas, project updates and comments; the queue below decides ----

def _reported(target_kind: str, target_id: int) -> dict:
    """What is being reported, where it lives and how the page names it; 404 when it cannot be reported."""
    target = report_target(target_kind, target_id) if target_kind in REPORTABLE else None
    if not is_shown(target_kind, target):  # hidden content (or under a hidden update) is with the coordinators
        abort(404)
    if target_kind == "idea":
        return {"target": target, "title": _("Report the idea"), "heading": target.title, "text": target.what,
                "where": _("The idea %(title)s.", title=target.title),
                "back": url_for("ideas.idea", idea_id=target.id)}
    project = target.project if target_kind == "update" else target.update.project
    return {"target": target, "title": _("Report an update") if target_kind == "update" else _("Report a comment"),
            "heading": None, "text": target.body, "where": _("From the project %(title)s.", title=project.title),
            "back": url_for("councils.project", project_id=project.id, _anchor=f"{target_kind}-{target.id}")}


@bp.route("/anmeld/<target_kind>/<int:target_id>", methods=["GET", "POST"])
@access(LOGIN)
def report(target_kind: str, target_id: int):
    """Report an idea, a project update or a comment to the coordinators; errors keep what was written."""
    reported = _reported(target_kind, target_id)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            report_content(target_kind, target_id, reporter=current_user, now=utcnow(), reason=form.reason.data)
        except DomainError as error:
            db.session.rollback()
            form.reason.errors.append(message_for(error))
        else:
            db.session.commit()
            flash(_("Thank you. A coordinator will look at it."), "success")
            return redirect(reported["back"])
    return render_template("ideas/report.html", form=form, **reported)


# --- the citizen's own ideas ------------------------------------------------------------------

@bp.route("/mine")
@access(LOGIN)
def mine():
    """Mine idéer: ideas I proposed and ideas I joined, with their status and any moderation note."""
    started = list(db.session.scalars(
        select(Idea).where(Idea.initiator_id == current_user.id)
        .options(selectinload(Idea.co_creators)).order_by(Idea.created_at.desc())))
    joined = db.session.execute(
        select(Idea, CoCreator).join(CoCreator, CoCreator.idea_id == Idea.id)
        .where(CoCreator.user_id == current_user.id).order_by(CoCreator.created_at.desc())).all()
    return render_template("ideas/mine.html", started=started, joined=joined, statuses=status_labels())


# --- sparring agents and coordinators ---------------------------------------------------------

def _period_rows(rows, days, now):
    if days is None:
        return rows
    start = now - timedelta(days=days)
    return [r for r in rows if r.created_at >= start]


@bp.route("/svartider")
@access(Role.COORDINATOR)
def answer_times():
    """Answer times: median working days to a first answer and the share answered within the deadline."""
    form = AnswerTimesForm(request.args)
    days = form.deadline.data if form.validate() and form.deadline.data else deadline_days()
    form.deadline.data = days
    now = utcnow()
    rows = db.session.execute(select(Idea.id, Idea.created_at, Idea.first_answer_at, Idea.agent_id)
                              .where(Idea.hidden.is_(False))).all()
    periods = [(label, compute_answer_times(_period_rows(rows, span, now), now=now, deadline_days=days))
               for span, label in PERIODS]
    agents = {a.id: a for a in _agents()}
    by_agent = [(agents[aid], compute_answer_times([r for r in rows if r.agent_id == aid], now=now,
                                                   deadline_days=days)) for aid in agents]
    by_agent = [(agent, figures) for agent, figures in by_agent if figures.received]
    waiting = list(db.session.scalars(
        select(Idea).where(Idea.first_answer_at.is_(None), Idea.hidden.is_(False),
                           Idea.status.in_(IdeaStatus.UNANSWERED))
        .options(joinedload(Idea.agent)).order_by(Idea.created_at)))
    due = {i.id: add_working_days(i.created_at, days) for i in waiting}
    themes_form = ThemesForm(formdata=None, themes=themes_of(current_user))
    return render_template("ideas/answer_times.html", form=form, days=days, periods=periods, by_agent=by_agent,
                           waiting=waiting, due=due, now=now, themes_form=themes_form, themes=theme_labels(),
                           decimal=lambda value: format_decimal(value, "0.0"), percent=format_percent)


@bp.route("/svartider/temaer", methods=["POST"])
@access(Role.COORDINATOR)
def save_themes():
    """A sparring agent chooses the themes whose new ideas come to them."""
    form = ThemesForm()
    if form.validate_on_submit():
        set_agent_themes(current_user, form.themes.data or [], actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("Your themes are saved."), "success")
    else:
        flash(_("Choose among the listed themes."), "error")
    return redirect(url_for("ideas.answer_times"))


def _target_url(kind: str, target) -> str | None:
    try:
        if kind == "idea":
            return url_for("ideas.idea", idea_id=target.id)
        project_id = target.project_id if kind == "update" else target.update.project_id
        return url_for("councils.project", project_id=project_id)
    except BuildError:
        return None


def _moderation_items():
    """Open reports grouped by what they are about, and what is hidden now (one query per kind)."""
    reports = list(db.session.scalars(select(ContentReport).where(ContentReport.resolved_at.is_(None))
                                      .order_by(ContentReport.created_at)))
    wanted = {kind: {r.target_id for r in reports if r.target_kind == kind} for kind in REPORTABLE}
    models = {"idea": Idea, "comment": UpdateComment, "update": ProjectUpdate}
    loaders = {"idea": (), "comment": (selectinload(UpdateComment.update),), "update": ()}
    targets = {}
    hidden = {}
    for kind, model in models.items():
        if wanted[kind]:
            for obj in db.session.scalars(select(model).where(model.id.in_(wanted[kind])).options(*loaders[kind])):
                targets[(kind, obj.id)] = obj
        hidden[kind] = list(db.session.scalars(select(model).where(model.hidden.is_(True)).options(*loaders[kind])
                                               .order_by(model.id.desc()).limit(HIDDEN_SHOWN)))
    grouped: dict[tuple, list] = {}
    for r in reports:
        grouped.setdefault((r.target_kind, r.target_id), []).append(r)
    items = [{"kind": kind, "id": tid, "target": targets.get((kind, tid)), "reports": rs,
              "url": _target_url(kind, targets[(kind, tid)]) if (kind, tid) in targets else None}
             for (kind, tid), rs in grouped.items()]
    hidden_items = [{"kind": kind, "id": obj.id, "target": obj, "url": _target_url(kind, obj)}
                    for kind, objs in hidden.items() for obj in objs]
    return items, hidden_items


def _moderation_page(errored=None, status=200):
    items, hidden_items = _moderation_items()
    kinds = {"idea": _l("Idea"), "comment": _l("Comment"), "update": _l("Project update")}
    return render_template("ideas/moderation.html", items=items, hidden_items=hidden_items, kinds=kinds,
                           errored=errored, blank=ModerationForm(formdata=None)), status


@bp.route("/moderering")
@access(Role.COORDINATOR)
def moderation():
    """The moderation queue: reported ideas, comments and updates, and what is hidden now."""
    return _moderation_page()


@bp.route("/moderering/<target_kind>/<int:target_id>", methods=["POST"])
@access(Role.COORDINATOR)
def moderate(target_kind: str, target_id: int):
    """Hide with a reason the author sees, show again, or keep as it is; nothing is deleted."""
    if target_kind not in REPORTABLE:
        abort(404)
    form = ModerationForm()
    if not form.validate_on_submit():
        return _moderation_page(errored=(target_kind, target_id, form))
    now = utcnow()
    try:
        if form.action.data == "hide":
            hide_content(target_kind, target_id, actor=current_user, now=now, reason=form.reason.data)
        elif form.action.data == "show":
            show_content(target_kind, target_id, actor=current_user, now=now, reason=form.reason.data or "")
        else:
            dismiss_reports(target_kind, target_id, actor=current_user, now=now)
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return redirect(url_for("ideas.moderation"))
    db.session.commit()
    flash(_("The decision is saved."), "success")
    return redirect(url_for("ideas.moderation"))
