"""`/healthz`: answers without touching the database, templates or the session."""
from __future__ import annotations

from flask import Blueprint, Response

from portal.access import PUBLIC, access

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@access(PUBLIC)
def healthz():
    """The cheapest answer the application can give: the floor our pages are measured against."""
    return Response("ok\n", mimetype="text/plain", headers={"Cache-Control": "no-store"})
