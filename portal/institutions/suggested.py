""""Foreslåede frivillige" for a task and the personal invitation (added to the institutions blueprint)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from models import DomainError, Role, Task, User, db, utcnow
from models.task_operations import invite_volunteer, may_manage
from portal import suggestions
from portal.access import access
from portal.routes import RouteTable
from portal.params import safe_next

routes = RouteTable()


def _task_for_staff(task_id: int) -> Task:
    """A task of one of the staff member's institutions; coordinators see every task."""
    task = db.session.scalar(select(Task).where(Task.id == task_id).options(joinedload(Task.institution)))
    if task is None or not may_manage(current_user, task):
        abort(404)
    return task


def _back(task: Task) -> str:
    # Only our own paths, never an outside address.
    return safe_next(request.form.get("next")) or url_for("institutions.suggested_volunteers", task_id=task.id)


@routes.route("/opgaver/<int:task_id>/forslag")
@access(Role.STAFF, Role.COORDINATOR)
def suggested_volunteers(task_id: int):
    """Volunteers who fit a task and agreed to be found, with the reasons and an invite button."""
    task = _task_for_staff(task_id)
    return render_template("institutions/suggested_volunteers.html", task=task,
                           **suggestions.volunteers_and_obstacle(task))


@routes.route("/opgaver/<int:task_id>/inviter/<int:user_id>", methods=["POST"])
@access(Role.STAFF, Role.COORDINATOR)
def invite(task_id: int, user_id: int):
    """Send one personal invitation e-mail to a suggested volunteer (never twice for one task)."""
    task = _task_for_staff(task_id)
    volunteer = db.session.get(User, user_id)
    try:
        if volunteer is None:
            raise DomainError("cannot_invite")
        sent = invite_volunteer(task, volunteer, actor=current_user, now=utcnow())
    except DomainError:
        db.session.rollback()
        flash(_("This volunteer cannot be invited to the task."), "error")
        return redirect(_back(task))
    db.session.commit()
    if sent:
        flash(_("The invitation to %(name)s has been sent.", name=volunteer.name), "success")
    else:
        flash(_("%(name)s has already been invited.", name=volunteer.name), "info")
    return redirect(_back(task))
