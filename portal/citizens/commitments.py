""""Mine opgaver": commitments, waiting lists, hours, the calendar feed, certificate and name badge."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from models import Institution, Occurrence, Role, Signup, SignupStatus, Task, TaskStatus, User, db, utcnow
from models.tasks import can_cancel, is_upcoming, missing_for, overlapping, timed, waitlist_positions
from portal.access import TOKEN, access
from portal.citizens.ical import calendar_for
from portal.routes import RouteTable
from portal.forms import BaseForm
from portal import suggestions
from portal.mail.outbox import external_url

routes = RouteTable()

CLOSED_SHOWN = 10  # recent cancelled or declined sign-ups shown for the record


@dataclass
class Item:
    """One sign-up as the citizen sees it."""

    signup: Signup
    position: int | None = None                  # place on the waiting list
    missing: list[str] = field(default_factory=list)  # what a pending sign-up waits for
    overlaps: list[Signup] = field(default_factory=list)
    can_cancel: bool = False

    @property
    def occurrence(self) -> Occurrence:
        return self.signup.occurrence

    @property
    def task(self) -> Task:
        return self.signup.occurrence.task


def describe(user: User, signups: list[Signup], now: datetime | None = None) -> list[Item]:
    """Sign-ups with their waiting-list place, what a pending one waits for, overlaps and cancellability."""
    now = now or utcnow()
    positions = waitlist_positions(signups)
    active = [s for s in signups if s.status in SignupStatus.ACTIVE]
    overlaps = overlapping(user.id, timed(active))
    return [Item(signup=s, position=positions.get(s.id),
                 overlaps=[other for other in overlaps.get(s.id, []) if other.id != s.id],
                 missing=missing_for(s) if s.status == SignupStatus.PENDING else [],
                 can_cancel=can_cancel(s, now))
            for s in signups]


def _called_off(occurrence: Occurrence) -> bool:
    """The institution cancelled the time or the whole task."""
    return occurrence.cancelled or occurrence.task.status == TaskStatus.CANCELLED


def _my_signups(user: User, statuses) -> list[Signup]:
    return list(db.session.scalars(
        select(Signup).join(Occurrence).where(Signup.user_id == user.id, Signup.status.in_(statuses))
        .options(joinedload(Signup.occurrence).joinedload(Occurrence.task).joinedload(Task.institution))
        .order_by(Occurrence.starts_at, Signup.id)))


class TokenForm(BaseForm):
    """Just the CSRF token, for the calendar link's buttons."""


def total_hours(signups: list[Signup]) -> Decimal:
    return sum((s.hours or Decimal(0) for s in signups if s.status == SignupStatus.ATTENDED), Decimal(0))


@routes.route("/mine-opgaver")
@access(Role.CITIZEN)
def my_tasks():
    """Upcoming and past commitments, waiting-list places, hours and the calendar link."""
    now = utcnow()
    signups = _my_signups(current_user, (*SignupStatus.ACTIVE, SignupStatus.ATTENDED, SignupStatus.NO_SHOW))
    called_off = [s for s in signups if s.status in SignupStatus.ACTIVE and _called_off(s.occurrence)]
    live = [s for s in signups if s not in called_off]
    upcoming = [s for s in live if s.status in SignupStatus.ACTIVE and is_upcoming(s.occurrence, now)]
    past = [s for s in live if s.status in SignupStatus.RECORDED and not is_upcoming(s.occurrence, now)]
    closed = list(db.session.scalars(
        select(Signup).where(Signup.user_id == current_user.id, Signup.status.in_(SignupStatus.ENDED))
        .options(joinedload(Signup.occurrence).joinedload(Occurrence.task))
        .order_by(Signup.updated_at.desc()).limit(CLOSED_SHOWN)))
    feed_url = external_url("citizens.feed", token=current_user.ical_token) if current_user.ical_token else None
    return render_template("citizens/my_tasks.html", upcoming=describe(current_user, upcoming, now), past=past,
                           closed=closed, called_off=[s for s in called_off if is_upcoming(s.occurrence, now)],
                           hours=total_hours(signups), feed_url=feed_url, form=TokenForm(),
                           **suggestions.tasks_and_obstacle(current_user, now=now))


@routes.route("/mine-opgaver/kalender", methods=["POST"])
@access(Role.CITIZEN)
def calendar_link():
    """Make a new private calendar link (the old one stops working) or switch the link off."""
    form = TokenForm()
    if form.validate_on_submit():
        if request.form.get("action") == "off":
            current_user.ical_token = None
            flash(_("Your calendar link is switched off. Calendars that use it get nothing more."), "success")
        else:
            current_user.ical_token = secrets.token_urlsafe(32)
            flash(_("You have a new calendar link. Any old link has stopped working."), "success")
        db.session.commit()
    return redirect(url_for("citizens.my_tasks") + "#kalender")


def _ics(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@routes.route("/kalender/<token>.ics")
@access(TOKEN)
def feed(token: str):
    """The private calendar feed of a citizen's commitments; the secret token in the address is the key."""
    user = db.session.scalar(select(User).where(User.ical_token == token)) if len(token) >= 32 else None
    if user is None or not user.is_active:
        abort(404)
    now = utcnow()
    signups = [s for s in _my_signups(user, (*SignupStatus.HOLDING, SignupStatus.ATTENDED))
               if not s.occurrence.cancelled and s.occurrence.task.status != TaskStatus.CANCELLED]
    response = _ics(calendar_for(signups, name=_("My volunteer tasks (Samskab)"), now=now), "samskab.ics")
    response.headers["Cache-Control"] = "private, max-age=900"
    return response


@routes.route("/mine-opgaver/<int:task_id>.ics")
@access(Role.CITIZEN)
def task_ics(task_id: int):
    """My times for one task as a calendar file to open or import."""
    signups = [s for s in _my_signups(current_user, (*SignupStatus.HOLDING, SignupStatus.ATTENDED))
               if s.occurrence.task_id == task_id and not s.occurrence.cancelled]
    if not signups:
        abort(404)
    task = signups[0].occurrence.task
    return _ics(calendar_for(signups, name=task.title, now=utcnow()), f"samskab-opgave-{task_id}.ics")


def _contributions(user: User) -> tuple[list[dict], Decimal]:
    """Attended sign-ups grouped by task, oldest first, with the hours given."""
    attended = _my_signups(user, (SignupStatus.ATTENDED,))
    by_task: dict[int, dict] = {}
    for s in attended:
        entry = by_task.setdefault(s.occurrence.task_id, {"task": s.occurrence.task, "times": 0,
                                                          "hours": Decimal(0), "first": s.occurrence.starts_at,
                                                          "last": s.occurrence.starts_at})
        entry["times"] += 1
        entry["hours"] += s.hours or Decimal(0)
        entry["last"] = s.occurrence.starts_at
    return list(by_task.values()), total_hours(attended)


@routes.route("/mine-opgaver/bevis")
@access(Role.CITIZEN)
def certificate():
    """A printable thank-you certificate listing the citizen's contributions and hours."""
    contributions, hours = _contributions(current_user)
    return render_template("citizens/certificate.html", contributions=contributions, hours=hours, today=utcnow())


@routes.route("/mine-opgaver/navneskilt")
@access(Role.CITIZEN)
def badge():
    """Printable name badges saying "Frivillig", one per institution the citizen volunteers at."""
    institutions = list(db.session.scalars(
        select(Institution).join(Task, Task.institution_id == Institution.id)
        .join(Occurrence, Occurrence.task_id == Task.id).join(Signup, Signup.occurrence_id == Occurrence.id)
        .where(Signup.user_id == current_user.id, Signup.status.in_(SignupStatus.TOOK_PART))
        .distinct().order_by(Institution.name)))
    return render_template("citizens/badge.html", institutions=institutions)
