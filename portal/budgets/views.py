"""Citizen budgets' pages: the list, a budget with its phases, proposing, voting (also assisted), managing,
the result with its explanation, and the open data (JSON, CSV)."""
from __future__ import annotations

import csv
import io
from datetime import datetime, time

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from models import Council, CouncilMember, DomainError, Idea, Role, User, db, utcnow
from models.base import from_local
from models.budget_operations import (advance_phase, can_manage, cast_ballot, count, create_budget, deliver_budget,
                                      ineligibility, join_proposal, merge_proposals, my_ballot, propose_project,
                                      record_spending, result_document, review_proposal)
from models.budgets import BallotKind, BudgetProposal, CitizenBudget, Phase, ProposalStatus, has_voted
from portal.params import parse_id
from portal.access import LOGIN, PUBLIC, access
from portal.budgets.explain import explain, phase_labels, proposal_labels, rule_label
from portal.budgets.forms import AssistedForm, BudgetForm, ProposalForm, ReviewForm, SpendingForm
from portal.forms import BaseForm
from portal.routes import RouteTable

routes = RouteTable()

MESSAGES = {
    "not_budget_manager": _l("Only the municipality and the budget's local council can do that."),
    "budget_incomplete": _l("Give the budget a title."),
    "invalid_pot": _l("Enter the pot in whole kroner, 1 or more."),
    "invalid_ballot_kind": _l("Choose a kind of ballot."),
    "invalid_rule": _l("Choose a counting rule."),
    "max_choices_needed": _l("An approval ballot needs the most projects a voter may choose."),
    "invalid_age": _l("Enter an age from 0 to 120."),
    "invalid_postcodes": _l("Write postcodes of four digits, separated by commas."),
    "no_next_phase": _l("The budget has no next phase."),
    "proposals_unreviewed": _l("Every proposal must be reviewed before voting opens."),
    "empty_ballot": _l("At least one proposal must be feasible before voting opens."),
    "wrong_phase": _l("That is not possible in the budget's current phase."),
    "proposal_incomplete": _l("Give the proposal a title."),
    "cost_needed": _l("A proposal needs a cost in whole kroner."),
    "invalid_cost": _l("The cost must be at least 1 kr and no more than the pot."),
    "not_idea_owner": _l("Only the idea's initiator and co-owners can turn it into a proposal."),
    "already_joined": _l("You are already part of this proposal."),
    "reason_needed": _l("Say why the proposal is not feasible; the proposer and the public see it."),
    "cannot_merge": _l("Those two proposals cannot be merged."),
    "not_logged_in": _l("Log in to vote."),
    "not_verified": _l("Confirm your e-mail address or log in with MitID to vote."),
    "outside_area": _l("Only residents of the budget's area can vote. Add your postcode to your profile."),
    "age_unknown": _l("This budget has an age limit. Add your year of birth to your profile to vote."),
    "too_young": _l("You are below the budget's age limit."),
    "not_assistant": _l("Only a coordinator can take a ballot on a resident's behalf."),
    "empty_choice": _l("Choose at least one project."),
    "unknown_project": _l("Choose among the projects on the ballot."),
    "too_many_projects": _l("You chose more projects than the ballot allows."),
    "over_budget": _l("The projects you chose cost more than the pot."),
    "council_needed": _l("Choose the local council that carries each funded project."),
    "council_without_members": _l("The local council has no members to carry the project. Add a member first."),
    "not_delivered": _l("The project has not been delivered yet."),
}


def message_for(error: DomainError) -> str:
    if error.code == "council_needed":
        return _("Choose the local council that carries \"%(title)s\".", title=error.details["title"])
    if error.code == "council_without_members":
        return _("%(name)s has no members to carry the project. Add a member first, or choose another council.",
                 name=error.details["name"])
    if error.code == "too_many_projects":
        return _("You chose more projects than the ballot allows (at most %(n)d).", n=error.details["max"])
    return str(MESSAGES.get(error.code, _l("That is not possible right now.")))


def _budget(budget_id: int) -> CitizenBudget:
    return db.get_or_404(CitizenBudget, budget_id)


def _chosen_ids() -> list[int] | None:
    raw = request.form.getlist("projekt")
    chosen = [parse_id(value.strip()) for value in raw]
    return None if None in chosen else chosen


def _end_of_day(day) -> datetime | None:
    return from_local(datetime.combine(day, time(23, 59))) if day else None


# --- public pages ---------------------------------------------------------------------------------------

@routes.route("/borgerbudgetter")
@access(PUBLIC)
def index():
    """Every citizen budget with its phase."""
    budgets = list(db.session.scalars(select(CitizenBudget).order_by(CitizenBudget.created_at.desc())))
    return render_template("budgets/index.html", budgets=budgets, phases=phase_labels(),
                           may_create=current_user.is_authenticated and can_create())


def can_create() -> bool:
    return current_user.has_role(Role.COORDINATOR, Role.ADMIN) or bool(my_councils())


def my_councils() -> list[Council]:
    return list(db.session.scalars(select(Council).join(CouncilMember)
                                   .where(CouncilMember.user_id == current_user.id).order_by(Council.name)))


def _page(budget: CitizenBudget, *, proposal_form=None, chosen=None, vote_error=None, status=200):
    now = utcnow()
    mine = my_ballot(budget, current_user)
    voted = current_user.is_authenticated and has_voted(budget.id, current_user.id)
    refusal = ineligibility(budget, current_user, now=now) if budget.phase == Phase.VOTING else None
    ideas = []
    if current_user.is_authenticated and budget.phase == Phase.PROPOSALS:
        ideas = [i for i in db.session.scalars(select(Idea).where(Idea.hidden.is_(False)).order_by(Idea.title))
                 if i.is_owner(current_user)]
    if proposal_form is None:
        proposal_form = ProposalForm(formdata=None)
    proposal_form.idea.choices = [("", _("No idea"))] + [(str(i.id), i.title) for i in ideas]
    by_id = {p.id: p for p in budget.proposals}
    return render_template(
        "budgets/budget.html", budget=budget, phases=phase_labels(), Phase=Phase, ProposalStatus=ProposalStatus,
        BallotKind=BallotKind, rule=rule_label(budget.rule), mine=mine, voted=voted, refusal=refusal,
        refusal_message=str(MESSAGES.get(refusal, "")) if refusal else None, proposal_form=proposal_form,
        chosen=set(chosen if chosen is not None else (mine or [])), vote_error=vote_error, by_id=by_id,
        action_form=BaseForm(formdata=None), manager=can_manage(current_user, budget)), status


@routes.route("/borgerbudgetter/<int:budget_id>")
@access(PUBLIC)
def budget(budget_id: int):
    """One budget: its phases with dates, its proposals, the ballot while voting is open."""
    return _page(_budget(budget_id))


@routes.route("/borgerbudgetter/<int:budget_id>/stem", methods=["POST"])
@access(LOGIN)
def vote(budget_id: int):
    """Cast or change one's ballot: the form field `projekt` once per chosen project."""
    budget = _budget(budget_id)
    chosen = _chosen_ids()
    if not BaseForm().validate_on_submit():
        return _page(budget, chosen=chosen or [], vote_error=_("The form expired. Try again."), status=400)
    try:
        if chosen is None:
            raise DomainError("unknown_project")
        cast_ballot(budget, voter=current_user, now=utcnow(), project_ids=chosen)
    except DomainError as error:
        db.session.rollback()
        return _page(budget, chosen=chosen or [], vote_error=message_for(error), status=400)
    db.session.commit()
    flash(_("Your ballot is saved. You can change it until voting closes."), "success")
    return redirect(url_for("budgets.budget", budget_id=budget.id, _anchor="stemmeseddel"))


@routes.route("/borgerbudgetter/<int:budget_id>/forslag", methods=["POST"])
@access(LOGIN)
def propose(budget_id: int):
    """Propose a project (optionally from one's idea)."""
    budget = _budget(budget_id)
    form = ProposalForm()
    form.idea.choices = []
    if form.validate_on_submit():
        idea = db.session.get(Idea, idea_id) if (idea_id := parse_id(form.idea.data or "")) else None
        try:
            propose_project(budget, actor=current_user, now=utcnow(), title=form.title.data,
                            description=form.description.data, place=form.place.data or "",
                            estimated_cost_kr=form.estimated_cost_kr.data, idea=idea)
        except DomainError as error:
            db.session.rollback()
            form.title.errors = list(form.title.errors) + [message_for(error)]
        else:
            db.session.commit()
            flash(_("Thank you, your proposal is published."), "success")
            return redirect(url_for("budgets.budget", budget_id=budget.id, _anchor="forslag"))
    return _page(budget, proposal_form=form, status=400)


@routes.route("/borgerbudgetter/forslag/<int:proposal_id>/deltag", methods=["POST"])
@access(LOGIN)
def join(proposal_id: int):
    """Join a proposal as a co-creator."""
    proposal = db.get_or_404(BudgetProposal, proposal_id)
    if BaseForm().validate_on_submit():
        try:
            join_proposal(proposal, user=current_user, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            flash(message_for(error), "error")
        else:
            db.session.commit()
            flash(_("You are now a co-creator of the proposal."), "success")
    return redirect(url_for("budgets.budget", budget_id=proposal.budget_id, _anchor=f"forslag-{proposal.id}"))


def _published(budget: CitizenBudget) -> None:
    if budget.phase not in Phase.PUBLISHED:
        abort(404)


@routes.route("/borgerbudgetter/<int:budget_id>/resultat")
@access(PUBLIC)
def result(budget_id: int):
    """The published result, explaining per project why it was or was not funded."""
    budget = _budget(budget_id)
    _published(budget)
    outcome = count(budget)
    document = result_document(budget, outcome)
    rows = sorted(document["projects"], key=lambda p: (not p["selected"], -p["votes"], p["cost_kr"], p["id"]))
    by_id = {p.id: p for p in budget.proposals}
    reasons = {p["id"]: explain(outcome.reasons.get(p["id"], {}), by_id[p["id"]]) for p in rows}
    spent = sum(p["cost_kr"] for p in rows if p["selected"])
    return render_template("budgets/result.html", budget=budget, document=document, rows=rows, reasons=reasons,
                           spent=spent, rule=rule_label(budget.rule), by_id=by_id, phases=phase_labels())


@routes.route("/borgerbudgetter/<int:budget_id>/resultat.json")
@access(PUBLIC)
def result_json(budget_id: int):
    """The published result as JSON: {id, title, budget_kr, rule, ballots, projects: [...]}."""
    budget = _budget(budget_id)
    _published(budget)
    return jsonify(result_document(budget))


@routes.route("/borgerbudgetter/<int:budget_id>/resultat.csv")
@access(PUBLIC)
def result_csv(budget_id: int):
    """The published result as CSV, one project a line."""
    budget = _budget(budget_id)
    _published(budget)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["id", "title", "cost_kr", "votes", "selected"])
    for p in result_document(budget)["projects"]:
        writer.writerow([p["id"], p["title"], p["cost_kr"], p["votes"], "1" if p["selected"] else "0"])
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="borgerbudget-{budget.id}.csv"'})


# --- managing (the municipality and the budget's local council) ---------------------------------------------

@routes.route("/borgerbudgetter/ny", methods=["GET", "POST"])
@access(Role.COORDINATOR, Role.ADMIN, Role.COUNCIL)
def new_budget():
    """Create a citizen budget for a local council (or, for the municipality, the whole municipality)."""
    municipality = current_user.has_role(Role.COORDINATOR, Role.ADMIN)
    councils = list(db.session.scalars(select(Council).order_by(Council.name))) if municipality else my_councils()
    form = BudgetForm(councils=councils, allow_municipality=municipality)
    if form.validate_on_submit():
        council = next((c for c in councils if str(c.id) == form.council.data), None)
        try:
            made = create_budget(
                actor=current_user, now=utcnow(), council=council, title=form.title.data,
                description=form.description.data or "", pot_kr=form.pot_kr.data, postcodes=form.postcodes.data or "",
                min_age=form.min_age.data, ballot_kind=form.ballot_kind.data, max_choices=form.max_choices.data,
                rule=form.rule.data, proposals_until=_end_of_day(form.proposals_until.data),
                review_until=_end_of_day(form.review_until.data), voting_until=_end_of_day(form.voting_until.data))
        except DomainError as error:
            db.session.rollback()
            form.title.errors = list(form.title.errors) + [message_for(error)]
        else:
            db.session.commit()
            flash(_("The citizen budget is open for proposals."), "success")
            return redirect(url_for("budgets.manage", budget_id=made.id))
    return render_template("budgets/new.html", form=form), 400 if form.errors else 200


def _managed(budget_id: int) -> CitizenBudget:
    budget = _budget(budget_id)
    if not can_manage(current_user, budget):
        abort(403)
    return budget


def _manage_page(budget: CitizenBudget, *, forms=None, status=200, delivery_choices=None, delivery_error=None):
    forms = forms or {}
    # A budget for the whole municipality delivers each funded project to the council chosen for it.
    funded, councils = [], []
    if budget.phase == Phase.RESULT and budget.council is None:
        by_id = {p.id: p for p in budget.proposals}
        funded = [by_id[pid] for pid in count(budget).selected]
        councils = list(db.session.scalars(select(Council).order_by(Council.name)))
    review_forms = {p.id: forms.get(p.id) or ReviewForm(formdata=None, prefix=f"p{p.id}",
                                                        cost_kr=p.cost_kr or p.estimated_cost_kr)
                    for p in budget.proposals}
    spending_forms = {p.id: SpendingForm(formdata=None, prefix=f"s{p.id}", spent_kr=p.spent_kr or 0)
                      for p in budget.proposals if p.project_id}
    return render_template("budgets/manage.html", budget=budget, phases=phase_labels(), Phase=Phase,
                           proposal_labels=proposal_labels(),
                           ProposalStatus=ProposalStatus, review_forms=review_forms, spending_forms=spending_forms,
                           action_form=BaseForm(formdata=None), next_phase=Phase.NEXT.get(budget.phase),
                           assisted=current_user.has_role(Role.COORDINATOR), funded=funded, councils=councils,
                           delivery_choices=delivery_choices or {}, delivery_error=delivery_error), status


@routes.route("/borgerbudgetter/<int:budget_id>/styr")
@access(Role.COORDINATOR, Role.ADMIN, Role.COUNCIL)
def manage(budget_id: int):
    """The budget's management page: review, merge, phases, delivery and follow-up."""
    return _manage_page(_managed(budget_id))


def _act(budget: CitizenBudget, operation, success: str):
    if BaseForm().validate_on_submit():
        try:
            operation()
        except DomainError as error:
            db.session.rollback()
            flash(message_for(error), "error")
        else:
            db.session.commit()
            flash(success, "success")
    return redirect(url_for("budgets.manage", budget_id=budget.id))


@routes.route("/borgerbudgetter/<int:budget_id>/fase", methods=["POST"])
@access(Role.COORDINATOR, Role.ADMIN, Role.COUNCIL)
def next_phase(budget_id: int):
    """Move the budget to its next phase (publishing the result at the end)."""
    budget = _managed(budget_id)
    return _act(budget, lambda: advance_phase(budget, actor=current_user, now=utcnow()),
                _("The budget has moved to its next phase."))


@routes.route("/borgerbudgetter/forslag/<int:proposal_id>/vurder", methods=["POST"])
@access(Role.COORDINATOR, Role.ADMIN, Role.COUNCIL)
def review(proposal_id: int):
    """Mark a proposal feasible with a cost, or not feasible with a reason."""
    proposal = db.get_or_404(BudgetProposal, proposal_id)
    budget = _managed(proposal.budget_id)
    form = ReviewForm(prefix=f"p{proposal.id}")
    if form.validate_on_submit():
        try:
            review_proposal(proposal, actor=current_user, now=utcnow(), feasible=form.decision.data == "feasible",
                            cost_kr=form.cost_kr.data, reason=form.reason.data or "")
        except DomainError as error:
            db.session.rollback()
            target = form.reason if error.code == "reason_needed" else form.cost_kr
            target.errors = list(target.errors) + [message_for(error)]
        else:
            db.session.commit()
            flash(_("The review is saved and shown on the budget's page."), "success")
            return redirect(url_for("budgets.manage", budget_id=budget.id, _anchor=f"forslag-{proposal.id}"))
    return _manage_page(budget, forms={proposal.id: form}, status=400)


@routes.route("/borgerbudgetter/forslag/<int:proposal_id>/flet", methods=["POST"])
@access(Role.COORDINATOR, Role.ADMIN, Role.COUNCIL)
def merge(proposal_id: int):
    """Merge a proposal into another; its author and co-creators join the other."""
    proposal = db.get_or_404(BudgetProposal, proposal_id)
    budget = _managed(proposal.budget_id)
    into_id = parse_id(request.form.get("into", ""))
    into = db.session.get(BudgetProposal, into_id) if into_id else None

    def operation():
        if into is None:
            raise DomainError("cannot_merge")
        merge_proposals(proposal, into=into, actor=current_user, now=utcnow())
    return _act(budget, operation, _("The proposals are merged."))


@routes.route("/borgerbudgetter/<int:budget_id>/lever", methods=["POST"])
@access(Role.COORDINATOR, Role.ADMIN, Role.COUNCIL)
def deliver(budget_id: int):
    """The funded projects become local councils' projects: the budget's own council, or for a budget of
    the whole municipality the council chosen for each project (`council-<proposal id>`)."""
    budget = _managed(budget_id)
    if budget.council is not None:
        return _act(budget, lambda: deliver_budget(budget, actor=current_user, now=utcnow()),
                    _("The funded projects are now the council's projects."))
    if not BaseForm().validate_on_submit():
        return redirect(url_for("budgets.manage", budget_id=budget.id))
    choices = {proposal.id: parse_id(request.form.get(f"council-{proposal.id}", "")) for proposal in budget.proposals}
    councils = {pid: db.session.get(Council, cid) for pid, cid in choices.items() if cid}
    try:
        deliver_budget(budget, actor=current_user, now=utcnow(),
                       councils={pid: c for pid, c in councils.items() if c is not None})
    except DomainError as error:
        db.session.rollback()
        return _manage_page(budget, status=400, delivery_error=message_for(error),
                            delivery_choices={pid: cid for pid, cid in choices.items() if cid})
    db.session.commit()
    flash(_("The funded projects are now the chosen councils' projects."), "success")
    return redirect(url_for("budgets.manage", budget_id=budget.id))


@routes.route("/borgerbudgetter/forslag/<int:proposal_id>/forbrug", methods=["POST"])
@access(Role.COORDINATOR, Role.ADMIN, Role.COUNCIL)
def spending(proposal_id: int):
    """Record what a delivered project has spent of what it was granted."""
    proposal = db.get_or_404(BudgetProposal, proposal_id)
    budget = _managed(proposal.budget_id)
    form = SpendingForm(prefix=f"s{proposal.id}")
    if not form.validate():
        flash(form.spent_kr.errors[0] if form.spent_kr.errors else _("The form expired. Try again."), "error")
        return redirect(url_for("budgets.manage", budget_id=budget.id))
    return _act(budget, lambda: record_spending(proposal, actor=current_user, now=utcnow(),
                                                spent_kr=form.spent_kr.data), _("The spending is saved."))


@routes.route("/borgerbudgetter/<int:budget_id>/medbetjening", methods=["GET", "POST"])
@access(Role.COORDINATOR)
def assisted(budget_id: int):
    """A coordinator takes a ballot on a resident's behalf (library, citizen service)."""
    budget = _budget(budget_id)
    form = AssistedForm()
    chosen = _chosen_ids() if request.method == "POST" else []
    error = None
    if form.validate_on_submit():
        resident = User.by_email(form.email.data)
        try:
            if resident is None:
                raise DomainError("unknown_resident")
            if chosen is None:
                raise DomainError("unknown_project")
            cast_ballot(budget, voter=resident, now=utcnow(), project_ids=chosen, assisted_by=current_user)
        except DomainError as failure:
            db.session.rollback()
            error = (_("No resident has that e-mail address.") if failure.code == "unknown_resident"
                     else message_for(failure))
        else:
            db.session.commit()
            flash(_("The resident's ballot is saved."), "success")
            return redirect(url_for("budgets.assisted", budget_id=budget.id))
    status = 400 if request.method == "POST" else 200
    return render_template("budgets/assisted.html", budget=budget, form=form, chosen=set(chosen or []),
                           error=error, BallotKind=BallotKind, Phase=Phase), status
