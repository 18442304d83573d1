"""`flask --app app reminders send-due` through click's runner, also right after `demo-data`."""
import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from models import OutboxMessage, db
from portal.scheduler import jobs


def _count(output: str, job_id: str) -> int:
    return int(re.search(rf"^{job_id}: (\d+) queued$", output, re.M).group(1))


def test_send_due_runs_every_job_and_delivers_once(app, make, smtp):
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=20)
    task = make.task(make.institution(), starts_at=start, capacity=2)
    people = [make.user(), make.user()]
    for person in people:
        make.signup_record(task.occurrences[0], person)
    db.session.commit()
    runner = app.test_cli_runner()

    first = runner.invoke(args=["reminders", "send-due"])
    assert first.exit_code == 0, first.output
    assert _count(first.output, "shift_reminders") == 2
    assert {job.id for job in jobs.JOBS} - {"deliver_outbox"} <= set(re.findall(r"^(\w+): \d+ queued$", first.output, re.M))
    assert "outbox: 2 sent, 0 retry, 0 failed, 0 dropped" in first.output
    assert sorted(m["To"] for m in smtp.messages) == sorted(p.email for p in people)

    again = runner.invoke(args=["reminders", "send-due"])
    assert again.exit_code == 0 and _count(again.output, "shift_reminders") == 0
    assert "outbox: 0 sent" in again.output and len(smtp.messages) == 2


def test_send_due_reports_a_failing_job_and_still_runs_the_others(app, make, smtp, monkeypatch):
    def broken(now):
        raise RuntimeError("database on fire")

    failing = jobs.Job("broken", broken, jobs.JOBS[0].trigger, "a job that fails")
    monkeypatch.setattr(jobs, "JOBS", (failing,) + jobs.JOBS)
    result = app.test_cli_runner().invoke(args=["reminders", "send-due"])
    assert result.exit_code == 1
    assert "broken: FAILED RuntimeError: database on fire" in result.output
    assert "shift_reminders: 0 queued" in result.output


def test_reminders_are_due_right_after_demo_data(app, smtp):
    runner = app.test_cli_runner()
    loaded = runner.invoke(args=["demo-data"])
    assert loaded.exit_code == 0 and "Demo data loaded" in loaded.output, loaded.output
    result = runner.invoke(args=["reminders", "send-due"])
    assert result.exit_code == 0, result.output
    queued = _count(result.output, "shift_reminders")
    assert queued >= 1
    db.session.expire_all()
    sent = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "shift_reminder", OutboxMessage.status == "sent"))
    assert sent == queued
    reminders = [m for m in smtp.messages if "/vagt/" in smtp.text_of(m)]
    assert len(reminders) == queued
    assert _count(runner.invoke(args=["reminders", "send-due"]).output, "shift_reminders") == 0
