"""APScheduler keeps the declared jobs in the app database, so a restart catches up instead of forgetting."""
from datetime import datetime, timedelta

from sqlalchemy import func, select, table

from models import db
from portal.scheduler import jobs, runner
from portal.scheduler.timing import LOCAL


def _started(app):
    scheduler = runner.build_scheduler(app)
    scheduler.start(paused=True)
    runner.reconcile(scheduler)
    return scheduler


def _stop(scheduler) -> None:
    # Detach the store first: APScheduler's loop makes one last pass on shutdown (which would move
    # the next runs of due jobs in the store); the test reads the store as a restart would find it.
    scheduler.remove_jobstore("default")
    scheduler.shutdown(wait=False)


def test_declared_jobs_are_stored_and_a_restart_keeps_their_next_run(app):
    first = _started(app)
    stored = {job.id: job.next_run_time for job in first.get_jobs()}
    _stop(first)
    assert set(stored) == {job.id for job in jobs.JOBS}
    assert db.session.scalar(select(func.count()).select_from(table(runner.JOB_TABLE))) == len(jobs.JOBS)
    # New jobs run once at once: nothing waits a whole period after an install.
    assert all(moment <= datetime.now(LOCAL) + timedelta(seconds=5) for moment in stored.values())

    second = _started(app)
    assert {job.id: job.next_run_time for job in second.get_jobs()} == stored
    _stop(second)


def test_a_job_no_longer_declared_is_removed_and_a_changed_one_replaced(app, monkeypatch):
    scheduler = _started(app)
    kept = scheduler.get_job("deliver_outbox").next_run_time
    scheduler.modify_job("deliver_outbox", next_run_time=kept + timedelta(hours=1))
    _stop(scheduler)

    changed = jobs.Job("digest_daily", jobs.digests.daily, jobs._cron(hour=6), "earlier")
    monkeypatch.setattr(jobs, "JOBS", tuple(changed if j.id == "digest_daily" else j for j in jobs.JOBS
                                            if j.id != "digest_weekly"))
    scheduler = _started(app)
    ids = {job.id for job in scheduler.get_jobs()}
    assert "digest_weekly" not in ids and "digest_daily" in ids
    assert "hour='6'" in str(scheduler.get_job("digest_daily").trigger)
    assert scheduler.get_job("deliver_outbox").next_run_time == kept + timedelta(hours=1)
    _stop(scheduler)


def test_run_job_uses_the_active_application(app, make, smtp, monkeypatch):
    from datetime import timezone
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=20)
    task = make.task(make.institution(), starts_at=start, capacity=1)
    volunteer = make.user()
    make.signup_record(task.occurrences[0], volunteer)
    db.session.commit()
    monkeypatch.setattr(runner, "_active_app", app)
    runner.run_job("shift_reminders")
    assert [m["To"] for m in smtp.messages] == [volunteer.email]
