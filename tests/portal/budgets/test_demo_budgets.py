"""The demo keeps the issue's contract: a budget open for voting where borger@samskab.dk may vote and has not,
a finished budget with a published result, and one in review with a "not feasible" reason."""
from sqlalchemy import select

from models import User, db, utcnow
from models.budget_operations import ineligibility
from models.budgets import CitizenBudget, Phase, ProposalStatus, has_voted
from portal.demo import load_demo_data
from tests.conftest import sign_in


def test_the_demo_budgets(app):
    load_demo_data(db.session, now=utcnow())
    db.session.commit()
    borger = User.by_email("borger@samskab.dk")
    budgets = list(db.session.scalars(select(CitizenBudget).order_by(CitizenBudget.id)))
    open_ = [b for b in budgets if b.phase == Phase.VOTING]
    assert any(ineligibility(b, borger, now=utcnow()) is None and not has_voted(b.id, borger.id) for b in open_)
    client = app.test_client()
    finished = next(b for b in budgets if b.phase == Phase.RESULT)
    data = client.get(f"/borgerbudgetter/{finished.id}/resultat.json").get_json()
    assert data["ballots"] > 0 and any(p["selected"] for p in data["projects"])
    in_review = next(b for b in budgets if b.phase == Phase.REVIEW)
    refused = next(p for p in in_review.proposals if p.status == ProposalStatus.NOT_FEASIBLE)
    assert refused.reason and refused.reason in client.get(f"/borgerbudgetter/{in_review.id}").get_data(as_text=True)
    # the demo citizen sees the ballot and can cast it
    sign_in(client, borger)
    budget = open_[0]
    page = client.get(f"/borgerbudgetter/{budget.id}").get_data(as_text=True)
    assert "Afgiv min stemme" in page
    response = client.post(f"/borgerbudgetter/{budget.id}/stem", data={"projekt": [str(budget.ballot_projects[0].id)]})
    assert response.status_code == 302 and has_voted(budget.id, borger.id)
