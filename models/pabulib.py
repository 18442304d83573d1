"""Whole citizen-budget elections in the pabulib `.pb` format (META / PROJECTS / VOTES, semicolon-separated),
the format researchers and other participatory-budgeting tools read, so a result can be checked elsewhere.

Export writes the projects on the ballot and every ballot, numbered 1…n in an order that says nothing
about who cast it; import creates a budget in its counting phase with those projects and ballots.
"""
from __future__ import annotations

import csv
import io
import secrets
from datetime import datetime

from models.audit import record as audit
from models.base import DomainError, db, to_local
from models.budget_operations import BudgetAudit, _require_manager
from models.budgets import (Ballot, BallotKind, BudgetProposal, CitizenBudget, Phase, ProposalStatus, Rule,
                            ballots_of)

RULE_NAMES = {Rule.GREEDY: "greedy", Rule.MES: "equalshares"}
RULES_BY_NAME = {"greedy": Rule.GREEDY, "equalshares": Rule.MES, "mes": Rule.MES}


def export_pb(budget: CitizenBudget) -> str:
    projects = budget.ballot_projects
    ballots = ballots_of(budget.id)
    votes = {p.id: 0 for p in projects}
    for ballot in ballots:
        for pid in ballot:
            if pid in votes:
                votes[pid] += 1
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = [("description", budget.title), ("country", "Denmark"), ("unit", budget.council.name if budget.council
                                                                      else "Kommune"),
            ("instance", str(budget.id)), ("num_projects", str(len(projects))), ("num_votes", str(len(ballots))),
            ("budget", str(budget.pot_kr)), ("vote_type", "approval"), ("rule", RULE_NAMES[budget.rule]),
            ("date_begin", ""), ("date_end", to_local(budget.voting_until).strftime("%d.%m.%Y")
                                 if budget.voting_until else ""), ("language", "danish"), ("currency", "DKK")]
    if budget.ballot_kind == BallotKind.APPROVAL and budget.max_choices:
        meta.append(("max_length", str(budget.max_choices)))
    if budget.ballot_kind == BallotKind.KNAPSACK:
        meta.append(("max_sum_cost", str(budget.pot_kr)))
    w.writerow(["META"])
    w.writerow(["key", "value"])
    w.writerows([(k, v) for k, v in meta if v != ""])
    w.writerow(["PROJECTS"])
    w.writerow(["project_id", "cost", "votes", "name"])
    for p in projects:
        w.writerow([p.id, p.ballot_cost, votes[p.id], p.title])
    w.writerow(["VOTES"])
    w.writerow(["voter_id", "vote"])
    for n, ballot in enumerate(ballots, start=1):
        w.writerow([n, ",".join(map(str, ballot))])
    return out.getvalue()


def _sections(text: str) -> dict[str, list[dict]]:
    sections: dict[str, list[dict]] = {}
    current, header = None, None
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"):
        if not row or not any(cell.strip() for cell in row):
            continue
        label = row[0].strip()
        if len(row) == 1 and label.upper() in ("META", "PROJECTS", "VOTES"):
            current, header = label.upper(), None
            sections[current] = []
            continue
        if current is None:
            raise DomainError("pb_format", detail="data before META")
        if header is None:
            header = [cell.strip() for cell in row]
            continue
        sections[current].append(dict(zip(header, (cell.strip() for cell in row))))
    missing = {"META", "PROJECTS", "VOTES"} - set(sections)
    if missing:
        raise DomainError("pb_format", detail=f"missing sections {sorted(missing)}")
    return sections


def import_pb(text: str, *, actor, now: datetime, council=None) -> CitizenBudget:
    """Create a budget (phase "counting") with the file's projects and ballots. Raises DomainError
    "pb_format" (with `detail`) for a file that is not an approval election in pabulib's format."""
    _require_manager(actor, council_id=council.id if council is not None else None)
    sections = _sections(text)
    meta = {row.get("key", ""): row.get("value", "") for row in sections["META"]}
    if meta.get("vote_type", "approval") != "approval":
        raise DomainError("pb_format", detail="only approval elections can be imported")
    try:
        pot = int(float(meta["budget"]))
        costs = {row["project_id"]: int(float(row["cost"])) for row in sections["PROJECTS"]}
    except (KeyError, ValueError) as error:
        raise DomainError("pb_format", detail=f"budget or cost: {error}") from None
    if pot <= 0 or any(c <= 0 for c in costs.values()):
        raise DomainError("pb_format", detail="budget and costs must be positive")
    max_sum = meta.get("max_sum_cost")
    kind = BallotKind.KNAPSACK if max_sum else BallotKind.APPROVAL
    max_length = meta.get("max_length") or str(len(costs))
    budget = CitizenBudget(title=(meta.get("description") or meta.get("instance") or "pabulib")[:160],
                           description=f"Importeret fra pabulib ({meta.get('unit', '')} {meta.get('instance', '')})"
                           .strip(), pot_kr=pot, council_id=council.id if council is not None else None,
                           ballot_kind=kind, max_choices=int(max_length) if kind == BallotKind.APPROVAL else None,
                           rule=RULES_BY_NAME.get(meta.get("rule", ""), Rule.GREEDY), phase=Phase.COUNTING,
                           min_age=0, postcodes="", created_by_id=actor.id, created_at=now)
    db.session.add(budget)
    db.session.flush()
    ids = {}
    for row in sections["PROJECTS"]:
        title = row.get("name") or row.get("title") or f"Projekt {row['project_id']}"
        proposal = BudgetProposal(budget_id=budget.id, title=title[:160], description=row.get("description", ""),
                                  estimated_cost_kr=costs[row["project_id"]], cost_kr=costs[row["project_id"]],
                                  status=ProposalStatus.FEASIBLE, created_at=now)
        db.session.add(proposal)
        db.session.flush()
        ids[row["project_id"]] = proposal.id
    rows = []
    for row in sections["VOTES"]:
        chosen = [c.strip() for c in (row.get("vote") or "").split(",") if c.strip()]
        if any(c not in ids for c in chosen):
            raise DomainError("pb_format", detail=f"voter {row.get('voter_id')} chose an unknown project")
        rows.append({"key": secrets.token_hex(32), "budget_id": budget.id,
                     "choices": ",".join(str(pid) for pid in sorted({ids[c] for c in chosen}))})
    if rows:
        db.session.execute(Ballot.__table__.insert(), rows)
    db.session.flush()
    audit(None, actor=actor, action=BudgetAudit.IMPORTED, now=now, detail=f"{budget.id}: {len(rows)} ballots")
    return budget
