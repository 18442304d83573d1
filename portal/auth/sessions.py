"""Sessions that can be ended: one generation per person, idle and absolute lifetimes, how one logged in.

The session cookie is signed, not stored, so it cannot be deleted from the server. Instead its user id
carries the person's session generation (`User.get_id`); raising it (`User.end_sessions`) makes every
cookie issued before worthless at its next request. The cookie also carries when the person logged in
and was last seen: past the idle or absolute lifetime (shorter for coordinators and administrators,
who see screening data) the session ends at its next request.
"""
from __future__ import annotations

import time
from datetime import datetime

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from models import Role, User

AUTH_AT = "_auth_at"
SEEN_AT = "_seen_at"
METHOD = "_auth_method"
SECOND_FACTOR = "_second_factor"
OUR_KEYS = (AUTH_AT, SEEN_AT, METHOD, SECOND_FACTOR)
# Flask-Login's own keys (besides _user_id, which logout_user removes).
LOGIN_KEYS = ("_fresh", "_id", "_remember", "_remember_seconds")

PASSWORD = "password"
OIDC_CITIZEN = "oidc-citizen"
OIDC_STAFF = "oidc-staff"
METHODS = (PASSWORD, OIDC_CITIZEN, OIDC_STAFF)

# They see screening data: shorter lifetimes, and a second factor after a password.
PRIVILEGED_ROLES = (Role.COORDINATOR, Role.ADMIN)
# Writing the cookie on every request would send a new Set-Cookie with each page; a minute is precise enough.
SEEN_EVERY_SECONDS = 60


def values(*, method: str, now: datetime, second_factor: bool = False) -> dict:
    """The session keys of a fresh log-in (also for tests that log in without the form)."""
    stamp = int(now.timestamp())
    return {AUTH_AT: stamp, SEEN_AT: stamp, METHOD: method, SECOND_FACTOR: second_factor}


def begin(user: User, *, method: str, now: datetime, second_factor: bool = False) -> None:
    """Log `user` in on this browser: a fresh session (nothing from before it survives but the language)."""
    keep = {"lang": session["lang"]} if "lang" in session else {}
    session.clear()
    session.update(keep)
    login_user(user)
    session.update(values(method=method, now=now, second_factor=second_factor))
    user.last_seen_at = now


def method() -> str | None:
    return session.get(METHOD)


def end_here() -> None:
    """Forget the log-in on this browser (the caller ends the person's other sessions if it should)."""
    logout_user()
    for key in OUR_KEYS + LOGIN_KEYS:
        session.pop(key, None)


def second_factor_due(user: User) -> bool:
    """A coordinator or administrator whose session began with a password and has not shown the second
    factor yet. Sessions from the providers' log-ins rely on the providers' own factors."""
    return (user.holds_role(*PRIVILEGED_ROLES) and session.get(METHOD) == PASSWORD
            and not session.get(SECOND_FACTOR))


def withhold_privileged_roles(user: User) -> None:
    """Called when the session's user is loaded: until the second factor, its roles are a citizen's."""
    # Set either way: the same object can outlive a request (a long-lived session, a test).
    user.withheld_roles = (frozenset(role.value for role in PRIVILEGED_ROLES) if second_factor_due(user)
                           else frozenset())


def _ask_for_the_second_factor():
    """Before each request: a page of a withheld role leads to the second factor first."""
    if not current_user.is_authenticated or not current_user.withheld_roles or request.endpoint is None:
        return None
    from portal.access import rule_of
    rule = rule_of(current_app.view_functions.get(request.endpoint)) or ()
    needs_withheld = set(rule) & current_user.withheld_roles
    if needs_withheld and not current_user.has_role(*rule):
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.second_factor", next=target))
    return None


def lifetimes(user: User) -> tuple[int, int]:
    """(idle, absolute) lifetime in seconds for this person's sessions."""
    config = current_app.config
    if user.holds_role(*PRIVILEGED_ROLES):
        return config["PRIVILEGED_SESSION_IDLE_MINUTES"] * 60, config["PRIVILEGED_SESSION_MAX_HOURS"] * 3600
    return config["SESSION_IDLE_MINUTES"] * 60, config["SESSION_MAX_HOURS"] * 3600


def _expire_old_sessions():
    """Before each request: a session past its lifetime ends, and the request goes on as anonymous."""
    if "_user_id" not in session or not current_user.is_authenticated:
        return None
    now = int(time.time())
    auth_at, seen_at = session.get(AUTH_AT), session.get(SEEN_AT)
    idle, absolute = lifetimes(current_user)
    if not isinstance(auth_at, int) or not isinstance(seen_at, int) or now - auth_at > absolute or now - seen_at > idle:
        end_here()
        flash(_("You have been logged out because the session was too old. Please log in again."), "info")
        return None
    if now - seen_at >= SEEN_EVERY_SECONDS:
        session[SEEN_AT] = now
    return None


def init_app(app: Flask) -> None:
    app.before_request(_expire_old_sessions)
    app.before_request(_ask_for_the_second_factor)
