"""A citizen budget in each phase, built through the operations."""
from datetime import timedelta

import pytest

from models import Role, db, utcnow
from models.budget_operations import advance_phase, create_budget, propose_project, review_proposal
from models.budgets import BallotKind, Rule


@pytest.fixture
def people(make):
    coordinator = make.user(Role.COORDINATOR, email="koord@example.dk")
    member = make.user(Role.COUNCIL, email="raad@example.dk")
    council = make.council(members=[member])
    voters = []
    for n in range(3):
        voter = make.user(email=f"vaelger{n}@example.dk")
        make.profile(voter, postcode="2800", birth_year=1980)
        voters.append(voter)
    outsider = make.user(email="udenfor@example.dk")
    make.profile(outsider, postcode="8000", birth_year=1980)
    db.session.commit()
    return {"coordinator": coordinator, "member": member, "council": council, "voters": voters,
            "outsider": outsider}


def build_budget(people, *, phase="voting", kind=BallotKind.APPROVAL, rule=Rule.GREEDY, pot=100_000,
                 costs=(60_000, 30_000, 20_000), max_choices=2):
    now = utcnow() - timedelta(days=10)
    budget = create_budget(actor=people["coordinator"], now=now, council=people["council"], title="Borgerbudget Nord",
                           pot_kr=pot, postcodes="2800", min_age=15, ballot_kind=kind,
                           max_choices=max_choices if kind == BallotKind.APPROVAL else None, rule=rule)
    for n, cost in enumerate(costs):
        propose_project(budget, actor=people["voters"][n % 3], now=now, title=f"Projekt {n + 1}",
                        description="Noget godt", place="Parken", estimated_cost_kr=cost)
    if phase == "proposals":
        db.session.commit()
        return budget
    advance_phase(budget, actor=people["coordinator"], now=now)
    if phase == "review":
        db.session.commit()
        return budget
    for proposal in budget.proposals:
        review_proposal(proposal, actor=people["coordinator"], now=now, feasible=True,
                        cost_kr=proposal.estimated_cost_kr)
    advance_phase(budget, actor=people["coordinator"], now=now)
    db.session.commit()
    return budget


@pytest.fixture
def budget(people):
    return build_budget(people)
