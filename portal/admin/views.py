"""Administration views."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from models import Council, CouncilMember, Institution, InstitutionMember, Role, User, db, utcnow
from models.audit import AuditAction, record
from portal.access import access
from portal.params import parse_id
from portal.public.finding import contains_folded
from portal.admin.forms import (ConfirmForm, CouncilForm, InstitutionForm, MembershipForm, RoleForm,
                                UserSearchForm, institution_kind_choices)

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


def role_labels() -> dict[str, str]:
    return {"citizen": _l("Citizen"), "staff": _l("Institution staff"), "council": _l("Council member"),
            "coordinator": _l("Coordinator"), "admin": _l("Administrator")}


@bp.route("/")
@access(Role.ADMIN)
def index():
    """Administration start page."""
    counts = {
        "users": db.session.scalar(select(func.count()).select_from(User)) or 0,
        "institutions": db.session.scalar(select(func.count()).select_from(Institution)) or 0,
        "councils": db.session.scalar(select(func.count()).select_from(Council)) or 0,
    }
    return render_template("admin/index.html", counts=counts)


@bp.route("/institutioner")
@access(Role.ADMIN)
def institutions():
    """All institutions."""
    rows = db.session.scalars(select(Institution).order_by(Institution.name)).all()
    return render_template("admin/institutions.html", institutions=rows, kinds=dict(institution_kind_choices()))


def _save_organisation(form, obj, label_template: str, list_endpoint: str):
    form.populate_obj(obj)
    try:
        with db.session.begin_nested():
            db.session.add(obj)
        db.session.commit()
    except IntegrityError:
        form.name.errors.append(_("That name is already in use."))
        return None
    flash(label_template, "success")
    return redirect(url_for(list_endpoint))


@bp.route("/institutioner/ny", methods=["GET", "POST"])
@bp.route("/institutioner/<int:institution_id>", methods=["GET", "POST"])
@access(Role.ADMIN)
def institution_form(institution_id: int | None = None):
    """Create or edit an institution."""
    obj = db.get_or_404(Institution, institution_id) if institution_id else Institution()
    form = InstitutionForm(obj=obj)
    if form.validate_on_submit():
        done = _save_organisation(form, obj, _("The institution is saved."), "admin.institutions")
        if done:
            return done
    return render_template("admin/organisation_form.html", form=form, obj=obj, kind="institution",
                           members=_members(InstitutionMember, InstitutionMember.institution_id, institution_id))


def _members(member_model, column, organisation_id: int | None) -> list[User]:
    """The organisation's members, by name (one query)."""
    if organisation_id is None:
        return []
    return db.session.scalars(select(User).join(member_model, member_model.user_id == User.id)
                              .where(column == organisation_id).order_by(User.name)).all()


@bp.route("/raad")
@access(Role.ADMIN)
def councils():
    """All local councils and committees."""
    rows = db.session.scalars(select(Council).order_by(Council.name)).all()
    return render_template("admin/councils.html", councils=rows)


@bp.route("/raad/ny", methods=["GET", "POST"])
@bp.route("/raad/<int:council_id>", methods=["GET", "POST"])
@access(Role.ADMIN)
def council_form(council_id: int | None = None):
    """Create or edit a council."""
    obj = db.get_or_404(Council, council_id) if council_id else Council()
    form = CouncilForm(obj=obj)
    if form.validate_on_submit():
        done = _save_organisation(form, obj, _("The council is saved."), "admin.councils")
        if done:
            return done
    return render_template("admin/organisation_form.html", form=form, obj=obj, kind="council",
                           members=_members(CouncilMember, CouncilMember.council_id, council_id))


@bp.route("/brugere")
@access(Role.ADMIN)
def users():
    """Find users by name or e-mail."""
    form = UserSearchForm(request.args)
    page = max(request.args.get("side", 1, type=int) or 1, 1)
    query = select(User).order_by(User.name, User.id)
    if form.validate() and form.q.data:
        query = query.where(or_(contains_folded(User.name, form.q.data), contains_folded(User.email, form.q.data)))
    rows = db.session.scalars(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("admin/users.html", form=form, users=rows[:PAGE_SIZE], page=page,
                           has_next=len(rows) > PAGE_SIZE, role_labels=role_labels())


def _organisation_choices():
    choices = [(f"i{i.id}", i.name) for i in db.session.scalars(select(Institution).order_by(Institution.name))]
    choices += [(f"c{c.id}", c.name) for c in db.session.scalars(select(Council).order_by(Council.name))]
    return choices


@bp.route("/brugere/<int:user_id>", methods=["GET", "POST"])
@access(Role.ADMIN)
def user(user_id: int):
    """One user's roles, memberships and status."""
    target = db.get_or_404(User, user_id)
    role_form = RoleForm(prefix="role")
    role_form.role.choices = list(role_labels().items())
    member_form = MembershipForm(prefix="member")
    member_form.organisation.choices = _organisation_choices()
    if request.method == "POST":
        if "role-role" in request.form and role_form.validate_on_submit():
            _change_role(target, role_form.role.data, role_form.action.data)
            return redirect(url_for("admin.user", user_id=target.id))
        if "member-organisation" in request.form and member_form.validate_on_submit():
            _change_membership(target, member_form.organisation.data, member_form.action.data)
            return redirect(url_for("admin.user", user_id=target.id))
    memberships = {
        "institutions": db.session.scalars(select(Institution).join(InstitutionMember)
                                           .where(InstitutionMember.user_id == target.id)).all(),
        "councils": db.session.scalars(select(Council).join(CouncilMember)
                                       .where(CouncilMember.user_id == target.id)).all(),
    }
    return render_template("admin/user.html", target=target, role_form=role_form, member_form=member_form,
                           memberships=memberships, confirm=ConfirmForm(), role_labels=role_labels())


def _audit(target: User, action: str, detail: str) -> None:
    record(target, actor=current_user, action=action, now=utcnow(), detail=detail)


def _change_role(target: User, role: str, action: str) -> None:
    # The audit log (which the citizen sees) records changes only, not repeated clicks.
    had = target.holds_role(role)
    if action == "grant":
        if not had:
            target.grant(role)
            _audit(target, AuditAction.ROLE_GRANTED, role)
        flash(_("The role is granted."), "success")
    else:
        if target.id == current_user.id and role == Role.ADMIN.value:
            flash(_("You cannot remove your own administrator role."), "error")
            return
        if target.revoke(role):  # ends the person's sessions
            _audit(target, AuditAction.ROLE_REMOVED, role)
        flash(_("The role is removed."), "success")
    db.session.commit()


def _change_membership(target: User, organisation: str, action: str) -> None:
    kind, raw_id = organisation[0], organisation[1:]
    model, member, column = ((Institution, InstitutionMember, "institution_id") if kind == "i"
                             else (Council, CouncilMember, "council_id"))
    org_id = parse_id(raw_id)
    org = db.session.get(model, org_id) if org_id is not None else None
    if org is None:
        abort(404)
    existing = db.session.scalar(select(member).where(getattr(member, column) == org.id,
                                                      member.user_id == target.id))
    if action == "add" and existing is None:
        db.session.add(member(**{column: org.id, "user_id": target.id}))
        target.grant(Role.STAFF if kind == "i" else Role.COUNCIL)
        _audit(target, AuditAction.MEMBERSHIP_ADDED, org.name)
    elif action == "remove" and existing is not None:
        db.session.delete(existing)
        target.end_sessions()  # no open page keeps what the membership allowed
        _audit(target, AuditAction.MEMBERSHIP_REMOVED, org.name)
    db.session.commit()
    flash(_("The membership is updated."), "success")


@bp.route("/brugere/<int:user_id>/status", methods=["POST"])
@access(Role.ADMIN)
def toggle_active(user_id: int):
    """Deactivate or reactivate a user; a deactivated user cannot log in."""
    target = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        if target.id == current_user.id:
            flash(_("You cannot deactivate yourself."), "error")
        else:
            target.active = not target.active
            if not target.active:
                target.end_sessions()
            _audit(target, AuditAction.ACTIVATED if target.active else AuditAction.DEACTIVATED, "")
            db.session.commit()
            flash(_("The user is reactivated.") if target.active else _("The user is deactivated."), "success")
    return redirect(url_for("admin.user", user_id=target.id))



@bp.route("/brugere/<int:user_id>/andet-trin", methods=["POST"])
@access(Role.ADMIN)
def reset_second_factor(user_id: int):
    """Forget a user's second factor (lost phone and recovery codes); they set up a new one, sessions end."""
    from models import accounts
    target = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit() and target.totp_enabled_at is not None:
        accounts.reset_second_factor(target)
        _audit(target, "second_factor_reset", "")
        db.session.commit()
        flash(_("The user sets up the second step again at the next log-in."), "success")
    return redirect(url_for("admin.user", user_id=target.id))
