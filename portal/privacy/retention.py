"""The retention job: delete accounts that were warned and stayed inactive (GDPR storage limitation)."""
from __future__ import annotations

from datetime import datetime

from portal.privacy.erasure import withdraw_and_erase
from portal.scheduler.retention import deletion_candidates


def delete_inactive(now: datetime) -> None:
    """Erase every account past the retention limit whose deletion warning was delivered in time."""
    for user in deletion_candidates(now):
        withdraw_and_erase(user, now=now)
