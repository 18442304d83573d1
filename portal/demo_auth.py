"""Demo data for log-in: the demo coordinator and administrator have a second factor set up.

Its secret is random per demo database; `flask --app app totp-code EMAIL` prints the code to type
(in development only), so the demo can be tried without an authenticator app.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from models import User, accounts
from portal.auth.sessions import PRIVILEGED_ROLES


def give_demo_second_factors(session: Session, logins: dict[str, User], *, now: datetime) -> None:
    for user in logins.values():
        if user.holds_role(*PRIVILEGED_ROLES):
            user.totp_secret, user.totp_enabled_at = accounts.new_totp_secret(), now
    session.flush()
