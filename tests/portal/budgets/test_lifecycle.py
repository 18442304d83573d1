"""A budget through its phases in the browser's terms: create, propose, join, review, merge, vote, count,
publish, the result page and its open data, delivery and the follow-up of spending."""
import csv
import io

from sqlalchemy import func, select

from models import Idea, Project, ProjectFollower, db, utcnow
from models.budget_operations import cast_ballot, propose_project
from models.budgets import BudgetProposal, CitizenBudget, Phase, ProposalStatus
from tests.conftest import sign_in
from tests.portal.budgets.conftest import build_budget


def test_a_coordinator_creates_a_budget_and_bad_input_keeps_the_typing(client, people):
    sign_in(client, people["coordinator"])
    form = {"council": str(people["council"].id), "title": "Borgerbudget Vest", "pot_kr": "", "postcodes": "2800",
            "min_age": "15", "ballot_kind": "approval", "max_choices": "3", "rule": "mes"}
    response = client.post("/borgerbudgetter/ny", data=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Skriv puljen i hele kroner." in page and 'value="Borgerbudget Vest"' in page
    response = client.post("/borgerbudgetter/ny", data={**form, "pot_kr": "250000", "postcodes": "28OO"})
    assert response.status_code == 400 and "Skriv postnumre med fire cifre" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CitizenBudget)) == 0
    response = client.post("/borgerbudgetter/ny", data={**form, "pot_kr": "250000"})
    assert response.status_code == 302
    budget = db.session.scalar(select(CitizenBudget))
    assert (budget.pot_kr, budget.rule, budget.phase, budget.council_id) == (250000, "mes", Phase.PROPOSALS,
                                                                            people["council"].id)
    listing = client.get("/borgerbudgetter").get_data(as_text=True)
    assert "Borgerbudget Vest" in listing and "Fase: Forslag" in listing


def test_a_council_member_creates_only_for_their_own_council(client, people, make):
    other = make.council()
    db.session.commit()
    sign_in(client, people["member"])
    form = {"council": str(other.id), "title": "X", "pot_kr": "1000", "min_age": "0", "ballot_kind": "knapsack",
            "rule": "greedy"}
    assert client.post("/borgerbudgetter/ny", data=form).status_code == 400
    assert client.post("/borgerbudgetter/ny", data={**form, "council": str(people["council"].id)}).status_code == 302


def test_citizens_propose_and_join_and_a_proposal_without_a_cost_is_refused(client, people):
    budget = build_budget(people, phase="proposals", costs=())
    author, joiner = people["voters"][:2]
    sign_in(client, author)
    data = {"title": "Hundeskov", "description": "Et indhegnet område til hunde.", "place": "Parken",
            "estimated_cost_kr": ""}
    response = client.post(f"/borgerbudgetter/{budget.id}/forslag", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Skriv, hvad forslaget vil koste, i hele kroner." in page and 'value="Hundeskov"' in page
    assert not budget.proposals
    assert client.post(f"/borgerbudgetter/{budget.id}/forslag",
                       data={**data, "estimated_cost_kr": "40000"}).status_code == 302
    proposal = db.session.scalar(select(BudgetProposal))
    sign_in(client, joiner)
    assert client.post(f"/borgerbudgetter/forslag/{proposal.id}/deltag").status_code == 302
    client.post(f"/borgerbudgetter/forslag/{proposal.id}/deltag")
    db.session.refresh(proposal)
    assert [c.user_id for c in proposal.co_creators] == [joiner.id]
    assert "1 medskaber" in client.get(f"/borgerbudgetter/{budget.id}").get_data(as_text=True)


def test_a_proposal_from_an_idea_keeps_its_co_creators(app, people, make):
    budget = build_budget(people, phase="proposals", costs=())
    initiator, helper = people["voters"][:2]
    idea = make.idea(initiator)
    make.co_creator(idea, helper)
    db.session.commit()
    proposal = propose_project(budget, actor=initiator, now=utcnow(), title="Fra idéen", estimated_cost_kr=1000,
                               idea=db.session.get(Idea, idea.id))
    assert [c.user_id for c in proposal.co_creators] == [helper.id]


def test_review_gives_the_clear_frame_and_merging_joins_the_authors(client, people):
    budget = build_budget(people, phase="review")
    first, second, third = budget.proposals
    sign_in(client, people["coordinator"])
    prefix = f"p{first.id}-"
    response = client.post(f"/borgerbudgetter/forslag/{first.id}/vurder",
                           data={prefix + "decision": "not_feasible", prefix + "reason": ""})
    assert response.status_code == 400 and "Skriv, hvorfor forslaget ikke er muligt" in response.get_data(as_text=True)
    assert first.status == ProposalStatus.SUBMITTED
    client.post(f"/borgerbudgetter/forslag/{first.id}/vurder",
                data={prefix + "decision": "not_feasible", prefix + "reason": "Grunden er fredet."})
    # voting cannot open while a proposal waits for its review
    client.post(f"/borgerbudgetter/{budget.id}/fase")
    assert db.session.get(CitizenBudget, budget.id).phase == Phase.REVIEW
    client.post(f"/borgerbudgetter/forslag/{third.id}/flet", data={"into": str(second.id)})
    prefix = f"p{second.id}-"
    client.post(f"/borgerbudgetter/forslag/{second.id}/vurder",
                data={prefix + "decision": "feasible", prefix + "cost_kr": "35000"})
    db.session.expire_all()
    assert (first.status, first.reason) == (ProposalStatus.NOT_FEASIBLE, "Grunden er fredet.")
    assert third.status == ProposalStatus.MERGED and third.merged_into_id == second.id
    assert third.author_id in {c.user_id for c in second.co_creators}
    assert (second.status, second.cost_kr) == (ProposalStatus.FEASIBLE, 35000)
    page = client.get(f"/borgerbudgetter/{budget.id}").get_data(as_text=True)
    assert "Grunden er fredet." in page and "Flettet ind i" in page
    client.post(f"/borgerbudgetter/{budget.id}/fase")
    db.session.expire_all()
    assert db.session.get(CitizenBudget, budget.id).phase == Phase.VOTING
    assert [p.id for p in budget.ballot_projects] == [second.id]


def test_only_managers_manage(client, people, budget):
    sign_in(client, people["voters"][0])
    assert client.get(f"/borgerbudgetter/{budget.id}/styr").status_code == 403
    assert client.post(f"/borgerbudgetter/{budget.id}/fase").status_code == 403
    assert db.session.get(CitizenBudget, budget.id).phase == Phase.VOTING
    sign_in(client, people["member"])
    assert client.get(f"/borgerbudgetter/{budget.id}/styr").status_code == 200


def _vote_all(budget, people):
    a, b, c = [p.id for p in budget.ballot_projects]  # 60.000, 30.000, 20.000 of 100.000
    for voter, chosen in zip(people["voters"], ([a, b], [a], [b, c])):
        cast_ballot(budget, voter=voter, now=utcnow(), project_ids=chosen)
    db.session.commit()
    return a, b, c


def test_the_result_is_published_with_the_exact_json_shape_and_csv(client, people, budget):
    a, b, c = _vote_all(budget, people)
    sign_in(client, people["coordinator"])
    client.post(f"/borgerbudgetter/{budget.id}/fase")          # voting closes
    assert client.get(f"/borgerbudgetter/{budget.id}/resultat.json").status_code == 404
    client.post(f"/borgerbudgetter/{budget.id}/fase")          # the result is published
    data = client.get(f"/borgerbudgetter/{budget.id}/resultat.json").get_json()
    assert list(data) == ["id", "title", "budget_kr", "rule", "ballots", "projects"] or set(data) == {
        "id", "title", "budget_kr", "rule", "ballots", "projects"}
    assert (data["id"], data["title"], data["budget_kr"], data["rule"], data["ballots"]) == (
        budget.id, "Borgerbudget Nord", 100000, "greedy", 3)
    assert data["projects"] == [
        {"id": a, "title": "Projekt 1", "cost_kr": 60000, "votes": 2, "selected": True},
        {"id": b, "title": "Projekt 2", "cost_kr": 30000, "votes": 2, "selected": True},
        {"id": c, "title": "Projekt 3", "cost_kr": 20000, "votes": 1, "selected": False},
    ]
    rows = list(csv.reader(io.StringIO(client.get(f"/borgerbudgetter/{budget.id}/resultat.csv")
                                       .get_data(as_text=True)), delimiter=";"))
    assert rows[0] == ["id", "title", "cost_kr", "votes", "selected"] and rows[3] == [str(c), "Projekt 3", "20000",
                                                                                      "1", "0"]
    page = client.get(f"/borgerbudgetter/{budget.id}/resultat").get_data(as_text=True)
    assert "Flest stemmer først" in page
    assert "Får ikke penge: da det var dets tur, var der kun 10.000 kr tilbage, mindre end prisen på 20.000 kr." in page


def test_delivery_makes_council_projects_followed_by_their_people_and_spending_is_followed_up(client, people, budget):
    a, b, c = _vote_all(budget, people)
    sign_in(client, people["coordinator"])
    client.post(f"/borgerbudgetter/{budget.id}/fase")
    client.post(f"/borgerbudgetter/{budget.id}/fase")
    client.post(f"/borgerbudgetter/{budget.id}/lever")
    db.session.expire_all()
    assert db.session.get(CitizenBudget, budget.id).phase == Phase.DELIVERY
    funded = db.session.get(BudgetProposal, a)
    project = db.session.get(Project, funded.project_id)
    assert (project.council_id, project.budget_kr, project.title) == (people["council"].id, 60000, "Projekt 1")
    followers = set(db.session.scalars(select(ProjectFollower.user_id).where(ProjectFollower.project_id == project.id)))
    assert funded.author_id in followers
    assert db.session.get(BudgetProposal, c).project_id is None
    response = client.post(f"/borgerbudgetter/forslag/{a}/forbrug", data={f"s{a}-spent_kr": "-5"})
    assert db.session.get(BudgetProposal, a).spent_kr is None
    client.post(f"/borgerbudgetter/forslag/{a}/forbrug", data={f"s{a}-spent_kr": "42000"})
    db.session.expire_all()
    assert db.session.get(BudgetProposal, a).spent_kr == 42000
    page = client.get(f"/borgerbudgetter/{budget.id}/resultat").get_data(as_text=True)
    assert "Brugt indtil nu: 42.000 kr af 60.000 kr." in page
    assert response.status_code == 302


def test_the_proposers_are_told_of_the_review_and_both_authors_of_a_merge(client, people):
    from models import OutboxMessage
    budget = build_budget(people, phase="review")
    first, second, third = budget.proposals
    sign_in(client, people["coordinator"])
    client.post(f"/borgerbudgetter/forslag/{first.id}/vurder",
                data={f"p{first.id}-decision": "not_feasible", f"p{first.id}-reason": "Grunden er fredet."})
    client.post(f"/borgerbudgetter/forslag/{third.id}/flet", data={"into": str(second.id)})
    mails = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "budget_proposal")
                                    .order_by(OutboxMessage.id)))
    assert [m.user_id for m in mails] == [first.author_id, third.author_id, second.author_id]
    assert "Grunden er fredet." in mails[0].body_text
    assert "Kommunen har vurderet dit forslag" in mails[0].subject
    assert all(second.title in m.subject for m in mails[1:])


def test_a_budget_for_the_whole_municipality_delivers_each_project_to_the_council_chosen_for_it(client, people, make):
    from datetime import timedelta
    from models.budget_operations import advance_phase, create_budget, review_proposal
    from models.budgets import BallotKind, Rule
    coordinator, north = people["coordinator"], people["council"]
    south = make.council(name="Lokalrådet Syd", members=[make.user()])
    empty = make.council(name="Lokalrådet Uden Medlemmer")
    earlier = utcnow() - timedelta(days=10)
    budget = create_budget(actor=coordinator, now=earlier, council=None, title="Hele kommunen", pot_kr=100_000,
                           postcodes="2800", min_age=15, ballot_kind=BallotKind.APPROVAL, max_choices=2,
                           rule=Rule.GREEDY)
    for n, cost in enumerate((60_000, 30_000, 20_000)):
        propose_project(budget, actor=people["voters"][n], now=earlier, title=f"Projekt {n + 1}",
                        description="Noget godt", place="Parken", estimated_cost_kr=cost)
    advance_phase(budget, actor=coordinator, now=earlier)
    for proposal in budget.proposals:
        review_proposal(proposal, actor=coordinator, now=earlier, feasible=True, cost_kr=proposal.estimated_cost_kr)
    advance_phase(budget, actor=coordinator, now=earlier)
    db.session.commit()
    a, b, c = _vote_all(budget, people)                     # a and b are funded, c is not
    sign_in(client, coordinator)
    client.post(f"/borgerbudgetter/{budget.id}/fase")
    client.post(f"/borgerbudgetter/{budget.id}/fase")
    page = client.get(f"/borgerbudgetter/{budget.id}/styr").get_data(as_text=True)
    assert f'name="council-{a}"' in page and f'name="council-{b}"' in page and f'name="council-{c}"' not in page
    assert "Lokalrådet Syd" in page

    # One project without a council: refused with its title, the other choice kept, nothing written.
    response = client.post(f"/borgerbudgetter/{budget.id}/lever", data={f"council-{a}": str(south.id)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Vælg det lokalråd, der bærer &#34;Projekt 2&#34;" in page
    assert f'<option value="{south.id}" selected>' in page
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0
    assert db.session.get(CitizenBudget, budget.id).phase == Phase.RESULT
    # A council with no members cannot carry a project.
    response = client.post(f"/borgerbudgetter/{budget.id}/lever",
                           data={f"council-{a}": str(south.id), f"council-{b}": str(empty.id)})
    assert response.status_code == 400 and "Lokalrådet Uden Medlemmer har ingen medlemmer" in response.get_data(
        as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0

    assert client.post(f"/borgerbudgetter/{budget.id}/lever", data={f"council-{a}": str(south.id),
                                                                    f"council-{b}": str(north.id)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(CitizenBudget, budget.id).phase == Phase.DELIVERY
    first, second = (db.session.get(Project, db.session.get(BudgetProposal, pid).project_id) for pid in (a, b))
    assert (first.council_id, first.budget_kr) == (south.id, 60000)
    assert (second.council_id, second.budget_kr) == (north.id, 30000)
    followers = set(db.session.scalars(select(ProjectFollower.user_id).where(ProjectFollower.project_id == first.id)))
    assert db.session.get(BudgetProposal, a).author_id in followers
