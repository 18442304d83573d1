"""The scheduler's heartbeat as staff see it: a warning when it has been quiet too long."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_login import current_user

from models import Role, SchedulerLease, db, utcnow

LEASE_NAME = "scheduler"


def last_heartbeat() -> datetime | None:
    row = db.session.get(SchedulerLease, LEASE_NAME)
    return row.heartbeat_at if row is not None else None


def is_quiet(now: datetime | None = None) -> bool:
    """True when no scheduler has reported for SCHEDULER_STALE_MINUTES (or ever)."""
    beat = last_heartbeat()
    limit = timedelta(minutes=current_app.config["SCHEDULER_STALE_MINUTES"])
    return beat is None or beat < (now or utcnow()) - limit


def template_context() -> dict:
    """Adds `scheduler_quiet` for admins and coordinators (everyone else never sees it)."""
    if not (current_user and current_user.is_authenticated and current_user.has_role(Role.ADMIN, Role.COORDINATOR)):
        return {"scheduler_quiet": False}
    return {"scheduler_quiet": is_quiet(), "scheduler_heartbeat": last_heartbeat()}
