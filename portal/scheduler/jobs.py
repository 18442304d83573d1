"""The declarative list of scheduled jobs (fixed ids) and how one runs: queue, commit, deliver.

Every job takes `now`, computes from the database what is due at that moment, and queues mails with
deduplication keys (itself, or through the operations it calls); running it twice, or late, or in two
processes at once, sends nothing twice. What a job queued is what its transaction queued.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from models import db, utcnow
from portal.mail import outbox, sender
from portal.scheduler import digests, followups, reminders, retention
from portal.privacy import retention as privacy_retention
from portal import suggestions
from portal.auth import mailings
from portal.scheduler.timing import LOCAL

log = logging.getLogger(__name__)

BATCH = 500


@dataclass(frozen=True)
class Job:
    id: str
    run: Callable[[datetime], object]  # queues what is due at `now` (its return value is not used)
    trigger: Callable[[], object]     # a fresh APScheduler trigger
    about: str                        # for operators: the command line and the README


def _cron(**fields):
    return lambda: CronTrigger(timezone=LOCAL, **fields)


def _every(**interval):
    return lambda: IntervalTrigger(timezone=LOCAL, **interval)


def deliver_outbox(now: datetime) -> list:
    sender.deliver_all(now=now)
    return []


JOBS: tuple[Job, ...] = (
    Job("shift_reminders", reminders.queue_due, _every(minutes=5), "shift reminders 24 h and 2 h before"),
    Job("pending_signups", followups.pending_signups, _cron(minute=20), "nudge and close pending sign-ups"),
    Job("idea_deadlines", followups.idea_deadlines, _cron(minute=40), "ideas without an answer (5/10 working days)"),
    Job("network_item_deadlines", followups.network_item_deadlines, _cron(hour=8, minute=20),
        "items raised by a network and not answered by their date"),
    Job("team_places", followups.team_places, _cron(minute=50),
        "places a team holds and no member confirmed go to others a day before the start"),
    Job("underfilled_tasks", followups.underfilled_tasks, _cron(hour=8, minute=0),
        "tasks with free places 3 days before the start"),
    Job("certificates_expiring", followups.certificates_expiring, _cron(hour=8, minute=10),
        "child certificates expiring within 30 days"),
    Job("inactive_accounts", retention.inactive_accounts, _cron(hour=3, minute=30),
        "nudge after 12 months, deletion warning before 24 months"),
    Job("delete_inactive_accounts", privacy_retention.delete_inactive, _cron(hour=3, minute=45),
        "erase accounts still inactive 30 days after the deletion warning"),
    Job("purge_old_mails", privacy_retention.purge_old_mails, _cron(hour=4, minute=5),
        "empty the text of mails older than OUTBOX_RETENTION_DAYS (90)"),
    Job("digest_daily", digests.daily, _cron(hour=digests.DIGEST_HOUR, minute=0), "daily digest of news"),
    Job("digest_weekly", digests.weekly, _cron(day_of_week="mon", hour=digests.DIGEST_HOUR, minute=5),
        "weekly digest of news"),
    Job("deliver_outbox", deliver_outbox, _every(minutes=1), "send queued mails, retry with backoff"),
    Job("account_mails", mailings.left_behind, _every(minutes=1), "answer asks for account mails left behind"),
    Job("matching_refit", suggestions.refit_job, _cron(minute=25),
        "rebuild the suggestion indexes (tasks, findable volunteers, ideas) from the database"),
)
BY_ID = {job.id: job for job in JOBS}


def execute(job: Job, *, now: datetime | None = None, deliver: bool = True) -> int:
    """Run one job and commit what it queued; then try to deliver those mails at once."""
    now = now or utcnow()
    outbox.take_committed()  # what this session committed before is not this job's
    db.session.info[outbox.DUE_AT] = now  # what the job queues is due from its moment (a late or test clock too)
    try:
        _run_and_commit(job, now)
    finally:
        db.session.info.pop(outbox.DUE_AT, None)
    # The identity key, not `m.id`: after the commit every row is expired, and reading `id` would
    # refresh each of (say) 100,000 rows with a SELECT of its own.
    ids = [inspect(m).identity[0] for m in outbox.take_committed()]
    for start in range(0, len(ids) if deliver else 0, BATCH):
        sender.deliver(ids=ids[start:start + BATCH], now=now, limit=BATCH)
    return len(ids)


def _run_and_commit(job: Job, now: datetime) -> None:
    for attempt in (1, 2):
        try:
            job.run(now)
            for message in outbox.queued_in_transaction():
                if message.next_attempt_at != now:  # queued before the job set its moment
                    message.next_attempt_at = now
            db.session.commit()
            break
        except IntegrityError:
            # Someone else (`reminders send-due` beside the scheduler) queued one of these keys first:
            # run again, and the job's own check now skips what is already there.
            db.session.rollback()
            if attempt == 2:
                raise
        except Exception:
            db.session.rollback()
            log.exception("Scheduled job %s failed", job.id)
            raise


@dataclass
class DueReport:
    queued: dict[str, int]
    failed: dict[str, str]
    delivered: dict[str, int]


def run_due(now: datetime | None = None) -> DueReport:
    """Run every job once, synchronously, then deliver the whole outbox (`reminders send-due`).

    One failing job does not keep the others from running; it is reported instead.
    """
    now = now or utcnow()
    report = DueReport({}, {}, {})
    for job in JOBS:
        if job.run is deliver_outbox:
            continue
        try:
            report.queued[job.id] = execute(job, now=now, deliver=False)
        except Exception as exc:  # noqa: BLE001 - reported to the operator, the rest still runs
            report.failed[job.id] = f"{type(exc).__name__}: {exc}"
    report.delivered = sender.deliver_all(now=now)
    return report
