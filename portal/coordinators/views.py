"""Coordinators' views: review queue, screening, audit log, assisted sign-up, overview and exports."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from models import (CertificateStatus, ConsentRecord, ContentReport, DomainError, Idea, Institution, Occurrence,
                    ReviewStatus, Role, Screening, Signup, SignupStatus, Task, TaskStatus, User, VolunteerProfile, db,
                    utcnow)
from models import volunteer_operations as ops
from models.audit import AuditAction, audit_trail, record as audit
from models.task_operations import sign_up
from models.tasks import free_alternatives
from portal.access import access
from portal.params import parse_id
from portal.citizens.purposes import purposes
from portal.coordinators import exports
from portal.coordinators import overview as figures
from portal.coordinators.charts import bar_chart
from portal.formatting import month_label
from portal.coordinators.labels import action_labels, consent_labels, signup_status_labels
from portal.coordinators.forms import (AssistedProfileForm, AssistedSearchForm, AssistedSignupForm, DecisionForm,
                                       NoteForm, PeriodForm,
                                       QueueFilterForm, ScreeningForm, gender_choices)
from portal.public.finding import contains_folded

bp = Blueprint("coordinators", __name__, url_prefix="/koordinator")


PAGE_SIZE = 50
# Volunteers without e-mail are phoned about what starts within this time.
PHONE_AHEAD = timedelta(days=3)
ASSISTED_SHOWN = 30  # times shown for one search; a narrower search finds the rest


def _today():
    return utcnow().astimezone(figures.LOCAL).date()


def start_figures(now: datetime) -> dict:
    """The start page's live counts, one count query each, defined as on the pages they link to."""
    def count(query) -> int:
        return db.session.scalar(query) or 0

    open_report_targets = (select(ContentReport.target_kind, ContentReport.target_id)
                           .where(ContentReport.resolved_at.is_(None)).distinct().subquery())
    return {
        "profiles_to_review": count(select(func.count(VolunteerProfile.id))
                                    .join(User, VolunteerProfile.user_id == User.id)
                                    .where(ops.awaiting_review(), User.deleted_at.is_(None))),
        "pending_signups": count(select(func.count(Signup.id)).join(Occurrence, Signup.occurrence_id == Occurrence.id)
                                 .where(Signup.status == SignupStatus.PENDING, Occurrence.cancelled.is_(False))),
        "to_phone": count(_phone_query(select(func.count(func.distinct(Signup.user_id))), now)),
        "ideas_overdue": count(select(func.count(Idea.id)).where(figures.idea_overdue(now))),
        "open_reports": count(select(func.count()).select_from(open_report_targets)),
        "open_tasks": count(select(func.count(Task.id)).where(Task.status == TaskStatus.OPEN)),
    }


@bp.route("/")
@access(Role.COORDINATOR)
def index():
    """The coordinator's start page: links to all their work, with the counts that need attention."""
    return render_template("coordinators/index.html", figures=start_figures(utcnow()))


# --- review queue -----------------------------------------------------------------------------

def _queue_query(form: QueueFilterForm):
    query = select(VolunteerProfile).join(User, VolunteerProfile.user_id == User.id).where(User.deleted_at.is_(None))
    status = form.status.data or "queue"
    if status == "queue":
        query = query.where(ops.awaiting_review())
    elif status == ReviewStatus.DECLINED:
        query = query.where(VolunteerProfile.review_status.in_(ReviewStatus.BARRED))
    elif status != "all":
        query = query.where(VolunteerProfile.review_status == status)
    if form.area.data:
        query = query.where(VolunteerProfile.postcode == form.area.data)
    if form.skills.data:
        query = query.where(or_(contains_folded(VolunteerProfile.skills, form.skills.data),
                                contains_folded(VolunteerProfile.tags, form.skills.data)))
    screening = form.screening.data
    if screening:
        today = _today()
        query = query.outerjoin(Screening, Screening.profile_id == VolunteerProfile.id)
        received = Screening.child_certificate_status == CertificateStatus.RECEIVED
        query = query.where({
            CertificateStatus.NONE: or_(Screening.id.is_(None),
                                        Screening.child_certificate_status == CertificateStatus.NONE),
            CertificateStatus.REQUESTED: Screening.child_certificate_status == CertificateStatus.REQUESTED,
            "valid": received & (Screening.child_certificate_valid_until >= today),
            "expired": received & (Screening.child_certificate_valid_until < today),
            "pledge_missing": Screening.pledge_accepted_at.is_(None),
        }[screening])
    return query.options(joinedload(VolunteerProfile.user)).order_by(VolunteerProfile.updated_at, VolunteerProfile.id)


@bp.route("/profiler")
@access(Role.COORDINATOR)
def queue():
    """New and changed volunteer profiles to review, oldest first, with filters."""
    form = QueueFilterForm(request.args)
    page = max(request.args.get("side", 1, type=int) or 1, 1)
    profiles = []
    if form.validate():
        profiles = db.session.scalars(_queue_query(form).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
        if form.screening.data and profiles:
            # Filtering by screening status shows each listed volunteer's screening: one audit row each.
            ops.log_screening_views([p.user for p in profiles[:PAGE_SIZE]], actor=current_user, now=utcnow(),
                                    detail=form.screening.data)
            db.session.commit()
    args = {k: v for k, v in request.args.items() if k != "side"}
    return render_template("coordinators/queue.html", form=form, profiles=profiles[:PAGE_SIZE], page=page,
                           has_next=len(profiles) > PAGE_SIZE, args=args, review_labels=review_labels())


def review_labels() -> dict:
    return {ReviewStatus.NEW: _l("New"), ReviewStatus.APPROVED: _l("Approved"),
            ReviewStatus.CHANGES_REQUESTED: _l("Waiting for the citizen"), ReviewStatus.DECLINED: _l("Declined"),
            ReviewStatus.RESUBMITTED: _l("Declined, changed since")}


def _profile_or_404(profile_id: int) -> VolunteerProfile:
    profile = db.session.scalar(select(VolunteerProfile).where(VolunteerProfile.id == profile_id)
                                .options(joinedload(VolunteerProfile.user), joinedload(VolunteerProfile.screening)))
    if profile is None or profile.user.deleted_at is not None:
        abort(404)
    return profile


def _render_profile(profile: VolunteerProfile, *, decision=None, note=None, screening=None, status=200):
    """The profile page; showing it to a coordinator writes exactly one audit row."""
    now = utcnow()
    audit(profile.user, actor=current_user, action=AuditAction.VIEWED_PROFILE, now=now)
    db.session.commit()
    record = profile.screening
    if screening is None:
        screening = ScreeningForm(formdata=None, prefix="s", data={
            "certificate_status": record.child_certificate_status if record else "none",
            "requested_on": record.child_certificate_requested_on if record else None,
            "received_on": record.child_certificate_received_on if record else None,
            "valid_until": record.child_certificate_valid_until if record else None,
            "pledge": bool(record and record.pledge_accepted_at)})
    pending = db.session.execute(
        select(Signup, Occurrence, Task).join(Occurrence, Signup.occurrence_id == Occurrence.id)
        .join(Task, Occurrence.task_id == Task.id)
        .where(Signup.user_id == profile.user_id, Signup.status == SignupStatus.PENDING)
        .order_by(Occurrence.starts_at)).all()
    consents = db.session.scalars(select(ConsentRecord).where(ConsentRecord.user_id == profile.user_id)
                                  .order_by(ConsentRecord.created_at.desc())).all()
    return render_template(
        "coordinators/profile.html", profile=profile, user=profile.user, record=record, pending=pending,
        consents=consents, consent_labels=consent_labels(), today=_today(), review_labels=review_labels(),
        decision=decision or DecisionForm(formdata=None, prefix="d"),
        note=note or NoteForm(formdata=None, prefix="n", data={"note": profile.coordinator_note or ""}),
        screening=screening, purposes=purposes(), gender_labels=dict(gender_choices()[1:])), status


@bp.route("/profiler/<int:profile_id>")
@access(Role.COORDINATOR)
def profile(profile_id: int):
    """One volunteer's profile, screening and internal note (logged in the audit log)."""
    return _render_profile(_profile_or_404(profile_id))


@bp.route("/profiler/<int:profile_id>/afgoerelse", methods=["POST"])
@access(Role.COORDINATOR)
def decide(profile_id: int):
    """Approve, ask for a change (with a message to the citizen) or decline with a reason."""
    profile = _profile_or_404(profile_id)
    form = DecisionForm(prefix="d")
    if form.validate_on_submit():
        try:
            ops.review_profile(profile, actor=current_user, now=utcnow(), decision=form.decision.data,
                               message=form.message.data or "")
        except DomainError as error:
            db.session.rollback()
            form.message.errors.append(domain_message(error))
        else:
            db.session.commit()
            if not profile.user.email:
                flash(_("The decision is saved. The citizen has no e-mail address, so please phone them."), "warning")
            else:
                flash(_("The decision is saved and the citizen is told."), "success")
            return redirect(url_for("coordinators.queue"))
    return _render_profile(profile, decision=form)


@bp.route("/profiler/<int:profile_id>/note", methods=["POST"])
@access(Role.COORDINATOR)
def note(profile_id: int):
    """Save the internal note on a profile."""
    profile = _profile_or_404(profile_id)
    form = NoteForm(prefix="n")
    if form.validate_on_submit():
        ops.set_coordinator_note(profile, actor=current_user, now=utcnow(), note=form.note.data or "")
        db.session.commit()
        flash(_("The note is saved."), "success")
        return redirect(url_for("coordinators.profile", profile_id=profile.id))
    return _render_profile(profile, note=form)


@bp.route("/profiler/<int:profile_id>/screening", methods=["POST"])
@access(Role.COORDINATOR)
def screening(profile_id: int):
    """Record the child certificate's facts and dates and the pledge; waiting sign-ups are released."""
    profile = _profile_or_404(profile_id)
    form = ScreeningForm(prefix="s")
    if form.validate_on_submit():
        facts = ops.ScreeningFacts(certificate_status=form.certificate_status.data,
                                   requested_on=form.requested_on.data, received_on=form.received_on.data,
                                   valid_until=form.valid_until.data, pledge_given=form.pledge.data)
        try:
            result = ops.record_screening(profile, facts, actor=current_user, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            form.certificate_status.errors.append(domain_message(error))
        else:
            db.session.commit()
            flash(_("The screening is saved."), "success")
            if result.accepted:
                flash(ngettext("%(num)d waiting sign-up is now accepted.", "%(num)d waiting sign-ups are now accepted.",
                               len(result.accepted)), "success")
            if result.waiting_again:
                flash(ngettext("%(num)d accepted sign-up waits for screening again: the certificate is not valid "
                               "on its day.", "%(num)d accepted sign-ups wait for screening again: the certificate "
                               "is not valid on their days.", len(result.waiting_again)), "warning")
            return redirect(url_for("coordinators.profile", profile_id=profile.id))
    return _render_profile(profile, screening=form)


@bp.route("/profiler/<int:profile_id>/log")
@access(Role.COORDINATOR)
def log(profile_id: int):
    """The audit log of one volunteer: who looked at or changed their private data, and when."""
    profile = _profile_or_404(profile_id)
    entries = audit_trail(profile.user_id)
    return render_template("coordinators/log.html", profile=profile, entries=entries, labels=action_labels())


# --- waiting sign-ups and the phone list ------------------------------------------------------

@bp.route("/afventer")
@access(Role.COORDINATOR)
def pending():
    """Sign-ups waiting for screening, the task's start first (the oldest first)."""
    rows = db.session.execute(
        select(Signup, Occurrence, Task, Institution, User, VolunteerProfile.id)
        .join(Occurrence, Signup.occurrence_id == Occurrence.id).join(Task, Occurrence.task_id == Task.id)
        .join(Institution, Task.institution_id == Institution.id).join(User, Signup.user_id == User.id)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .where(Signup.status == SignupStatus.PENDING, Occurrence.cancelled.is_(False))
        .order_by(Occurrence.starts_at, Signup.created_at).limit(500)).all()
    return render_template("coordinators/pending.html", rows=rows)


def _phone_query(query, now: datetime):
    """Sign-ups of volunteers without e-mail to what starts within PHONE_AHEAD (rows or a count)."""
    return (query.select_from(Signup).join(Occurrence, Signup.occurrence_id == Occurrence.id)
            .join(Task, Occurrence.task_id == Task.id).join(User, Signup.user_id == User.id)
            .where(User.email.is_(None), User.deleted_at.is_(None), Signup.status.in_(SignupStatus.HOLDING),
                   Occurrence.cancelled.is_(False), Occurrence.starts_at >= now,
                   Occurrence.starts_at < now + PHONE_AHEAD))


def _phone_rows(now: datetime):
    return db.session.execute(_phone_query(select(Signup, Occurrence, Task, User), now)
                              .order_by(Occurrence.starts_at, User.name)).all()


@bp.route("/ring-til")
@access(Role.COORDINATOR)
def phone_list():
    """Volunteers without e-mail to phone about what starts soon (their reminder goes by phone)."""
    now = utcnow()
    rows = _phone_rows(now)
    for user in {row.User.id: row.User for row in rows}.values():
        audit(user, actor=current_user, action=AuditAction.PHONE_LIST, now=now, on_behalf=True)
    db.session.commit()
    return render_template("coordinators/phone_list.html", rows=rows, ahead_days=PHONE_AHEAD.days)


# --- assisted sign-up (medbetjening) ----------------------------------------------------------

@bp.route("/medbetjening")
@access(Role.COORDINATOR)
def assisted():
    """Citizens whose profile a coordinator created on their behalf."""
    people = db.session.scalars(select(User).where(User.assisted_by_id.is_not(None), User.deleted_at.is_(None))
                                .order_by(User.created_at.desc()).limit(200)).all()
    from models.selfservice import HelpRequest
    from portal.selfservice import flow_labels
    calls = db.session.scalars(select(HelpRequest).order_by(HelpRequest.created_at).limit(200)).all()
    return render_template("coordinators/assisted.html", people=people, calls=calls, flow_labels=flow_labels())


@bp.route("/hjaelp", methods=["POST"])
@access(Role.COORDINATOR)
def help_done():
    """A coordinator has called someone who asked for help; the request is deleted."""
    from models.selfservice import HelpRequest
    from models.selfservice_operations import close_help_request
    request_id = request.form.get("request_id", "")
    help_request = db.session.get(HelpRequest, help_id) if (help_id := parse_id(request_id)) else None
    if help_request is None:
        flash(_("That request is already handled."), "error")
    else:
        close_help_request(help_request, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("Marked as called. The request and its phone number are deleted."), "success")
    return redirect(url_for("coordinators.assisted"))


@bp.route("/medbetjening/ny", methods=["GET", "POST"])
@access(Role.COORDINATOR)
def assisted_new():
    """Create a profile on a citizen's behalf and record how and when they gave consent."""
    form = AssistedProfileForm()
    if request.method == "GET":
        form.consent_at.data = utcnow().astimezone(figures.LOCAL).replace(tzinfo=None, second=0, microsecond=0)
    if form.validate_on_submit():
        consent_at = form.consent_at.data.replace(tzinfo=figures.LOCAL)
        try:
            user = ops.create_assisted_profile(
                actor=current_user, now=utcnow(), name=form.name.data, email=form.email.data, phone=form.phone.data,
                consent_how=form.consent_how.data, consent_at=consent_at, postcode=form.postcode.data,
                skills=form.skills.data or "", interests=form.interests.data or "", birth_year=form.birth_year.data,
                gender=form.gender.data or None)
        except DomainError as error:
            db.session.rollback()
            target = form.email if error.code == "email_taken" else form.consent_how
            target.errors.append(domain_message(error))
        else:
            db.session.commit()
            flash(_("The profile is created. You can now sign the citizen up for tasks."), "success")
            return redirect(url_for("coordinators.assisted_person", user_id=user.id))
    return render_template("coordinators/assisted_new.html", form=form)


def _assistable(now: datetime, search: AssistedSearchForm) -> list:
    """Coming open times that match the search by task words, day and area (postcode), soonest first."""
    query = (select(Occurrence).join(Task, Occurrence.task_id == Task.id)
             .join(Institution, Task.institution_id == Institution.id)
             .where(Task.status == TaskStatus.OPEN, Occurrence.cancelled.is_(False), Occurrence.starts_at > now)
             .options(selectinload(Occurrence.task).selectinload(Task.institution)))
    for word in (search.q.data or "").split()[:5]:
        query = query.where(contains_folded(Task.title, word) | contains_folded(Task.description, word)
                            | contains_folded(Institution.name, word) | contains_folded(Task.place, word))
    if search.dato.data:
        first = datetime.combine(search.dato.data, datetime.min.time(), tzinfo=figures.LOCAL)
        query = query.where(Occurrence.starts_at >= first, Occurrence.starts_at < first + timedelta(days=1))
    if search.omraade.data:
        query = query.where(Task.postcode.startswith(search.omraade.data, autoescape=True))
    return list(db.session.scalars(query.order_by(Occurrence.starts_at, Occurrence.id).limit(ASSISTED_SHOWN)))


def _suggested_times(person: User, now: datetime) -> list:
    """The next open time of each task suggested for this person (the same suggestions they see)."""
    from portal.suggestions import tasks_for
    shown = []
    for suggestion in tasks_for(person, now=now):
        coming = [o for o in suggestion.task.occurrences if not o.cancelled and o.starts_at > now]
        if coming:
            shown.append((min(coming, key=lambda o: o.starts_at), suggestion.reasons))
    return shown


@bp.route("/medbetjening/<int:user_id>", methods=["GET", "POST"])
@access(Role.COORDINATOR)
def assisted_person(user_id: int):
    """Sign a citizen up for tasks on their behalf and see their sign-ups."""
    person = db.get_or_404(User, user_id)
    if person.deleted_at is not None or not person.has_role(Role.CITIZEN):
        abort(404)
    now = utcnow()
    form = AssistedSignupForm()
    search = AssistedSearchForm(request.args)
    search.validate()
    searched = any(request.args.get(k) for k in ("q", "dato", "omraade")) and not search.errors
    result = None
    if form.validate_on_submit():
        occurrence_id = parse_id(form.occurrence.data)
        occurrence = db.session.get(Occurrence, occurrence_id) if occurrence_id is not None else None
        if occurrence is None:
            form.occurrence.errors.append(_("Choose a task."))
        else:
            try:
                result = sign_up(occurrence, volunteer=person, actor=current_user, now=now, note=form.note.data or "")
            except DomainError as error:
                db.session.rollback()
                form.occurrence.errors.append(domain_message(error))
            else:
                db.session.commit()
                flash(signup_message(result.status), "success")
                if result.status == SignupStatus.WAITLISTED:
                    # Offer the task's other times with a free place before the waiting list.
                    others = free_alternatives(occurrence.task, person, now=now)
                    if others:
                        from flask_babel import format_datetime
                        flash(_("Other times of the task still have free places: %(times)s.",
                                times=", ".join(format_datetime(o.starts_at, "EEE d. MMM HH:mm") for o in others)),
                              "info")
                if result.overlaps:
                    flash(_("Note: the citizen has another commitment at the same time."), "warning")
                return redirect(url_for("coordinators.assisted_person", user_id=person.id, **request.args))
    audit(person, actor=current_user, action=AuditAction.VIEWED_PROFILE, now=now, detail="assisted")
    db.session.commit()
    signups = db.session.scalars(
        select(Signup).join(Occurrence, Signup.occurrence_id == Occurrence.id)
        .where(Signup.user_id == person.id).order_by(Occurrence.starts_at.desc())
        .options(selectinload(Signup.occurrence).selectinload(Occurrence.task)).limit(100)).all()
    found = _assistable(now, search) if searched else []
    return render_template("coordinators/assisted_person.html", person=person, form=form, signups=signups,
                           profile_id=person.profile.id if person.profile else None,
                           status_labels=signup_status_labels(), search=search, searched=searched, found=found,
                           suggested=_suggested_times(person, now), shown_max=ASSISTED_SHOWN)


def signup_message(status: str) -> str:
    return {SignupStatus.ACCEPTED: _("The citizen is signed up."),
            SignupStatus.PENDING: _("The citizen is signed up; the sign-up holds a place and waits for screening."),
            SignupStatus.WAITLISTED: _("The task is full; the citizen is on the waiting list.")}[status]


def domain_message(error: DomainError) -> str:
    messages = {
        "message_required": _("Write a message to the citizen."),
        "unknown_decision": _("Choose a decision."),
        "note_too_long": _("The note is too long."),
        "certificate_dates": _("The dates of the child certificate do not fit together."),
        "consent_required": _("Write how the citizen gave consent."),
        "contact_required": _("Enter a phone number or an e-mail address, so the citizen can be reached."),
        "email_taken": _("A profile with this e-mail address already exists."),
        "task_not_open": _("The task is not open for sign-up."),
        "occurrence_past": _("That time has passed."),
        "occurrence_cancelled": _("That time is cancelled."),
        "already_signed_up": _("The citizen is already signed up for that time."),
        "profile_declined": _("The citizen's volunteer profile is declined, so they cannot be signed up for tasks."),
        "not_allowed": _("You are not allowed to do that."),
    }
    return messages.get(error.code, _("That could not be done."))


# --- overview and exports ---------------------------------------------------------------------

def _period(form: PeriodForm) -> figures.Period:
    default = figures.default_period(_today())
    if not form.validate():
        return default
    return figures.Period(form.first.data or default.first, form.last.data or default.last)


def gender_labels() -> dict:
    return {"female": _l("Women"), "male": _l("Men"), "other": _l("Other"), "unknown": _l("Not stated")}


@bp.route("/overblik")
@access(Role.COORDINATOR)
def overview():
    """The yearly status (Frivillig Fredag): tasks, ideas, volunteers and hours for a period."""
    form = PeriodForm(request.args)
    period = _period(form)
    view = figures.build(period, now=utcnow())
    unknown = _("Not stated")
    bands = [(unknown if b == "unknown" else b, n) for b, n in view.age_bands]
    genders = [(gender_labels()[g], n) for g, n in view.genders]
    areas = [(unknown if a == "unknown" else a, n) for a, n in view.areas]
    new_by_month = [(month_label(m), n) for m, n in view.new_volunteers]      # "september 2026", not "2026-09"
    hours_by_month = [(month_label(m), n) for m, n in view.hours_by_month]
    charts = {
        "new": bar_chart(new_by_month, title=_("New volunteers per month"), chart_id="chart-new"),
        "hours": bar_chart(hours_by_month, title=_("Hours per month"), chart_id="chart-hours"),
        "age": bar_chart(bands, title=_("Volunteers by age"), chart_id="chart-age"),
        "gender": bar_chart(genders, title=_("Volunteers by gender"), chart_id="chart-gender"),
        "area": bar_chart(areas[:15], title=_("Volunteers by area"), chart_id="chart-area"),
        "returning": bar_chart([(_("Returning"), view.returning), (_("One time"), view.one_time)],
                               title=_("Returning and one-time volunteers"), chart_id="chart-returning"),
    }
    from models.selfservice import GOAL
    from models.selfservice_operations import completion
    from portal.selfservice import flow_labels
    self_service = [(flow_labels()[flow], *rest) for flow, *rest in completion(period.first, period.last)]
    return render_template("coordinators/overview.html", form=form, view=view, charts=charts, bands=bands,
                           self_service=self_service, goal=GOAL,
                           genders=genders, areas=areas, months=period.months(), presets=_presets(),
                           new_by_month=new_by_month, hours_by_month=hours_by_month)


def _presets():
    today = _today()
    default = figures.default_period(today)
    return [(_("Since last Frivillig Fredag"), default),
            (_("This year"), figures.Period(today.replace(month=1, day=1), today)),
            (_("Last 12 months"), figures.Period(today - timedelta(days=365), today))]


@bp.route("/eksport")
@access(Role.COORDINATOR)
def export():
    """Choose a period and download tasks, sign-ups, hours or the overview's figures as CSV."""
    form = PeriodForm(request.args)
    period = _period(form)
    return render_template("coordinators/export.html", form=form, period=period)


def _export(name: str, header: list[str], words=None, **source):
    period = _period(PeriodForm(request.args))
    filename = f"samskab-{name}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    made = {key: make(period) for key, make in source.items()}
    return exports.csv_response(filename, header, words=words, **made)


@bp.route("/eksport/opgaver.csv")
@access(Role.COORDINATOR)
def export_tasks():
    """Tasks with an occurrence in the period, as CSV."""
    return _export("opgaver", exports.TASK_HEADER, words=exports.TASK_WORDS, query=exports.task_query)


@bp.route("/eksport/tilmeldinger.csv")
@access(Role.COORDINATOR)
def export_signups():
    """Every sign-up in the period, streamed as CSV."""
    return _export("tilmeldinger", exports.SIGNUP_HEADER, words=exports.SIGNUP_WORDS, query=exports.signup_query)


@bp.route("/eksport/timer.csv")
@access(Role.COORDINATOR)
def export_hours():
    """Hours per institution and month, as CSV."""
    return _export("timer", exports.HOUR_HEADER, query=exports.hour_query)


@bp.route("/eksport/overblik.csv")
@access(Role.COORDINATOR)
def export_overview():
    """The overview's figures for the period, as CSV."""
    now = utcnow()
    return _export("overblik", exports.OVERVIEW_HEADER,
                   rows=lambda period: figures.figures_rows(figures.build(period, now=now)))