"""Public views."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from models import Idea, Institution, Occurrence, Role, Signup, SignupStatus, Task, TaskStatus, db, utcnow
from models.tasks import joinable
from portal.access import PUBLIC, access
from portal.params import safe_next
from portal.forms import BaseForm
from portal.public import cache
from portal.public.finding import find_tasks
from portal.public.forms import TaskSearchForm
from portal import suggestions

bp = Blueprint("public", __name__)


@bp.route("/")
@access(PUBLIC)
def home():
    """The front page: what Samskab is and the ways in."""
    counts = {
        "tasks": db.session.scalar(select(func.count()).select_from(Task).where(Task.status == TaskStatus.OPEN)) or 0,
        "institutions": db.session.scalar(select(func.count()).select_from(Institution)) or 0,
        "ideas": db.session.scalar(select(func.count()).select_from(Idea).where(Idea.hidden.is_(False))) or 0,
    }
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

    def content() -> Markup:
        # Finding the tasks and rendering the form and the cards are nearly all of a list request's cost;
        # this part depends only on the query string and the language, so it is reused for a few seconds
        # (and never after this process changed anything: see portal/public/cache.py).
        form = TaskSearchForm(formdata=request.args)
        form.validate()
        page_no = request.args.get("side", 1, type=int) or 1
        found = find_tasks(form.criteria(), now=now, page=page_no)
        args = request.args.to_dict(flat=False)
        args.pop("side", None)
        active_filters = any(v for k, vs in args.items() if k not in ("q", "sort") for v in vs)
        template = current_app.jinja_env.get_template("public/_task_list.html")
        return Markup(template.render(form=form, found=found, args=args, active_filters=active_filters))

    seconds = current_app.config["TASK_LIST_CACHE_SECONDS"]
    key = (request.query_string, str(get_locale()))
    html = cache.for_app(current_app, "task_list").get_or_make(key, content, now=now, seconds=seconds)
    if current_user.is_authenticated or session.get("_flashes"):
        return render_template("public/tasks.html", content=html)
    # A visitor who is not logged in and has no message waiting sees the same page as every such visitor
    # of this address: the whole page is reused (the shell costs as much as the cached results), with the
    # visitor's own CSRF token put in place of a stand-in.
    page = cache.for_app(current_app, "task_list_page").get_or_make(
        ("page", request.full_path, key[1]), lambda: render_template(
            "public/tasks.html", content=html, csrf_token=lambda: cache.CSRF_STAND_IN), now=now, seconds=seconds)
    return page.replace(cache.CSRF_STAND_IN, generate_csrf())


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
    # A full time offers the task's other times with a free place first (not those the citizen holds).
    free_times = [o for o in occurrences if o.spots_left > 0 and o.id not in mine]
    return render_template("public/task.html", task=task, occurrences=occurrences, mine=mine, free_times=free_times,
                           is_citizen=current_user.is_authenticated and current_user.has_role(Role.CITIZEN),
                           related_tasks=_related_tasks(task, now))


def _related_tasks(task: Task, now) -> list[suggestions.TaskSuggestion]:
    """The related-tasks block, its ranking reused for a short while (it reads every published task).

    The cached part is only ids, scores and shared words; the tasks themselves are read fresh in one
    statement, so a related task that was closed meanwhile drops out at once.
    """
    def ranked() -> list[tuple]:
        return [(item.task.id, item.suggestion) for item in suggestions.related_tasks(task, now=now)]

    seconds = current_app.config["RELATED_TASKS_CACHE_SECONDS"]
    chosen = cache.for_app(current_app, "related_tasks").get_or_make(task.id, ranked, now=now, seconds=seconds)
    if not chosen:
        return []
    tasks = {t.id: t for t in db.session.scalars(
        select(Task).where(Task.id.in_([task_id for task_id, _s in chosen]), Task.status == TaskStatus.OPEN)
        .options(joinedload(Task.institution)))}
    return [suggestions.TaskSuggestion(tasks[task_id], suggestion) for task_id, suggestion in chosen
            if task_id in tasks]


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
