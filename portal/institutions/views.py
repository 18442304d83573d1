"""Institution staff's views: the task editor, sign-ups, messages, attendance and hours."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from models import (DomainError, Institution, InstitutionMember, Occurrence, Role, Signup, Task, User,
                    VolunteerProfile, db, utcnow)
from models.screening import log_screening_views
from models.tasks import (ACTIVE, HOLDING, accept_signup, cancel_task, close_task, decline_signup, publish_task,
                          record_attendance, set_capacity, touch_task, unmet_requirements)
from portal import suggestions
from portal.access import access
from portal.institutions.forms import (AttendanceForm, CancelTaskForm, ConfirmForm, DeclineForm, MessageForm,
                                       TaskForm)
from portal.mail import notify
from portal.mail.sender import deliver_soon
from portal.scheduler.timing import to_local

bp = Blueprint("institutions", __name__, url_prefix="/institution")

TASK_ERRORS = {
    "frame_incomplete": _l("The frame is not complete. Fill in what volunteers do and do not do, the contact person, "
                           "compensation and insurance."),
    "start_in_past": _l("The start must be in the future when the task is published. Change the time first."),
    "no_occurrences": _l("The task has no times. Add a time first."),
    "not_draft": _l("The task is already published."),
    "task_not_open": _l("Only an open task can be closed."),
    "already_cancelled": _l("The task is already cancelled."),
    "not_pending": _l("The sign-up no longer waits for an answer."),
    "reason_required": _l("Please give a reason."),
    "not_accepted": _l("Only accepted volunteers can be marked as present."),
    "not_started": _l("Attendance can be marked once the task has started."),
    "hours_invalid": _l("The hours must be above 0 and not more than the length of the task."),
    "capacity_below_taken": _l("More volunteers are already signed up than that. "
                               "Lower the number no further than %(taken)s."),
}
# Edits to these fields change what volunteers agreed to: they are told, and calendars are updated.
NOTIFY_FIELDS = ("title", "place", "postcode", "volunteers_do", "volunteers_do_not", "contact_name", "contact_email",
                 "contact_phone", "requires_child_certificate", "requires_pledge", "compensation_note",
                 "insurance_note")
TEXT_FIELDS = ("title", "description", "skills_wanted", "place", "postcode", "contact_name", "contact_email",
               "contact_phone", "volunteers_do", "volunteers_do_not", "compensation_note", "insurance_note",
               "requires_child_certificate", "requires_pledge", "hours_estimate")


def error_text(error: DomainError) -> str:
    message = TASK_ERRORS.get(error.code)
    if message is None:
        return _("That could not be done. Please try again.")
    return str(message) % error.details if "%(" in str(message) else str(message)


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


@bp.route("/")
@access(Role.STAFF)
def index():
    """The staff member's institutions and their tasks, with sign-ups waiting for an answer."""
    institutions = my_institutions()
    ids = [i.id for i in institutions]
    tasks = list(db.session.scalars(select(Task).where(Task.institution_id.in_(ids))
                                    .options(selectinload(Task.occurrences))
                                    .order_by(Task.status == "cancelled", Task.created_at.desc())))
    waiting = dict(db.session.execute(
        select(Occurrence.task_id, func.count(Signup.id)).join(Signup, Signup.occurrence_id == Occurrence.id)
        .join(Task, Occurrence.task_id == Task.id)
        .where(Task.institution_id.in_(ids), Signup.status == "pending").group_by(Occurrence.task_id)).all())
    by_institution = {i.id: [] for i in institutions}
    for task in tasks:
        by_institution[task.institution_id].append(task)
    return render_template("institutions/index.html", institutions=institutions, tasks=by_institution,
                           waiting=waiting, now=utcnow())


# --- the task editor ---------------------------------------------------------------------------------

def _fill_task(task: Task, form: TaskForm) -> set[str]:
    """Copy the form onto the task; returns the names of the fields that changed."""
    changed = set()
    for name in TEXT_FIELDS:
        value = getattr(form, name).data
        if isinstance(value, str):
            value = value or ("" if name not in ("postcode", "contact_phone") else None)
        if getattr(task, name) != value:
            setattr(task, name, value)
            changed.add(name)
    return changed


def _schedule_locked(task: Task | None, now) -> bool:
    """A published series, or a published task that has begun, keeps its times; cancel and post anew instead."""
    if task is None or task.status == "draft":
        return False
    return len(task.occurrences) > 1 or task.occurrences[0].starts_at <= now


@bp.route("/opgaver/ny", methods=["GET", "POST"])
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
        task = Task(institution_id=form.institution_id.data, capacity=form.capacity.data, kind=form.kind.data,
                    recurrence=form.recurrence.data if form.kind.data == "fixed" else "none",
                    status="draft", created_by_id=current_user.id, created_at=now)
        _fill_task(task, form)
        for starts_at, ends_at in form.schedule():
            task.occurrences.append(Occurrence(starts_at=starts_at, ends_at=ends_at, capacity=task.capacity))
        db.session.add(task)
        db.session.commit()
        flash(_("The task is saved as a draft. Check the preview, then publish it."), "success")
        return redirect(url_for("institutions.task", task_id=task.id))
    return render_template("institutions/task_form.html", form=form, task=None, schedule_locked=False)


@bp.route("/opgaver/<int:task_id>/rediger", methods=["GET", "POST"])
@access(Role.STAFF)
def edit_task(task_id: int):
    """Edit a task; a published one gets a higher calendar SEQUENCE and its volunteers are told."""
    task = own_task(task_id)
    if task.status == "cancelled":
        flash(_("A cancelled task cannot be edited."), "error")
        return redirect(url_for("institutions.task", task_id=task.id))
    now = utcnow()
    locked = _schedule_locked(task, now)
    form = TaskForm(obj=task, institutions=[task.institution], schedule_locked=locked, now=now)
    if request.method == "GET":
        form.fill_schedule(task)
    else:
        form.institution_id.data = task.institution_id
        form.kind.data = task.kind if task.status != "draft" else form.kind.data
    if form.validate_on_submit():
        try:
            changed = _apply_edit(task, form, locked, now)
        except DomainError as error:
            db.session.rollback()
            form.capacity.errors = list(form.capacity.errors) + [error_text(error)]
        else:
            messages = changed.pop("messages")
            db.session.commit()
            deliver_soon(messages)
            flash(_("The task is saved.") if not changed["notified"] else
                  _("The task is saved. The volunteers who signed up have been told about the change."), "success")
            return redirect(url_for("institutions.task", task_id=task.id))
    return render_template("institutions/task_form.html", form=form, task=task, schedule_locked=locked)


def _apply_edit(task: Task, form: TaskForm, locked: bool, now) -> dict:
    changed = _fill_task(task, form)
    promoted = []
    if form.capacity.data != task.capacity:
        promoted = set_capacity(task, form.capacity.data, now=now)
        changed.add("capacity")
    if not locked:
        schedule = form.schedule()
        if task.status == "draft":
            task.kind = form.kind.data
            task.recurrence = form.recurrence.data if task.kind == "fixed" else "none"
            if [(o.starts_at, o.ends_at) for o in task.occurrences] != schedule:
                task.occurrences.clear()
                db.session.flush()
                for starts_at, ends_at in schedule:
                    task.occurrences.append(Occurrence(starts_at=starts_at, ends_at=ends_at, capacity=task.capacity))
                changed.add("schedule")
        else:
            occurrence = task.occurrences[0]
            if (occurrence.starts_at, occurrence.ends_at) != schedule[0]:
                occurrence.starts_at, occurrence.ends_at = schedule[0]
                changed.add("schedule")
    messages = [notify.waitlist_promoted(s) for s in promoted]
    notified = False
    if changed and task.status != "draft":
        touch_task(task, now=now)
        if changed & (set(NOTIFY_FIELDS) | {"schedule"}):
            db.session.flush()
            signups = [s for o in task.occurrences if not o.cancelled for s in o.signups if s.status in HOLDING]
            messages += notify.task_changed(task, signups)
            notified = bool(signups)
    elif changed:
        task.updated_at = now
    return {"messages": messages, "notified": notified}


@bp.route("/opgaver/<int:task_id>/offentliggoer", methods=["POST"])
@access(Role.STAFF)
def publish(task_id: int):
    """Publish a draft after the preview."""
    task = own_task(task_id)
    try:
        publish_task(task, actor=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error_text(error), "error")
    else:
        db.session.commit()
        flash(_("The task is published. Volunteers can find it and sign up now."), "success")
    return redirect(url_for("institutions.task", task_id=task.id))


@bp.route("/opgaver/<int:task_id>/luk", methods=["POST"])
@access(Role.STAFF)
def close(task_id: int):
    """Stop taking sign-ups; those signed up keep their places."""
    task = own_task(task_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("institutions.task", task_id=task.id))
    try:
        close_task(task, actor=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error_text(error), "error")
    else:
        db.session.commit()
        flash(_("The task is closed for new sign-ups. Those signed up keep their places."), "success")
    return redirect(url_for("institutions.task", task_id=task.id))


@bp.route("/opgaver/<int:task_id>/aflys", methods=["GET", "POST"])
@access(Role.STAFF)
def cancel(task_id: int):
    """Cancel the task with a reason; everyone signed up for a coming time is told."""
    task = own_task(task_id)
    if task.status == "cancelled":
        flash(error_text(DomainError("already_cancelled")), "error")
        return redirect(url_for("institutions.task", task_id=task.id))
    form = CancelTaskForm()
    if form.validate_on_submit():
        affected = cancel_task(task, actor=current_user, now=utcnow(), reason=form.reason.data)
        messages = notify.task_cancelled(task, affected)
        db.session.commit()
        deliver_soon(messages)
        flash(_("The task is cancelled. %(n)d volunteers have been told.", n=len({s.user_id for s in affected})),
              "success")
        return redirect(url_for("institutions.task", task_id=task.id))
    people = db.session.scalar(select(func.count(func.distinct(Signup.user_id))).join(Occurrence)
                               .where(Occurrence.task_id == task.id, Signup.status.in_(ACTIVE)))
    return render_template("institutions/cancel.html", task=task, form=form, people=people)


# --- the institution's view of a task ----------------------------------------------------------------

def screening_facts(task: Task, signup: Signup) -> list[tuple[str, bool]]:
    """What the task needs, as facts ("Child certificate: valid"); never dates or notes."""
    missing = unmet_requirements(task, signup.user, to_local(signup.occurrence.starts_at).date())
    facts = []
    if task.requires_child_certificate:
        facts.append((_("Child certificate: valid") if "child_certificate" not in missing
                      else _("Child certificate: not recorded"), "child_certificate" not in missing))
    if task.requires_pledge:
        facts.append((_("Confidentiality pledge: accepted") if "pledge" not in missing
                      else _("Confidentiality pledge: not accepted yet"), "pledge" not in missing))
    return facts


def shared_summary(user: User) -> dict | None:
    """The profile summary a volunteer agreed to share (consent to be found); None without consent."""
    profile = user.profile
    if profile is None or not profile.consent_to_be_found:
        return None
    return {"skills": profile.skills, "interests": profile.interests, "languages": profile.languages}


@bp.route("/opgaver/<int:task_id>")
@access(Role.STAFF)
def task(task_id: int):
    """The task as volunteers will see it (the preview), its actions, and the sign-ups of each time."""
    task = own_task(task_id)
    occurrences = list(db.session.scalars(
        select(Occurrence).where(Occurrence.task_id == task.id).order_by(Occurrence.starts_at)
        .options(selectinload(Occurrence.signups).joinedload(Signup.user).joinedload(User.profile)
                 .joinedload(VolunteerProfile.screening))))
    rows = {}
    for occurrence in occurrences:
        position = 0
        listed = []
        for signup in sorted(occurrence.signups, key=lambda s: s.id):
            if signup.status == "waitlisted":
                position += 1
            listed.append({"signup": signup, "position": position if signup.status == "waitlisted" else None,
                           "facts": screening_facts(task, signup), "summary": shared_summary(signup.user)})
        order = {"pending": 0, "accepted": 1, "attended": 1, "waitlisted": 2, "declined": 3, "cancelled": 4}
        rows[occurrence.id] = sorted(listed, key=lambda r: (order[r["signup"].status], r["signup"].id))
    accepted = sum(1 for o in occurrences for s in o.signups if s.status in ("accepted", "attended"))
    page = render_template("institutions/task.html", task=task, occurrences=occurrences, rows=rows, now=utcnow(),
                           accepted=accepted, last_day=last_day, confirm_form=ConfirmForm(),
                           suggested_volunteers=suggestions.volunteers_for(task))
    if task.requires_child_certificate or task.requires_pledge:
        # Seeing a volunteer's screening facts is logged once per volunteer (the citizen can see it).
        # After rendering: the commit expires what the page shows, which would reload it row by row.
        log_screening_views([s.user for o in occurrences for s in o.signups], actor=current_user, now=utcnow(),
                            detail=task.title)
        db.session.commit()
    return page


def last_day(occurrence: Occurrence):
    """The last local day of a window (its end is the midnight after it)."""
    return to_local(occurrence.ends_at - timedelta(seconds=1)).date() if occurrence.ends_at else None


@bp.route("/tilmeldinger/<int:signup_id>/accepter", methods=["POST"])
@access(Role.STAFF)
def accept(signup_id: int):
    """Accept a pending sign-up."""
    signup = own_signup(signup_id)
    try:
        accept_signup(signup, actor=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error_text(error), "error")
    else:
        message = notify.signup_accepted(signup)
        db.session.commit()
        deliver_soon([message])
        flash(_("%(name)s is accepted and has been told.", name=signup.user.name), "success")
    return redirect(url_for("institutions.task", task_id=signup.occurrence.task_id, _anchor=f"o{signup.occurrence_id}"))


@bp.route("/tilmeldinger/<int:signup_id>/afvis", methods=["GET", "POST"])
@access(Role.STAFF)
def decline(signup_id: int):
    """Decline a pending sign-up with a reason the volunteer is told."""
    signup = own_signup(signup_id)
    task = signup.occurrence.task
    if signup.status != "pending":
        flash(error_text(DomainError("not_pending")), "error")
        return redirect(url_for("institutions.task", task_id=task.id))
    form = DeclineForm()
    if form.validate_on_submit():
        promoted = decline_signup(signup, actor=current_user, now=utcnow(), reason=form.reason.data)
        messages = [notify.signup_declined(signup)]
        if promoted is not None:
            messages.append(notify.waitlist_promoted(promoted))
        db.session.commit()
        deliver_soon(messages)
        flash(_("The sign-up is declined and %(name)s has been told why.", name=signup.user.name), "success")
        return redirect(url_for("institutions.task", task_id=task.id))
    page = render_template("institutions/decline.html", form=form, signup=signup, task=task,
                           facts=screening_facts(task, signup))
    if task.requires_child_certificate or task.requires_pledge:
        log_screening_views([signup.user], actor=current_user, now=utcnow(), detail=task.title)
        db.session.commit()
    return page


@bp.route("/opgaver/<int:task_id>/besked", methods=["GET", "POST"])
@access(Role.STAFF)
def message(task_id: int):
    """Write to every accepted volunteer of the task (by e-mail, through the outbox)."""
    task = own_task(task_id)
    now = utcnow()
    signups = list(db.session.scalars(
        select(Signup).join(Occurrence).where(Occurrence.task_id == task.id, Occurrence.cancelled.is_(False),
                                              Signup.status == "accepted")
        .options(joinedload(Signup.user), joinedload(Signup.occurrence))))
    people = {s.user_id for s in signups}
    form = MessageForm()
    if form.validate_on_submit():
        if not signups:
            flash(_("No volunteers are accepted yet, so there is no one to write to."), "error")
            return redirect(url_for("institutions.task", task_id=task.id))
        messages = notify.task_message(task, signups, subject=form.subject.data, body=form.body.data,
                                       sender=current_user, sent_at=now)
        db.session.commit()
        deliver_soon(messages)
        flash(_("Your message is on its way to %(n)d volunteers.", n=len([m for m in messages if m is not None])),
              "success")
        return redirect(url_for("institutions.task", task_id=task.id))
    return render_template("institutions/message.html", form=form, task=task, people=len(people))


@bp.route("/gange/<int:occurrence_id>/fremmoede", methods=["GET", "POST"])
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
    signups = sorted((s for s in occurrence.signups if s.status in ("accepted", "attended")), key=lambda s: s.user.name)
    if request.method == "GET":
        form = AttendanceForm(data={"rows": [{"signup_id": s.id, "attended": s.status == "attended",
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
