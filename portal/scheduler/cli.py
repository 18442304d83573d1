"""`flask --app app scheduler` (the long-running process) and `flask --app app reminders send-due`."""
from __future__ import annotations

import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.scheduler import jobs


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run the scheduled jobs until stopped; a second copy stands by until the first one stops."""
    from portal.scheduler.runner import SchedulerProcess
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_args: stop.set())
    process = SchedulerProcess(current_app._get_current_object(), stop=stop)
    click.echo(f"Scheduler {process.runner.holder}: {len(jobs.JOBS)} jobs; waiting for the lock if another runs.")
    process.run()
    click.echo("Scheduler stopped.")


@click.group("reminders")
def reminders():
    """Reminders and other scheduled mails."""


@reminders.command("send-due")
@with_appcontext
def send_due():
    """Run every scheduled job once, now, and deliver the outbox."""
    report = jobs.run_due()
    for job_id, count in report.queued.items():
        click.echo(f"{job_id}: {count} queued")
    for job_id, error in report.failed.items():
        click.echo(f"{job_id}: FAILED {error}", err=True)
    delivered = report.delivered
    click.echo("outbox: " + ", ".join(f"{delivered[k]} {k}" for k in ("sent", "retry", "failed", "dropped")))
    if report.failed:
        raise SystemExit(1)
