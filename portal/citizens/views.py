"""Citizens' views."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from models import Role
from portal import suggestions
from portal.access import access

# No common prefix: the citizen's pages keep short Danish addresses (/mig/, /min-profil, /mine-opgaver).
bp = Blueprint("citizens", __name__)


@bp.route("/mig/")
@access(Role.CITIZEN)
def index():
    """The citizen's own page."""
    return render_template("citizens/index.html", user=current_user,
                           suggestions=suggestions.tasks_for(current_user))


# The other pages of the room register on the same blueprint.
from portal.citizens import commitments, profile, signups  # noqa: E402,F401
