"""Insight (indsigt): the citizen sees who looked at or changed their private data, and what was done for them."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from models import ConsentRecord, Role, db
from models.audit import audit_trail
from portal.access import access
from portal.routes import RouteTable
from portal.coordinators.labels import action_labels, consent_labels, detail_labels

routes = RouteTable()

INSIGHT_LIMIT = 500


@routes.route("/min-profil/indsigt")
@access(Role.CITIZEN)
def insight():
    """Who at the municipality looked at my data, and what a coordinator did on my behalf."""
    entries = audit_trail(current_user.id, limit=INSIGHT_LIMIT, skip_actor_id=current_user.id)
    consents = db.session.scalars(select(ConsentRecord).where(ConsentRecord.user_id == current_user.id)
                                  .order_by(ConsentRecord.created_at.desc())).all()
    return render_template("citizens/insight.html", entries=entries, consents=consents, labels=action_labels(),
                           details=detail_labels(), consent_labels=consent_labels())
