"""The use cases of citizen budgets: create, move through the phases, propose, join, review, merge, vote
(also assisted), count, publish, deliver and follow up what was spent.

Every caller goes through here: pages, the assisted service, the CLI, the pabulib import and the demo.
Each function checks its rules (DomainError), writes and audits in the caller's transaction; it flushes,
never commits.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from models.audit import record as audit
from models.base import DomainError, db, to_local
from models.budget_rules import Outcome, tally_rows
from models.budgets import (Ballot, BallotKind, BudgetProposal, BudgetVoter, CitizenBudget, Phase, ProposalCoCreator,
                            ProposalStatus, Rule, ballot_key, ballot_rows)
from models.ideas import CoCreator, Idea
from models.notices import Notice, tell
from models.people import Role, User
from models.projects import create_project, follow_project, is_council_member

MAX_POT_KR = 1_000_000_000


class BudgetAudit:
    CREATED = "budget_created"
    PHASE = "budget_phase"
    REVIEWED = "budget_proposal_reviewed"
    MERGED = "budget_proposals_merged"
    ASSISTED_BALLOT = "budget_assisted_ballot"   # who helped whom, never what was chosen
    DELIVERED = "budget_delivered"
    SPENDING = "budget_spending"
    IMPORTED = "budget_imported"


def can_manage(user, budget: CitizenBudget | None = None, council_id: int | None = None) -> bool:
    """The municipality (coordinators, administrators) and the members of the budget's local council."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.has_role(Role.COORDINATOR, Role.ADMIN):
        return True
    council_id = budget.council_id if budget is not None else council_id
    return is_council_member(user, council_id)


def _require_manager(user, budget=None, council_id=None) -> None:
    if not can_manage(user, budget, council_id):
        raise DomainError("not_budget_manager")


def _check_settings(values: dict) -> None:
    if not (values.get("title") or "").strip():
        raise DomainError("budget_incomplete")
    pot = values.get("pot_kr")
    if pot is None or not 0 < pot <= MAX_POT_KR:
        raise DomainError("invalid_pot")
    if values.get("ballot_kind") not in BallotKind.ALL:
        raise DomainError("invalid_ballot_kind")
    if values.get("rule") not in Rule.ALL:
        raise DomainError("invalid_rule")
    if values.get("ballot_kind") == BallotKind.APPROVAL and not values.get("max_choices"):
        raise DomainError("max_choices_needed")
    if not 0 <= (values.get("min_age") or 0) <= 120:
        raise DomainError("invalid_age")
    codes = [p.strip() for p in (values.get("postcodes") or "").split(",") if p.strip()]
    if any(not (len(c) == 4 and c.isdigit()) for c in codes):
        raise DomainError("invalid_postcodes")
    values["postcodes"] = ",".join(codes)


def create_budget(*, actor, now: datetime, council=None, **values) -> CitizenBudget:
    """A new citizen budget in its proposal phase. Raises DomainError "not_budget_manager", "budget_incomplete",
    "invalid_pot", "invalid_ballot_kind", "invalid_rule", "max_choices_needed", "invalid_age", "invalid_postcodes"."""
    _require_manager(actor, council_id=council.id if council is not None else None)
    values.setdefault("ballot_kind", BallotKind.APPROVAL)
    values.setdefault("rule", Rule.GREEDY)
    _check_settings(values)
    if values["ballot_kind"] == BallotKind.KNAPSACK:
        values["max_choices"] = None
    budget = CitizenBudget(council_id=council.id if council is not None else None, created_by_id=actor.id,
                           created_at=now, phase=Phase.PROPOSALS, **values)
    db.session.add(budget)
    db.session.flush()
    audit(None, actor=actor, action=BudgetAudit.CREATED, now=now, detail=f"{budget.id}: {budget.title}")
    return budget


def advance_phase(budget: CitizenBudget, *, actor, now: datetime) -> str:
    """Move the budget to its next phase (proposals, review, voting, counting, result); publishing the result
    stamps it. Raises DomainError "not_budget_manager", "no_next_phase", "proposals_unreviewed", "empty_ballot"."""
    _require_manager(actor, budget)
    target = Phase.NEXT.get(budget.phase)
    if target is None:
        raise DomainError("no_next_phase")
    if target == Phase.VOTING:
        if any(p.status == ProposalStatus.SUBMITTED for p in budget.proposals):
            raise DomainError("proposals_unreviewed")
        if not budget.ballot_projects:
            raise DomainError("empty_ballot")
    budget.phase = target
    if target == Phase.RESULT:
        budget.published_at = now
    db.session.flush()
    audit(None, actor=actor, action=BudgetAudit.PHASE, now=now, detail=f"{budget.id}: {target}")
    return target


# --- proposals --------------------------------------------------------------------------------------------

def propose_project(budget: CitizenBudget, *, actor, now: datetime, title: str, description: str = "",
                    place: str = "", estimated_cost_kr: int | None, idea: Idea | None = None) -> BudgetProposal:
    """A citizen proposes a project (optionally from their idea, whose co-creators come along).
    Raises DomainError "wrong_phase", "proposal_incomplete", "cost_needed", "invalid_cost", "not_idea_owner"."""
    if budget.phase != Phase.PROPOSALS:
        raise DomainError("wrong_phase")
    if not (title or "").strip():
        raise DomainError("proposal_incomplete")
    if estimated_cost_kr is None:
        raise DomainError("cost_needed")
    if not 0 < estimated_cost_kr <= budget.pot_kr:
        raise DomainError("invalid_cost")
    if idea is not None and not idea.is_owner(actor):
        raise DomainError("not_idea_owner")
    proposal = BudgetProposal(budget_id=budget.id, title=title.strip(), description=(description or "").strip(),
                              place=(place or "").strip(), estimated_cost_kr=estimated_cost_kr, author_id=actor.id,
                              idea_id=idea.id if idea is not None else None, status=ProposalStatus.SUBMITTED,
                              created_at=now)
    db.session.add(proposal)
    db.session.flush()
    if idea is not None:
        people = {idea.initiator_id} | {c.user_id for c in db.session.scalars(
            select(CoCreator).where(CoCreator.idea_id == idea.id))}
        for user_id in sorted(people - {actor.id, None}):
            db.session.add(ProposalCoCreator(proposal_id=proposal.id, user_id=user_id, created_at=now))
        db.session.flush()
    return proposal


def join_proposal(proposal: BudgetProposal, *, user, now: datetime) -> ProposalCoCreator:
    """Join a proposal as a co-creator (there are no likes). Raises DomainError "wrong_phase", "already_joined"."""
    if proposal.budget.phase not in (Phase.PROPOSALS, Phase.REVIEW) or proposal.status == ProposalStatus.MERGED:
        raise DomainError("wrong_phase")
    if proposal.author_id == user.id or any(c.user_id == user.id for c in proposal.co_creators):
        raise DomainError("already_joined")
    joined = ProposalCoCreator(proposal_id=proposal.id, user_id=user.id, created_at=now)
    proposal.co_creators.append(joined)
    db.session.flush()
    return joined


def review_proposal(proposal: BudgetProposal, *, actor, now: datetime, feasible: bool, cost_kr: int | None = None,
                    reason: str = "") -> BudgetProposal:
    """The municipality's clear frame: feasible with a cost it stands behind, or not feasible with a public
    reason. Raises DomainError "not_budget_manager", "wrong_phase", "cost_needed", "invalid_cost", "reason_needed"."""
    budget = proposal.budget
    _require_manager(actor, budget)
    if budget.phase != Phase.REVIEW or proposal.status == ProposalStatus.MERGED:
        raise DomainError("wrong_phase")
    if feasible:
        if cost_kr is None:
            raise DomainError("cost_needed")
        if not 0 < cost_kr <= budget.pot_kr:
            raise DomainError("invalid_cost")
        proposal.status, proposal.cost_kr, proposal.reason = ProposalStatus.FEASIBLE, cost_kr, None
    else:
        if not (reason or "").strip():
            raise DomainError("reason_needed")
        proposal.status, proposal.cost_kr, proposal.reason = ProposalStatus.NOT_FEASIBLE, None, reason.strip()
    db.session.flush()
    audit(None, actor=actor, action=BudgetAudit.REVIEWED, now=now, detail=f"{proposal.id}: {proposal.status}")
    tell(Notice.PROPOSAL_REVIEWED, proposal=proposal)
    return proposal


def merge_proposals(source: BudgetProposal, *, into: BudgetProposal, actor, now: datetime) -> BudgetProposal:
    """Merge `source` into `into`: its author and co-creators become co-creators of `into`.
    Raises DomainError "not_budget_manager", "wrong_phase", "cannot_merge"."""
    budget = source.budget
    _require_manager(actor, budget)
    if budget.phase != Phase.REVIEW:
        raise DomainError("wrong_phase")
    if source.id == into.id or source.budget_id != into.budget_id or ProposalStatus.MERGED in (source.status,
                                                                                               into.status):
        raise DomainError("cannot_merge")
    people = ({source.author_id} | {c.user_id for c in source.co_creators}) - {None, into.author_id}
    present = {c.user_id for c in into.co_creators}
    for user_id in sorted(people - present):
        into.co_creators.append(ProposalCoCreator(user_id=user_id, created_at=now))
    source.status, source.merged_into_id, source.cost_kr = ProposalStatus.MERGED, into.id, None
    db.session.flush()
    audit(None, actor=actor, action=BudgetAudit.MERGED, now=now, detail=f"{source.id} -> {into.id}")
    tell(Notice.PROPOSALS_MERGED, source=source, into=into)
    return into


# --- voting -----------------------------------------------------------------------------------------------

def ineligibility(budget: CitizenBudget, user: User | None, *, now: datetime) -> str | None:
    """Why `user` may not vote in `budget` (a DomainError code), or None when they may."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return "not_logged_in"
    if user.email_verified_at is None and user.identity_verified_at is None:
        return "not_verified"
    profile = user.profile
    if budget.postcode_list and (profile is None or profile.postcode not in budget.postcode_list):
        return "outside_area"
    if budget.min_age:
        if profile is None or profile.birth_year is None:
            return "age_unknown"
        if to_local(now).year - profile.birth_year < budget.min_age:
            return "too_young"
    return None


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def check_ballot(budget: CitizenBudget, project_ids) -> list[int]:
    """The chosen ids, checked against the ballot's rule. Raises DomainError "unknown_project",
    "too_many_projects", "over_budget", "empty_choice"."""
    on_ballot = {p.id: p.ballot_cost for p in budget.ballot_projects}
    chosen = sorted(set(project_ids))
    if not chosen:
        raise DomainError("empty_choice")
    if any(pid not in on_ballot for pid in chosen):
        raise DomainError("unknown_project")
    if budget.ballot_kind == BallotKind.APPROVAL and budget.max_choices and len(chosen) > budget.max_choices:
        raise DomainError("too_many_projects", max=budget.max_choices)
    if budget.ballot_kind == BallotKind.KNAPSACK and sum(on_ballot[pid] for pid in chosen) > budget.pot_kr:
        raise DomainError("over_budget", pot=budget.pot_kr)
    return chosen


def cast_ballot(budget: CitizenBudget, *, voter: User, now: datetime, project_ids, assisted_by: User | None = None
                ) -> None:
    """Cast (or replace) `voter`'s one ballot. With `assisted_by` a coordinator takes it on the resident's
    behalf, which the audit log records without its content. Two at once leave exactly one: the voter row is
    unique and locked, and the ballot's key is the primary key.

    Raises DomainError "wrong_phase", "not_assistant", an ineligibility code, or a check_ballot code."""
    if budget.phase != Phase.VOTING:
        raise DomainError("wrong_phase")
    if assisted_by is not None and not assisted_by.has_role(Role.COORDINATOR):
        raise DomainError("not_assistant")
    refusal = ineligibility(budget, voter, now=now)
    if refusal:
        raise DomainError(refusal)
    chosen = check_ballot(budget, project_ids)
    _lock_voter(budget.id, voter.id)
    key = ballot_key(_secret(), budget.id, voter.id)
    db.session.execute(delete(Ballot).where(Ballot.budget_id == budget.id, Ballot.key == key))
    db.session.add(Ballot(key=key, budget_id=budget.id, choices=",".join(map(str, chosen))))
    db.session.flush()
    if assisted_by is not None:
        audit(voter, actor=assisted_by, action=BudgetAudit.ASSISTED_BALLOT, now=now, on_behalf=True,
              detail=budget.title)


def _lock_voter(budget_id: int, user_id: int) -> None:
    """Record that the person voted, holding their row until the commit (the second tab waits here)."""
    try:
        with db.session.begin_nested():
            db.session.add(BudgetVoter(budget_id=budget_id, user_id=user_id))
    except IntegrityError:
        pass
    db.session.scalar(select(BudgetVoter.id).where(BudgetVoter.budget_id == budget_id,
                                                  BudgetVoter.user_id == user_id).with_for_update())


def my_ballot(budget: CitizenBudget, user) -> list[int] | None:
    """What `user` chose (shown only to them), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    row = db.session.get(Ballot, (budget.id, ballot_key(_secret(), budget.id, user.id)))
    return row.choice_ids if row is not None else None


# --- counting -----------------------------------------------------------------------------------------

def count(budget: CitizenBudget) -> Outcome:
    """The result by the budget's rule, at any phase (for audits); publication is advance_phase's."""
    projects = budget.ballot_projects
    costs = {p.id: p.ballot_cost for p in projects}
    return tally_rows(budget.rule, budget.pot_kr, costs, ballot_rows(budget.id))


def result_document(budget: CitizenBudget, outcome: Outcome | None = None) -> dict:
    """The result in the public shape (resultat.json, `flask budgets tally --json`)."""
    outcome = outcome or count(budget)
    selected = set(outcome.selected)
    ballots = db.session.scalar(select(db.func.count()).select_from(Ballot).where(Ballot.budget_id == budget.id))
    return {"id": budget.id, "title": budget.title, "budget_kr": budget.pot_kr, "rule": budget.rule,
            "ballots": ballots or 0,
            "projects": [{"id": p.id, "title": p.title, "cost_kr": p.ballot_cost, "votes": outcome.votes.get(p.id, 0),
                          "selected": p.id in selected} for p in budget.ballot_projects]}


# --- delivery -------------------------------------------------------------------------------------------

def deliver_budget(budget: CitizenBudget, *, actor, now: datetime, councils: Mapping[int, Any] | None = None) -> list:
    """The funded projects become local councils' projects (granted = their cost); their proposers and
    co-creators follow them. A council's budget delivers to that council; a budget for the whole
    municipality delivers each funded proposal to the council `councils[proposal id]` chosen for it
    (where the project will happen). All or nothing: a proposal without a council, or a council without
    members to carry the project, stops the delivery before anything is written.

    Raises DomainError "not_budget_manager", "wrong_phase", "council_needed" (title=…),
    "council_without_members" (name=…).
    """
    _require_manager(actor, budget)
    if budget.phase != Phase.RESULT:
        raise DomainError("wrong_phase")
    outcome = count(budget)
    by_id = {p.id: p for p in budget.proposals}
    plan = []
    for pid in outcome.selected:
        proposal = by_id[pid]
        council = budget.council if budget.council is not None else (councils or {}).get(pid)
        if council is None:
            raise DomainError("council_needed", title=proposal.title)
        owner = actor if is_council_member(actor, council.id) else _any_member(council)
        plan.append((proposal, council, owner))
    made = []
    for proposal, council, owner in plan:
        project = create_project(council, actor=owner, now=now, title=proposal.title,
                                 goal=proposal.description or proposal.title, area=proposal.place[:120],
                                 budget_kr=proposal.ballot_cost, status="active", progress=0)
        proposal.project_id = project.id
        for user_id in {proposal.author_id} | {c.user_id for c in proposal.co_creators}:
            person = db.session.get(User, user_id) if user_id else None
            if person is not None:
                follow_project(project, user=person, now=now)
        made.append(project)
    budget.phase = Phase.DELIVERY
    db.session.flush()
    audit(None, actor=actor, action=BudgetAudit.DELIVERED, now=now, detail=f"{budget.id}: {len(made)}")
    return made


def _any_member(council) -> User:
    """A member of the council to carry a project the municipality delivers to it (the first by id)."""
    from models.organisations import CouncilMember
    user = db.session.scalar(select(User).join(CouncilMember, CouncilMember.user_id == User.id)
                             .where(CouncilMember.council_id == council.id).order_by(User.id).limit(1))
    if user is None:
        raise DomainError("council_without_members", name=council.name)
    return user


def record_spending(proposal: BudgetProposal, *, actor, now: datetime, spent_kr: int) -> BudgetProposal:
    """Follow up a delivered project: what has been spent of what was granted.
    Raises DomainError "not_budget_manager", "not_delivered", "invalid_cost"."""
    _require_manager(actor, proposal.budget)
    if proposal.project_id is None:
        raise DomainError("not_delivered")
    if spent_kr is None or spent_kr < 0 or spent_kr > MAX_POT_KR:
        raise DomainError("invalid_cost")
    proposal.spent_kr = spent_kr
    db.session.flush()
    audit(None, actor=actor, action=BudgetAudit.SPENDING, now=now, detail=f"{proposal.id}: {spent_kr}")
    return proposal
