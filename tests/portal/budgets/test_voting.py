"""Voting: eligibility, the ballot's rules, changing one's ballot, secrecy, assisted ballots, phases."""
import re

from sqlalchemy import func, inspect, select

from models import AuditEntry, db
from models.budget_operations import advance_phase, cast_ballot, my_ballot
from models.budgets import ballot_key, Ballot, BallotKind, BudgetVoter, Phase, ballots_of
from models import utcnow
from tests.conftest import sign_in
from tests.portal.budgets.conftest import build_budget


def ids(budget):
    return [p.id for p in budget.ballot_projects]


def vote(client, budget, chosen):
    return client.post(f"/borgerbudgetter/{budget.id}/stem", data={"projekt": [str(c) for c in chosen]})


def ballot_count(budget):
    return db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.budget_id == budget.id))


def test_a_resident_votes_and_changes_the_ballot_and_the_last_one_counts(client, people, budget):
    voter = people["voters"][0]
    sign_in(client, voter)
    a, b, c = ids(budget)
    response = vote(client, budget, [a, b])
    assert response.status_code == 302
    assert sorted(ballots_of(budget.id)) == [[a, b]]
    response = vote(client, budget, [c])
    assert response.status_code == 302
    assert ballots_of(budget.id) == [[c]]
    assert db.session.scalar(select(func.count()).select_from(BudgetVoter)) == 1
    page = client.get(f"/borgerbudgetter/{budget.id}").get_data(as_text=True)
    assert re.search(rf'value="{c}"[^>]*checked', page)
    assert not re.search(rf'value="{a}"[^>]*checked', page)
    assert "Skift min stemme" in page


def test_what_a_person_chose_is_shown_only_to_them(app, people, budget):
    first, second = people["voters"][:2]
    a, b, c = ids(budget)
    cast_ballot(budget, voter=first, now=utcnow(), project_ids=[b])
    db.session.commit()
    other = sign_in(app.test_client(), second).get(f"/borgerbudgetter/{budget.id}").get_data(as_text=True)
    assert "checked" not in other
    assert my_ballot(budget, second) is None and my_ballot(budget, first) == [b]


def test_no_table_links_a_ballot_to_a_person(app, people, budget):
    """The ballot row holds a keyed hash, the budget and the choices: no person, no time."""
    columns = {col["name"] for col in inspect(db.engine).get_columns("budget_ballot")}
    assert columns == {"key", "budget_id", "choices"}
    voter_columns = {col["name"] for col in inspect(db.engine).get_columns("budget_voter")}
    assert voter_columns == {"id", "budget_id", "user_id"}
    cast_ballot(budget, voter=people["voters"][0], now=utcnow(), project_ids=ids(budget)[:1])
    db.session.commit()
    key = db.session.scalar(select(Ballot.key))
    voter = people["voters"][0]
    # Only the site's secret turns a person into their key: another secret gives another key.
    assert key == ballot_key(app.config["SECRET_KEY"], budget.id, voter.id)
    assert key != ballot_key("another secret", budget.id, voter.id)


def test_no_live_counts_during_voting(client, people, budget):
    cast_ballot(budget, voter=people["voters"][0], now=utcnow(), project_ids=ids(budget)[:1])
    db.session.commit()
    assert client.get(f"/borgerbudgetter/{budget.id}/resultat.json").status_code == 404
    assert client.get(f"/borgerbudgetter/{budget.id}/resultat").status_code == 404
    assert client.get(f"/borgerbudgetter/{budget.id}/resultat.csv").status_code == 404
    page = client.get(f"/borgerbudgetter/{budget.id}").get_data(as_text=True)
    assert "stemme" not in page.lower().split("dine valg")[0] or "1 stemme" not in page


def test_too_many_projects_are_refused_in_danish_and_the_old_ballot_stays(client, people, budget):
    sign_in(client, people["voters"][0])
    a, b, c = ids(budget)
    assert vote(client, budget, [a]).status_code == 302
    response = vote(client, budget, [a, b, c])
    assert response.status_code == 400
    assert "Du har valgt flere projekter, end stemmesedlen tillader (højst 2)." in response.get_data(as_text=True)
    # the choice the person made is kept on the page, and the saved ballot is unchanged
    assert re.search(rf'value="{c}"[^>]*checked', response.get_data(as_text=True))
    assert ballots_of(budget.id) == [[a]]


def test_a_knapsack_ballot_over_the_pot_is_refused(client, people):
    budget = build_budget(people, kind=BallotKind.KNAPSACK)
    sign_in(client, people["voters"][0])
    a, b, c = ids(budget)
    response = vote(client, budget, [a, b, c])  # 110.000 kr of 100.000 kr
    assert response.status_code == 400
    assert "De projekter, du har valgt, koster mere end puljen." in response.get_data(as_text=True)
    assert ballot_count(budget) == 0
    assert "running-total" in response.get_data(as_text=True)
    assert vote(client, budget, [a, b]).status_code == 302
    assert ballot_count(budget) == 1


def test_an_ineligible_resident_cannot_vote(client, people, budget, make):
    sign_in(client, people["outsider"])
    response = vote(client, budget, ids(budget)[:1])
    assert response.status_code == 400
    assert "Kun beboere i budgettets område kan stemme" in response.get_data(as_text=True)
    young = make.user(email="ung@example.dk")
    make.profile(young, postcode="2800", birth_year=utcnow().year - 12)
    unverified = make.user(email="ny@example.dk", verified=False)
    make.profile(unverified, postcode="2800", birth_year=1990)
    db.session.commit()
    for person, text in ((young, "under budgettets aldersgrænse"), (unverified, "Bekræft din e-mailadresse")):
        response = vote(sign_in(client, person), budget, ids(budget)[:1])
        assert response.status_code == 400 and text in response.get_data(as_text=True)
    assert ballot_count(budget) == 0


def test_unknown_or_empty_choices_are_refused(client, people, budget):
    sign_in(client, people["voters"][0])
    for chosen in ([], [999999], ["x"]):
        response = vote(client, budget, chosen)
        assert response.status_code == 400
    assert ballot_count(budget) == 0


def test_a_vote_outside_the_voting_phase_is_refused(client, people):
    for phase in ("proposals", "review"):
        budget = build_budget(people, phase=phase)
        sign_in(client, people["voters"][0])
        response = vote(client, budget, [p.id for p in budget.proposals][:1])
        assert response.status_code == 400
        assert "ikke muligt i budgettets nuværende fase" in response.get_data(as_text=True)
    budget = build_budget(people)
    advance_phase(budget, actor=people["coordinator"], now=utcnow())
    db.session.commit()
    response = vote(client, budget, ids(budget)[:1])
    assert response.status_code == 400 and ballot_count(budget) == 0


def test_a_coordinator_takes_a_ballot_on_a_residents_behalf_and_the_audit_has_no_content(client, people, budget):
    resident = people["voters"][1]
    sign_in(client, people["coordinator"])
    assert client.get(f"/borgerbudgetter/{budget.id}/medbetjening").status_code == 200
    chosen = ids(budget)[1]
    response = client.post(f"/borgerbudgetter/{budget.id}/medbetjening",
                           data={"email": resident.email, "projekt": [str(chosen)]})
    assert response.status_code == 302
    assert my_ballot(budget, resident) == [chosen]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "budget_assisted_ballot"))
    assert entry.subject_id == resident.id and entry.on_behalf and entry.actor_id == people["coordinator"].id
    assert str(chosen) not in entry.detail and "Projekt" not in entry.detail
    # the rules hold on this path too
    response = client.post(f"/borgerbudgetter/{budget.id}/medbetjening",
                           data={"email": people["outsider"].email, "projekt": [str(chosen)]})
    assert response.status_code == 400 and "Kun beboere" in response.get_data(as_text=True)
    response = client.post(f"/borgerbudgetter/{budget.id}/medbetjening",
                           data={"email": resident.email, "projekt": [str(i) for i in ids(budget)]})
    assert response.status_code == 400 and my_ballot(budget, resident) == [chosen]


def test_a_citizen_cannot_take_an_assisted_ballot(client, people, budget):
    sign_in(client, people["voters"][0])
    response = client.post(f"/borgerbudgetter/{budget.id}/medbetjening",
                           data={"email": people["voters"][1].email, "projekt": [str(ids(budget)[0])]})
    assert response.status_code == 403 and ballot_count(budget) == 0


def test_erasure_forgets_that_a_person_voted_and_the_anonymous_ballot_still_counts(app, people, budget):
    from models.budget_operations import count
    from models.privacy import erase_user
    voter = people["voters"][0]
    chosen = ids(budget)[2]
    cast_ballot(budget, voter=voter, now=utcnow(), project_ids=[chosen])
    db.session.commit()
    author_of = {p.id: p.author_id for p in budget.proposals}
    erase_user(db.session, voter)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(BudgetVoter)) == 0
    assert ballots_of(budget.id) == [[chosen]] and count(budget).votes[chosen] == 1
    assert all(p.author_id != voter.id for p in budget.proposals)
    assert any(author_of[p.id] == voter.id and p.author_id is None for p in budget.proposals)
