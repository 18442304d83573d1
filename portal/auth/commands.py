"""`flask --app app totp-code EMAIL`: the second-factor code of a demo account, in development only."""
from __future__ import annotations

import click
from flask import current_app

from models import User, accounts, utcnow


@click.command("totp-code")
@click.argument("email")
def totp_code(email: str):
    """Print the code the second step of the log-in accepts next for EMAIL (development only)."""
    if current_app.config.get("PRODUCTION") or current_app.config.get("ENV_MODE") != "development":
        raise click.ClickException("totp-code works only in development (SAMSKAB_ENV=development): "
                                   "elsewhere the code comes from the person's own authenticator app.")
    user = User.by_email(email)
    if user is None or user.totp_enabled_at is None:
        raise click.ClickException(f"{email} has no second factor set up.")
    click.echo(accounts.next_totp_code(user, now=utcnow()))
