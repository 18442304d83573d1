"""Two ballots from one person at the same instant (two tabs) leave exactly one, on PostgreSQL with threads."""
import threading

import pytest
from sqlalchemy import func, select

from models import User, db, utcnow
from models.budget_operations import cast_ballot
from models.budgets import Ballot, BudgetVoter, CitizenBudget, ballots_of
from tests.portal.budgets.test_voting import test_a_resident_votes_and_changes_the_ballot_and_the_last_one_counts

pytestmark = pytest.mark.postgres

test_pg_vote_and_change = test_a_resident_votes_and_changes_the_ballot_and_the_last_one_counts


@pytest.mark.parametrize("rounds", [8])
def test_two_tabs_at_the_same_instant_leave_exactly_one_ballot(app, people, budget, rounds):
    assert db.engine.dialect.name == "postgresql"
    ids = [p.id for p in budget.ballot_projects]
    voter_ids = [v.id for v in people["voters"]]
    budget_id = budget.id
    errors = []

    def tab(user_id, choice, barrier):
        with app.app_context():
            try:
                barrier.wait()
                cast_ballot(db.session.get(CitizenBudget, budget_id), voter=db.session.get(User, user_id),
                            now=utcnow(), project_ids=choice)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))
            finally:
                db.session.remove()

    for n in range(rounds):
        user_id = voter_ids[n % len(voter_ids)]
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=tab, args=(user_id, [ids[0]], barrier)),
                   threading.Thread(target=tab, args=(user_id, [ids[1], ids[2]], barrier))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert not errors
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == len(voter_ids)
    assert db.session.scalar(select(func.count()).select_from(BudgetVoter)) == len(voter_ids)
    assert all(b in ([ids[0]], [ids[1], ids[2]]) for b in ballots_of(budget_id))
