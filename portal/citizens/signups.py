"""Signing up for a task after seeing its frame, the result, and cancelling up to the start."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from models import ConsentRecord, DomainError, Occurrence, Role, Signup, Task, db, utcnow
from models.tasks import (ACTIVE, accept_pledge, cancel_signup, sign_up, sign_up_series, signup_deadline,
                          unmet_requirements)
from portal.access import access
from portal.citizens.commitments import describe, overlaps_of
from portal.citizens.forms import CancelForm, SignupForm
from portal.citizens.views import bp
from portal.mail import notify
from portal.mail.sender import deliver_soon
from portal.public.finding import PUBLISHED, upcoming_condition

ALL = "alle"
SIGNUP_ERRORS = {
    "task_not_open": _l("This task no longer takes sign-ups."),
    "occurrence_past": _l("This time has already started, so it is too late to sign up."),
    "occurrence_cancelled": _l("This time has been cancelled."),
    "already_signed_up": _l("You are already signed up for this time."),
    "nothing_to_sign_up": _l("You are already signed up for all the coming times."),
}
CANCEL_ERRORS = {
    "not_cancellable": _l("This sign-up cannot be cancelled any more."),
    "occurrence_started": _l("The task has started, so it can no longer be cancelled here. "
                             "Please call or write to the contact person."),
}


def _open_task(task_id: int) -> Task:
    task = db.session.scalar(select(Task).where(Task.id == task_id, Task.status.in_(PUBLISHED))
                             .options(joinedload(Task.institution)))
    if task is None:
        abort(404)
    return task


def _chosen(task: Task, gang: str | None) -> list[Occurrence]:
    """The occurrences the citizen chose: one by id, or all coming ones of the series."""
    now = utcnow()
    query = (select(Occurrence).join(Task).where(Occurrence.task_id == task.id, upcoming_condition(now))
             .order_by(Occurrence.starts_at))
    if gang != ALL:
        if not (gang or "").isdigit():
            return []
        query = query.where(Occurrence.id == int(gang))
    return list(db.session.scalars(query))


def _pledge_needed(task: Task) -> bool:
    profile = current_user.profile
    screening = profile.screening if profile is not None else None
    return task.requires_pledge and not (screening and screening.pledge_accepted_at)


@bp.route("/opgaver/<int:task_id>/tilmeld", methods=["GET", "POST"], endpoint="sign_up")
@access(Role.CITIZEN)
def sign_up_page(task_id: int):
    """The confirmation page: the frame and the chosen time(s); one click signs up."""
    task = _open_task(task_id)
    form = SignupForm()
    gang = form.gang.data if request.method == "POST" else request.args.get("gang")
    form.gang.data = gang
    chosen = _chosen(task, gang)
    if not chosen:
        flash(_("Choose one of the coming times on the task page."), "error")
        return redirect(url_for("public.task", task_id=task.id))
    error = None
    if form.validate_on_submit():
        now = utcnow()
        try:
            if form.accept_pledge.data and _pledge_needed(task):
                accept_pledge(current_user, now=now)
                db.session.add(ConsentRecord(user_id=current_user.id, kind="confidentiality_pledge", given=True,
                                             how="online, when signing up", created_at=now))
            note = form.note.data or ""
            if gang == ALL:
                results = sign_up_series(task, volunteer=current_user, now=now, note=note)
            else:
                results = [sign_up(chosen[0], volunteer=current_user, now=now, note=note)]
        except DomainError as failure:
            db.session.rollback()
            error = SIGNUP_ERRORS.get(failure.code, _l("The sign-up did not go through. Please try again."))
        else:
            messages = [notify.signup_accepted(r.signup) for r in results if r.status == "accepted"]
            pending = [r.signup for r in results if r.status == "pending"]
            if pending:  # one notice per application, also for a whole series
                messages.append(notify.pending_received(pending[0]))
            ids = [r.signup.id for r in results]
            db.session.commit()
            deliver_soon(messages)
            return redirect(url_for("citizens.signed_up", task_id=task.id, nye=",".join(map(str, ids))))
    timed = {o.id: (o.starts_at, o.ends_at) for o in chosen if task.kind == "fixed" and o.ends_at is not None}
    clashes = [s for found in overlaps_of(current_user, timed).values() for s in found
               if s.occurrence.task_id != task.id]
    return render_template("citizens/sign_up.html", task=task, chosen=chosen, form=form, error=error,
                           series=gang == ALL, pledge_needed=_pledge_needed(task),
                           clashes=list({s.id: s for s in clashes}.values()),
                           missing=unmet_requirements(task, current_user, chosen[0].starts_at.date()))


@bp.route("/mine-opgaver/tilmeldt/<int:task_id>")
@access(Role.CITIZEN)
def signed_up(task_id: int):
    """The result of a sign-up: accepted, waiting with the reason, or on the waiting list with a place."""
    task = db.get_or_404(Task, task_id)
    fresh = {int(i) for i in request.args.get("nye", "").split(",") if i.isdigit()}
    signups = list(db.session.scalars(
        select(Signup).join(Occurrence).where(Occurrence.task_id == task.id, Signup.user_id == current_user.id,
                                              Signup.status.in_(ACTIVE))
        .options(selectinload(Signup.occurrence)).order_by(Occurrence.starts_at)))
    if not signups:
        return redirect(url_for("citizens.my_tasks"))
    return render_template("citizens/signed_up.html", task=task, items=describe(current_user, signups),
                           fresh=fresh)


def _own_signup(signup_id: int) -> Signup:
    signup = db.session.scalar(select(Signup).where(Signup.id == signup_id, Signup.user_id == current_user.id)
                               .options(joinedload(Signup.occurrence).joinedload(Occurrence.task)))
    if signup is None:
        abort(404)  # another citizen's sign-up looks exactly like one that does not exist
    return signup


@bp.route("/mine-opgaver/<int:signup_id>/afmeld", methods=["GET", "POST"])
@access(Role.CITIZEN)
def cancel(signup_id: int):
    """Cancel a sign-up up to the start, with an optional reason for the institution."""
    signup = _own_signup(signup_id)
    occurrence = signup.occurrence
    form = CancelForm()
    now = utcnow()
    deadline = signup_deadline(occurrence)
    can_cancel = signup.status in ACTIVE and (deadline is None or now < deadline)
    error = None
    if can_cancel and form.validate_on_submit():
        try:
            promoted = cancel_signup(signup, actor=current_user, now=now, reason=form.reason.data or "")
        except DomainError as failure:
            db.session.rollback()
            error = CANCEL_ERRORS.get(failure.code, _l("The sign-up could not be cancelled."))
        else:
            messages = notify.signup_cancelled(signup, promoted)
            db.session.commit()
            deliver_soon(messages)
            flash(_("You are no longer signed up. Thank you for telling us in good time."), "success")
            return redirect(url_for("citizens.my_tasks"))
    return render_template("citizens/cancel.html", signup=signup, occurrence=occurrence, task=occurrence.task,
                           form=form, can_cancel=can_cancel, error=error)
