"""Volunteer teams: the team page, joining with consent, and the tovholder's self-organisation (shifts,
messages, meetings in the shared calendar, team sign-ups that members confirm)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from models import (DomainError, Event, Institution, Occurrence, Role, Task, TaskStatus, Team, TeamMessage, TeamShift,
                    TeamSignup, User, db, utcnow)
from models.tasks import joinable
from models.team_operations import (add_shift, answer_shift, ask_to_cover, confirm_team_place, confirmed_signups, create_team,
                                    hold_team_meeting, join_team, leave_team, may_lead, may_run_institution,
                                    sign_up_team, write_to_team)
from models.teams import ShiftAnswer, membership
from portal.access import LOGIN, PUBLIC, access
from portal.community.forms import (JoinTeamForm, MeetingForm, MessageForm, ShiftForm, TeamForm, TeamSignupForm,
                                    message_for)
from portal.routes import RouteTable

routes = RouteTable()


def _team(team_id: int) -> Team:
    return db.session.get(Team, team_id) or abort(404)


def _open_occurrences(team: Team, now):
    return list(db.session.scalars(
        select(Occurrence).join(Task, Occurrence.task_id == Task.id)
        .where(Task.institution_id == team.institution_id, Task.status == TaskStatus.OPEN, joinable(now))
        .order_by(Occurrence.starts_at).limit(60)))


def _render(team: Team, *, forms: dict | None = None, status: int = 200):
    now = utcnow()
    member = membership(team.id, current_user)
    leads = may_lead(current_user, team)
    inside = member is not None or leads
    forms = forms or {}
    signup_form = forms.get("signup") or TeamSignupForm(prefix="signup")
    occurrences = _open_occurrences(team, now) if leads else []
    signup_form.occurrence.choices = [(o.id, f"{o.task.title} – {o.starts_at:%Y-%m-%d}") for o in occurrences]
    shifts = list(db.session.scalars(select(TeamShift).where(TeamShift.team_id == team.id, TeamShift.ends_at > now)
                                      .order_by(TeamShift.starts_at))) if inside else []
    messages = list(db.session.scalars(select(TeamMessage).where(TeamMessage.team_id == team.id)
                                       .order_by(TeamMessage.sent_at.desc()).limit(20))) if inside else []
    meetings = list(db.session.scalars(select(Event).where(Event.team_id == team.id, Event.ends_at > now,
                                                           Event.cancelled.is_(False))
                                       .order_by(Event.starts_at))) if inside else []
    team_signups = list(db.session.scalars(select(TeamSignup).where(TeamSignup.team_id == team.id)
                                           .order_by(TeamSignup.created_at))) if inside else []
    confirmed = {ts.id: confirmed_signups(ts) for ts in team_signups}
    my_answers = {}
    if member is not None:
        for shift in shifts:
            for answer in shift.answers:
                if answer.user_id == current_user.id:
                    my_answers[shift.id] = answer.answer
    return render_template(
        "community/team.html", team=team, member=member, leads=leads, inside=inside, now=now, shifts=shifts,
        messages=messages, meetings=meetings, team_signups=team_signups, confirmed=confirmed, my_answers=my_answers,
        ShiftAnswer=ShiftAnswer,
        join_form=forms.get("join") or JoinTeamForm(prefix="join"),
        shift_form=forms.get("shift") or ShiftForm(prefix="shift"),
        meeting_form=forms.get("meeting") or MeetingForm(prefix="meeting"),
        message_form=forms.get("message") or MessageForm(prefix="message"),
        signup_form=signup_form), status


@routes.route("/hold/<int:team_id>")
@access(PUBLIC)
def team(team_id: int):
    return _render(_team(team_id))


def _back(team: Team):
    return redirect(url_for("community.team", team_id=team.id))


@routes.route("/hold/<int:team_id>/bliv-medlem", methods=["POST"])
@access(Role.CITIZEN)
def team_join(team_id: int):
    team = _team(team_id)
    form = JoinTeamForm(prefix="join")
    form.validate()
    try:
        join_team(team, person=current_user, now=utcnow(), consent=bool(form.consent.data))
    except DomainError as error:
        db.session.rollback()
        if error.code == "consent_required":
            form.consent.errors = [message_for(error)]
            return _render(team, forms={"join": form}, status=400)
        flash(message_for(error), "error")
        return _back(team)
    db.session.commit()
    flash(_("You are a member of the team."), "success")
    return _back(team)


@routes.route("/hold/<int:team_id>/forlad", methods=["POST"])
@access(Role.CITIZEN)
def team_leave(team_id: int):
    team = _team(team_id)
    try:
        left = leave_team(team, person=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return _back(team)
    db.session.commit()
    if left:
        flash(_("You have left the team. Its members no longer see your name and phone number."), "success")
    return _back(team)


def _lead_or_403(team: Team) -> None:
    if not may_lead(current_user, team):
        abort(403)


@routes.route("/hold/<int:team_id>/vagter", methods=["POST"])
@access(LOGIN)
def team_shift(team_id: int):
    team = _team(team_id)
    _lead_or_403(team)
    form = ShiftForm(prefix="shift")
    if not form.validate():
        return _render(team, forms={"shift": form}, status=400)
    starts, ends = form.span()
    try:
        add_shift(team, actor=current_user, now=utcnow(), starts_at=starts, ends_at=ends, needed=form.needed.data,
                  note=form.note.data or "")
    except DomainError as error:
        db.session.rollback()
        form.day.errors = [message_for(error)]
        return _render(team, forms={"shift": form}, status=400)
    db.session.commit()
    flash(_("The shift is on the team's page. Members can say they are coming."), "success")
    return _back(team)


@routes.route("/hold/vagter/<int:shift_id>/svar", methods=["POST"])
@access(Role.CITIZEN)
def shift_answer(shift_id: int):
    row = db.session.get(TeamShift, shift_id) or abort(404)
    if membership(row.team_id, current_user) is None:
        abort(403)
    try:
        answer_shift(row, person=current_user, now=utcnow(), coming=request.form.get("coming") == "1")
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return redirect(url_for("community.team", team_id=row.team_id))
    db.session.commit()
    flash(_("Your answer is saved."), "success")
    return redirect(url_for("community.team", team_id=row.team_id))


@routes.route("/hold/vagter/<int:shift_id>/spoerg", methods=["POST"])
@access(LOGIN)
def shift_ask(shift_id: int):
    row = db.session.get(TeamShift, shift_id) or abort(404)
    _lead_or_403(row.team)
    person = db.session.get(User, request.form.get("member", type=int) or 0)
    try:
        if person is None:
            raise DomainError("not_a_member")
        ask_to_cover(row, person, actor=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return redirect(url_for("community.team", team_id=row.team_id))
    db.session.commit()
    flash(_("%(name)s is asked to cover the shift and sees it on the team's page.", name=person.name), "success")
    return redirect(url_for("community.team", team_id=row.team_id))


@routes.route("/hold/<int:team_id>/besked", methods=["POST"])
@access(LOGIN)
def team_message(team_id: int):
    team = _team(team_id)
    _lead_or_403(team)
    form = MessageForm(prefix="message")
    if not form.validate():
        return _render(team, forms={"message": form}, status=400)
    try:
        write_to_team(team, actor=current_user, now=utcnow(), body=form.body.data)
    except DomainError as error:
        db.session.rollback()
        form.body.errors = [message_for(error)]
        return _render(team, forms={"message": form}, status=400)
    db.session.commit()
    flash(_("The message is on the team's page."), "success")
    return _back(team)


@routes.route("/hold/<int:team_id>/moede", methods=["POST"])
@access(LOGIN)
def team_meeting(team_id: int):
    team = _team(team_id)
    _lead_or_403(team)
    form = MeetingForm(prefix="meeting")
    if not form.validate():
        return _render(team, forms={"meeting": form}, status=400)
    starts, ends = form.span()
    try:
        hold_team_meeting(team, actor=current_user, now=utcnow(), starts_at=starts, ends_at=ends,
                          place=form.place.data or "", description=form.agenda.data or "")
    except DomainError as error:
        db.session.rollback()
        form.day.errors = [message_for(error)]
        return _render(team, forms={"meeting": form}, status=400)
    db.session.commit()
    flash(_("The meeting is in the shared calendar."), "success")
    return _back(team)


@routes.route("/hold/<int:team_id>/tilmeld", methods=["POST"])
@access(LOGIN)
def team_sign_up(team_id: int):
    team = _team(team_id)
    _lead_or_403(team)
    form = TeamSignupForm(prefix="signup")
    form.occurrence.choices = [(o.id, "") for o in _open_occurrences(team, utcnow())]
    if not form.validate():
        return _render(team, forms={"signup": form}, status=400)
    occurrence = db.session.get(Occurrence, form.occurrence.data) or abort(404)
    try:
        sign_up_team(team, occurrence, actor=current_user, now=utcnow(), places=form.places.data)
    except DomainError as error:
        db.session.rollback()
        form.places.errors = [message_for(error)]
        return _render(team, forms={"signup": form}, status=400)
    db.session.commit()
    flash(_("The team is signed up. Each member confirms their own place on the team's page."), "success")
    return _back(team)


@routes.route("/hold/tilmelding/<int:team_signup_id>/bekraeft", methods=["POST"])
@access(Role.CITIZEN)
def team_confirm(team_signup_id: int):
    row = db.session.get(TeamSignup, team_signup_id) or abort(404)
    if membership(row.team_id, current_user) is None:
        abort(403)
    try:
        confirm_team_place(row, person=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return redirect(url_for("community.team", team_id=row.team_id))
    db.session.commit()
    flash(_("Your place is confirmed. You find it under My tasks."), "success")
    return redirect(url_for("community.team", team_id=row.team_id))


@routes.route("/institutioner/<int:institution_id>/hold/ny", methods=["GET", "POST"])
@access(Role.STAFF, Role.COORDINATOR)
def new_team(institution_id: int):
    inst = db.session.get(Institution, institution_id) or abort(404)
    if not may_run_institution(current_user, inst.id):
        abort(403)
    form = TeamForm()
    tasks = list(db.session.scalars(select(Task).where(Task.institution_id == inst.id,
                                                       Task.status.in_((TaskStatus.OPEN, TaskStatus.CLOSED)))
                                    .order_by(Task.title)))
    form.task.choices = [(0, _("No particular task"))] + [(t.id, t.title) for t in tasks]
    if request.method == "POST":
        if form.validate():
            tovholder = User.by_email(form.tovholder.data) if form.tovholder.data else None
            if form.tovholder.data and (tovholder is None or not tovholder.has_role(Role.CITIZEN)):
                form.tovholder.errors.append(_("No volunteer has an account with that e-mail address."))
            else:
                task = db.session.get(Task, form.task.data) if form.task.data else None
                try:
                    created = create_team(inst, actor=current_user, now=utcnow(), name=form.name.data,
                                          purpose=form.purpose.data or "", tovholder=tovholder, task=task)
                except DomainError as error:
                    db.session.rollback()
                    form.name.errors.append(message_for(error))
                else:
                    db.session.commit()
                    flash(_("The team is created."), "success")
                    return redirect(url_for("community.team", team_id=created.id))
        return render_template("community/team_form.html", inst=inst, form=form), 400
    return render_template("community/team_form.html", inst=inst, form=form)
