"""Account views."""
from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select

from models import Role, User, db, utcnow
from portal import tokens
from portal.access import ANONYMOUS, LOGIN, PUBLIC, TOKEN, access
from portal.auth.forms import ChangePasswordForm, ForgotForm, LoginForm, RegisterForm, ResendForm, ResetForm
from portal.extensions import limiter
from portal.mail.outbox import external_url, queue_mail
from portal.mail.sender import deliver_soon

bp = Blueprint("auth", __name__)

VERIFY_MAX_AGE = 7 * 24 * 3600
RESET_MAX_AGE = 2 * 3600
LOGIN_LIMIT_PER_IP = "20 per minute;100 per hour"
LOGIN_LIMIT_PER_ACCOUNT = "5 per minute;30 per hour"
# Mails to one address (reset links, "someone tried to register") are capped too, so nobody can
# flood another person's inbox from many addresses.
REGISTER_LIMIT_PER_IP = "10 per minute;50 per hour"
MAIL_LIMIT_PER_ACCOUNT = "3 per minute;10 per hour"


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def home_for(user: User) -> str:
    if user.has_role(Role.ADMIN):
        return url_for("admin.index")
    if user.has_role(Role.COORDINATOR):
        return url_for("coordinators.index")
    if user.has_role(Role.STAFF):
        return url_for("institutions.index")
    if user.has_role(Role.COUNCIL):
        return url_for("councils.index")
    return url_for("citizens.index")


def _by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def _password_stamp(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


@bp.route("/registrer", methods=["GET", "POST"])
@access(ANONYMOUS)
@limiter.limit(REGISTER_LIMIT_PER_IP, methods=["POST"])
@limiter.limit(MAIL_LIMIT_PER_ACCOUNT, methods=["POST"], key_func=lambda: _account_key())
def register():
    """Register as a citizen; the account is usable once the e-mail link is followed."""
    form = RegisterForm()
    if form.validate_on_submit():
        email = form.email.data.lower()
        existing = _by_email(email)
        if existing is None:
            user = User(email=email, name=form.name.data, locale=_current_locale())
            user.set_password(form.password.data)
            user.grant(Role.CITIZEN)
            db.session.add(user)
            db.session.flush()
            message = _queue_verification(user)
        else:
            # Same answer as for a new address, so the form does not reveal who has an account.
            message = queue_mail("account_exists", dedup_key=f"account_exists:{existing.id}:{utcnow():%Y%m%d%H}",
                                 recipient=existing, subject=lambda: _("Someone tried to register with your e-mail"),
                                 template="account_exists", context={"login_url": external_url("auth.login")})
        db.session.commit()
        deliver_soon([message])
        return render_template("auth/check_mail.html", email=email)
    return render_template("auth/register.html", form=form)


def _current_locale() -> str:
    from flask_babel import get_locale
    return str(get_locale() or "da")[:2] if str(get_locale() or "da")[:2] in ("da", "en") else "da"


def _queue_verification(user: User):
    token = tokens.make("verify", {"uid": user.id, "email": user.email})
    return queue_mail("verify", dedup_key=f"verify:{user.id}:{token[-12:]}", recipient=user,
                      subject=lambda: _("Confirm your e-mail address"), template="verify",
                      context={"link": external_url("auth.verify", token=token)})


@bp.route("/bekraeft/<token>")
@access(TOKEN)
def verify(token: str):
    """Follow the link from the verification e-mail."""
    data = tokens.read("verify", token, VERIFY_MAX_AGE)
    user = db.session.get(User, data["uid"]) if isinstance(data, dict) and isinstance(data.get("uid"), int) else None
    if user is None or user.email != data.get("email") or not user.is_active:
        flash(_("The link is not valid or has expired. Ask for a new one below."), "error")
        return redirect(url_for("auth.resend"))
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        db.session.commit()
    flash(_("Thank you, your e-mail address is confirmed. You can log in now."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/send-bekraeftelse-igen", methods=["GET", "POST"])
@access(PUBLIC)
@limiter.limit("5 per minute", methods=["POST"])
def resend():
    """Send the verification e-mail again (same answer whether the address exists or not)."""
    form = ResendForm()
    if form.validate_on_submit():
        user = _by_email(form.email.data)
        message = None
        if user is not None and user.email_verified_at is None and user.is_active:
            message = _queue_verification(user)
            db.session.commit()
        deliver_soon([message])
        return render_template("auth/check_mail.html", email=form.email.data)
    return render_template("auth/resend.html", form=form)


def _account_key() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/log-ind", methods=["GET", "POST"])
@access(ANONYMOUS)
@limiter.limit(LOGIN_LIMIT_PER_IP, methods=["POST"])
@limiter.limit(LOGIN_LIMIT_PER_ACCOUNT, methods=["POST"], key_func=_account_key)
def login():
    """Log in with e-mail and password."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = _by_email(form.email.data)
        if user is None or not user.check_password(form.password.data) or not user.is_active:
            form.password.errors.append(_("The e-mail or the password is not right."))
        elif user.email_verified_at is None:
            form.email.errors.append(_("Please confirm your e-mail address first. We can send the link again."))
        else:
            login_user(user)
            user.last_seen_at = utcnow()
            db.session.commit()
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(safe_next(form.next.data) or home_for(user))
    return render_template("auth/login.html", form=form)


@bp.route("/log-ud", methods=["POST"])
@access(LOGIN)
def logout():
    """Log out."""
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("public.home"))


@bp.route("/glemt-adgangskode", methods=["GET", "POST"])
@access(PUBLIC)
@limiter.limit("5 per minute", methods=["POST"])
@limiter.limit(MAIL_LIMIT_PER_ACCOUNT, methods=["POST"], key_func=lambda: _account_key())
def forgot():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        user = _by_email(form.email.data)
        message = None
        if user is not None and user.is_active:
            token = tokens.make("reset", {"uid": user.id, "stamp": _password_stamp(user)})
            message = queue_mail("reset", dedup_key=f"reset:{user.id}:{token[-12:]}", recipient=user,
                                 subject=lambda: _("Choose a new password"), template="reset",
                                 context={"link": external_url("auth.reset", token=token)})
            db.session.commit()
        deliver_soon([message])
        return render_template("auth/check_mail.html", email=form.email.data, reset=True)
    return render_template("auth/forgot.html", form=form)


@bp.route("/nulstil-adgangskode/<token>", methods=["GET", "POST"])
@access(TOKEN)
def reset(token: str):
    """Choose a new password from the link in the e-mail; the link works once."""
    data = tokens.read("reset", token, RESET_MAX_AGE)
    user = db.session.get(User, data["uid"]) if isinstance(data, dict) and isinstance(data.get("uid"), int) else None
    if user is None or data.get("stamp") != _password_stamp(user) or not user.is_active:
        flash(_("The link is not valid or has expired. Ask for a new one."), "error")
        return redirect(url_for("auth.forgot"))
    form = ResetForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()  # following the mailed link proves the address
        db.session.commit()
        flash(_("Your password is changed. You can log in now."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/skift-adgangskode", methods=["GET", "POST"])
@access(LOGIN)
def change_password():
    """Change the password while logged in."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("The current password is not right."))
        else:
            current_user.set_password(form.password.data)
            db.session.commit()
            login_user(current_user._get_current_object())  # the session id changed with the password stamp
            flash(_("Your password is changed."), "success")
            return redirect(home_for(current_user))
    return render_template("auth/change_password.html", form=form)

