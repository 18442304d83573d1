"""The mail room: notification settings (also by e-mail link), one-click unsubscribe, answers to
shift reminders, and the message log for admins and coordinators."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from models import DomainError, OutboxMessage, Role, Signup, SignupStatus, User, db, utcnow
from models.task_operations import cancel_signup, confirm_coming
from models.tasks import can_cancel
from portal import tokens
from portal.access import LOGIN, TOKEN, access
from portal.extensions import csrf
from portal.forms import BaseForm
from portal.mail import kinds as mail_kinds, preferences, reasons
from portal.mail.forms import LogFilterForm, ShiftCancelForm, choices_from, settings_form, status_labels
from portal.mail.outbox import LINK_MAX_AGE, SETTINGS_TOKEN, UNSUBSCRIBE_TOKEN
from portal.mail.sender import deliver_soon, requeue
from portal.scheduler import status as scheduler_status
from portal.scheduler.reminders import ANSWER_LINK_MAX_AGE, SHIFT_TOKEN

bp = Blueprint("mail", __name__)

PAGE_SIZE = 50


def _invalid_link():
    message = _("The link is not valid or has expired.")
    return render_template("error.html", code=404, message=message), 404


def _user_from(purpose: str, token: str, max_age: int) -> tuple[User | None, dict | None]:
    data = tokens.read(purpose, token, max_age)
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        return None, None
    user = db.session.get(User, data["uid"])
    if user is None or not user.is_active:
        return None, None
    return user, data


# --- settings ------------------------------------------------------------------------------------

def _settings_page(user: User, action: str):
    kinds = mail_kinds.visible_to(user)
    form = settings_form(kinds, preferences.choices(user))
    if form.validate_on_submit():
        preferences.save(user, choices_from(form, kinds))
        db.session.commit()
        flash(_("Your e-mail settings are saved."), "success")
        return redirect(action)
    always = [k for k in mail_kinds.KINDS if not k.optional]
    return render_template("mail/pages/settings.html", form=form, kinds=kinds, always=always, action=action,
                           person=user)


@bp.route("/indstillinger/mails", methods=["GET", "POST"])
@access(LOGIN)
def settings():
    """Choose which kinds of e-mail to get."""
    return _settings_page(current_user, url_for("mail.settings"))


@bp.route("/indstillinger/mails/<token>", methods=["GET", "POST"])
@access(TOKEN)
def settings_by_token(token: str):
    """The same settings, reached from the link in any e-mail without logging in."""
    user, _data = _user_from(SETTINGS_TOKEN, token, LINK_MAX_AGE)
    if user is None:
        return _invalid_link()
    return _settings_page(user, url_for("mail.settings_by_token", token=token))


@bp.route("/afmeld/<token>", methods=["GET", "POST"])
@access(TOKEN)
@csrf.exempt  # RFC 8058 one-click: mail programs POST without cookies; the signed token is the proof
def unsubscribe(token: str):
    """Stop one kind of e-mail: GET asks, POST (also the mail program's one-click) does it."""
    user, data = _user_from(UNSUBSCRIBE_TOKEN, token, LINK_MAX_AGE)
    names = data.get("kinds") if data else None
    if user is None or not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return _invalid_link()
    labels = [mail_kinds.BY_NAME[n].label for n in names if n in mail_kinds.BY_NAME]
    done = False
    if request.method == "POST":
        preferences.turn_off(user, names)
        db.session.commit()
        done = True
    return render_template("mail/pages/unsubscribe.html", labels=labels, done=done, person=user,
                           settings_link=url_for("mail.settings_by_token", token=tokens.make(SETTINGS_TOKEN,
                                                                                              {"uid": user.id})))


# --- answers to the day-before reminder ---------------------------------------------------------

def _signup_from(token: str) -> Signup | None:
    data = tokens.read(SHIFT_TOKEN, token, ANSWER_LINK_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("sid"), int):
        return None
    signup = db.session.get(Signup, data["sid"])
    if signup is None or signup.user_id != data.get("uid"):
        return None
    return signup


@bp.route("/vagt/<token>", methods=["GET", "POST"])
@access(TOKEN)
def shift_coming(token: str):
    """"Jeg kommer": the volunteer confirms with one button (a mail program opening the link confirms
    nothing); staff see the answer beside the attendance list."""
    signup = _signup_from(token)
    if signup is None:
        return _invalid_link()
    form = BaseForm()
    now = utcnow()
    if form.validate_on_submit():
        try:
            confirm_coming(signup, actor=signup.user, now=now)
        except DomainError:
            db.session.rollback()
        else:
            db.session.commit()
            return redirect(url_for("mail.shift_coming", token=token))
    return render_template("mail/pages/shift.html", signup=signup, occurrence=signup.occurrence, form=form,
                           task=signup.occurrence.task, token=token, started=signup.occurrence.starts_at <= now)


@bp.route("/vagt/<token>/afbud", methods=["GET", "POST"])
@access(TOKEN)
def shift_cancel(token: str):
    """"Jeg kan ikke alligevel": cancel the sign-up without logging in; the waiting list moves up."""
    signup = _signup_from(token)
    if signup is None:
        return _invalid_link()
    occurrence = signup.occurrence
    form = ShiftCancelForm()
    now = utcnow()
    error = None
    if can_cancel(signup, now) and form.validate_on_submit():
        try:
            cancel_signup(signup, actor=signup.user, now=now, reason=form.reason.data or "")
        except DomainError:
            db.session.rollback()
            error = _("Your sign-up could not be cancelled here. Please contact the contact person.")
        else:
            db.session.commit()
            flash(_("You are no longer signed up. Thank you for telling us."), "success")
            return redirect(url_for("mail.shift_cancel", token=token))
    return render_template("mail/pages/shift_cancel.html", form=form, signup=signup, occurrence=occurrence,
                           task=occurrence.task, can_cancel=can_cancel(signup, now),
                           active=signup.status in SignupStatus.ACTIVE, error=error)


# --- the message log --------------------------------------------------------------------------------

@bp.route("/beskeder")
@access(Role.ADMIN, Role.COORDINATOR)
def log():
    """Every queued, sent, failed and dropped message, with reasons; failed ones can be retried."""
    form = LogFilterForm(formdata=request.args)
    form.validate()
    query = select(OutboxMessage)
    if form.status.data and not form.status.errors:
        query = query.where(OutboxMessage.status == form.status.data)
    if form.kind.data and not form.kind.errors:
        query = query.where(OutboxMessage.kind == form.kind.data)
    if form.q.data and not form.q.errors:
        query = query.where(func.lower(OutboxMessage.recipient).contains(form.q.data.lower(), autoescape=True))
    page = max(request.args.get("side", 1, type=int) or 1, 1)
    rows = list(db.session.scalars(query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
                                   .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    filters = {k: v for k, v in (("status", form.status.data), ("kind", form.kind.data), ("q", form.q.data)) if v}
    return render_template("mail/pages/log.html", form=form, messages=rows[:PAGE_SIZE], has_next=len(rows) > PAGE_SIZE,
                           page=page, filters=filters, counts=counts, status_labels=status_labels(),
                           kind_labels={k.name: k.label for k in mail_kinds.KINDS},
                           heartbeat=scheduler_status.last_heartbeat(), reason=reasons.describe)


@bp.route("/beskeder/<int:message_id>/igen", methods=["POST"])
@access(Role.ADMIN, Role.COORDINATOR)
def retry(message_id: int):
    """Queue a failed message again, from the first attempt."""
    message = db.get_or_404(OutboxMessage, message_id)
    if not requeue(message, now=utcnow()):
        flash(_("Only failed messages can be sent again."), "error")
    else:
        db.session.commit()
        deliver_soon([message])
        flash(_("The message is queued again."), "success")
    args = {k: v for k, v in request.args.items() if k in ("status", "kind", "q", "side")}
    return redirect(url_for("mail.log", **args))
