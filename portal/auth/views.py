"""Account views."""
from __future__ import annotations

from urllib.parse import urlsplit

from datetime import datetime, timezone

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select

from models import Role, User, accounts, db, passwords, utcnow
from models.addresses import MAX_EMAIL_LENGTH, normalise_email
from models.selfservice import Flow
from portal import selfservice
from portal import tokens
from portal.access import ANONYMOUS, LOGIN, PUBLIC, TOKEN, access
from portal.auth.forms import ChangePasswordForm, ForgotForm, LoginForm, RegisterForm, ResendForm, ResetForm
from portal.extensions import limiter
from portal.mail.outbox import external_url, queue_mail
from portal.routes import RouteTable
from portal.auth import mailings, sessions
from portal.mail.background import after_response, deliver_after_response

from portal.params import safe_next  # noqa: E402,F401 - re-exported for callers

routes = RouteTable()

VERIFY_MAX_AGE = 7 * 24 * 3600
RESET_MAX_AGE = 2 * 3600
LOGIN_LIMIT_PER_IP = "20 per minute;100 per hour"
LOGIN_LIMIT_PER_ACCOUNT = "5 per minute;30 per hour"
# Mails to one address (reset links, "someone tried to register") are capped too, so nobody can
# flood another person's inbox from many addresses.
REGISTER_LIMIT_PER_IP = "10 per minute;50 per hour"
MAIL_LIMIT_PER_ACCOUNT = "3 per minute;10 per hour"


def home_for(user: User) -> str:
    # The roles the person holds: a coordinator still waiting for the second factor is led there.
    if user.holds_role(Role.ADMIN):
        return url_for("admin.index")
    if user.holds_role(Role.COORDINATOR):
        return url_for("coordinators.index")
    if user.has_role(Role.STAFF):
        return url_for("institutions.index")
    if user.has_role(Role.COUNCIL):
        return url_for("councils.index")
    return url_for("citizens.index")


@routes.route("/registrer", methods=["GET", "POST"])
@access(ANONYMOUS)
@limiter.limit(REGISTER_LIMIT_PER_IP, methods=["POST"])
@limiter.limit(MAIL_LIMIT_PER_ACCOUNT, methods=["POST"], key_func=lambda: _account_key())
def register():
    """Register as a citizen; the account is usable once the e-mail link is followed."""
    form = RegisterForm()
    selfservice.started(Flow.REGISTRATION)
    if form.validate_on_submit():
        email = normalise_email(form.email.data)
        existing = User.by_email(email)
        if existing is None:
            user = User(email=email, name=form.name.data, locale=_current_locale())
            user.set_password(form.password.data)
            user.grant(Role.CITIZEN)
            db.session.add(user)
            db.session.flush()
            message = mailings.queue_verification(user)
        else:
            # Same answer and the same work as for a new address (one password hash, one mail queued),
            # so neither the page nor its timing reveals who has an account.
            passwords.spend_hash_work(form.password.data)
            message = queue_mail("account_exists", dedup_key=f"account_exists:{existing.id}:{utcnow():%Y%m%d%H}",
                                 recipient=existing, subject=lambda: _("Someone tried to register with your e-mail"),
                                 template="account_exists", context={"login_url": external_url("auth.login")})
        db.session.commit()
        selfservice.finished(Flow.REGISTRATION)
        deliver_after_response([message])
        return render_template("auth/check_mail.html", email=email)
    return render_template("auth/register.html", form=form)


def _current_locale() -> str:
    from flask_babel import get_locale
    return str(get_locale() or "da")[:2] if str(get_locale() or "da")[:2] in ("da", "en") else "da"


@routes.route("/bekraeft/<token>")
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
    # Onward to finishing the profile: at once if this browser is already theirs, else through the log-in
    # (a forwarded or intercepted mail alone never opens the account).
    finish = url_for("citizens.profile") if user.has_role(Role.CITIZEN) else home_for(user)
    if current_user.is_authenticated and current_user.id == user.id:
        flash(_("Thank you, your e-mail address is confirmed. Now tell us what you like to do."), "success")
        return redirect(finish)
    flash(_("Thank you, your e-mail address is confirmed. Log in, and we take you on to finishing your profile."),
          "success")
    return redirect(url_for("auth.login", next=finish))


@routes.route("/send-bekraeftelse-igen", methods=["GET", "POST"])
@access(PUBLIC)
@limiter.limit("5 per minute", methods=["POST"])
@limiter.limit(MAIL_LIMIT_PER_ACCOUNT, methods=["POST"], key_func=lambda: _account_key())
def resend():
    """Send the verification e-mail again (same answer and work whether the address exists or not)."""
    form = ResendForm()
    if form.validate_on_submit():
        _ask_for_mail("verify", form.email.data)
        return render_template("auth/check_mail.html", email=form.email.data)
    return render_template("auth/resend.html", form=form)


def _ask_for_mail(purpose: str, address: str) -> None:
    # The account is looked up after the response: the request's work is the same for every address.
    asked = mailings.ask(purpose, address, now=utcnow())
    db.session.commit()
    after_response(mailings.answer_and_deliver, [asked.id])


def _account_key() -> str:
    # The same spelling as every lookup: a dressed-up address meets the same counter.
    return "account:" + (normalise_email(request.form.get("email")) or "")[:MAX_EMAIL_LENGTH]


@routes.route("/log-ind", methods=["GET", "POST"])
@access(ANONYMOUS)
@limiter.limit(LOGIN_LIMIT_PER_IP, methods=["POST"])
@limiter.limit(LOGIN_LIMIT_PER_ACCOUNT, methods=["POST"], key_func=_account_key)
def login():
    """Log in with e-mail and password."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = User.by_email(form.email.data)
        # An unknown address is checked against a dummy hash: the same work, the same time.
        right = user.check_password(form.password.data) if user else passwords.check_password(None, form.password.data)
        if not right or not user.is_active:
            form.password.errors.append(_("The e-mail or the password is not right."))
        elif user.email_verified_at is None:
            form.email.errors.append(_("Please confirm your e-mail address first. We can send the link again."))
        else:
            from portal.auth import oidc_views
            pending_mitid = oidc_views.pending_identity()
            sessions.begin(user, method=sessions.PASSWORD, now=utcnow())
            oidc_views.link_pending_identity(user, pending_mitid, now=utcnow())
            db.session.commit()
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            onward = safe_next(form.next.data) or home_for(user)
            if sessions.second_factor_due(user):
                return redirect(url_for("auth.second_factor", next=onward))
            return redirect(onward)
    from portal.auth import oidc, oidc_views
    return render_template("auth/login.html", form=form, providers=oidc.configured(),
                           linking_mitid=oidc_views.pending_identity() is not None)


@routes.route("/log-ud", methods=["POST"])
@access(LOGIN)
def logout():
    """Log out: this session and every other session of the person end, and the provider's where it offers."""
    from portal.auth import oidc_views
    provider_logout = oidc_views.end_session_url()
    _end_every_session()
    flash(_("You are logged out."), "success")
    return redirect(provider_logout or url_for("public.home"))


@routes.route("/log-ud-alle-steder", methods=["POST"])
@access(LOGIN)
def logout_everywhere():
    """Log out on every device and browser at once (from the log-in and security page)."""
    _end_every_session()
    flash(_("You are logged out everywhere: on this device and on every other."), "success")
    return redirect(url_for("auth.login"))


@routes.route("/indstillinger/sikkerhed")
@access(LOGIN)
def security():
    """Log-in and security: how and when this session began, the password, log out everywhere."""
    user = current_user._get_current_object()
    started = session.get(sessions.AUTH_AT)
    second_factor = None
    if user.holds_role(*sessions.PRIVILEGED_ROLES) and user.password_hash:
        second_factor = {"enabled": user.totp_enabled_at is not None, "shown": bool(session.get(sessions.SECOND_FACTOR)),
                         "left": accounts.recovery_codes_left(user)}
    from portal.auth import oidc
    mitid = None
    if "citizen" in oidc.configured():
        mitid = {"verified_at": user.identity_verified_at,
                 "linked": db.session.scalar(select(accounts.ExternalIdentity.id).where(
                     accounts.ExternalIdentity.user_id == user.id, accounts.ExternalIdentity.provider == "citizen"))}
    return render_template("auth/security.html", method=sessions.method(), mitid=mitid,
                           started=datetime.fromtimestamp(started, timezone.utc) if isinstance(started, int) else None,
                           has_password=bool(user.password_hash), second_factor=second_factor)


def _end_every_session() -> None:
    user = current_user._get_current_object()
    user.end_sessions()
    db.session.commit()
    sessions.end_here()


@routes.route("/glemt-adgangskode", methods=["GET", "POST"])
@access(PUBLIC)
@limiter.limit("5 per minute", methods=["POST"])
@limiter.limit(MAIL_LIMIT_PER_ACCOUNT, methods=["POST"], key_func=lambda: _account_key())
def forgot():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        _ask_for_mail("reset", form.email.data)
        return render_template("auth/check_mail.html", email=form.email.data, reset=True)
    return render_template("auth/forgot.html", form=form)


@routes.route("/nulstil-adgangskode/<token>", methods=["GET", "POST"])
@access(TOKEN)
def reset(token: str):
    """Choose a new password from the link in the e-mail; the link works once."""
    data = tokens.read("reset", token, RESET_MAX_AGE)
    user = db.session.get(User, data["uid"]) if isinstance(data, dict) and isinstance(data.get("uid"), int) else None
    if user is None or data.get("stamp") != mailings.password_stamp(user) or not user.is_active:
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


@routes.route("/skift-adgangskode", methods=["GET", "POST"])
@access(LOGIN)
def change_password():
    """Change the password while logged in."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("The current password is not right."))
        else:
            user = current_user._get_current_object()
            user.set_password(form.password.data)  # ends every session of the person ...
            db.session.commit()
            login_user(user)  # ... but this one, which proved the current password, goes on
            flash(_("Your password is changed."), "success")
            return redirect(home_for(current_user))
    return render_template("auth/change_password.html", form=form)

