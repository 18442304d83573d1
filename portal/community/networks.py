"""Thematic networks: the public list and page, joining, the tovholder's meetings and minutes, items
for the municipality and the coordinators' answers."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from models import DomainError, Network, NetworkItem, NetworkMeeting, Role, User, db, utcnow
from models.network_operations import (answer_item, create_network, join_network, leave_network, may_lead_network,
                                       plan_meeting, publish_minutes, raise_item)
from models.networks import is_network_member, member_counts, unanswered_items
from portal.access import LOGIN, PUBLIC, access
from portal.formatting import day
from portal.community.forms import AnswerForm, ItemForm, MeetingForm, MinutesForm, NetworkForm, message_for
from portal.routes import RouteTable
from portal.scheduler.timing import add_working_days

routes = RouteTable()


def _network(network_id: int) -> Network:
    return db.session.get(Network, network_id) or abort(404)


@routes.route("/netvaerk")
@access(PUBLIC)
def networks():
    rows = list(db.session.scalars(select(Network).order_by(Network.name)))
    return render_template("community/networks.html", networks=rows, counts=member_counts())


def _render_network(network: Network, *, meeting_form=None, item_form=None, status=200):
    now = utcnow()
    member = is_network_member(network.id, current_user)
    leads = may_lead_network(current_user, network)
    items = list(db.session.scalars(select(NetworkItem).where(NetworkItem.network_id == network.id)
                                    .order_by(NetworkItem.raised_at.desc()))) if (member or leads) else []
    return render_template("community/network.html", network=network, count=member_counts([network.id]).get(network.id, 0),
                           member=member, leads=leads, now=now, items=items,
                           meeting_form=meeting_form or MeetingForm(prefix="meeting"),
                           item_form=item_form or ItemForm(prefix="item"), minutes_form=MinutesForm()), status


@routes.route("/netvaerk/<int:network_id>")
@access(PUBLIC)
def network(network_id: int):
    return _render_network(_network(network_id))


@routes.route("/netvaerk/<int:network_id>/deltag", methods=["POST"])
@access(LOGIN)
def network_join(network_id: int):
    network = _network(network_id)
    was_member = is_network_member(network.id, current_user)
    try:
        join_network(network, person=current_user, now=utcnow())
    except DomainError as error:
        flash(message_for(error), "error")
        return redirect(url_for("community.network", network_id=network.id))
    db.session.commit()
    flash(_("You are already a member of the network.") if was_member else _("Welcome to the network."), "success")
    return redirect(url_for("community.network", network_id=network.id))


@routes.route("/netvaerk/<int:network_id>/forlad", methods=["POST"])
@access(LOGIN)
def network_leave(network_id: int):
    network = _network(network_id)
    try:
        left = leave_network(network, person=current_user, now=utcnow())
    except DomainError as error:
        flash(message_for(error), "error")
        return redirect(url_for("community.network", network_id=network.id))
    db.session.commit()
    if left:
        flash(_("You have left the network."), "success")
    return redirect(url_for("community.network", network_id=network.id))


@routes.route("/netvaerk/<int:network_id>/moeder", methods=["POST"])
@access(LOGIN)
def network_plan(network_id: int):
    network = _network(network_id)
    if not may_lead_network(current_user, network):
        abort(403)
    form = MeetingForm(prefix="meeting")
    if not form.validate():
        return _render_network(network, meeting_form=form, status=400)
    starts, ends = form.span()
    try:
        plan_meeting(network, actor=current_user, now=utcnow(), starts_at=starts, ends_at=ends,
                     place=form.place.data or "", agenda=form.agenda.data or "")
    except DomainError as error:
        db.session.rollback()
        (form.agenda if error.code == "agenda_required" else form.ends if error.code == "ends_before_start"
         else form.day).errors = [message_for(error)]
        return _render_network(network, meeting_form=form, status=400)
    db.session.commit()
    flash(_("The meeting is planned and shown to the network."), "success")
    return redirect(url_for("community.network", network_id=network.id))


@routes.route("/netvaerk/moeder/<int:meeting_id>/referat", methods=["POST"])
@access(LOGIN)
def network_minutes(meeting_id: int):
    meeting = db.session.get(NetworkMeeting, meeting_id) or abort(404)
    if not may_lead_network(current_user, meeting.network):
        abort(403)
    form = MinutesForm()
    if not form.validate():
        flash(_("Write the minutes."), "error")
        return redirect(url_for("community.network", network_id=meeting.network_id))
    try:
        publish_minutes(meeting, actor=current_user, now=utcnow(), minutes=form.minutes.data)
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return redirect(url_for("community.network", network_id=meeting.network_id))
    db.session.commit()
    flash(_("The minutes are published to the members."), "success")
    return redirect(url_for("community.network", network_id=meeting.network_id))


@routes.route("/netvaerk/<int:network_id>/punkter", methods=["POST"])
@access(LOGIN)
def raise_for_municipality(network_id: int):
    network = _network(network_id)
    if not (is_network_member(network.id, current_user) or may_lead_network(current_user, network)):
        abort(403)
    form = ItemForm(prefix="item")
    if not form.validate():
        return _render_network(network, item_form=form, status=400)
    now = utcnow()
    due = add_working_days(now, current_app.config["IDEA_ANSWER_WORKING_DAYS"])
    try:
        raise_item(network, actor=current_user, now=now, title=form.title.data, body=form.body.data or "",
                   answer_due_at=due)
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return _render_network(network, item_form=form, status=400)
    db.session.commit()
    flash(_("The item is sent to the municipality's coordinators. They answer it by %(day)s.",
            day=day(due)), "success")
    return redirect(url_for("community.network", network_id=network.id))


# --- the coordinators ------------------------------------------------------------------------------

@routes.route("/koordinator/netvaerk", methods=["GET", "POST"])
@access(Role.COORDINATOR)
def coordinate():
    form = NetworkForm(prefix="network")
    status = 200
    if request.method == "POST":
        if form.validate():
            tovholder = User.by_email(form.tovholder.data) if form.tovholder.data else None
            if form.tovholder.data and tovholder is None:
                form.tovholder.errors.append(_("No one has an account with that e-mail address."))
            else:
                try:
                    created = create_network(actor=current_user, now=utcnow(), name=form.name.data,
                                             purpose=form.purpose.data or "", tovholder=tovholder)
                except DomainError as error:
                    db.session.rollback()
                    form.name.errors.append(message_for(error))
                else:
                    db.session.commit()
                    flash(_("The network is created."), "success")
                    return redirect(url_for("community.network", network_id=created.id))
        status = 400
    return render_template("community/coordinate_networks.html", form=form, items=unanswered_items(),
                           answer_form=AnswerForm(), now=utcnow()), status


@routes.route("/netvaerk/punkter/<int:item_id>/svar", methods=["POST"])
@access(Role.COORDINATOR)
def item_answer(item_id: int):
    item = db.session.get(NetworkItem, item_id) or abort(404)
    form = AnswerForm()
    if not form.validate():
        flash(_("Write the answer."), "error")
        return redirect(url_for("community.coordinate"))
    try:
        answer_item(item, actor=current_user, now=utcnow(), answer=form.answer.data)
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return redirect(url_for("community.coordinate"))
    db.session.commit()
    flash(_("The answer is published to the network."), "success")
    return redirect(url_for("community.coordinate"))
