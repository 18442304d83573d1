"""Signing up for a task after seeing its frame, the result, and cancelling up to the start."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from models import DomainError, Occurrence, Role, Signup, SignupStatus, Task, TaskKind, TaskStatus, db, utcnow
from models.task_operations import cancel_signup, is_declined, sign_up, sign_up_series
from models.tasks import can_cancel, free_alternatives, joinable, overlapping, unmet_requirements
from models.teams import held_for
from models.selfservice import Flow
from portal import selfservice
from portal.access import access
from portal.citizens.commitments import describe
from portal.citizens.forms import CancelForm, SignupForm
from portal.routes import RouteTable
from portal.params import parse_id, parse_ids

routes = RouteTable()

ALL = "alle"                 # ?occurrence=alle: every coming time of a series
OLD_PARAMETER = "gang"       # the query parameter's former name, still understood in links people keep
SIGNUP_ERRORS = {
    "task_not_open": _l("This task no longer takes sign-ups."),
    "occurrence_past": _l("This time has already started, so it is too late to sign up."),
    "occurrence_cancelled": _l("This time has been cancelled."),
    "already_signed_up": _l("You are already signed up for this time."),
    "nothing_to_sign_up": _l("You are already signed up for all the coming times."),
    "profile_declined": _l("The volunteer coordinators have not approved your volunteer profile, so you cannot "
                           "sign up for tasks. If you have questions, or something has changed, write to them or "
                           "change your profile; they will then look at it again."),
}
CANCEL_ERRORS = {
    "not_cancellable": _l("This sign-up cannot be cancelled any more."),
    "occurrence_started": _l("The task has started, so it can no longer be cancelled here. "
                             "Please call or write to the contact person."),
}


def _open_task(task_id: int) -> Task:
    task = db.session.scalar(select(Task).where(Task.id == task_id, Task.status == TaskStatus.OPEN)
                             .options(joinedload(Task.institution)))
    if task is None:
        abort(404)
    return task


def _chosen(task: Task, choice: str | None) -> list[Occurrence]:
    """The occurrences the citizen chose: one by id, or all coming ones of the series."""
    query = (select(Occurrence).join(Task).where(Occurrence.task_id == task.id, joinable(utcnow()))
             .order_by(Occurrence.starts_at))
    if choice != ALL:
        occurrence_id = parse_id(choice)
        if occurrence_id is None:
            return []
        query = query.where(Occurrence.id == occurrence_id)
    return list(db.session.scalars(query))


def _choice(form: SignupForm) -> str | None:
    source = request.form if request.method == "POST" else request.args
    return source.get("occurrence") or source.get(OLD_PARAMETER)


def _pledge_needed(task: Task) -> bool:
    profile = current_user.profile
    screening = profile.screening if profile is not None else None
    return task.requires_pledge and not (screening and screening.pledge_accepted_at)


@routes.route("/opgaver/<int:task_id>/tilmeld", methods=["GET", "POST"], endpoint="sign_up")
@access(Role.CITIZEN)
def sign_up_page(task_id: int):
    """The confirmation page: the frame and the chosen time(s); one click signs up."""
    task = _open_task(task_id)
    form = SignupForm()
    choice = _choice(form)
    form.occurrence.data = choice
    chosen = _chosen(task, choice)
    if not chosen:
        flash(_("Choose one of the coming times on the task page."), "error")
        return redirect(url_for("public.task", task_id=task.id))
    declined = is_declined(current_user)
    selfservice.started(Flow.SIGNUP)
    error = SIGNUP_ERRORS["profile_declined"] if declined else None
    if form.validate_on_submit():
        now = utcnow()
        note, pledge = form.note.data or "", bool(form.accept_pledge.data)
        try:
            if choice == ALL:
                results = sign_up_series(task, volunteer=current_user, actor=current_user, now=now, note=note,
                                         pledge=pledge)
            else:
                results = [sign_up(chosen[0], volunteer=current_user, actor=current_user, now=now, note=note,
                                   pledge=pledge)]
        except DomainError as failure:
            db.session.rollback()
            error = SIGNUP_ERRORS.get(failure.code, _l("The sign-up did not go through. Please try again."))
        else:
            db.session.commit()
            selfservice.finished(Flow.SIGNUP)
            return redirect(url_for("citizens.signed_up", task_id=task.id,
                                    nye=",".join(str(r.signup.id) for r in results)))
    times = {o.id: (o.starts_at, o.ends_at) for o in chosen if task.kind == TaskKind.FIXED}
    clashes = [s for found in overlapping(current_user.id, times).values() for s in found
               if s.occurrence.task_id != task.id]
    team_places = held_for(current_user, [o.id for o in chosen if o.spots_left <= 0])  # full for others
    full = choice != ALL and chosen[0].spots_left <= 0 and chosen[0].id not in team_places
    other_times = free_alternatives(task, current_user, now=utcnow(), exclude=[chosen[0].id]) if full else []
    return render_template("citizens/sign_up.html", task=task, chosen=chosen, form=form, error=error,
                           other_times=other_times, team_places=team_places,
                           series=choice == ALL, pledge_needed=_pledge_needed(task), declined=declined,
                           clashes=list({s.id: s for s in clashes}.values()),
                           missing=unmet_requirements(task, current_user, chosen[0].day))


@routes.route("/mine-opgaver/tilmeldt/<int:task_id>")
@access(Role.CITIZEN)
def signed_up(task_id: int):
    """The result of a sign-up: accepted, waiting with the reason, or on the waiting list with a place."""
    task = db.get_or_404(Task, task_id)
    fresh = set(parse_ids(request.args.get("nye")))
    signups = list(db.session.scalars(
        select(Signup).join(Occurrence).where(Occurrence.task_id == task.id, Signup.user_id == current_user.id,
                                              Signup.status.in_(SignupStatus.ACTIVE))
        .options(selectinload(Signup.occurrence)).order_by(Occurrence.starts_at)))
    if not signups:
        return redirect(url_for("citizens.my_tasks"))
    waiting = [s for s in signups if s.status == SignupStatus.WAITLISTED and s.id in fresh]
    other_times = free_alternatives(task, current_user, now=utcnow()) if waiting else []
    return render_template("citizens/signed_up.html", task=task, items=describe(current_user, signups),
                           fresh=fresh, other_times=other_times)


def _own_signup(signup_id: int) -> Signup:
    signup = db.session.scalar(select(Signup).where(Signup.id == signup_id, Signup.user_id == current_user.id)
                               .options(joinedload(Signup.occurrence).joinedload(Occurrence.task)))
    if signup is None:
        abort(404)  # another citizen's sign-up looks exactly like one that does not exist
    return signup


@routes.route("/mine-opgaver/<int:signup_id>/afmeld", methods=["GET", "POST"])
@access(Role.CITIZEN)
def cancel(signup_id: int):
    """Cancel a sign-up up to the start, with an optional reason for the institution."""
    signup = _own_signup(signup_id)
    occurrence = signup.occurrence
    form = CancelForm()
    now = utcnow()
    error = None
    if can_cancel(signup, now) and form.validate_on_submit():
        try:
            cancel_signup(signup, actor=current_user, now=now, reason=form.reason.data or "")
        except DomainError as failure:
            db.session.rollback()
            error = CANCEL_ERRORS.get(failure.code, _l("The sign-up could not be cancelled."))
        else:
            db.session.commit()
            flash(_("You are no longer signed up. Thank you for telling us in good time."), "success")
            return redirect(url_for("citizens.my_tasks"))
    return render_template("citizens/cancel.html", signup=signup, occurrence=occurrence, task=occurrence.task,
                           form=form, can_cancel=can_cancel(signup, now), error=error)
