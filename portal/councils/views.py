"""Local councils' views: their projects with updates and followers (the calendar is in calendar_views)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from models import (CoCreator, Council, CouncilMember, DomainError, Event, Idea, Institution, Occurrence, Project,
                    ProjectFollower, ProjectUpdate, Role, Signup, Task, UpdateComment, db, utcnow)
from models.projects import (LINKABLE_TASK_STATES, comment_on_update, create_project, edit_project, follow_project, is_council_member,
                             is_following, link_to_project, participants, post_update, unfollow_project,
                             unlink_from_project)
from portal.access import LOGIN, PUBLIC, access
from portal.councils.forms import CommentForm, LinkForm, ProjectForm, UpdateForm, project_status_choices
from portal.councils.notifications import invite_participants, notify_followers
from portal.forms import BaseForm
from portal.routes import RouteTable
from portal.params import parse_id

routes = RouteTable()

LINK_CANDIDATES = 200
MESSAGES = {
    "not_council_member": _l("Only members of the project's council can do that."),
    "not_follower": _l("Follow the project to comment on its updates."),
    "update_hidden": _l("This update is hidden, so it cannot get new comments."),
    "empty_update": _l("Write what is new."),
    "empty_comment": _l("Write a comment."),
    "invalid_progress": _l("Enter a number from 0 to 100."),
    "invalid_status": _l("Choose a status."),
    "invalid_budget": _l("Enter an amount in whole kroner, 0 or more."),
    "item_hidden": _l("A hidden idea cannot be linked to a project."),
    "task_not_linkable": _l("Only a published task can be linked to a project, not a draft or a cancelled task."),
    "linked_elsewhere": _l("It already belongs to another local council's project."),
    "not_linked": _l("That is not linked to this project."),
}


def message_for(error: DomainError) -> str:
    return str(MESSAGES.get(error.code, _l("That is not possible right now.")))


def safe_url(endpoint: str, **values) -> str | None:
    """A link into another room, or None while that page does not exist."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def my_councils() -> list[Council]:
    return list(db.session.scalars(
        select(Council).join(CouncilMember).where(CouncilMember.user_id == current_user.id).order_by(Council.name)))


def status_labels() -> dict[str, str]:
    return dict(project_status_choices())


# --- the council room -----------------------------------------------------------------------------

@routes.route("/lokalraad/")
@access(Role.COUNCIL)
def index():
    """The council member's councils with their projects and coming events."""
    councils = my_councils()
    ids = [c.id for c in councils]
    projects = list(db.session.scalars(select(Project).where(Project.council_id.in_(ids))
                                       .order_by(Project.created_at.desc()))) if ids else []
    events = list(db.session.scalars(select(Event).where(Event.council_id.in_(ids), Event.ends_at > utcnow())
                                     .order_by(Event.starts_at))) if ids else []
    by_council = {c.id: {"council": c, "projects": [], "events": []} for c in councils}
    for project in projects:
        by_council[project.council_id]["projects"].append(project)
    for event in events:
        by_council[event.council_id]["events"].append(event)
    return render_template("councils/index.html", groups=list(by_council.values()), status_labels=status_labels())


def _own_project(project_id: int) -> Project:
    project = db.get_or_404(Project, project_id)
    if not is_council_member(current_user, project.council_id):
        abort(403)
    return project


@routes.route("/lokalraad/projekter/ny", methods=["GET", "POST"])
@access(Role.COUNCIL)
def new_project():
    """Publish a new project for one of the member's councils."""
    councils = my_councils()
    form = ProjectForm(councils=councils)
    if form.validate_on_submit():
        council = next(c for c in councils if c.id == form.council.data)
        try:
            project = create_project(council, actor=current_user, now=utcnow(), **form.project_fields())
        except DomainError as error:
            form.title.errors.append(message_for(error))
        else:
            db.session.commit()
            flash(_("The project is published."), "success")
            return redirect(url_for("councils.manage_project", project_id=project.id))
    return render_template("councils/project_form.html", form=form, project=None, no_council=not councils)


@routes.route("/lokalraad/projekter/<int:project_id>", methods=["GET", "POST"])
@access(Role.COUNCIL)
def manage_project(project_id: int):
    """Edit a project of the member's own council; post updates and link ideas and tasks."""
    project = _own_project(project_id)
    form = _edit_form(project)
    if form.validate_on_submit():
        try:
            edit_project(project, actor=current_user, now=utcnow(), **form.project_fields())
        except DomainError as error:
            form.title.errors.append(message_for(error))
        else:
            db.session.commit()
            flash(_("The project is saved."), "success")
            return redirect(url_for("councils.manage_project", project_id=project.id))
    return _manage_page(project, form=form)


def _edit_form(project: Project, **kwargs) -> ProjectForm:
    form = ProjectForm(obj=project, **kwargs)
    del form.council  # a project stays with its council
    return form


def _manage_page(project: Project, *, form=None, update_form=None, link_form=None, status: int = 200):
    form = form or _edit_form(project, formdata=None)
    update_form = update_form or UpdateForm(formdata=None)
    link_form = link_form or LinkForm(formdata=None)
    find = (request.args.get("find") or "").strip()[:200]
    link_form.item.choices = _link_choices(find)
    linked = _linked(project)
    return render_template("councils/manage_project.html", project=project, form=form, update_form=update_form,
                           link_form=link_form, linked=linked, not_following=len(participants(project)),
                           find=find), status


def _link_choices(find: str = ""):
    """Ideas, then tasks grouped by institution, narrowed by the words in `find` (a search without script)."""
    from portal.public.finding import contains_folded
    words = find.split()[:5]
    idea_query = select(Idea.id, Idea.title).where(Idea.hidden.is_(False), Idea.project_id.is_(None))
    task_query = (select(Task.id, Task.title, Institution.name).join(Institution, Task.institution_id == Institution.id)
                  .where(Task.status.in_(LINKABLE_TASK_STATES), Task.project_id.is_(None)))
    for word in words:
        idea_query = idea_query.where(contains_folded(Idea.title, word))
        task_query = task_query.where(contains_folded(Task.title, word) | contains_folded(Institution.name, word))
    ideas = db.session.execute(idea_query.order_by(Idea.created_at.desc()).limit(LINK_CANDIDATES)).all()
    tasks = db.session.execute(task_query.order_by(Institution.name, Task.title).limit(LINK_CANDIDATES)).all()
    choices: dict = {}
    if ideas:
        choices[str(_("Ideas"))] = [(f"idea:{i}", t) for i, t in ideas]
    for i, title, place in tasks:
        choices.setdefault(str(_("Tasks at %(place)s", place=place)), []).append((f"task:{i}", title))
    if choices:
        return choices
    return [("", _("Nothing matches the search") if words else _("Nothing to link yet"))]


def _linked(project: Project, *, public: bool = False) -> dict:
    """The ideas and tasks linked to the project; the public page leaves out ideas hidden by moderation."""
    query = select(Idea).where(Idea.project_id == project.id)
    if public:
        query = query.where(Idea.hidden.is_(False))
    ideas = list(db.session.scalars(query.order_by(Idea.created_at)))
    tasks = list(db.session.scalars(select(Task).where(Task.project_id == project.id).order_by(Task.created_at)))
    return {"ideas": [{"item": i, "key": f"idea:{i.id}", "url": safe_url("ideas.idea", idea_id=i.id)} for i in ideas],
            "tasks": [{"item": t, "key": f"task:{t.id}", "url": safe_url("public.task", task_id=t.id)} for t in tasks]}


def _item_from(key: str):
    kind, _sep, raw = (key or "").partition(":")
    model = {"idea": Idea, "task": Task}.get(kind)
    item_id = parse_id(raw)
    if model is None or item_id is None:
        return None
    return db.session.get(model, item_id)


@routes.route("/lokalraad/projekter/<int:project_id>/opdatering", methods=["POST"])
@access(Role.COUNCIL)
def post_project_update(project_id: int):
    """Post a progress update; every follower is told once, through the outbox."""
    project = _own_project(project_id)
    update_form = UpdateForm()
    if update_form.validate_on_submit():
        now = utcnow()
        try:
            update = post_update(project, actor=current_user, now=now, body=update_form.body.data,
                                 progress=update_form.progress.data)
        except DomainError as error:
            update_form.body.errors.append(message_for(error))
        else:
            notify_followers(update, now=now)
            db.session.commit()
            flash(_("The update is published and sent to the project's followers."), "success")
            return redirect(url_for("councils.manage_project", project_id=project.id))
    return _manage_page(project, update_form=update_form)


@routes.route("/lokalraad/projekter/<int:project_id>/kobl", methods=["POST"])
@access(Role.COUNCIL)
def link_item(project_id: int):
    """Gather an idea or a task under the project."""
    project = _own_project(project_id)
    link_form = LinkForm()
    link_form.item.choices = _link_choices(request.args.get("find") or "")
    if link_form.validate_on_submit():
        item = _item_from(link_form.item.data)
        if item is None:
            link_form.item.errors.append(_("Choose an idea or a task."))
        else:
            try:
                link_to_project(project, item, actor=current_user, now=utcnow())
            except DomainError as error:
                link_form.item.errors.append(message_for(error))
            else:
                db.session.commit()
                flash(_("It is now part of the project."), "success")
                return redirect(url_for("councils.manage_project", project_id=project.id))
    return _manage_page(project, link_form=link_form)


@routes.route("/lokalraad/projekter/<int:project_id>/fjern", methods=["POST"])
@access(Role.COUNCIL)
def unlink_item(project_id: int):
    """Take an idea or a task out of the project."""
    project = _own_project(project_id)
    form = BaseForm()
    item = _item_from(request.form.get("item", ""))
    if form.validate_on_submit() and item is not None:
        try:
            unlink_from_project(project, item, actor=current_user, now=utcnow())
        except DomainError as error:
            flash(message_for(error), "error")
        else:
            db.session.commit()
            flash(_("It is no longer part of the project."), "success")
    return redirect(url_for("councils.manage_project", project_id=project.id))


@routes.route("/lokalraad/projekter/<int:project_id>/inviter", methods=["POST"])
@access(Role.COUNCIL)
def invite(project_id: int):
    """Invite everyone who took part (and does not follow yet) to follow the project."""
    project = _own_project(project_id)
    if BaseForm().validate_on_submit():
        now = utcnow()
        sent = invite_participants(project, participants(project), inviter=current_user, now=now)
        db.session.commit()
        flash(_("Invitations sent: %(n)d.", n=len(sent)), "success")
    return redirect(url_for("councils.manage_project", project_id=project.id))


# --- public project pages -------------------------------------------------------------------------

@routes.route("/projekter")
@access(PUBLIC)
def projects():
    """All councils' projects, newest first."""
    rows = list(db.session.scalars(select(Project).options(selectinload(Project.council))
                                   .order_by(Project.created_at.desc())))
    counts = dict(db.session.execute(select(ProjectFollower.project_id, func.count())
                                     .group_by(ProjectFollower.project_id)).all())
    return render_template("councils/projects.html", projects=rows, follower_counts=counts,
                           status_labels=status_labels())


def _took_part(project: Project) -> bool:
    """Whether the signed-in person joined a linked idea or signed up for a linked task."""
    if not current_user.is_authenticated:
        return False
    uid = current_user.id
    idea_hit = db.session.scalar(select(Idea.id).outerjoin(CoCreator, CoCreator.idea_id == Idea.id).where(
        Idea.project_id == project.id, (Idea.initiator_id == uid) | (CoCreator.user_id == uid)).limit(1))
    if idea_hit is not None:
        return True
    return db.session.scalar(select(Signup.id).join(Occurrence, Signup.occurrence_id == Occurrence.id)
                             .join(Task, Occurrence.task_id == Task.id)
                             .where(Task.project_id == project.id, Signup.user_id == uid).limit(1)) is not None


def _project_page(project: Project, *, comment_form=None, comment_update_id: int | None = None, status=200):
    updates = list(db.session.scalars(
        select(ProjectUpdate).where(ProjectUpdate.project_id == project.id)
        .options(selectinload(ProjectUpdate.author),
                 selectinload(ProjectUpdate.comments).selectinload(UpdateComment.author))
        .order_by(ProjectUpdate.created_at.desc())))
    for update in updates:
        update.comments.sort(key=lambda c: c.created_at)
    followers = db.session.scalar(select(func.count()).select_from(ProjectFollower)
                                  .where(ProjectFollower.project_id == project.id)) or 0
    events = list(db.session.scalars(select(Event).where(Event.project_id == project.id, Event.ends_at > utcnow())
                                     .order_by(Event.starts_at)))
    is_member = is_council_member(current_user, project.council_id)
    following = is_following(project, current_user)
    is_moderator = current_user.is_authenticated and current_user.has_role(Role.COORDINATOR)
    return render_template(
        "councils/project.html", project=project, updates=updates, follower_count=followers,
        following=following, took_part=_took_part(project), is_member=is_member, is_moderator=is_moderator,
        can_comment=following or is_member, linked=_linked(project, public=True), events=events,
        comment_form=comment_form or CommentForm(formdata=None), comment_update_id=comment_update_id,
        action_form=BaseForm(formdata=None), status_labels=status_labels()), status


@routes.route("/projekter/<int:project_id>")
@access(PUBLIC)
def project(project_id: int):
    """A project's public page: goal, progress, updates with comments, linked ideas and tasks."""
    project = db.get_or_404(Project, project_id)
    return _project_page(project)


def _change_following(project_id: int, operation, message: str):
    project = db.get_or_404(Project, project_id)
    if BaseForm().validate_on_submit():
        operation(project, user=current_user, now=utcnow())
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("councils.project", project_id=project.id))


@routes.route("/projekter/<int:project_id>/foelg", methods=["POST"])
@access(LOGIN)
def follow(project_id: int):
    """Follow a project and get its updates."""
    return _change_following(project_id, follow_project,
                             _("You now follow the project and will hear about its updates."))


@routes.route("/projekter/<int:project_id>/stop", methods=["POST"])
@access(LOGIN)
def unfollow(project_id: int):
    """Stop following a project."""
    return _change_following(project_id, unfollow_project, _("You no longer follow the project."))


@routes.route("/projekter/opdateringer/<int:update_id>/kommentar", methods=["POST"])
@access(LOGIN)
def comment(update_id: int):
    """A follower comments on an update."""
    update = db.get_or_404(ProjectUpdate, update_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            made = comment_on_update(update, actor=current_user, now=utcnow(), body=form.body.data)
        except DomainError as error:
            # Not a mistake in the text (not following, or the update was hidden): say so at the top.
            flash(message_for(error), "error")
            return redirect(url_for("councils.project", project_id=update.project_id))
        db.session.commit()
        flash(_("Thank you, your comment is published."), "success")
        return redirect(url_for("councils.project", project_id=update.project_id, _anchor=f"comment-{made.id}"))
    return _project_page(update.project, comment_form=form, comment_update_id=update.id)
