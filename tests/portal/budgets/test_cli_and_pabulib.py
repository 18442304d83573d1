"""`flask budgets tally/import/export`, and the pabulib round trip (also read by pabutools)."""
import json
import random

import pytest
from sqlalchemy import select

from models import Role, db, utcnow
from models.budget_operations import cast_ballot, count, result_document
from models.budgets import CitizenBudget, Phase, Rule
from models.pabulib import export_pb, import_pb
from models import DomainError
from tests.portal.budgets.conftest import build_budget


def test_tally_prints_the_result_shape_at_any_phase(app, people, budget):
    a, b, c = [p.id for p in budget.ballot_projects]
    cast_ballot(budget, voter=people["voters"][0], now=utcnow(), project_ids=[c])
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["budgets", "tally", str(budget.id), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"id", "title", "budget_kr", "rule", "ballots", "projects"}
    assert data["ballots"] == 1 and [p["selected"] for p in data["projects"]] == [False, False, True]
    assert set(data["projects"][0]) == {"id", "title", "cost_kr", "votes", "selected"}
    assert db.session.get(CitizenBudget, budget.id).phase == Phase.VOTING  # counting published nothing
    missing = app.test_cli_runner().invoke(args=["budgets", "tally", "999", "--json"])
    assert missing.exit_code != 0


@pytest.mark.parametrize("rule", [Rule.GREEDY, Rule.MES])
def test_export_then_import_gives_the_same_result(app, people, make, tmp_path, rule):
    make.user(Role.ADMIN, email="admin@example.dk")
    rng = random.Random(7)
    costs = tuple(rng.randrange(5_000, 60_000, 1_000) for _ in range(6))
    budget = build_budget(people, rule=rule, costs=costs, max_choices=4)
    ids = [p.id for p in budget.ballot_projects]
    for n in range(30):
        voter = make.user(email=f"v{n}@example.dk")
        make.profile(voter, postcode="2800", birth_year=1970)
        cast_ballot(budget, voter=voter, now=utcnow(), project_ids=rng.sample(ids, rng.randint(1, 4)))
    db.session.commit()
    path = tmp_path / "valg.pb"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["budgets", "export", str(budget.id), str(path)]).exit_code == 0
    text = path.read_text()
    assert text.startswith("META\nkey;value\n") and "\nPROJECTS\n" in text and "\nVOTES\n" in text
    result = runner.invoke(args=["budgets", "import", str(path)])
    assert result.exit_code == 0, result.output
    imported = db.session.scalars(select(CitizenBudget).order_by(CitizenBudget.id.desc())).first()
    assert imported.id != budget.id and imported.phase == Phase.COUNTING and imported.rule == rule
    before, after = result_document(budget), result_document(imported)
    assert [(p["title"], p["cost_kr"], p["votes"], p["selected"]) for p in before["projects"]] == \
        [(p["title"], p["cost_kr"], p["votes"], p["selected"]) for p in after["projects"]]
    assert before["ballots"] == after["ballots"] == 30


def test_pabutools_reads_our_export(app, people, budget):
    from pabutools.election.pabulib import parse_pabulib_from_string
    cast_ballot(budget, voter=people["voters"][0], now=utcnow(), project_ids=[budget.ballot_projects[0].id])
    db.session.commit()
    instance, profile = parse_pabulib_from_string(export_pb(budget))
    assert instance.budget_limit == budget.pot_kr and len(instance) == 3 and len(profile) == 1


def test_a_broken_file_is_refused_and_nothing_is_written(app, people, make):
    admin = make.user(Role.ADMIN, email="admin@example.dk")
    before = db.session.scalar(select(db.func.count()).select_from(CitizenBudget))
    bad = "META\nkey;value\nbudget;1000\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;500\nVOTES\nvoter_id;vote\n1;1,7\n"
    with pytest.raises(DomainError):
        import_pb(bad, actor=admin, now=utcnow())
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(CitizenBudget)) == before
    with pytest.raises(DomainError):
        import_pb("PROJECTS\n", actor=admin, now=utcnow())
