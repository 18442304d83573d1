"""Institution staff's views."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from models import Institution, InstitutionMember, Role, db
from portal.access import access

bp = Blueprint("institutions", __name__, url_prefix="/institution")


def my_institutions() -> list[Institution]:
    return list(db.session.scalars(
        select(Institution).join(InstitutionMember).where(InstitutionMember.user_id == current_user.id)
        .order_by(Institution.name)))


@bp.route("/")
@access(Role.STAFF)
def index():
    """The staff member's institutions."""
    return render_template("institutions/index.html", institutions=my_institutions())
