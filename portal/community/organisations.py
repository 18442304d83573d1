"""Organisations' public pages (/institutioner/<id>), the association directory and profiles, registering
an association, its "we need" list and the municipality's offers to associations."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import exists, func, or_, select

from models import (AssociationNeed, DomainError, Institution, MunicipalOffer, Role, Task, TaskStatus, User, db,
                    utcnow)
from models.association_operations import (add_municipal_offer, add_need, edit_profile, mark_need_filled,
                                           may_edit_organisation, offer_for_need, register_association)
from models.organisations import ASSOCIATION
from models.teams import member_counts as team_member_counts, teams_of_institution
from portal.access import LOGIN, PUBLIC, access
from portal.community.forms import (AssociationForm, MunicipalOfferForm, NeedForm, OfferForm, ProfileForm,
                                   message_for)
from portal.routes import RouteTable

routes = RouteTable()


def open_tasks(institution_id: int) -> list[Task]:
    return list(db.session.scalars(select(Task).where(Task.institution_id == institution_id,
                                                      Task.status == TaskStatus.OPEN).order_by(Task.title)))


def _page_context(inst: Institution) -> dict:
    teams = teams_of_institution(inst.id)
    return {"inst": inst, "teams": teams, "team_counts": team_member_counts(t.id for t in teams),
            "tasks": open_tasks(inst.id), "may_edit": may_edit_organisation(current_user, inst)}


@routes.route("/institutioner/<int:institution_id>")
@access(PUBLIC)
def institution(institution_id: int):
    inst = db.session.get(Institution, institution_id) or abort(404)
    return render_template("community/organisation.html", **_page_context(inst))


@routes.route("/institutioner/<int:institution_id>/profil", methods=["GET", "POST"])
@access(Role.STAFF, Role.COORDINATOR)
def edit(institution_id: int):
    inst = db.session.get(Institution, institution_id) or abort(404)
    if not may_edit_organisation(current_user, inst):
        abort(403)
    form = ProfileForm(obj=inst)
    need_form = NeedForm(prefix="need")
    needs = _needs(inst)
    if request.method == "POST":
        if form.validate():
            try:
                edit_profile(inst, actor=current_user, now=utcnow(), **form.fields())
            except DomainError as error:
                db.session.rollback()
                flash(message_for(error), "error")
            else:
                db.session.commit()
                flash(_("The page is saved."), "success")
                return redirect(url_for("community.institution", institution_id=inst.id))
        return render_template("community/profile_form.html", inst=inst, form=form, need_form=need_form,
                               needs=needs), 400
    return render_template("community/profile_form.html", inst=inst, form=form, need_form=need_form, needs=needs)


def _needs(inst: Institution) -> list[AssociationNeed]:
    return list(db.session.scalars(select(AssociationNeed).where(AssociationNeed.institution_id == inst.id)
                                   .order_by(AssociationNeed.filled, AssociationNeed.created_at)))


# --- associations --------------------------------------------------------------------------------

def _association(association_id: int) -> Institution:
    inst = db.session.get(Institution, association_id)
    if inst is None or not inst.is_association:
        abort(404)
    return inst


@routes.route("/foreninger")
@access(PUBLIC)
def associations():
    q = (request.args.get("q") or "").strip()[:100]
    postcode = (request.args.get("postnummer") or "").strip()[:4]
    needs_only = request.args.get("behov") == "1"
    tasks_only = request.args.get("opgaver") == "1"
    query = select(Institution).where(Institution.kind == ASSOCIATION)
    if q:
        like = f"%{q}%"
        query = query.where(or_(Institution.name.ilike(like), Institution.activity.ilike(like),
                                Institution.description.ilike(like)))
    if postcode.isascii() and postcode.isdigit() and len(postcode) == 4:
        query = query.where(Institution.postcode == postcode)
    if needs_only:
        query = query.where(exists().where(AssociationNeed.institution_id == Institution.id,
                                           AssociationNeed.filled.is_(False)))
    if tasks_only:
        query = query.where(exists().where(Task.institution_id == Institution.id, Task.status == TaskStatus.OPEN))
    rows = list(db.session.scalars(query.order_by(Institution.name)))
    ids = [r.id for r in rows]
    task_counts = dict(db.session.execute(
        select(Task.institution_id, func.count(Task.id)).where(Task.institution_id.in_(ids), Task.status == TaskStatus.OPEN)
        .group_by(Task.institution_id)).all()) if ids else {}
    need_counts = dict(db.session.execute(
        select(AssociationNeed.institution_id, func.count(AssociationNeed.id))
        .where(AssociationNeed.institution_id.in_(ids), AssociationNeed.filled.is_(False))
        .group_by(AssociationNeed.institution_id)).all()) if ids else {}
    offers = list(db.session.scalars(select(MunicipalOffer).order_by(MunicipalOffer.kind, MunicipalOffer.title)))
    return render_template("community/associations.html", associations=rows, q=q, postcode=postcode,
                           needs_only=needs_only, tasks_only=tasks_only, task_counts=task_counts,
                           need_counts=need_counts, offers=offers)


@routes.route("/foreninger/<int:association_id>")
@access(PUBLIC)
def association(association_id: int):
    inst = _association(association_id)
    needs = list(db.session.scalars(select(AssociationNeed).where(AssociationNeed.institution_id == inst.id,
                                                                  AssociationNeed.filled.is_(False))
                                    .order_by(AssociationNeed.created_at)))
    return render_template("community/organisation.html", needs=needs, offer_form=OfferForm(), **_page_context(inst))


@routes.route("/foreninger/ny", methods=["GET", "POST"])
@access(LOGIN)
def register():
    form = AssociationForm()
    if request.method == "POST":
        if form.validate():
            try:
                created = register_association(actor=current_user, now=utcnow(), name=form.name.data, **form.fields())
            except DomainError as error:
                db.session.rollback()
                (form.cvr if error.code == "cvr_invalid" else form.postcode if error.code == "postcode_invalid"
                 else form.name).errors.append(message_for(error))
            else:
                db.session.commit()
                flash(_("The association is registered and you are its first board member. "
                        "You can now post tasks as institutions do."), "success")
                return redirect(url_for("community.association", association_id=created.id))
        return render_template("community/register.html", form=form), 400
    return render_template("community/register.html", form=form)


@routes.route("/foreninger/<int:association_id>/behov", methods=["POST"])
@access(Role.STAFF, Role.COORDINATOR)
def need(association_id: int):
    inst = _association(association_id)
    if not may_edit_organisation(current_user, inst):
        abort(403)
    form = NeedForm(prefix="need")
    if not form.validate():
        return render_template("community/profile_form.html", inst=inst, form=ProfileForm(obj=inst),
                               need_form=form, needs=_needs(inst)), 400
    try:
        add_need(inst, actor=current_user, now=utcnow(), title=form.title.data, description=form.description.data or "",
                 period=form.period.data or "")
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return redirect(url_for("community.edit", institution_id=inst.id))
    db.session.commit()
    flash(_("The need is on the association's page."), "success")
    return redirect(url_for("community.association", association_id=inst.id))


@routes.route("/foreninger/behov/<int:need_id>/tilbyd", methods=["POST"])
@access(LOGIN)
def offer(need_id: int):
    row = db.session.get(AssociationNeed, need_id) or abort(404)
    form = OfferForm()
    if not form.validate():
        flash(_("Write at most 2000 characters."), "error")
        return redirect(url_for("community.association", association_id=row.institution_id))
    try:
        offer_for_need(row, person=current_user, now=utcnow(), message=form.message.data or "")
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return redirect(url_for("community.association", association_id=row.institution_id))
    db.session.commit()
    flash(_("Thank you. The board sees your offer and your e-mail address and will contact you."), "success")
    return redirect(url_for("community.association", association_id=row.institution_id))


@routes.route("/foreninger/behov/<int:need_id>/daekket", methods=["POST"])
@access(Role.STAFF, Role.COORDINATOR)
def need_filled(need_id: int):
    row = db.session.get(AssociationNeed, need_id) or abort(404)
    if not may_edit_organisation(current_user, row.institution):
        abort(403)
    mark_need_filled(row, actor=current_user, now=utcnow())
    db.session.commit()
    flash(_("The need is marked as filled and no longer shown."), "success")
    return redirect(url_for("community.edit", institution_id=row.institution_id))


@routes.route("/koordinator/foreningstilbud", methods=["GET", "POST"])
@access(Role.COORDINATOR)
def municipal_offers():
    form = MunicipalOfferForm()
    if request.method == "POST":
        if form.validate():
            try:
                add_municipal_offer(actor=current_user, now=utcnow(), kind=form.kind.data, title=form.title.data,
                                    description=form.description.data or "", how_to_apply=form.how_to_apply.data,
                                    link=form.link.data or "")
            except DomainError as error:
                db.session.rollback()
                form.title.errors.append(message_for(error))
            else:
                db.session.commit()
                flash(_("The offer is listed on the associations' page."), "success")
                return redirect(url_for("community.associations"))
        return render_template("community/offer_form.html", form=form), 400
    return render_template("community/offer_form.html", form=form)
