"""The retention job: delete accounts that were warned and stayed inactive (GDPR storage limitation)."""
from __future__ import annotations

from datetime import datetime

from flask import current_app

from models import db
from models.privacy import purge_outbox_bodies

from portal.privacy.erasure import withdraw_and_erase
from portal.scheduler.retention import deletion_candidates


def delete_inactive(now: datetime) -> None:
    """Erase every account past the retention limit whose deletion warning was delivered in time."""
    for user in deletion_candidates(now):
        withdraw_and_erase(user, now=now)


def purge_old_mails(now: datetime) -> None:
    """Empty the text of mails older than OUTBOX_RETENTION_DAYS (default 90); the rows stay as a record."""
    purge_outbox_bodies(db.session, now=now, days=current_app.config.get("OUTBOX_RETENTION_DAYS", 90))
