"""Command-line commands: demo-data, create-admin (more join as their features land)."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from models import Role, User, db, utcnow
from models.addresses import normalise_email
from portal.auth import password_policy
from portal.forms import MIN_PASSWORD_LENGTH


def init_app(app: Flask) -> None:
    from portal.scheduler.cli import reminders, scheduler_command
    from portal.suggestion_report import suggestions_command
    app.cli.add_command(suggestions_command)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(reminders)
    app.cli.add_command(demo_data)
    app.cli.add_command(create_admin)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    from portal.budgets.cli import budgets
    app.cli.add_command(budgets)


@click.command("demo-data")
def demo_data():
    """Fill an empty database with realistic Danish demo content."""
    from portal.demo import DemoDataExists, load_demo_data
    try:
        counts = load_demo_data(db.session, now=utcnow())
    except DemoDataExists:
        db.session.rollback()
        click.echo("The database already has data; demo data was not loaded and nothing changed.")
        return
    db.session.commit()
    click.echo("Demo data loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator")
@click.option("--password", envvar="ADMIN_PASSWORD", default=None, help="Taken from ADMIN_PASSWORD if set.")
def create_admin(email: str, name: str, password: str | None):
    """Create the first administrator (or grant the role to an existing user)."""
    email = normalise_email(email)
    user = User.by_email(email)
    if user is None:
        password = password or click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if password_policy.refusal(password, email=email):
            raise click.ClickException(f"The password must have {MIN_PASSWORD_LENGTH}+ characters and not be common.")
        user = User(email=email, name=name, email_verified_at=utcnow())
        user.set_password(password)
        db.session.add(user)
    user.grant(Role.ADMIN)
    db.session.commit()
    click.echo(f"{email} is an administrator.")


@click.command("backup")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write; default instance/backups/samskab-<time>.<kind>.")
def backup_command(output: Path | None):
    """Back up the database (SQLite online backup API, or pg_dump for PostgreSQL)."""
    from portal import backup
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    target = output or backup.default_path(Path(current_app.instance_path) / "backups", url)
    try:
        backup.backup(url, target)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written to {target}")


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(source: Path, yes: bool):
    """Replace the database's contents with a backup made by `flask backup`."""
    from portal import backup
    if not yes:
        click.confirm("This replaces everything in the database. Continue?", abort=True)
    db.session.remove()
    db.engine.dispose()
    try:
        backup.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], source)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored from {source}")
