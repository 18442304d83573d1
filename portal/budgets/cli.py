"""`flask --app app budgets …`: tally a budget (for audits), import and export pabulib `.pb` files."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from models import DomainError, Role, User, db, utcnow
from models.budget_operations import result_document
from models.budgets import CitizenBudget

budgets = AppGroup("budgets", help="Citizen budgets: tally, import and export (pabulib .pb).")


def _budget(budget_id: int) -> CitizenBudget:
    budget = db.session.get(CitizenBudget, budget_id)
    if budget is None:
        raise click.ClickException(f"No citizen budget with id {budget_id}.")
    return budget


@budgets.command("tally")
@click.argument("budget_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (the shape of resultat.json).")
def tally_command(budget_id: int, as_json: bool):
    """Count a budget's ballots by its rule, at any phase (nothing is published or changed)."""
    document = result_document(_budget(budget_id))
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    click.echo(f"{document['title']}: {document['ballots']} ballots, rule {document['rule']}, "
               f"pot {document['budget_kr']} kr")
    for p in document["projects"]:
        click.echo(f"{'*' if p['selected'] else ' '} {p['id']:>6} {p['votes']:>7} {p['cost_kr']:>10} kr  {p['title']}")


def _system_actor() -> User:
    """The CLI acts as the first administrator (import is the municipality's)."""
    from sqlalchemy import select

    from models.people import UserRole
    user = db.session.scalar(select(User).join(UserRole).where(UserRole.role == Role.ADMIN.value).order_by(User.id))
    if user is None:
        raise click.ClickException("Create an administrator first (flask --app app create-admin).")
    return user


@budgets.command("import")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def import_command(path: Path):
    """Import a whole election from a pabulib .pb file (as a budget in its counting phase)."""
    from models.pabulib import import_pb
    try:
        budget = import_pb(path.read_text(encoding="utf-8"), actor=_system_actor(), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"Not a pabulib approval election: {error.details.get('detail', error.code)}")
    db.session.commit()
    click.echo(f"Imported as citizen budget {budget.id}: {budget.title}")


@budgets.command("export")
@click.argument("budget_id", type=int)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def export_command(budget_id: int, path: Path):
    """Export a whole election (projects and anonymous ballots) as a pabulib .pb file."""
    from models.pabulib import export_pb
    path.write_text(export_pb(_budget(budget_id)), encoding="utf-8")
    click.echo(f"Wrote {path}")
