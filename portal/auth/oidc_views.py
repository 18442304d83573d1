"""Log-in with OpenID Connect: "Log ind med MitID" (citizens) and the municipality's directory (staff).

Citizens are found by the broker's stable subject (a CPR number is never asked for or kept). A first
MitID log-in either creates an account with the name MitID gives, asking only for an e-mail address
(optional), or links an existing password account once the person has also logged in with its password.
Staff accounts are created just in time; the directory's groups decide their roles at every log-in.
"""
from __future__ import annotations

import logging
import time

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import OAuthError
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from joserfc.errors import JoseError
from sqlalchemy import select

from models import DomainError, Institution, Role, User, accounts, db, utcnow
from portal.access import PUBLIC, access
from portal.auth import mailings, oidc, sessions
from portal.auth.forms import MitIDWelcomeForm
from portal.auth.views import home_for
from portal.params import safe_next
from portal.extensions import limiter
from portal.routes import RouteTable
from portal.mail.background import deliver_after_response
from portal.mail.outbox import external_url

routes = RouteTable()

log = logging.getLogger(__name__)

INTENT, NEXT, PENDING, LOGOUT = "_oidc_intent", "_oidc_next", "_oidc_pending", "_oidc_logout"
# A first MitID log-in must be finished (account created or linked) within this time.
PENDING_SECONDS = 15 * 60


def _provider_or_404(slug: str) -> tuple[str, oidc.StrictOpenIDApp]:
    key = oidc.SLUGS.get(slug)
    app = oidc.client(key) if key else None
    if app is None:
        abort(404)
    return key, app


@routes.route("/log-ind/oidc/<slug>")
@access(PUBLIC)
@limiter.limit("20 per minute")
def oidc_start(slug: str):
    """Send the person to the provider's log-in ("Log ind med MitID", or the workplace account)."""
    key, provider = _provider_or_404(slug)
    linking = request.args.get("forbind") == "1" and current_user.is_authenticated
    if current_user.is_authenticated and not linking:
        return redirect(home_for(current_user))
    session[INTENT] = "link" if linking else "login"
    session[NEXT] = safe_next(request.args.get("next")) or ""
    try:
        return provider.authorize_redirect(oidc.callback_url(slug))
    except (requests.RequestException, oidc.TokenRefused, AuthlibBaseError, RuntimeError, ValueError) as error:
        log.warning("OpenID provider %s unusable: %s", key, error)
        flash(_("The log-in service does not answer right now. Please try again in a moment."), "error")
        return redirect(url_for("auth.login"))


@routes.route("/log-ind/oidc/<slug>/callback")
@access(PUBLIC)
@limiter.limit("20 per minute")
def oidc_callback(slug: str):
    """The provider sends the person back here with a code; nothing is written unless every check holds."""
    key, provider = _provider_or_404(slug)
    claims = _verified_claims(key, provider)
    if claims is None:
        return redirect(url_for("auth.login"))
    intent, onward = session.pop(INTENT, "login"), session.pop(NEXT, "") or None
    issuer = provider.load_server_metadata()["issuer"]
    logout = {"slug": slug, "id_token": claims.pop("_id_token")}
    if key == accounts.CITIZEN:
        return _citizen(claims, issuer, intent, onward, logout)
    return _staff(claims, issuer, onward, logout)


def _verified_claims(key: str, provider) -> dict | None:
    """The ID token's claims after every check, or None (with a Danish message, and nothing written)."""
    returned_issuer = request.args.get("iss")
    try:
        if returned_issuer and returned_issuer != provider.load_server_metadata()["issuer"]:
            raise oidc.TokenRefused(f"authorization response from issuer {returned_issuer!r}")  # RFC 9207 mix-up
        token = provider.authorize_access_token(leeway=oidc.LEEWAY_SECONDS)
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub"):
            raise oidc.TokenRefused("no ID token, or one without a subject")
        claims["_id_token"] = token["id_token"]
        return claims
    except OAuthError as error:
        reason, message = error.error, _("The log-in was not started here or has expired. Please try again.")
        if error.error == "access_denied":
            message = _("The log-in was cancelled.")
    except (oidc.TokenRefused, JoseError, AuthlibBaseError, ValueError, KeyError, TypeError) as error:
        reason = getattr(error, "reason", None) or f"{type(error).__name__}: {error}"
        message = _("The answer from the log-in service could not be trusted, so you are not logged in. "
                    "Please try again.")
    except requests.RequestException as error:
        reason, message = f"provider unreachable: {error}", _("The log-in service does not answer right now. "
                                                              "Please try again in a moment.")
    log.warning("OpenID log-in refused (%s): %s", key, reason)
    db.session.rollback()
    flash(message, "error")
    return None


def _name_of(claims: dict) -> str:
    name = (claims.get("name") or " ".join(filter(None, [claims.get("given_name"), claims.get("family_name")])))
    return " ".join(str(name).split())[:120]


def _finish(user: User, method: str, onward: str | None, logout: dict):
    now = utcnow()
    sessions.begin(user, method=method, now=now)
    session[LOGOUT] = logout
    db.session.commit()
    flash(_("Welcome, %(name)s.", name=user.name), "success")
    return redirect(onward or home_for(user))


def _citizen(claims: dict, issuer: str, intent: str, onward: str | None, logout: dict):
    now, subject = utcnow(), str(claims["sub"])
    link = accounts.find_identity(accounts.CITIZEN, issuer, subject)
    if intent == "link" and current_user.is_authenticated:
        return _link_to_current_user(issuer, subject, now)
    if link is not None:
        if not link.user.is_active:
            flash(_("This account is closed. Contact the municipality if you think it is a mistake."), "error")
            return redirect(url_for("auth.login"))
        accounts.record_identity_login(link, link.user, now=now)
        return _finish(link.user, sessions.OIDC_CITIZEN, onward, logout)
    # A first MitID log-in: the person chooses to create an account or to link the one they have.
    session[PENDING] = {"issuer": issuer, "subject": subject, "name": _name_of(claims), "at": int(time.time()),
                        "next": onward or "", "logout": logout}
    return redirect(url_for("auth.mitid_welcome"))


def _link_to_current_user(issuer: str, subject: str, now):
    try:
        accounts.link_identity(current_user._get_current_object(), provider=accounts.CITIZEN, issuer=issuer,
                               subject=subject, now=now)
    except DomainError as error:
        db.session.rollback()
        flash(_("This MitID is already linked to another profile.") if error.code == "identity_taken"
              else _("Your profile is already linked to another MitID."), "error")
        return redirect(url_for("auth.security"))
    db.session.commit()
    flash(_("Your profile is now linked to MitID. Next time you can log in with MitID."), "success")
    return redirect(url_for("auth.security"))


def pending_identity() -> dict | None:
    """A first MitID log-in waiting to be finished in this browser (not older than PENDING_SECONDS)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    return pending


def link_pending_identity(user: User, pending: dict | None, *, now) -> bool:
    """After a password log-in in a browser that has just come from a first MitID log-in: link them."""
    if pending is None:
        return False
    try:
        accounts.link_identity(user, provider=accounts.CITIZEN, issuer=pending["issuer"], subject=pending["subject"],
                               now=now)
    except DomainError:
        flash(_("Your profile is already linked to another MitID."), "error")
        return False
    flash(_("Your profile is now linked to MitID. Next time you can log in with MitID."), "success")
    return True


@routes.route("/log-ind/oidc/borger/velkommen", methods=["GET", "POST"])
@access(PUBLIC)
def mitid_welcome():
    """After a first MitID log-in: create a profile (asking only for what MitID did not give) or link one."""
    pending = pending_identity()
    if pending is None:
        flash(_("Start the log-in with MitID again."), "error")
        return redirect(url_for("auth.login"))
    form = MitIDWelcomeForm(name=pending["name"])
    if pending["name"]:
        del form.name  # MitID gave the name: not asked again
    if form.validate_on_submit():
        if form.email.data and User.by_email(form.email.data) is not None:
            form.email.errors.append(_("There is a profile with this e-mail already. Log in with its password "
                                       "below, and it is linked to your MitID."))
        else:
            return _create_citizen(pending, form)
    return render_template("auth/mitid_welcome.html", form=form, pending=pending)


def _create_citizen(pending: dict, form):
    now = utcnow()
    name = pending["name"] or form.name.data
    user = User(name=name, email=form.email.data or None, locale=_locale(), created_at=now)
    user.grant(Role.CITIZEN)
    db.session.add(user)
    db.session.flush()
    accounts.link_identity(user, provider=accounts.CITIZEN, issuer=pending["issuer"], subject=pending["subject"],
                           now=now)
    message = mailings.queue_verification(user) if user.email else None
    session.pop(PENDING, None)
    response = _finish(user, sessions.OIDC_CITIZEN, safe_next(pending.get("next")) or url_for("citizens.index"),
                       pending["logout"])
    deliver_after_response([message])
    return response


def _locale() -> str:
    from flask_babel import get_locale
    locale = str(get_locale() or "da")[:2]
    return locale if locale in ("da", "en") else "da"


def _staff(claims: dict, issuer: str, onward: str | None, logout: dict):
    now, subject = utcnow(), str(claims["sub"])
    config = current_app.config
    link = accounts.find_identity(accounts.STAFF, issuer, subject)
    user = link.user if link is not None else _staff_account(claims, issuer, subject, now)
    if user is None or not user.is_active:
        db.session.rollback()
        flash(_("Your workplace account gives no access to Samskab. Ask your administrator."), "error")
        return redirect(url_for("auth.login"))
    if link is not None:
        accounts.record_identity_login(link, user, now=now)
    groups = claims.get(config["OIDC_STAFF_ROLES_CLAIM"]) or []
    groups = {str(g) for g in (groups if isinstance(groups, list) else [groups])}
    institutions = set(db.session.scalars(select(Institution.id)))
    accounts.apply_directory_roles(user, groups, oidc.role_map(), institutions, now=now)
    if not user.roles:
        db.session.commit()  # the roles the directory took away are gone, and so are the sessions
        flash(_("Your workplace account gives no access to Samskab. Ask your administrator."), "error")
        return redirect(url_for("auth.login"))
    return _finish(user, sessions.OIDC_STAFF, onward, logout)


def _staff_account(claims: dict, issuer: str, subject: str, now) -> User | None:
    """The account for a directory log-in not seen before: the one with its e-mail, or a new one.

    The municipality's directory is trusted to vouch for its staff's addresses (it also grants the
    administrator role), so an existing account with the same address is linked rather than duplicated.
    """
    groups = claims.get(current_app.config["OIDC_STAFF_ROLES_CLAIM"]) or []
    mapped = set(oidc.role_map()) & {str(g) for g in (groups if isinstance(groups, list) else [groups])}
    email = claims.get("email") or claims.get("preferred_username") or claims.get("upn")
    user = User.by_email(email) if email and "@" in str(email) else None
    if user is None:
        if not mapped:
            return None  # no account for someone the directory gives no role here
        user = User(name=_name_of(claims) or str(email or subject), email=email if email and "@" in str(email) else None,
                    email_verified_at=now if email else None, created_at=now)
        db.session.add(user)
        db.session.flush()
    accounts.link_identity(user, provider=accounts.STAFF, issuer=issuer, subject=subject, now=now)
    return user


def end_session_url() -> str | None:
    """Where to send the person after log-out so the provider ends its session too (when it offers that)."""
    logout = session.get(LOGOUT)
    if not isinstance(logout, dict):
        return None
    key = oidc.SLUGS.get(logout.get("slug"))
    provider = oidc.client(key) if key else None
    if provider is None:
        return None
    try:
        if not provider.load_server_metadata().get("end_session_endpoint"):
            return None
        return provider.create_logout_url(post_logout_redirect_uri=external_url("public.home"),
                                          id_token_hint=logout.get("id_token"), client_id=provider.client_id)["url"]
    except (requests.RequestException, oidc.TokenRefused, AuthlibBaseError, RuntimeError) as error:
        log.warning("No end-session at the provider: %s", error)
        return None
