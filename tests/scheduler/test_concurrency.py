"""Even without the lock, two runners at once (say `reminders send-due` beside the scheduler) send
nothing twice: the outbox key and the atomic claim are enough. Separate apps, so separate engines."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from models import OutboxMessage, db
from portal.scheduler import jobs


def _race(make_app, make, smtp_for, volunteers: int = 40):
    main = make_app()
    with main.app_context():
        db.create_all()
        smtp = smtp_for(main)
        start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=20)
        task = make.task(make.institution(), starts_at=start, capacity=volunteers)
        people = [make.user() for _ in range(volunteers)]
        for person in people:
            make.signup_record(task.occurrences[0], person)
        db.session.commit()
        emails = sorted(p.email for p in people)

    apps = [make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_TIMEOUT=5) for _ in range(2)]
    barrier = threading.Barrier(len(apps))
    reports, errors = [], []

    def run(app):
        with app.app_context():
            try:
                barrier.wait(10)
                reports.append(jobs.run_due(datetime.now(timezone.utc)))
            except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert sum(r.queued["shift_reminders"] for r in reports) == volunteers
    assert sum(r.delivered["sent"] for r in reports) == volunteers
    assert sorted(m["To"] for m in smtp.messages) == emails
    with main.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.status == "sent")) == volunteers


def test_two_runners_at_once_send_each_reminder_once_on_sqlite(make_app, make, smtp_for):
    _race(make_app, make, smtp_for)


@pytest.mark.postgres
def test_two_runners_at_once_send_each_reminder_once_on_postgresql(make_app, make, smtp_for):
    _race(make_app, make, smtp_for)


def test_a_key_queued_by_someone_else_meanwhile_makes_the_job_run_again(app, make, smtp, monkeypatch):
    """The other runner commits the same reminder between this job's check and its commit."""
    from portal.scheduler import reminders
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=20)
    task = make.task(make.institution(), starts_at=start, capacity=2)
    for person in (make.user(), make.user()):
        make.signup_record(task.occurrences[0], person)
    db.session.commit()
    now = datetime.now(timezone.utc)
    assert jobs.execute(jobs.BY_ID["shift_reminders"], now=now, deliver=False) == 2
    checks = []
    real = reminders.already_queued

    def blind_first(keys):
        checks.append(1)
        return set() if len(checks) == 1 else real(keys)

    monkeypatch.setattr(reminders, "already_queued", blind_first)
    assert jobs.execute(jobs.BY_ID["shift_reminders"], now=now, deliver=False) == 0
    assert len(checks) == 2
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_two_runners_with_many_small_groups_in_flight_send_each_reminder_once_on_sqlite(make_app, make, smtp_for,
                                                                                        monkeypatch):
    """The sender marks one group while its lanes send the next: still each mail once."""
    from portal.mail import sender
    monkeypatch.setattr(sender, "MARK_EVERY", 4)
    _race(make_app, make, smtp_for, volunteers=90)


@pytest.mark.postgres
def test_two_runners_with_many_small_groups_in_flight_send_each_reminder_once_on_postgresql(make_app, make,
                                                                                            smtp_for, monkeypatch):
    from portal.mail import sender
    monkeypatch.setattr(sender, "MARK_EVERY", 4)
    _race(make_app, make, smtp_for, volunteers=90)
