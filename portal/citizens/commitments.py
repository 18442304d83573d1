""""Mine opgaver": commitments, waiting lists, hours, the calendar feed, certificate and name badge."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, gettext as _
from flask_login import current_user
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased, joinedload

from models import Institution, Occurrence, Role, Signup, Task, User, db, utcnow
from models.tasks import ACTIVE, HOLDING, signup_deadline, unmet_requirements
from portal.access import TOKEN, access
from portal.citizens.ical import calendar_for
from portal.citizens.views import bp
from portal.forms import BaseForm
from portal import suggestions
from portal.mail.outbox import external_url

CLOSED_SHOWN = 10  # recent cancelled or declined sign-ups shown for the record


@bp.app_template_filter("hours")
def format_hours(value) -> str:
    """Hours the Danish way: 2, 1,5 or 12,25."""
    return format_decimal(value or 0, format="#,##0.##")


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


def _positions(signups: list[Signup]) -> dict[int, int]:
    """Waiting-list places of the given sign-ups, in one query."""
    waiting = [s.id for s in signups if s.status == "waitlisted"]
    if not waiting:
        return {}
    ahead = aliased(Signup)
    rows = db.session.execute(
        select(Signup.id, func.count(ahead.id)).join(ahead, and_(
            ahead.occurrence_id == Signup.occurrence_id, ahead.status == "waitlisted", ahead.id <= Signup.id))
        .where(Signup.id.in_(waiting)).group_by(Signup.id))
    return dict(rows.all())


def overlaps_of(user: User, intervals: dict[int, tuple[datetime, datetime]],
                exclude: set[int] = frozenset()) -> dict[int, list[Signup]]:
    """For each keyed [start, end), the user's held fixed-time commitments overlapping it (half-open),
    found with one query; sign-ups in `exclude` are left out."""
    if not intervals:
        return {}
    lo = min(a for a, _b in intervals.values())
    hi = max(b for _a, b in intervals.values())
    held = list(db.session.scalars(
        select(Signup).join(Occurrence).join(Task)
        .where(Signup.user_id == user.id, Signup.status.in_(HOLDING), Occurrence.cancelled.is_(False),
               Task.status != "cancelled", Task.kind == "fixed", Occurrence.ends_at.is_not(None),
               Occurrence.starts_at < hi, Occurrence.ends_at > lo)
        .options(joinedload(Signup.occurrence).joinedload(Occurrence.task))))
    return {key: [other for other in held if other.id not in exclude
                  and other.occurrence.starts_at < b and other.occurrence.ends_at > a]
            for key, (a, b) in intervals.items()}


def _overlaps(user: User, signups: list[Signup]) -> dict[int, list[Signup]]:
    """For each fixed-time sign-up, the user's other held commitments that overlap it."""
    timed = {s.id: (s.occurrence.starts_at, s.occurrence.ends_at) for s in signups
             if s.occurrence.task.kind == "fixed" and s.occurrence.ends_at is not None}
    found = overlaps_of(user, timed)
    return {sid: [other for other in others if other.id != sid] for sid, others in found.items()}


def describe(user: User, signups: list[Signup], now: datetime | None = None) -> list[Item]:
    """Sign-ups with their waiting-list place, what a pending one waits for, overlaps and cancellability."""
    now = now or utcnow()
    positions = _positions(signups)
    overlaps = _overlaps(user, [s for s in signups if s.status in ACTIVE])
    items = []
    for s in signups:
        deadline = signup_deadline(s.occurrence)
        items.append(Item(
            signup=s, position=positions.get(s.id), overlaps=overlaps.get(s.id, []),
            missing=unmet_requirements(s.occurrence.task, user, s.occurrence.starts_at.date())
            if s.status == "pending" else [],
            can_cancel=s.status in ACTIVE and (deadline is None or now < deadline)))
    return items


def _is_upcoming(occurrence: Occurrence, now: datetime) -> bool:
    end = occurrence.ends_at
    if end is None:
        return occurrence.task.kind != "fixed" or occurrence.starts_at > now
    return end > now


def _called_off(occurrence: Occurrence) -> bool:
    """The institution cancelled the time or the whole task."""
    return occurrence.cancelled or occurrence.task.status == "cancelled"


def _my_signups(user: User, statuses) -> list[Signup]:
    return list(db.session.scalars(
        select(Signup).join(Occurrence).where(Signup.user_id == user.id, Signup.status.in_(statuses))
        .options(joinedload(Signup.occurrence).joinedload(Occurrence.task).joinedload(Task.institution))
        .order_by(Occurrence.starts_at, Signup.id)))


class TokenForm(BaseForm):
    """Just the CSRF token, for the calendar link's buttons."""


def total_hours(signups: list[Signup]) -> Decimal:
    return sum((s.hours or Decimal(0) for s in signups if s.status == "attended"), Decimal(0))


@bp.route("/mine-opgaver")
@access(Role.CITIZEN)
def my_tasks():
    """Upcoming and past commitments, waiting-list places, hours and the calendar link."""
    now = utcnow()
    signups = _my_signups(current_user, (*ACTIVE, "attended"))
    called_off = [s for s in signups if s.status in ACTIVE and _called_off(s.occurrence)]
    live = [s for s in signups if s not in called_off]
    upcoming = [s for s in live if s.status in ACTIVE and _is_upcoming(s.occurrence, now)]
    past = [s for s in live if s.status in ("accepted", "attended") and not _is_upcoming(s.occurrence, now)]
    closed = list(db.session.scalars(
        select(Signup).where(Signup.user_id == current_user.id, Signup.status.in_(("cancelled", "declined")))
        .options(joinedload(Signup.occurrence).joinedload(Occurrence.task))
        .order_by(Signup.updated_at.desc()).limit(CLOSED_SHOWN)))
    feed_url = external_url("citizens.feed", token=current_user.ical_token) if current_user.ical_token else None
    return render_template("citizens/my_tasks.html", upcoming=describe(current_user, upcoming, now), past=past,
                           closed=closed, called_off=[s for s in called_off if _is_upcoming(s.occurrence, now)], hours=total_hours(signups), feed_url=feed_url, form=TokenForm(),
                           suggestions=suggestions.tasks_for(current_user, now=now))


@bp.route("/mine-opgaver/kalender", methods=["POST"])
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


@bp.route("/kalender/<token>.ics")
@access(TOKEN)
def feed(token: str):
    """The private calendar feed of a citizen's commitments; the secret token in the address is the key."""
    user = db.session.scalar(select(User).where(User.ical_token == token)) if len(token) >= 32 else None
    if user is None or not user.is_active:
        abort(404)
    now = utcnow()
    signups = [s for s in _my_signups(user, (*HOLDING, "attended"))
               if not s.occurrence.cancelled and s.occurrence.task.status != "cancelled"]
    response = _ics(calendar_for(signups, name=_("My volunteer tasks (Samskab)"), now=now), "samskab.ics")
    response.headers["Cache-Control"] = "private, max-age=900"
    return response


@bp.route("/mine-opgaver/<int:task_id>.ics")
@access(Role.CITIZEN)
def task_ics(task_id: int):
    """My times for one task as a calendar file to open or import."""
    signups = [s for s in _my_signups(current_user, (*HOLDING, "attended"))
               if s.occurrence.task_id == task_id and not s.occurrence.cancelled]
    if not signups:
        abort(404)
    task = signups[0].occurrence.task
    return _ics(calendar_for(signups, name=task.title, now=utcnow()), f"samskab-opgave-{task_id}.ics")


def _contributions(user: User) -> tuple[list[dict], Decimal]:
    """Attended sign-ups grouped by task, oldest first, with the hours given."""
    attended = _my_signups(user, ("attended",))
    by_task: dict[int, dict] = {}
    for s in attended:
        entry = by_task.setdefault(s.occurrence.task_id, {"task": s.occurrence.task, "times": 0,
                                                          "hours": Decimal(0), "first": s.occurrence.starts_at,
                                                          "last": s.occurrence.starts_at})
        entry["times"] += 1
        entry["hours"] += s.hours or Decimal(0)
        entry["last"] = s.occurrence.starts_at
    return list(by_task.values()), total_hours(attended)


@bp.route("/mine-opgaver/bevis")
@access(Role.CITIZEN)
def certificate():
    """A printable thank-you certificate listing the citizen's contributions and hours."""
    contributions, hours = _contributions(current_user)
    return render_template("citizens/certificate.html", contributions=contributions, hours=hours, today=utcnow())


@bp.route("/mine-opgaver/navneskilt")
@access(Role.CITIZEN)
def badge():
    """Printable name badges saying "Frivillig", one per institution the citizen volunteers at."""
    institutions = list(db.session.scalars(
        select(Institution).join(Task, Task.institution_id == Institution.id)
        .join(Occurrence, Occurrence.task_id == Task.id).join(Signup, Signup.occurrence_id == Occurrence.id)
        .where(Signup.user_id == current_user.id, Signup.status.in_(("accepted", "attended")))
        .distinct().order_by(Institution.name)))
    return render_template("citizens/badge.html", institutions=institutions)
