""""Foreslåede frivillige" for a task and the personal invitation (added to the institutions blueprint)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from models import InstitutionMember, Role, Task, User, db, utcnow
from portal import suggestions
from portal.access import access
from portal.institutions.views import bp
from portal.mail.outbox import external_url, queue_mail


def _task_for_staff(task_id: int) -> Task:
    """A task of one of the staff member's institutions; coordinators see every task."""
    task = db.session.scalar(select(Task).where(Task.id == task_id).options(joinedload(Task.institution)))
    if task is None:
        abort(404)
    if not current_user.has_role(Role.COORDINATOR):
        member = db.session.scalar(select(InstitutionMember.id).where(
            InstitutionMember.institution_id == task.institution_id, InstitutionMember.user_id == current_user.id))
        if member is None:
            abort(404)
    return task


def _back(task: Task) -> str:
    target = request.form.get("next", "")
    # Only our own paths, never an outside address.
    if target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("institutions.suggested_volunteers", task_id=task.id)


@bp.route("/opgaver/<int:task_id>/forslag")
@access(Role.STAFF, Role.COORDINATOR)
def suggested_volunteers(task_id: int):
    """Volunteers who fit a task and agreed to be found, with the reasons and an invite button."""
    task = _task_for_staff(task_id)
    return render_template("institutions/suggested_volunteers.html", task=task,
                           suggested_volunteers=suggestions.volunteers_for(task))


@bp.route("/opgaver/<int:task_id>/inviter/<int:user_id>", methods=["POST"])
@access(Role.STAFF, Role.COORDINATOR)
def invite(task_id: int, user_id: int):
    """Queue one personal invitation e-mail to a suggested volunteer (never twice for one task)."""
    task = _task_for_staff(task_id)
    volunteer = db.session.get(User, user_id)
    now = utcnow()
    if volunteer is None or not suggestions.can_invite(task, volunteer, now=now):
        flash(_("This volunteer cannot be invited to the task."), "error")
        return redirect(_back(task))
    message = queue_mail(
        "invitation", dedup_key=suggestions.invitation_key(task, volunteer), recipient=volunteer,
        subject=lambda: _("An invitation: %(title)s", title=task.title), template="invitation",
        context={"task": task, "inviter": current_user, "institution": task.institution,
                 "task_url": external_url("public.task", task_id=task.id)},
        ref=f"task:{task.id}")
    db.session.commit()
    if message is None:
        flash(_("%(name)s has already been invited.", name=volunteer.name), "info")
    else:
        flash(_("The invitation to %(name)s has been sent.", name=volunteer.name), "success")
    return redirect(_back(task))
