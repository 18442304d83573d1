"""Time the citizen-budget tally: 100,000 ballots over 60 projects, greedy by votes and equal shares.

    .venv/bin/python scripts/bench_budgets.py [--ballots 100000] [--projects 60] [--db]

Without --db it times the rules on ballots in memory; with --db it also writes the ballots to a fresh
SQLite database through the application and times `count()` (reading every ballot, then the rule), which
is what `flask budgets tally` and the result page do. Goal: under 2 s with either rule.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.budget_rules import equal_shares, greedy_by_votes  # noqa: E402


def election(n_ballots: int, n_projects: int, seed: int = 2026):
    rng = random.Random(seed)
    costs = {pid: rng.randrange(20_000, 400_000, 1_000) for pid in range(1, n_projects + 1)}
    pot = sum(costs.values()) // 4
    popularity = [rng.random() ** 2 for _ in costs]
    ids = list(costs)
    ballots = []
    for _ in range(n_ballots):
        k = rng.randint(1, 8)
        ballots.append(sorted(set(rng.choices(ids, weights=popularity, k=k))))
    return pot, costs, ballots


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=60)
    parser.add_argument("--db", action="store_true", help="also time count() on a SQLite database")
    args = parser.parse_args()
    pot, costs, ballots = election(args.ballots, args.projects)
    print(f"{args.ballots} ballots over {args.projects} projects, pot {pot} kr")
    for name, rule in (("greedy by votes", greedy_by_votes), ("equal shares", equal_shares)):
        start = time.perf_counter()
        outcome = rule(pot, costs, ballots)
        print(f"  {name:16} {time.perf_counter() - start:6.3f} s  ({len(outcome.selected)} funded)")
    if args.db:
        bench_db(pot, costs, ballots)


def bench_db(pot, costs, ballots) -> None:
    import secrets

    from app import create_app
    from models import db
    from models.budget_operations import count
    from models.budgets import Ballot, BudgetProposal, CitizenBudget

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "bench",
                          "TESTING": True})
        with app.app_context():
            db.create_all()
            budget = CitizenBudget(title="Bench", pot_kr=pot, ballot_kind="knapsack", rule="greedy", phase="counting")
            db.session.add(budget)
            db.session.flush()
            ids = {}
            for pid, cost in costs.items():
                p = BudgetProposal(budget_id=budget.id, title=f"P{pid}", estimated_cost_kr=cost, cost_kr=cost,
                                   status="feasible")
                db.session.add(p)
                db.session.flush()
                ids[pid] = p.id
            db.session.execute(Ballot.__table__.insert(), [
                {"key": secrets.token_hex(32), "budget_id": budget.id,
                 "choices": ",".join(str(ids[c]) for c in b)} for b in ballots])
            db.session.commit()
            from models.budgets import ballot_rows
            start = time.perf_counter()
            rows = ballot_rows(budget.id)
            print(f"  reading {len(rows)} ballots from SQLite {time.perf_counter() - start:6.3f} s")
            raw = db.engine.raw_connection()
            start = time.perf_counter()
            got = raw.cursor().execute("SELECT key, choices FROM budget_ballot WHERE budget_id = ?", (budget.id,)).fetchall()
            print(f"  (the same with the bare sqlite3 driver {time.perf_counter() - start:6.3f} s, {len(got)} rows)")
            raw.close()
            for rule in ("greedy", "mes"):
                budget.rule = rule
                start = time.perf_counter()
                outcome = count(budget)
                print(f"  count() {rule:8} from SQLite {time.perf_counter() - start:6.3f} s  "
                      f"({len(outcome.selected)} funded)")


if __name__ == "__main__":
    main()
