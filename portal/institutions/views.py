"""Institution staff's views: the task editor, sign-ups, messages, attendance and hours."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from models import (DomainError, Institution, InstitutionMember, Occurrence, Role, Signup, SignupStatus, Task,
                    TaskStatus, User, VolunteerProfile, db, utcnow)
from models.consent import Audience, findable_profiles
from models.task_operations import (TEXT_FIELDS, TaskPlan, accept_signup, cancel_task, close_task, create_task,
                                    decline_signup, edit_task, publish_task, record_attendance, schedule_locked,
                                    write_to_volunteers)
from models.tasks import missing_for, waitlist_positions
from models.teams import holds_by_occurrence
from models.volunteer_operations import log_screening_views
from portal import suggestions
from portal.access import access
from portal.formatting import day
from portal.institutions.forms import (AttendanceForm, CancelTaskForm, ConfirmForm, DeclineForm, MessageForm,
                                       TaskForm)
from portal.routes import RouteTable
from portal.scheduler.timing import to_local

routes = RouteTable()

TASK_ERRORS = {
    "frame_incomplete": _l("The frame is not complete. Fill in what volunteers do and do not do, the contact person, "
                           "compensation and insurance."),
    "start_in_past": _l("The start must be in the future when the task is published. Change the time first."),
    "no_occurrences": _l("The task has no times. Add a time first."),
    "not_draft": _l("The task is already published."),
    "task_not_open": _l("Only an open task can be closed."),
    "already_cancelled": _l("The task is already cancelled."),
    "task_cancelled": _l("A cancelled task cannot be edited."),
    "not_pending": _l("The sign-up no longer waits for an answer."),
    "not_allowed": _l("You are not allowed to do that."),
    "nobody_to_write_to": _l("No volunteers are accepted yet, so there is no one to write to."),
    "capacity_too_small": _l("There must be room for at least one volunteer."),
    "reason_required": _l("Please give a reason."),
    "not_accepted": _l("Only accepted volunteers can be marked as present."),
    "not_started": _l("Attendance can be marked once the task has started."),
    "hours_invalid": _l("The hours must be above 0 and not more than the length of the task."),
    "capacity_below_taken": _l("More volunteers are already signed up than that. "
                               "Lower the number no further than %(taken)s."),
}
REQUIREMENTS = {"child_certificate": _l("a child certificate valid on %(day)s"),
                "pledge": _l("the confidentiality pledge")}


def error_text(error: DomainError) -> str:
    if error.code == "screening_missing":
        return screening_wait(error.details["missing"], error.details["day"])
    message = TASK_ERRORS.get(error.code)
    if message is None:
        return _("That could not be done. Please try again.")
    return str(message) % error.details if "%(" in str(message) else str(message)


def screening_wait(missing: list[str], on) -> str:
    """Why a sign-up cannot be accepted yet, and what happens next (for staff)."""
    needs = " " + _("and") + " "
    needs = needs.join(str(REQUIREMENTS[name]) % {"day": day(on)} for name in missing)
    return _("It cannot be accepted yet: it waits for %(needs)s. The volunteer coordinator arranges that; "
             "the sign-up keeps its place and becomes accepted by itself once it is recorded.", needs=needs)


def my_institutions() -> list[Institution]:
    return list(db.session.scalars(
        select(Institution).join(InstitutionMember).where(InstitutionMember.user_id == current_user.id)
        .order_by(Institution.name)))


def _mine():
    return select(InstitutionMember.institution_id).where(InstitutionMember.user_id == current_user.id)


def own_task(task_id: int) -> Task:
    """A task of one of the staff member's institutions; any other task looks like one that does not exist."""
    task = db.session.scalar(select(Task).where(Task.id == task_id, Task.institution_id.in_(_mine()))
                             .options(joinedload(Task.institution), selectinload(Task.occurrences)))
    if task is None:
        abort(404)
    return task


def own_signup(signup_id: int) -> Signup:
    signup = db.session.scalar(
        select(Signup).join(Occurrence).join(Task)
        .where(Signup.id == signup_id, Task.institution_id.in_(_mine()))
        .options(joinedload(Signup.occurrence).joinedload(Occurrence.task), joinedload(Signup.user)))
    if signup is None:
        abort(404)
    return signup


@routes.route("/")
@access(Role.STAFF)
def index():
    """The staff member's institutions and their tasks, with sign-ups waiting for an answer."""
    institutions = my_institutions()
    ids = [i.id for i in institutions]
    tasks = list(db.session.scalars(select(Task).where(Task.institution_id.in_(ids))
                                    .options(selectinload(Task.occurrences))
                                    .order_by(Task.status == TaskStatus.CANCELLED, Task.created_at.desc())))
    waiting = dict(db.session.execute(
        select(Occurrence.task_id, func.count(Signup.id)).join(Signup, Signup.occurrence_id == Occurrence.id)
        .join(Task, Occurrence.task_id == Task.id)
        .where(Task.institution_id.in_(ids), Signup.status == SignupStatus.PENDING)
        .group_by(Occurrence.task_id)).all())
    by_institution = {i.id: [] for i in institutions}
    for task in tasks:
        by_institution[task.institution_id].append(task)
    return render_template("institutions/index.html", institutions=institutions, tasks=by_institution,
                           waiting=waiting, now=utcnow())


# --- the task editor ---------------------------------------------------------------------------------

def _plan(form: TaskForm, locked: bool) -> TaskPlan:
    """The editor's form, parsed for the use case (models.task_operations)."""
    return TaskPlan(fields={name: getattr(form, name).data for name in TEXT_FIELDS}, capacity=form.capacity.data,
                    kind=form.kind.data, recurrence=form.recurrence.data,
                    schedule=[] if locked else form.schedule())


@routes.route("/opgaver/ny", methods=["GET", "POST"])
@access(Role.STAFF)
def new_task():
    """Create a task as a draft; publishing comes after the preview."""
    institutions = my_institutions()
    if not institutions:
        flash(_("You are not yet linked to an institution. Ask an administrator."), "warning")
        return redirect(url_for("institutions.index"))
    now = utcnow()
    form = TaskForm(institutions=institutions, now=now)
    if request.method == "GET":
        chosen = request.args.get("institution", type=int)
        form.institution_id.data = chosen if chosen in {i.id for i in institutions} else institutions[0].id
        form.contact_name.data = current_user.name
        form.contact_email.data = current_user.email
    elif len(institutions) == 1:
        form.institution_id.data = institutions[0].id  # the choice is only shown to staff of several
    if form.validate_on_submit():
        institution = next(i for i in institutions if i.id == form.institution_id.data)
        try:
            task = create_task(institution, _plan(form, locked=False), actor=current_user, now=now)
        except DomainError as error:
            db.session.rollback()
            form.capacity.errors = list(form.capacity.errors) + [error_text(error)]
        else:
            db.session.commit()
            flash(_("The task is saved as a draft. Check the preview, then publish it."), "success")
            _warn_about_holidays(task)
            return redirect(url_for("institutions.task", task_id=task.id))
    return render_template("institutions/task_form.html", form=form, task=None, schedule_locked=False)


@routes.route("/opgaver/<int:task_id>/rediger", methods=["GET", "POST"], endpoint="edit_task")
@access(Role.STAFF)
def edit_task_page(task_id: int):
    """Edit a task; a published one gets a higher calendar SEQUENCE and its volunteers are told."""
    task = own_task(task_id)
    if task.status == TaskStatus.CANCELLED:
        flash(error_text(DomainError("task_cancelled")), "error")
        return redirect(url_for("institutions.task", task_id=task.id))
    now = utcnow()
    locked = schedule_locked(task, now)
    form = TaskForm(obj=task, institutions=[task.institution], schedule_locked=locked, now=now)
    if request.method == "GET":
        form.fill_schedule(task)
    else:
        form.institution_id.data = task.institution_id
        form.kind.data = task.kind if task.status != TaskStatus.DRAFT else form.kind.data
    if form.validate_on_submit():
        try:
            result = edit_task(task, _plan(form, locked), actor=current_user, now=now)
        except DomainError as error:
            db.session.rollback()
            form.capacity.errors = list(form.capacity.errors) + [error_text(error)]
        else:
            db.session.commit()
            flash(_("The task is saved.") if not result.told else
                  _("The task is saved. The volunteers who signed up have been told about the change."), "success")
            if result.waiting_again:
                flash(ngettext("%(num)d accepted volunteer now waits for screening: the task requires it.",
                               "%(num)d accepted volunteers now wait for screening: the task requires it.",
                               len(result.waiting_again)), "warning")
            _warn_about_holidays(task)
            return redirect(url_for("institutions.task", task_id=task.id))
    return render_template("institutions/task_form.html", form=form, task=task, schedule_locked=locked)


def _warn_about_holidays(task: Task) -> None:
    """Tell the editor which times fall on a Danish public holiday (they may want to cancel those)."""
    from models.base import LOCAL
    from portal.formatting import day
    from portal.holidays_dk import danish_holidays
    dates = sorted({o.starts_at.astimezone(LOCAL).date() for o in task.occurrences if not o.cancelled})
    if not dates:
        return
    free = danish_holidays(range(dates[0].year, dates[-1].year + 1))
    hits = [d for d in dates if d in free]
    if hits:
        flash(ngettext("%(num)d time falls on a public holiday: %(days)s. Cancel it if nobody is there that day.",
                       "%(num)d times fall on public holidays: %(days)s. Cancel those if nobody is there.",
                       len(hits), days=", ".join(day(d) for d in hits)), "warning")


def _decide(task: Task, act, done: str):
    """Run one of the task's one-button decisions and come back to the task."""
    try:
        act()
    except DomainError as error:
        db.session.rollback()
        flash(error_text(error), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("institutions.task", task_id=task.id))


@routes.route("/opgaver/<int:task_id>/offentliggoer", methods=["POST"])
@access(Role.STAFF)
def publish(task_id: int):
    """Publish a draft after the preview."""
    task = own_task(task_id)
    return _decide(task, lambda: publish_task(task, actor=current_user, now=utcnow()),
                   _("The task is published. Volunteers can find it and sign up now."))


@routes.route("/opgaver/<int:task_id>/luk", methods=["POST"])
@access(Role.STAFF)
def close(task_id: int):
    """Stop taking sign-ups; those signed up keep their places."""
    task = own_task(task_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("institutions.task", task_id=task.id))
    return _decide(task, lambda: close_task(task, actor=current_user, now=utcnow()),
                   _("The task is closed for new sign-ups. Those signed up keep their places."))


@routes.route("/opgaver/<int:task_id>/aflys", methods=["GET", "POST"])
@access(Role.STAFF)
def cancel(task_id: int):
    """Cancel the task with a reason; everyone signed up for a coming time is told."""
    task = own_task(task_id)
    if task.status == TaskStatus.CANCELLED:
        flash(error_text(DomainError("already_cancelled")), "error")
        return redirect(url_for("institutions.task", task_id=task.id))
    form = CancelTaskForm()
    if form.validate_on_submit():
        try:
            affected = cancel_task(task, actor=current_user, now=utcnow(), reason=form.reason.data)
        except DomainError as error:
            db.session.rollback()
            form.reason.errors = list(form.reason.errors) + [error_text(error)]
        else:
            db.session.commit()
            flash(_("The task is cancelled. %(n)d volunteers have been told.", n=len({s.user_id for s in affected})),
                  "success")
            return redirect(url_for("institutions.task", task_id=task.id))
    people = db.session.scalar(select(func.count(func.distinct(Signup.user_id))).join(Occurrence)
                               .where(Occurrence.task_id == task.id, Signup.status.in_(SignupStatus.ACTIVE)))
    return render_template("institutions/cancel.html", task=task, form=form, people=people)


# --- the institution's view of a task ----------------------------------------------------------------

def screening_facts(task: Task, signup: Signup) -> list[tuple[str, bool]]:
    """What the task needs, as facts ("Child certificate: valid"); never dates or notes."""
    missing = missing_for(signup)
    facts = []
    if task.requires_child_certificate:
        facts.append((_("Child certificate: valid") if "child_certificate" not in missing
                      else _("Child certificate: not recorded"), "child_certificate" not in missing))
    if task.requires_pledge:
        facts.append((_("Confidentiality pledge: accepted") if "pledge" not in missing
                      else _("Confidentiality pledge: not accepted yet"), "pledge" not in missing))
    return facts


def shared_summaries(users) -> dict[int, dict]:
    """The profile summaries volunteers agreed institutions may see (models.consent), by user id."""
    ids = {user.id for user in users}
    if not ids:
        return {}
    profiles = db.session.scalars(findable_profiles(Audience.INSTITUTIONS).where(VolunteerProfile.user_id.in_(ids)))
    return {p.user_id: {"skills": p.skills, "interests": p.interests, "languages": p.languages} for p in profiles}


SHOWN_ORDER = {SignupStatus.PENDING: 0, SignupStatus.ACCEPTED: 1, SignupStatus.ATTENDED: 1, SignupStatus.NO_SHOW: 1,
               SignupStatus.WAITLISTED: 2, SignupStatus.DECLINED: 3, SignupStatus.CANCELLED: 4}


@routes.route("/opgaver/<int:task_id>")
@access(Role.STAFF)
def task(task_id: int):
    """The task as volunteers will see it (the preview), its actions, and the sign-ups of each time."""
    task = own_task(task_id)
    occurrences = list(db.session.scalars(
        select(Occurrence).where(Occurrence.task_id == task.id).order_by(Occurrence.starts_at)
        .options(selectinload(Occurrence.signups).joinedload(Signup.user).joinedload(User.profile)
                 .joinedload(VolunteerProfile.screening))))
    signups = [s for o in occurrences for s in o.signups]
    positions = waitlist_positions(signups)
    summaries = shared_summaries(s.user for s in signups)
    rows = {}
    for occurrence in occurrences:
        listed = [{"signup": s, "position": positions.get(s.id), "facts": screening_facts(task, s),
                   "waits_for": (screening_wait(missing_for(s), occurrence.day)
                                 if s.status == SignupStatus.PENDING and missing_for(s) else None),
                   "summary": summaries.get(s.user_id)} for s in occurrence.signups]
        rows[occurrence.id] = sorted(listed, key=lambda r: (SHOWN_ORDER[r["signup"].status], r["signup"].id))
    accepted = sum(1 for s in signups if s.status in SignupStatus.TOOK_PART)
    page = render_template("institutions/task.html", task=task, occurrences=occurrences, rows=rows, now=utcnow(),
                           accepted=accepted, team_holds=holds_by_occurrence(o.id for o in occurrences),
                           last_day=last_day, confirm_form=ConfirmForm(),
                           **suggestions.volunteers_and_obstacle(task))
    if task.requires_child_certificate or task.requires_pledge:
        # Seeing a volunteer's screening facts is logged once per volunteer (the citizen can see it).
        # After rendering: the commit expires what the page shows, which would reload it row by row.
        log_screening_views([s.user for s in signups], actor=current_user, now=utcnow(), detail=task.title)
        db.session.commit()
    return page


def last_day(occurrence: Occurrence):
    """The last local day of a window (its end is the midnight after it)."""
    return to_local(occurrence.ends_at - timedelta(seconds=1)).date() if occurrence.ends_at else None


@routes.route("/tilmeldinger/<int:signup_id>/accepter", methods=["POST"])
@access(Role.STAFF)
def accept(signup_id: int):
    """Accept a pending sign-up (never while the task's screening is missing for its day)."""
    signup = own_signup(signup_id)
    try:
        accept_signup(signup, actor=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error_text(error), "error")
    else:
        db.session.commit()
        flash(_("%(name)s is accepted and has been told.", name=signup.user.name), "success")
    return redirect(url_for("institutions.task", task_id=signup.occurrence.task_id, _anchor=f"o{signup.occurrence_id}"))


@routes.route("/tilmeldinger/<int:signup_id>/afvis", methods=["GET", "POST"])
@access(Role.STAFF)
def decline(signup_id: int):
    """Decline a pending sign-up with a reason the volunteer is told."""
    signup = own_signup(signup_id)
    task = signup.occurrence.task
    if signup.status != SignupStatus.PENDING:
        flash(error_text(DomainError("not_pending")), "error")
        return redirect(url_for("institutions.task", task_id=task.id))
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            decline_signup(signup, actor=current_user, now=utcnow(), reason=form.reason.data)
        except DomainError as error:
            db.session.rollback()
            form.reason.errors = list(form.reason.errors) + [error_text(error)]
        else:
            db.session.commit()
            flash(_("The sign-up is declined and %(name)s has been told why.", name=signup.user.name), "success")
            return redirect(url_for("institutions.task", task_id=task.id))
    page = render_template("institutions/decline.html", form=form, signup=signup, task=task,
                           facts=screening_facts(task, signup))
    if task.requires_child_certificate or task.requires_pledge:
        log_screening_views([signup.user], actor=current_user, now=utcnow(), detail=task.title)
        db.session.commit()
    return page


@routes.route("/opgaver/<int:task_id>/besked", methods=["GET", "POST"])
@access(Role.STAFF)
def message(task_id: int):
    """Write to every accepted volunteer of the task (by e-mail, through the outbox)."""
    task = own_task(task_id)
    people = db.session.scalar(select(func.count(func.distinct(Signup.user_id))).join(Occurrence).where(
        Occurrence.task_id == task.id, Occurrence.cancelled.is_(False), Signup.status == SignupStatus.ACCEPTED))
    form = MessageForm()
    if form.validate_on_submit():
        try:
            signups = write_to_volunteers(task, actor=current_user, now=utcnow(), subject=form.subject.data,
                                          body=form.body.data)
        except DomainError as error:
            db.session.rollback()
            flash(error_text(error), "error")
            return redirect(url_for("institutions.task", task_id=task.id))
        db.session.commit()
        flash(_("Your message is on its way to %(n)d volunteers.", n=len({s.user_id for s in signups})), "success")
        return redirect(url_for("institutions.task", task_id=task.id))
    return render_template("institutions/message.html", form=form, task=task, people=people)


@routes.route("/gange/<int:occurrence_id>/fremmoede", methods=["GET", "POST"])
@access(Role.STAFF)
def attendance(occurrence_id: int):
    """After the start: who came, and how many hours each gave."""
    occurrence = db.session.scalar(
        select(Occurrence).join(Task).where(Occurrence.id == occurrence_id, Task.institution_id.in_(_mine()))
        .options(joinedload(Occurrence.task), selectinload(Occurrence.signups).joinedload(Signup.user)))
    if occurrence is None:
        abort(404)
    task = occurrence.task
    now = utcnow()
    signups = sorted((s for s in occurrence.signups if s.status in SignupStatus.RECORDED), key=lambda s: s.user.name)
    if request.method == "GET":
        form = AttendanceForm(data={"rows": [{"signup_id": s.id, "attended": s.status == SignupStatus.ATTENDED,
                                              "hours": s.hours} for s in signups]})
    else:
        form = AttendanceForm()
    started = now >= occurrence.starts_at
    by_id = {str(s.id): s for s in signups}
    if started and form.validate_on_submit():
        try:
            for row in form.rows:
                signup = by_id.get(str(row.form.signup_id.data))
                if signup is not None:
                    record_attendance(signup, actor=current_user, now=now, attended=row.form.attended.data,
                                      hours=row.form.hours.data)
        except DomainError as error:
            db.session.rollback()
            flash(error_text(error), "error")
        else:
            db.session.commit()
            flash(_("Attendance and hours are saved. Thank you!"), "success")
            return redirect(url_for("institutions.task", task_id=task.id))
    rows = [(row, by_id[str(row.form.signup_id.data)]) for row in form.rows if str(row.form.signup_id.data) in by_id]
    return render_template("institutions/attendance.html", form=form, rows=rows, task=task, occurrence=occurrence,
                           started=started)
