"""The counting rules against worked examples and, on random elections, against pabutools."""
import random

import pytest

from models.budget_rules import (FUNDED_BY_VOTES, FUNDED_COMPLETION, FUNDED_EQUAL_SHARES, NO_ROOM, NO_VOTES,
                                 equal_shares, greedy_by_votes)

pabutools = pytest.importorskip("pabutools")
from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project  # noqa: E402
from pabutools.rules import (completion_by_rule_combination, greedy_utilitarian_welfare,  # noqa: E402
                             method_of_equal_shares)
from pabutools.tiebreaking import TieBreakingRule  # noqa: E402


def test_greedy_worked_example():
    # pot 100: project 2 (8 votes) first; 1 (5 votes, 60 kr) no longer fits; 3 (30 kr) still does.
    costs = {1: 60, 2: 50, 3: 30, 4: 10}
    ballots = [[1, 2]] * 5 + [[2, 3]] * 3 + [[3]] * 1
    out = greedy_by_votes(100, costs, ballots)
    assert out.votes == {1: 5, 2: 8, 3: 4, 4: 0}
    assert out.selected == [2, 3]
    assert out.reasons == {2: {"code": FUNDED_BY_VOTES, "left_after": 50}, 1: {"code": NO_ROOM, "left": 50},
                           3: {"code": FUNDED_BY_VOTES, "left_after": 20}, 4: {"code": NO_VOTES}}
    assert out.spent == 80


def test_greedy_ties_go_to_lower_cost_then_id():
    out = greedy_by_votes(100, {1: 60, 2: 50, 3: 50}, [[1, 2, 3]])
    assert out.selected == [2, 3]
    assert out.reasons[1] == {"code": NO_ROOM, "left": 0}


def test_equal_shares_worked_example():
    """Two groups: 6 voters want the big square, 4 voters want the two small things. Greedy gives the
    majority everything it can; equal shares gives the minority its 40 %."""
    costs = {1: 60, 2: 30, 3: 30, 4: 10}
    ballots = [[1, 2]] * 6 + [[3, 4]] * 4
    greedy = greedy_by_votes(100, costs, ballots)
    assert greedy.selected == [2, 1, 4]
    mes = equal_shares(100, costs, ballots)
    # Each voter holds 10 kr. Per krone of cost, 1 (10 kr from each of 6) and 2 (5 kr each) tie at 1/6;
    # the cheaper, 2, goes first. Then 1 is out of reach (its voters hold 6 x 5 kr), and the minority's
    # 4 and 3 (both 1/4 per krone) follow.
    assert mes.selected == [2, 4, 3]
    assert mes.reasons[2]["code"] == FUNDED_EQUAL_SHARES
    assert mes.reasons[2]["payment"] == pytest.approx(5)
    assert mes.reasons[1]["code"] == NO_ROOM
    assert mes.reasons[1]["voters_held"] == pytest.approx(30)


def test_no_ballots_funds_nothing():
    for rule in (greedy_by_votes, equal_shares):
        out = rule(100, {1: 10}, [])
        assert out.selected == [] and out.reasons[1] == {"code": NO_VOTES}


# --- agreement with pabutools ------------------------------------------------------------------------------

def _election(rng):
    n_projects = rng.randint(2, 9)
    costs = {pid: rng.choice(range(5, 200, 5)) for pid in range(1, n_projects + 1)}
    pot = rng.randint(max(costs.values()), sum(costs.values()))
    ballots = []
    for _ in range(rng.randint(1, 40)):
        k = rng.randint(1, n_projects)
        ballots.append(rng.sample(sorted(costs), k))
    return pot, costs, ballots


def _pabutools(pot, costs, ballots, mes: bool):
    # A project nobody chose is never funded here; pabutools would fill left-over money with it.
    projects = {pid: Project(str(pid), cost) for pid, cost in costs.items() if any(pid in b for b in ballots)}
    instance = Instance(projects.values(), budget_limit=pot)
    profile = ApprovalProfile([ApprovalBallot([projects[p] for p in b]) for b in ballots])
    votes = {pid: sum(1 for b in ballots if pid in b) for pid in costs}
    tie = TieBreakingRule(lambda inst, prof, p: (-votes[int(p.name)], p.cost, int(p.name)))
    if mes:
        chosen = completion_by_rule_combination(
            instance, profile, [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": Cost_Sat, "tie_breaking": tie}, {"sat_class": Cost_Sat, "tie_breaking": tie}])
    else:
        chosen = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat, tie_breaking=tie)
    return {int(p.name) for p in chosen}


@pytest.mark.parametrize("seed", range(60))
def test_agrees_with_pabutools_on_random_elections(seed):
    rng = random.Random(seed)
    pot, costs, ballots = _election(rng)
    assert set(greedy_by_votes(pot, costs, ballots).selected) == _pabutools(pot, costs, ballots, mes=False)
    assert set(equal_shares(pot, costs, ballots).selected) == _pabutools(pot, costs, ballots, mes=True)
