"""Public views."""
from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from models import Idea, Institution, Occurrence, Role, Signup, SignupStatus, Task, TaskStatus, db, utcnow
from models.tasks import joinable
from models.teams import held_for
from portal.access import PUBLIC, access
from portal.params import safe_next
from portal.forms import BaseForm
from portal.public import cache
from portal.public import finding
from portal.public.finding import find_tasks
from portal.public.forms import TaskSearchForm
from portal import suggestions

bp = Blueprint("public", __name__)


@bp.route("/")
@access(PUBLIC)
def home():
    """The front page: what Samskab is and the ways in."""
    def count() -> dict:
        return {
            "tasks": db.session.scalar(select(func.count()).select_from(Task).where(Task.status == TaskStatus.OPEN)) or 0,
            "institutions": db.session.scalar(select(func.count()).select_from(Institution)) or 0,
            "ideas": db.session.scalar(select(func.count()).select_from(Idea).where(Idea.hidden.is_(False))) or 0,
        }

    # The figures change with content only (a task published or closed, an idea hidden), not with sign-ups.
    counts = cache.for_app(current_app, "front_counts").get_or_make(
        "counts", count, now=utcnow(), seconds=current_app.config["TASK_LIST_CACHE_SECONDS"], places=False)
    return render_template("public/home.html", counts=counts, **_for_the_person())


def _for_the_person() -> dict:
    """A logged-in person's front page speaks to them: their start page, a citizen's next task and
    suggestions (and no "create your profile": they have one)."""
    if not current_user.is_authenticated:
        return {}
    from portal.auth.views import home_for
    from portal.citizens.overview import coming_tasks
    found = {"start_url": home_for(current_user)}
    if current_user.has_role(Role.CITIZEN):
        now = utcnow()
        coming = coming_tasks(current_user, now)
        found["next_signup"] = next((s for s in coming if not s.occurrence.cancelled
                                     and s.occurrence.task.status != TaskStatus.CANCELLED), None)
        found["suggestions"] = suggestions.tasks_for(current_user, now=now, k=3)
    return found


@bp.route("/privatliv")
@access(PUBLIC)
def privacy():
    """How Samskab handles personal data, in plain Danish."""
    return render_template("public/privacy.html")


@bp.route("/tilgaengelighed")
@access(PUBLIC)
def accessibility():
    """The accessibility statement (tilgængelighedserklæring)."""
    return render_template("public/accessibility.html")


@bp.route("/sprog", methods=["POST"])
@access(PUBLIC)
def set_language():
    """Switch the interface language between Danish and English."""
    form = BaseForm()
    lang = request.form.get("lang")
    if form.validate_on_submit() and lang in ("da", "en"):
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("public.home"))


# --- finding tasks ---------------------------------------------------------------------------------------

@bp.route("/opgaver")
@access(PUBLIC)
def tasks():
    """The public task list: free-text search, filters, sorting and pages."""
    now = utcnow()
    # Which tasks a page shows, and in what order, depends on free places only when it is sorted or
    # filtered by them; otherwise the page is reused across sign-ups, its free places filled in afresh.
    by_places = request.args.get("sort") == "spots" or bool(request.args.get("spots_left"))

    def content() -> _Listing:
        # Finding the tasks and rendering the form and the cards are nearly all of a list request's cost;
        # this part depends only on the query string and the language, so it is reused for a few seconds
        # (and never after this process changed anything: see portal/public/cache.py).
        form = TaskSearchForm(formdata=request.args)
        form.validate()
        page_no = request.args.get("side", 1, type=int) or 1
        criteria = form.criteria()
        found = find_tasks(criteria, now=now, page=page_no)
        args = request.args.to_dict(flat=False)
        args.pop("side", None)
        active_filters = any(v for k, vs in args.items() if k not in ("q", "sort") for v in vs)
        template = current_app.jinja_env.get_template("public/_task_list.html")
        html = template.render(form=form, found=found, args=args, active_filters=active_filters,
                               spots_later=not by_places, spots_stand_in=_Listing.stand_in)
        return _Listing(html, criteria, {row.task.id: row.spots_left for row in found.rows}, seen.places,
                        filled=by_places)

    seconds = current_app.config["TASK_LIST_CACHE_SECONDS"]
    key = (request.query_string, str(get_locale()))
    listing_cache = cache.for_app(current_app, "task_list")
    seen = listing_cache.versions()
    listing = listing_cache.get_or_make(key, content, now=now, seconds=seconds, places=by_places, seen=seen)
    html = listing.html(seen.places, now)
    if current_user.is_authenticated or session.get("_flashes"):
        return render_template("public/tasks.html", content=html)
    # A visitor who is not logged in and has no message waiting sees the same page as every such visitor
    # of this address: the whole page is reused (the shell costs as much as the cached results), with the
    # results and the visitor's own CSRF token put in place of stand-ins.
    shell = cache.for_app(current_app, "task_list_page").get_or_make(
        ("page", request.full_path, key[1]), lambda: render_template(
            "public/tasks.html", content=Markup(cache.CONTENT_STAND_IN), csrf_token=lambda: cache.CSRF_STAND_IN),
        now=now, seconds=seconds, places=False, seen=seen)
    # (The token goes into the shell before the results do: a query that spells the token's stand-in
    # stays as typed.)
    return shell.replace(cache.CSRF_STAND_IN, generate_csrf()).replace(cache.CONTENT_STAND_IN, html, 1)


class _Listing:
    """A rendered task list whose free places are stand-ins, filled in with the figures of the places
    version last seen; after a sign-up (a new places version) they are read again in one statement."""

    # Markup that no escaped text (a title, a name, the search words) can contain: it begins with a raw "<".
    SPOTS = re.compile(r"<!--samskab:spots:(\d+)-->")

    @staticmethod
    def stand_in(task_id: int) -> Markup:
        return Markup(f"<!--samskab:spots:{int(task_id)}-->")

    def __init__(self, html: str, criteria, spots: dict[int, int], places, *, filled: bool = False) -> None:
        self.template, self.criteria, self.spots = html, criteria, spots
        self.filled = filled  # rendered with its figures (sorted or filtered by them): nothing to fill in
        self.done = (places, Markup(html)) if filled else (places, self._fill(spots))

    def html(self, places, now) -> Markup:
        seen, html = self.done
        if self.filled or seen == places:
            return html
        before = cache.places_generation()
        spots = {**self.spots, **finding.spots_left(self.criteria, list(self.spots), now=now)}
        html = self._fill(spots)
        if cache.places_generation() == before:
            self.done = (places, html)
        return html

    def _fill(self, spots: dict[int, int]) -> Markup:
        badge = current_app.jinja_env.get_template("public/_task_macros.html").module.spots
        shown: dict[int, str] = {}

        def one(match) -> str:
            n = spots.get(int(match.group(1)), 0)
            if n not in shown:
                shown[n] = str(badge(n))
            return shown[n]
        return Markup(self.SPOTS.sub(one, self.template))


@bp.route("/opgaver/<int:task_id>")
@access(PUBLIC)
def task(task_id: int):
    """A task page: the frame, the times and places, free spots, contact person and requirements."""
    task = db.session.scalar(select(Task).where(Task.id == task_id, Task.status == TaskStatus.OPEN)
                             .options(joinedload(Task.institution)))
    if task is None:
        abort(404)
    now = utcnow()
    occurrences = list(db.session.scalars(
        select(Occurrence).join(Task).where(Occurrence.task_id == task.id, joinable(now))
        .order_by(Occurrence.starts_at)))
    mine = {}
    if current_user.is_authenticated:
        rows = db.session.scalars(select(Signup).join(Occurrence).where(
            Occurrence.task_id == task.id, Signup.user_id == current_user.id,
            Signup.status.in_(SignupStatus.ACTIVE)))
        mine = {s.occurrence_id: s for s in rows}
    # Full times where the citizen's team holds a place for them are open to them (asked only for full
    # times: a time with free places is open anyway, and most task pages then ask nothing more).
    team_places = held_for(current_user, [o.id for o in occurrences if o.spots_left <= 0 and o.id not in mine])
    # A full time offers the task's other times with a free place first (not those the citizen holds).
    free_times = [o for o in occurrences if (o.spots_left > 0 or o.id in team_places) and o.id not in mine]
    return render_template("public/task.html", task=task, occurrences=occurrences, mine=mine, free_times=free_times,
                           team_places=team_places,
                           is_citizen=current_user.is_authenticated and current_user.has_role(Role.CITIZEN),
                           related_tasks=_related_tasks(task, now))


def _related_tasks(task: Task, now) -> list[suggestions.TaskSuggestion]:
    """The related-tasks block, its ranking reused for a short while (it reads every published task).

    The cached part is only the ranking (ids and matches, which explain themselves when shown), and it
    does not depend on free places (a sign-up elsewhere does not make it anew); the tasks themselves are
    read fresh in one statement, so a related task that was closed or filled meanwhile drops out at once.
    """
    seconds = current_app.config["RELATED_TASKS_CACHE_SECONDS"]
    ranked = cache.for_app(current_app, "related_tasks").get_or_make(
        task.id, lambda: suggestions.related_ranking(task, now=now), now=now, seconds=seconds, places=False)
    return suggestions.related_tasks(task, now=now, ranked=ranked)


@bp.route("/hjaelp", methods=["GET", "POST"])
@access(PUBLIC)
def get_help():
    """"Få hjælp": ask a coordinator to call; the request lands in the assisted-service queue."""
    from flask import flash
    from flask_babel import gettext as _
    from models import DomainError
    from models.selfservice import Flow
    from models.selfservice_operations import ask_for_help
    from portal.selfservice import HelpForm, flow_labels
    flow = request.args.get("flow", "")
    if flow not in Flow.ALL:
        flow = Flow.REGISTRATION
    form = HelpForm()
    if request.method == "GET" and current_user.is_authenticated:
        form.name.data, form.phone.data = current_user.name, current_user.phone or ""
    if form.validate_on_submit():
        try:
            ask_for_help(flow, name=form.name.data, phone=form.phone.data, note=form.note.data or "",
                         user=current_user if current_user.is_authenticated else None, now=utcnow())
        except DomainError:
            db.session.rollback()
            form.phone.errors.append(_("Write a phone number of at least 8 digits, e.g. 20 30 40 50."))
        else:
            db.session.commit()
            return render_template("public/help_sent.html", phone=form.phone.data)
    return render_template("public/help.html", form=form, flow=flow, flow_label=flow_labels()[flow])
