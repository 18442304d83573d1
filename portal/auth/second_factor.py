"""The second factor for coordinators and administrators who log in with a password: set up, then asked.

Until it is shown, a session keeps the person's coordinator and administrator roles withheld (see
portal.auth.sessions), and every page of those roles leads here first.
"""
from __future__ import annotations

import segno
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models import DomainError, db, utcnow
from models import accounts
from portal.access import LOGIN, access
from portal.auth import sessions
from portal.auth.forms import SecondFactorForm
from portal.auth.views import home_for
from portal.params import safe_next
from portal.extensions import limiter
from portal.routes import RouteTable

routes = RouteTable()

PENDING_SECRET = "_totp_pending"
CODE_LIMIT_PER_PERSON = "5 per minute;20 per hour"


def _person_key() -> str:
    return f"second-factor:{current_user.get_id().partition(':')[0] if current_user.is_authenticated else '-'}"


def _onward(form) -> str:
    return safe_next(form.next.data) or home_for(current_user)


@routes.route("/log-ind/andet-trin", methods=["GET", "POST"])
@access(LOGIN)
@limiter.limit(CODE_LIMIT_PER_PERSON, methods=["POST"], key_func=_person_key)
def second_factor():
    """Enter the code from the authenticator app (or a recovery code) before a coordinator's pages open."""
    user = current_user._get_current_object()
    form = SecondFactorForm(next=request.args.get("next", ""))
    if not sessions.second_factor_due(user):
        return redirect(_onward(form))
    if user.totp_enabled_at is None:
        return redirect(url_for("auth.second_factor_setup", next=form.next.data))
    if form.validate_on_submit():
        used = accounts.check_second_factor(user, form.code.data, now=utcnow())
        if used is None:
            form.code.errors.append(_("The code is not right, or it was used already. Try the newest code."))
        else:
            session[sessions.SECOND_FACTOR] = True
            db.session.commit()
            if used == "recovery":
                left = accounts.recovery_codes_left(user)
                flash(_("You used a recovery code. You have %(n)d left; make new ones on the log-in and "
                        "security page.", n=left), "warning")
            return redirect(_onward(form))
    return render_template("auth/second_factor.html", form=form)


@routes.route("/log-ind/andet-trin/opsaet", methods=["GET", "POST"])
@access(LOGIN)
@limiter.limit(CODE_LIMIT_PER_PERSON, methods=["POST"], key_func=_person_key)
def second_factor_setup():
    """Set up the authenticator app with a QR code; the recovery codes are shown once afterwards."""
    user = current_user._get_current_object()
    form = SecondFactorForm(next=request.args.get("next", ""))
    if user.totp_enabled_at is not None or not sessions.second_factor_due(user):
        return redirect(url_for("auth.second_factor", next=form.next.data))
    secret = session.get(PENDING_SECRET)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[PENDING_SECRET] = accounts.new_totp_secret()
    if form.validate_on_submit():
        try:
            codes = accounts.enable_second_factor(user, secret, form.code.data, now=utcnow())
        except DomainError:
            form.code.errors.append(_("The code does not fit. Check that the app shows Samskab and try the newest code."))
        else:
            session.pop(PENDING_SECRET, None)
            session[sessions.SECOND_FACTOR] = True
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes, onward=_onward(form))
    uri = _provisioning_uri(secret, user.email or user.name)
    return render_template("auth/second_factor_setup.html", form=form, qr=segno.make(uri, error="m").svg_data_uri(scale=5),
                           secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)))


def _provisioning_uri(secret: str, account: str) -> str:
    import pyotp
    issuer = "Samskab"
    municipality = current_app.config.get("MUNICIPALITY_NAME")
    if municipality:
        issuer = f"Samskab ({municipality})"
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


@routes.route("/indstillinger/sikkerhed/gendannelseskoder", methods=["POST"])
@access(LOGIN)
def new_recovery_codes():
    """Replace the recovery codes (only in a session that has shown the second factor)."""
    user = current_user._get_current_object()
    if user.totp_enabled_at is None or not session.get(sessions.SECOND_FACTOR):
        abort(403)
    codes = accounts.new_recovery_codes(user, now=utcnow())
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes, onward=url_for("auth.security"))
