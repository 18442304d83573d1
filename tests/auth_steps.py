"""Logging in through the forms as a person would, second factor included (for tests of whole journeys)."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pyotp

from models import User, accounts, db, utcnow


def totp_code(email: str) -> str:
    """The code the person's authenticator app would show (the next one the site accepts).

    Tests log the same demo account in several times within one 30-second step, faster than a person
    could; the replay rule would then (rightly) refuse every code until the clock moves on. So when the
    next unused step lies beyond the accepted window, the test lets the clock "pass" by forgetting the
    last used step. The replay rule itself is tested in tests/portal/auth/.
    """
    user, now = User.by_email(email), utcnow()
    current = pyotp.TOTP(user.totp_secret).timecode(now)
    if user.totp_last_step is not None and user.totp_last_step >= current + accounts.TOTP_WINDOW:
        user.totp_last_step = None
        db.session.commit()
    return accounts.next_totp_code(user, now=now)


def set_up_second_factor(client) -> list[str]:
    """Scan the QR code (read the key from the session) and confirm; returns the recovery codes shown."""
    client.get("/log-ind/andet-trin/opsaet")
    with client.session_transaction() as session:
        secret = session["_totp_pending"]
    response = client.post("/log-ind/andet-trin/opsaet", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200, response.status_code
    return re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.get_data(as_text=True))


def log_in_with_form(client, email: str, password: str):
    """POST the log-in form; a coordinator or administrator then types the code from the app (setting the
    app up first if they have none). Returns the last redirect, on to the page they were going to."""
    response = client.post("/log-ind", data={"email": email, "password": password})
    location = response.headers.get("Location", "")
    if response.status_code != 302 or not location.startswith("/log-ind/andet-trin"):
        return response
    if User.by_email(email).totp_enabled_at is None:
        set_up_second_factor(client)
        return client.get(location)  # shown: it sends the person on
    return client.post(location, data={"code": totp_code(email), "next": parse_qs(urlsplit(location).query).get("next", [""])[0]})
