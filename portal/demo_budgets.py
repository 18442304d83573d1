"""Demo citizen budgets: one open for voting (the demo citizen may vote and has not), one with a published
result, and one in review with a "not feasible" reason. Everything goes through the operations."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from models import Council, User
from models.budget_operations import (advance_phase, cast_ballot, create_budget, ineligibility, propose_project,
                                      review_proposal)
from models.budgets import BallotKind, Phase, Rule

BUDGET_TEXT = "Kommunen har sat penge af, og borgerne bestemmer, hvad de skal bruges til."
PROPOSALS = {
    "open": [
        ("Legeplads ved Lyngby Nordskole", "Nye gynger og en klatrevæg til de mindste.", "Lyngby Nordskole", 180_000),
        ("Bænke og lys langs Mølleåstien", "Ti bænke og lys, så stien kan bruges om aftenen.", "Mølleåstien", 120_000),
        ("Fælles drivhus", "Et drivhus hvor naboer dyrker grøntsager sammen.", "Lyngby Nord", 60_000),
        ("Udendørs fitness", "Redskaber til træning i det fri for alle aldre.", "Sorgenfri", 150_000),
        ("Bytteskab for bøger og værktøj", "Et aflåst skab hvor man låner og bytter.", "Medborgerhuset", 25_000),
    ],
    "done": [
        ("Skaterbane ved stationen", "En lille skaterbane for unge.", "Lyngby Station", 250_000),
        ("Blomstereng i parken", "Vilde blomster i stedet for græs.", "Lyngby Kulturpark", 40_000),
        ("Julebelysning på hovedgaden", "Lys i træerne fra november til januar.", "Hovedgaden", 90_000),
        ("Shelter ved søen", "Et shelter til spejdere og familier.", "Lyngby Sø", 110_000),
    ],
    "review": [
        ("Ny svømmehal", "En svømmehal med 50-meter-bassin.", "Kongens Lyngby", 400_000),
        ("Cykelpumpe ved biblioteket", "En offentlig cykelpumpe.", "Lyngby Hovedbibliotek", 15_000),
    ],
}


def load_budgets(*, now: datetime, coordinator: User, council: Council, citizens: list[User], demo: User) -> int:
    rng = random.Random(16)
    open_budget = _budget("Borgerbudget Lyngby Nord 2027", "open", now=now, coordinator=coordinator, council=council,
                          citizens=citizens, pot=400_000, kind=BallotKind.APPROVAL, rule=Rule.GREEDY)
    _to_voting(open_budget, now=now, coordinator=coordinator)
    voters = [c for c in citizens if c is not demo and ineligibility(open_budget, c, now=now) is None]
    ids = [p.id for p in open_budget.ballot_projects]
    for voter in voters[:12]:
        cast_ballot(open_budget, voter=voter, now=now - timedelta(days=1), project_ids=rng.sample(ids, rng.randint(1, 3)))

    done = _budget("Borgerbudget Lyngby Nord 2026", "done", now=now - timedelta(days=200), coordinator=coordinator,
                   council=council, citizens=citizens, pot=300_000, kind=BallotKind.KNAPSACK, rule=Rule.MES)
    _to_voting(done, now=now - timedelta(days=150), coordinator=coordinator)
    projects = done.ballot_projects
    for voter in [c for c in citizens if ineligibility(done, c, now=now) is None]:
        chosen, total = [], 0
        for p in rng.sample(projects, len(projects)):
            if total + p.ballot_cost <= done.pot_kr and rng.random() < 0.6:
                chosen.append(p.id)
                total += p.ballot_cost
        if chosen:
            cast_ballot(done, voter=voter, now=now - timedelta(days=120), project_ids=chosen)
    advance_phase(done, actor=coordinator, now=now - timedelta(days=100))   # voting closes
    advance_phase(done, actor=coordinator, now=now - timedelta(days=99))    # the result is published

    review = _budget("Borgerbudget for hele kommunen 2027", "review", now=now - timedelta(days=20),
                     coordinator=coordinator, council=None, citizens=citizens, pot=500_000, kind=BallotKind.APPROVAL,
                     rule=Rule.MES, postcodes="")
    advance_phase(review, actor=coordinator, now=now - timedelta(days=5))
    pool, pump = review.proposals
    review_proposal(pool, actor=coordinator, now=now - timedelta(days=2), feasible=False,
                    reason="En svømmehal koster over 100 mio. kr. og ligger langt uden for puljen. "
                           "Forslaget er sendt videre til Kultur- og Fritidsudvalget.")
    review_proposal(pump, actor=coordinator, now=now - timedelta(days=2), feasible=True, cost_kr=18_000)
    return 3


def _budget(title, key, *, now, coordinator, council, citizens, pot, kind, rule, postcodes="2800"):
    budget = create_budget(actor=coordinator, now=now - timedelta(days=60), council=council, title=title,
                           description=BUDGET_TEXT,
                           pot_kr=pot, postcodes=postcodes, min_age=15, ballot_kind=kind,
                           max_choices=3 if kind == BallotKind.APPROVAL else None, rule=rule,
                           proposals_until=now - timedelta(days=40), review_until=now - timedelta(days=20),
                           voting_until=now + timedelta(days=14))
    for n, (t, description, place, cost) in enumerate(PROPOSALS[key]):
        propose_project(budget, actor=citizens[1 + n], now=now - timedelta(days=55 - n), title=t,
                        description=description, place=place, estimated_cost_kr=cost)
    return budget


def _to_voting(budget, *, now, coordinator) -> None:
    advance_phase(budget, actor=coordinator, now=now - timedelta(days=40))
    for n, proposal in enumerate(budget.proposals):
        review_proposal(proposal, actor=coordinator, now=now - timedelta(days=30), feasible=True,
                        cost_kr=proposal.estimated_cost_kr + 5_000 * n)
    advance_phase(budget, actor=coordinator, now=now - timedelta(days=20))
    assert budget.phase == Phase.VOTING


def load_plans(*, now: datetime, coordinator: User, council: Council, member: User, project_ids: list[int]) -> int:
    """A development plan with two versions for the first council, and a dialogue meeting with follow-ups."""
    from datetime import time as clock

    from models.base import LOCAL
    from models.plan_operations import add_follow_up, answer_follow_up, plan_meeting, save_plan, write_minutes
    from models.plans import GoalStatus
    goals = [{"title": "Flere grønne forbindelser", "status": GoalStatus.UNDER_WAY,
              "project_id": project_ids[0] if project_ids else None},
             {"title": "Et medborgerhus, der er åbent hver dag", "status": GoalStatus.PLANNED}]
    save_plan(council, actor=member, now=now - timedelta(days=300), vision=PLAN_VISION, backers=PLAN_BACKERS,
              goals=goals)
    goals[1]["status"] = GoalStatus.UNDER_WAY
    save_plan(council, actor=member, now=now - timedelta(days=30), vision=PLAN_VISION, backers=PLAN_BACKERS,
              goals=goals, note="Medborgerhuset er gået i gang")
    today = now.astimezone(LOCAL).date()
    past = plan_meeting(actor=coordinator, now=now - timedelta(days=60), title="Dialogmøde efterår",
                        starts_at=datetime.combine(today - timedelta(days=40), clock(19), tzinfo=LOCAL),
                        place="Lyngby Rådhus", agenda="1. Trafik ved skolerne\n2. Borgerbudget 2027",
                        invited="Lokalrådene, Teknik- og Miljøudvalget, forvaltningen")
    write_minutes(past, actor=coordinator, now=now - timedelta(days=39),
                  minutes="Lokalrådene ønsker bedre skoleveje. Forvaltningen undersøger mulighederne.")
    answered = add_follow_up(past, actor=coordinator, now=now - timedelta(days=39),
                             question="Kan hastigheden sænkes ved Lyngby Nordskole?", due_on=today - timedelta(days=10))
    answer_follow_up(answered, actor=coordinator, now=now - timedelta(days=12),
                     answer="Ja, 40 km/t fra næste skoleår. Skiltningen bestilles i foråret.")
    add_follow_up(past, actor=coordinator, now=now - timedelta(days=39),
                  question="Hvornår kommer cykelstien langs Mølleåen?", due_on=today + timedelta(days=12))
    plan_meeting(actor=coordinator, now=now - timedelta(days=5), title="Dialogmøde forår",
                 starts_at=datetime.combine(today + timedelta(days=45), clock(19), tzinfo=LOCAL),
                 place="Lyngby Rådhus", agenda="1. Opfølgning\n2. Udviklingsplanerne",
                 invited="Lokalrådene, Teknik- og Miljøudvalget, forvaltningen")
    return 2


PLAN_VISION = "Lyngby Nord skal være et grønt og levende kvarter, hvor alle aldre mødes."
PLAN_BACKERS = "Lokalrådet Lyngby Nord, Lyngby Nordskole, Grundejerforeningen og Lyngby Boldklub"
