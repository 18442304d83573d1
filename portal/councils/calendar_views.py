"""The shared calendar (fælles kalender): month and list views, event pages, sign-up and iCal feeds."""
from __future__ import annotations

import calendar as monthcal
from datetime import date, datetime, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import (Council, DomainError, Event, EventSignup, Institution, InstitutionMember, Project, Role, db,
                    utcnow)
from models.calendar import (active_signups, can_manage_event, cancel_event, cancel_event_signup, create_event,
                             edit_event, events_between, sign_up_for_event)
from portal.access import LOGIN, PUBLIC, access
from portal.params import safe_next
from portal.params import parse_id
from portal.councils import ical
from portal.councils.forms import CalendarFilterForm, EventForm, event_kind_choices
from portal.councils.notifications import confirm_event_signup, tell_event_cancelled
from portal.councils.views import my_councils
from portal.forms import BaseForm
from portal.routes import RouteTable
from portal.scheduler.timing import from_local, to_local

routes = RouteTable()

FEED_PAST = timedelta(days=90)     # a feed carries recent history, so a subscribed calendar keeps it
FEED_AHEAD = timedelta(days=400)
LIST_MONTHS = 3                    # the list view shows this many months from the chosen one
MESSAGES = {
    "event_cancelled": _l("The event is cancelled."),
    "event_past": _l("The event has already started, so sign-up is closed."),
    "event_full": _l("Sorry, the event is full."),
    "already_signed_up": _l("You are already signed up."),
    "not_host_member": _l("Only the host's members can do that."),
    "event_in_past": _l("The event must start in the future."),
    "ends_before_start": _l("The event must end after it starts."),
    "invalid_kind": _l("Choose a kind of event."),
    "capacity_below_attendees": _l("There are already more people signed up than that."),
    "not_allowed": _l("You cannot do that."),
    "project_of_other_host": _l("Choose one of the host council's own projects."),
}


def message_for(error: DomainError) -> str:
    return str(MESSAGES.get(error.code, _l("That is not possible right now.")))


def kind_labels() -> dict:
    return dict(event_kind_choices())


def _month(raw: str | None) -> date:
    today = to_local(utcnow()).date()
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        return date(year, month, 1) if 1990 < year < 2200 else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


def _add_months(first: date, n: int) -> date:
    index = first.year * 12 + first.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _utc_midnight(day: date) -> datetime:
    return from_local(datetime(day.year, day.month, day.day))


def _filters():
    form = CalendarFilterForm(request.args)
    councils = list(db.session.scalars(select(Council).order_by(Council.name)))
    areas = sorted({a for a in db.session.scalars(select(Event.area).distinct()) if a})
    form.council.choices = [("", _("All councils and institutions"))] + [(str(c.id), c.name) for c in councils]
    form.area.choices = [("", _("All areas"))] + [(a, a) for a in areas]
    council_id = parse_id(form.council.data)
    area = form.area.data if form.area.data in areas else None
    return form, council_id, area


@routes.route("/kalender")
@access(PUBLIC)
def calendar():
    """The shared calendar, as a month grid or a list, filtered by council and area."""
    form, council_id, area = _filters()
    first = _month(request.args.get("maaned"))
    view = "list" if request.args.get("visning") == "liste" else "month"
    weeks = monthcal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    # The month grid shows whole weeks, so it also shows the neighbouring months' days in them.
    start, end = ((first, _add_months(first, LIST_MONTHS)) if view == "list"
                  else (weeks[0][0], weeks[-1][-1] + timedelta(days=1)))
    events = events_between(_utc_midnight(start), _utc_midnight(end), council_id=council_id, area=area)
    by_day: dict[date, list[Event]] = {}
    for event in events:
        by_day.setdefault(to_local(event.starts_at).date(), []).append(event)
    from models.plans import follow_ups_due_between
    deadlines: dict[date, list] = {}
    for item in follow_ups_due_between(start, end):
        deadlines.setdefault(item.due_on, []).append(item)
    keep = {k: v for k, v in request.args.items() if k in ("council", "area", "visning") and v}
    return render_template(
        "councils/calendar.html", deadlines=deadlines, form=form, view=view, first=first, weeks=weeks, by_day=by_day,
        days=sorted(by_day.items()), month_label=format_date(first, "LLLL y"),
        prev_url=url_for("councils.calendar", maaned=_add_months(first, -1).strftime("%Y-%m"), **keep),
        next_url=url_for("councils.calendar", maaned=_add_months(first, 1).strftime("%Y-%m"), **keep),
        month_url=url_for("councils.calendar", maaned=first.strftime("%Y-%m"),
                          **{k: v for k, v in keep.items() if k != "visning"}),
        list_url=url_for("councils.calendar", maaned=first.strftime("%Y-%m"), **{**keep, "visning": "liste"}),
        feed_url=url_for("councils.council_feed", council_id=council_id) if council_id else url_for("councils.feed"),
        today=to_local(utcnow()).date(), kind_labels=kind_labels(), list_end=_add_months(first, LIST_MONTHS))


def _signup_of(event: Event) -> EventSignup | None:
    if not current_user.is_authenticated:
        return None
    return db.session.scalar(select(EventSignup).where(
        EventSignup.event_id == event.id, EventSignup.user_id == current_user.id, EventSignup.cancelled.is_(False)))


@routes.route("/kalender/<int:event_id>")
@access(PUBLIC)
def event(event_id: int):
    """An event's public page with sign-up and its calendar file."""
    event = db.get_or_404(Event, event_id)
    return render_template("councils/event.html", event=event, signup=_signup_of(event), now=utcnow(),
                           can_manage=can_manage_event(current_user, event), action_form=BaseForm(formdata=None),
                           kind_labels=kind_labels())


@routes.route("/kalender/<int:event_id>/arrangement.ics")
@access(PUBLIC)
def event_ics(event_id: int):
    """One event as a calendar file."""
    event = db.get_or_404(Event, event_id)
    return _ics_response(ical.single(event, now=utcnow()).encode("utf-8"), f"samskab-{event.id}.ics")


@routes.route("/kalender/alle.ics")
@access(PUBLIC)
def feed():
    """The iCal feed of the whole shared calendar."""
    return _feed(None, _("Samskab – shared calendar"))


@routes.route("/kalender/raad/<int:council_id>.ics")
@access(PUBLIC)
def council_feed(council_id: int):
    """The iCal feed of one council's events and meetings."""
    council = db.get_or_404(Council, council_id)
    return _feed(council.id, council.name)


def _feed(council_id: int | None, name: str) -> Response:
    now = utcnow()
    events = events_between(now - FEED_PAST, now + FEED_AHEAD, council_id=council_id)
    return _ics_response(ical.calendar(events, now=now, name=name), None)


def _ics_response(body: bytes, filename: str | None) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.charset = "utf-8"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@routes.route("/kalender/<int:event_id>/tilmeld", methods=["POST"])
@access(LOGIN)
def sign_up(event_id: int):
    """Take a place at an event; the confirmation mail carries the .ics."""
    event = db.get_or_404(Event, event_id)
    if BaseForm().validate_on_submit():
        now = utcnow()
        try:
            signup = sign_up_for_event(event, user=current_user, now=now)
        except DomainError as error:
            db.session.rollback()
            flash(message_for(error), "error")
        else:
            confirm_event_signup(signup, now=now)
            db.session.commit()
            flash(_("You are signed up. We have sent you a confirmation with the event for your calendar."),
                  "success")
    return redirect(url_for("councils.event", event_id=event_id))


@routes.route("/kalender/<int:event_id>/afmeld", methods=["POST"])
@access(LOGIN)
def cancel_sign_up(event_id: int):
    """Give one's place back."""
    event = db.get_or_404(Event, event_id)
    signup = _signup_of(event)
    if BaseForm().validate_on_submit() and signup is not None:
        cancel_event_signup(signup, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("Your sign-up is cancelled."), "success")
    # The citizen's own page cancels too and wants to come back to itself.
    return redirect(safe_next(request.form.get("next")) or url_for("councils.event", event_id=event_id))


# --- hosts: councils and institutions -------------------------------------------------------------

def _my_hosts() -> list[tuple[str, str]]:
    institutions = list(db.session.scalars(
        select(Institution).join(InstitutionMember).where(InstitutionMember.user_id == current_user.id)
        .order_by(Institution.name)))
    return ([(f"council:{c.id}", c.name) for c in my_councils()]
            + [(f"institution:{i.id}", i.name) for i in institutions])


def _my_projects() -> list[Project]:
    ids = [c.id for c in my_councils()]
    return list(db.session.scalars(select(Project).where(Project.council_id.in_(ids), Project.status != "completed")
                                   .order_by(Project.title))) if ids else []


def _host_ids(key: str) -> dict:
    kind, _sep, raw = key.partition(":")
    return {"council_id": parse_id(raw)} if kind == "council" else {"institution_id": parse_id(raw)}


def _event_fields(form: EventForm) -> dict:
    starts = from_local(datetime.combine(form.day.data, form.starts.data))
    ends = from_local(datetime.combine(form.day.data, form.ends.data))
    return {"title": form.title.data, "kind": form.kind.data, "description": form.description.data or "",
            "place": form.place.data, "area": form.area.data or "", "starts_at": starts, "ends_at": ends,
            "capacity": form.capacity.data, "project_id": form.project_id()}


def _event_error(form: EventForm, error: DomainError) -> None:
    target = {"event_in_past": form.day, "ends_before_start": form.ends,
              "capacity_below_attendees": form.capacity, "project_of_other_host": form.project}.get(error.code,
                                                                                                   form.title)
    target.errors = list(target.errors) + [message_for(error)]


@routes.route("/kalender/nyt", methods=["GET", "POST"])
@access(Role.COUNCIL, Role.STAFF)
def new_event():
    """A council or an institution publishes an event or meeting in the shared calendar."""
    hosts = _my_hosts()
    form = EventForm(hosts=hosts, projects=_my_projects())
    if form.validate_on_submit():
        try:
            event = create_event(actor=current_user, now=utcnow(), **_host_ids(form.host.data), **_event_fields(form))
        except DomainError as error:
            _event_error(form, error)
        else:
            db.session.commit()
            flash(_("The event is in the calendar."), "success")
            return redirect(url_for("councils.event", event_id=event.id))
    return render_template("councils/event_form.html", form=form, event=None, no_host=not hosts)


def _own_event(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not can_manage_event(current_user, event):
        abort(403)
    return event


@routes.route("/kalender/<int:event_id>/rediger", methods=["GET", "POST"])
@access(Role.COUNCIL, Role.STAFF)
def edit_event_page(event_id: int):
    """Change an event of one's own council or institution."""
    event = _own_event(event_id)
    host = f"council:{event.council_id}" if event.council_id else f"institution:{event.institution_id}"
    form = EventForm(obj=event, hosts=[(host, event.host.name)], projects=_my_projects())
    if request.method == "GET":
        form.project.data = str(event.project_id or "")
        start, end = to_local(event.starts_at), to_local(event.ends_at)
        form.host.data, form.day.data, form.starts.data, form.ends.data = host, start.date(), start.time(), end.time()
    if form.validate_on_submit():
        try:
            edit_event(event, actor=current_user, now=utcnow(), **_event_fields(form))
        except DomainError as error:
            _event_error(form, error)
        else:
            db.session.commit()
            flash(_("The event is saved."), "success")
            return redirect(url_for("councils.event", event_id=event.id))
    return render_template("councils/event_form.html", form=form, event=event, no_host=False)


@routes.route("/kalender/<int:event_id>/deltagere")
@access(Role.COUNCIL, Role.STAFF)
def attendees(event_id: int):
    """Who signed up for an event of one's own council or institution."""
    event = _own_event(event_id)
    return render_template("councils/attendees.html", event=event, signups=active_signups(event),
                           action_form=BaseForm(formdata=None))


@routes.route("/kalender/<int:event_id>/aflys", methods=["POST"])
@access(Role.COUNCIL, Role.STAFF)
def cancel(event_id: int):
    """Cancel an event; everyone signed up is told, with a calendar file that removes it."""
    event = _own_event(event_id)
    if BaseForm().validate_on_submit():
        now = utcnow()
        try:
            signups = cancel_event(event, actor=current_user, now=now)
        except DomainError as error:
            flash(message_for(error), "error")
        else:
            tell_event_cancelled(event, signups, now=now)
            db.session.commit()
            flash(_("The event is cancelled and everyone signed up is told."), "success")
    return redirect(url_for("councils.event", event_id=event.id))
