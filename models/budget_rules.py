"""The counting rules of citizen budgets, free of the database: greedy by votes and the Method of Equal Shares.

Both take the pot, each project's cost and the ballots (each a collection of approved project ids) and
return an `Outcome`: the funded projects in the order they were taken and, for every project, why it was
or was not funded (a code and the figures behind it, which the result page puts into words).

They are tested against `pabutools` (the researchers' reference implementation, a test dependency) on
worked examples and random elections; they are written here because pabutools counts with exact
fractions, which is far too slow for a municipality's 100,000 ballots (see scripts/bench_budgets.py).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

GREEDY = "greedy"
MES = "mes"
RULES = (GREEDY, MES)

# Why a project was or was not funded (see portal/budgets/explain.py for the words).
FUNDED_BY_VOTES = "funded_by_votes"            # greedy: its turn came and it fitted
NO_ROOM = "no_room"                            # greedy / completion: its turn came, too little was left
FUNDED_EQUAL_SHARES = "funded_equal_shares"    # MES: its voters paid for it from their equal shares
FUNDED_COMPLETION = "funded_completion"        # MES: taken afterwards, by votes, from what was left over
NO_VOTES = "no_votes"                          # nobody chose it
REL_TOL = 1e-9


@dataclass
class Outcome:
    rule: str
    selected: list[int] = field(default_factory=list)        # in the order taken
    reasons: dict[int, dict] = field(default_factory=dict)   # project id -> {"code": ..., figures}
    votes: dict[int, int] = field(default_factory=dict)
    spent: int = 0


def count_votes(costs: Mapping[int, int], ballots: Iterable[Iterable[int]]) -> dict[int, int]:
    votes = dict.fromkeys(costs, 0)
    for ballot in ballots:
        for pid in ballot:
            if pid in votes:
                votes[pid] += 1
    return votes


def _order_by_votes(costs: Mapping[int, int], votes: Mapping[int, int]) -> list[int]:
    """Most votes first; ties by lower cost, then lower id."""
    return sorted(costs, key=lambda pid: (-votes[pid], costs[pid], pid))


def _greedy_fill(outcome: Outcome, pot: int, costs, votes, funded_code: str) -> None:
    left = pot - outcome.spent
    taken = set(outcome.selected)
    for pid in _order_by_votes(costs, votes):
        if pid in taken:
            continue
        if votes[pid] == 0:
            outcome.reasons[pid] = {"code": NO_VOTES}
            continue
        if costs[pid] <= left:
            left -= costs[pid]
            outcome.selected.append(pid)
            outcome.reasons[pid] = {"code": funded_code, "left_after": left}
        else:
            outcome.reasons[pid] = {"code": NO_ROOM, "left": left}
    outcome.spent = pot - left


def greedy_by_votes(pot: int, costs: Mapping[int, int], ballots=None, *, votes=None) -> Outcome:
    """Projects by votes, most first (ties: lower cost, then lower id); each is taken if it still fits."""
    votes = dict(votes) if votes is not None else count_votes(costs, ballots or [])
    outcome = Outcome(GREEDY, votes=votes)
    _greedy_fill(outcome, pot, costs, votes, FUNDED_BY_VOTES)
    return outcome


def ballot_arrays(rows: list[str]) -> tuple[int, np.ndarray, np.ndarray]:
    """Ballots stored as "3,5,9" strings as (number of ballots, voter index per choice, project id per choice):
    the fast way in for a municipality's 100,000 ballots."""
    n = len(rows)
    lengths = np.fromiter((row.count(",") + 1 if row else 0 for row in rows), dtype=np.int64, count=n)
    joined = ",".join(row for row in rows if row)
    pids = np.array(joined.split(","), dtype=np.int64) if joined else np.zeros(0, dtype=np.int64)
    return n, np.repeat(np.arange(n, dtype=np.int64), lengths), pids


def votes_from_arrays(costs: Mapping[int, int], pids: np.ndarray) -> dict[int, int]:
    found, counts = np.unique(pids, return_counts=True)
    votes = dict.fromkeys(costs, 0)
    for pid, k in zip(found.tolist(), counts.tolist()):
        if pid in votes:
            votes[pid] = k
    return votes


def equal_shares(pot: int, costs: Mapping[int, int], ballots: Iterable[Iterable[int]]) -> Outcome:
    """The Method of Equal Shares with cost utilities (as equalshares.net computes approval ballots),
    completed by greedy by votes with the money left over.

    Every voter gets an equal share of the pot. In each round, every project whose voters can still pay
    for it together is priced: the smallest amount p such that, each paying p or all they have left,
    they cover its cost; the project with the smallest p per krone of cost (its voters get most for their
    money) is funded and its voters pay. Ties go to more votes, then lower cost, then lower id.
    """
    rows = [",".join(str(pid) for pid in dict.fromkeys(ballot)) for ballot in ballots]
    return equal_shares_arrays(pot, costs, *ballot_arrays(rows))


def equal_shares_arrays(pot: int, costs: Mapping[int, int], n: int, voters: np.ndarray, pids: np.ndarray) -> Outcome:
    """equal_shares on ballot_arrays' form (a project chosen twice on one ballot must not be in it)."""
    keep = np.isin(pids, np.fromiter(costs, dtype=np.int64, count=len(costs)))
    voters, pids = voters[keep], pids[keep]
    votes = votes_from_arrays(costs, pids)
    outcome = Outcome(MES, votes=votes)
    if n == 0:
        for pid in costs:
            outcome.reasons[pid] = {"code": NO_VOTES}
        return outcome
    order = np.argsort(pids, kind="stable")
    sorted_pids, sorted_voters = pids[order], voters[order]
    bounds = np.searchsorted(sorted_pids, np.array(sorted(votes), dtype=np.int64), side="left")
    approvers = {}
    for pid, start in zip(sorted(votes), bounds.tolist()):
        if votes[pid]:
            approvers[pid] = sorted_voters[start:start + votes[pid]]
    share = pot / n
    budget = np.full(n, share, dtype=np.float64)
    for pid in sorted(approvers):
        if costs[pid] == 0:  # free projects someone wants cost nobody anything
            outcome.selected.append(pid)
            outcome.reasons[pid] = {"code": FUNDED_EQUAL_SHARES, "payment": 0.0, "share": share,
                                    "voters": votes[pid]}
    # A project's price per krone only rises as its voters pay for others, so the last price known is a lower
    # bound: projects are priced again in the order of their bounds, stopping once no bound can beat the best.
    bound = {pid: 0.0 for pid in approvers if costs[pid] > 0}
    while bound:
        best, best_key, best_payment = None, None, None
        for pid in sorted(bound, key=lambda p: (bound[p], -votes[p], costs[p], p)):
            if best is not None and bound[pid] > best_key[0] * (1 + REL_TOL):
                break
            cost = costs[pid]
            held = budget[approvers[pid]]
            if held.sum() < cost * (1 - REL_TOL):
                del bound[pid]  # budgets only shrink, so it never becomes affordable again
                continue
            payment = _payment(np.sort(held), cost)
            key = (payment / cost, -votes[pid], cost, pid)
            bound[pid] = key[0]
            if best is None or _before(key, best_key):
                best, best_key, best_payment = pid, key, payment
        if best is None:
            break
        idx = approvers[best]
        budget[idx] -= np.minimum(budget[idx], best_payment)
        del bound[best]
        outcome.selected.append(best)
        outcome.reasons[best] = {"code": FUNDED_EQUAL_SHARES, "payment": best_payment, "share": share,
                                 "voters": int(len(idx))}
    outcome.spent = sum(costs[pid] for pid in outcome.selected)
    # What the voters of each unfunded project still held when the equal shares ran out.
    held_at_end = {pid: float(budget[approvers[pid]].sum()) if pid in approvers else 0.0 for pid in costs}
    _greedy_fill(outcome, pot, costs, votes, FUNDED_COMPLETION)
    for pid, reason in outcome.reasons.items():
        if reason["code"] == NO_ROOM:
            reason["voters_held"] = held_at_end[pid]
    return outcome


def tally_rows(rule: str, pot: int, costs: Mapping[int, int], rows: list[str]) -> Outcome:
    """The result from ballots as stored ("3,5,9" strings), fast for 100,000 ballots."""
    n, voters, pids = ballot_arrays(rows)
    if rule == MES:
        return equal_shares_arrays(pot, costs, n, voters, pids)
    if rule == GREEDY:
        return greedy_by_votes(pot, costs, votes=votes_from_arrays(costs, pids))
    raise ValueError(f"unknown rule {rule!r}")


def _payment(held_sorted: np.ndarray, cost: float) -> float:
    """The smallest p with sum(min(held, p)) == cost (held sorted ascending, and enough in total)."""
    k = len(held_sorted)
    before = np.concatenate(([0.0], np.cumsum(held_sorted)[:-1]))
    candidates = (cost - before) / (k - np.arange(k))
    fits = np.nonzero(candidates <= held_sorted * (1 + REL_TOL))[0]
    return float(candidates[fits[0]]) if len(fits) else float(held_sorted[-1])


def _before(key, other) -> bool:
    """Whether `key` comes first; the price per krone compares with a tolerance, so exact ties are ties."""
    a, b = key[0], other[0]
    if abs(a - b) > REL_TOL * max(abs(a), abs(b)):
        return a < b
    return key[1:] < other[1:]


def tally(rule: str, pot: int, costs: Mapping[int, int], ballots) -> Outcome:
    if rule == MES:
        return equal_shares(pot, costs, ballots)
    if rule == GREEDY:
        return greedy_by_votes(pot, costs, ballots)
    raise ValueError(f"unknown rule {rule!r}")
