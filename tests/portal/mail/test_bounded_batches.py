"""Jobs that scale (issue 13, finding 7): no query takes an unbounded IN list. The reminder job asked for
the preferences of 100,000 recipients in one IN (...), over psycopg's limit of 65,535 parameters."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from models import NotificationPreference, db
from models.base import IN_CHUNK, chunks
from portal.mail import preferences


def test_chunks():
    assert [len(c) for c in chunks(range(12_001), 5_000)] == [5_000, 5_000, 2_001]
    assert list(chunks([])) == [] and IN_CHUNK <= 10_000


def _largest_parameter_list(run):
    sizes = []

    def count(_conn, _cursor, _statement, parameters, _context, _many):
        sizes.append(len(parameters) if hasattr(parameters, "__len__") else 0)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = run()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return result, max(sizes)


def _turned_off_for_many(make, count):
    person = make.user()
    db.session.add(NotificationPreference(user_id=person.id, kind="shift_reminder", enabled=False))
    db.session.commit()
    ids = [person.id] + list(range(10_000_000, 10_000_000 + count))
    return _largest_parameter_list(lambda: preferences.turned_off(ids, "shift_reminder")), person


def test_preferences_of_many_recipients_are_read_in_bounded_batches(app, make):
    (off, largest), person = _turned_off_for_many(make, 12_000)
    assert off == {person.id} and largest <= 10_000 + 10


@pytest.mark.postgres
def test_preferences_of_100000_recipients_on_postgres(app, make):
    (off, _largest), person = _turned_off_for_many(make, 100_000)
    assert off == {person.id}


def test_the_reminder_job_reads_sign_ups_in_batches_and_misses_none(app, make, monkeypatch):
    from datetime import timedelta

    from sqlalchemy import func, select

    from models import OutboxMessage, utcnow
    from portal.scheduler import jobs, reminders
    now = utcnow().replace(microsecond=0)
    task = make.task(make.institution(), starts_at=now + timedelta(hours=20), capacity=7)
    for _ in range(7):
        make.signup_record(task.occurrences[0], make.user())
    db.session.commit()
    monkeypatch.setattr(reminders, "BATCH", 3)
    jobs.execute(jobs.BY_ID["shift_reminders"], now=now, deliver=False)
    count = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "shift_reminder")
    assert db.session.scalar(count) == 7
    jobs.execute(jobs.BY_ID["shift_reminders"], now=now + timedelta(minutes=5), deliver=False)
    assert db.session.scalar(count) == 7
