"""The long-running scheduler process: wait for the single-runner lock, then run the jobs on time.

`flask --app app scheduler` runs this. APScheduler keeps the jobs in the app database (table
apscheduler_jobs), so a job missed during downtime runs once when the scheduler is back; the jobs
themselves compute what is due from the data, so running one late or twice is harmless.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from models import db
from portal.scheduler import jobs
from portal.scheduler.lock import SingleRunner
from portal.scheduler.timing import LOCAL

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15
LEASE_SECONDS = 60
JOB_TABLE = "apscheduler_jobs"

# The application whose jobs APScheduler runs; stored jobs name `run_job` by reference only.
_active_app: Flask | None = None


def run_job(job_id: str) -> None:
    """Entry point APScheduler calls: run one declared job inside an application context."""
    app = _active_app
    if app is None:
        log.warning("Job %s fired without an active scheduler application", job_id)
        return
    with app.app_context():
        try:
            jobs.execute(jobs.BY_ID[job_id])
        finally:
            db.session.remove()


def build_scheduler(app: Flask) -> BackgroundScheduler:
    with app.app_context():
        engine = db.engine
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)},
        executors={"default": ThreadPoolExecutor(2)},
        # Late runs still run (the jobs catch up sensibly), but a backlog runs once, not many times.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=LOCAL)


def reconcile(scheduler: BackgroundScheduler) -> None:
    """Make the stored jobs match the declared list, keeping the stored next run of unchanged jobs."""
    declared = {job.id: job for job in jobs.JOBS}
    for stored in scheduler.get_jobs():
        if stored.id not in declared:
            stored.remove()
    for job in jobs.JOBS:
        trigger = job.trigger()
        stored = scheduler.get_job(job.id)
        if stored is not None and str(stored.trigger) == str(trigger) and stored.args == (job.id,):
            continue
        # A new or changed job runs once at once: after an install or an upgrade nothing waits a period.
        scheduler.add_job(run_job, trigger, args=(job.id,), id=job.id, name=job.id, replace_existing=True,
                          next_run_time=datetime.now(LOCAL))


class SchedulerProcess:
    """Stand by until the lock is ours, run APScheduler while we keep it, heartbeat all along."""

    def __init__(self, app: Flask, *, stop: threading.Event | None = None, runner: SingleRunner | None = None):
        self.app = app
        self.stop = stop or threading.Event()
        cfg = app.config
        self.heartbeat = cfg.get("SCHEDULER_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)
        with app.app_context():
            self.runner = runner or SingleRunner(
                db.engine, lease=timedelta(seconds=cfg.get("SCHEDULER_LEASE_SECONDS", LEASE_SECONDS)))
        self.active = threading.Event()

    def run(self) -> None:
        global _active_app
        while not self.stop.is_set():
            if not self.runner.try_acquire():
                self.stop.wait(self.heartbeat)  # stand by
                continue
            log.info("Scheduler %s is active", self.runner.holder)
            _active_app = self.app
            scheduler = build_scheduler(self.app)
            scheduler.start(paused=True)
            try:
                reconcile(scheduler)
                scheduler.resume()
                self.active.set()
                while not self.stop.wait(self.heartbeat):
                    if not self.runner.renew():
                        log.warning("Scheduler %s lost its lock; standing by", self.runner.holder)
                        break
            finally:
                self.active.clear()
                # Detach the store first: APScheduler's loop makes one last pass on shutdown, which
                # would move the next run of a job due that instant without running it.
                scheduler.remove_jobstore("default", shutdown=False)
                scheduler.shutdown(wait=True)
                self.runner.release()
