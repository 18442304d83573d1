"""Shift reminders end to end: the due jobs queue, the sender delivers to a real SMTP server (aiosmtpd)."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from models import OutboxMessage, db
from portal.mail import preferences, sender
from portal.scheduler import jobs, reminders
from portal.scheduler.timing import LOCAL

UTC = timezone.utc


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL).astimezone(UTC)


def shift(make, start: datetime, volunteers: int = 2, **task_fields):
    """A full task (so no under-filled mail) with one occurrence at `start` and accepted volunteers."""
    place = make.institution()
    task = make.task(place, starts_at=start, capacity=max(volunteers, 1), **task_fields)
    occurrence = task.occurrences[0]
    people = [make.user() for _ in range(volunteers)]
    signups = [make.signup_record(occurrence, person) for person in people]
    db.session.commit()
    return task, occurrence, people, signups


def reminders_in_outbox(**where) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == reminders.KIND)
    for column, value in where.items():
        query = query.where(getattr(OutboxMessage, column) == value)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def test_running_the_due_jobs_twice_delivers_each_reminder_once(app, make, smtp):
    now = datetime.now(UTC).replace(microsecond=0)
    _task, _occ, people, _signups = shift(make, now + timedelta(hours=20), volunteers=3)
    first = jobs.run_due(now)
    second = jobs.run_due(now + timedelta(minutes=5))
    assert first.queued["shift_reminders"] == 3 and first.delivered["sent"] == 3
    assert second.queued["shift_reminders"] == 0 and second.delivered["sent"] == 0
    for person in people:
        [mail] = smtp.to(person.email)
        text = smtp.text_of(mail)
        assert "/vagt/" in text and "/afbud" in text
        assert "Jeg kommer" in text and "Jeg kan ikke alligevel" in text
        assert mail.get_body(preferencelist=("html",)) is not None
    # Two hours before: the second reminder, once, without the answer links.
    later = now + timedelta(hours=18, minutes=30)
    assert jobs.run_due(later).delivered["sent"] == 3
    assert jobs.run_due(later + timedelta(minutes=1)).delivered["sent"] == 0
    assert len(smtp.messages) == 6
    for person in people:
        day_before, two_hours = smtp.to(person.email)
        assert "/afbud" not in smtp.text_of(two_hours)


def test_reminder_is_in_the_recipients_language(app, make, smtp):
    now = datetime.now(UTC).replace(microsecond=0)
    _task, _occ, (dane, briton), _signups = shift(make, now + timedelta(hours=20))
    briton.locale = "en"
    db.session.commit()
    jobs.run_due(now)
    assert smtp.to(briton.email)[0]["Subject"].startswith("Reminder:")
    assert not smtp.to(dane.email)[0]["Subject"].startswith("Reminder:")
    assert "Hello" in smtp.text_of(smtp.to(briton.email)[0])


def test_reminder_body_is_translated_and_escaped_in_html(app, make, smtp):
    now = datetime.now(UTC).replace(microsecond=0)
    _task, _occ, [dane], _signups = shift(make, now + timedelta(hours=20), volunteers=1)
    dane.name = "Ib <Ørsted> & Co"
    db.session.commit()
    jobs.run_due(now)
    [mail] = smtp.to(dane.email)
    assert "Hej Ib <Ørsted> & Co" in smtp.text_of(mail)
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "Hej Ib &lt;Ørsted&gt; &amp; Co" in html and "<Ørsted>" not in html


@pytest.mark.parametrize("start, day_before, two_hours", [
    # Summer time starts Sunday 29 March 2026 02:00; the day after the switch, and the switch day itself.
    (local(2026, 3, 30, 9), local(2026, 3, 29, 9), local(2026, 3, 30, 7)),
    (local(2026, 3, 29, 9), local(2026, 3, 28, 9), local(2026, 3, 29, 7)),
    # Summer time ends Sunday 25 October 2026 03:00.
    (local(2026, 10, 26, 9), local(2026, 10, 25, 9), local(2026, 10, 26, 7)),
    (local(2026, 10, 25, 9), local(2026, 10, 24, 9), local(2026, 10, 25, 7)),
])
def test_daylight_saving_the_day_before_goes_out_at_the_same_local_time(app, make, smtp, start, day_before,
                                                                        two_hours):
    _task, _occ, [person], _signups = shift(make, start, volunteers=1)
    assert jobs.run_due(day_before - timedelta(minutes=1)).queued["shift_reminders"] == 0
    assert jobs.run_due(day_before).delivered["sent"] == 1
    assert day_before.astimezone(LOCAL).hour == 9
    assert jobs.run_due(two_hours - timedelta(minutes=1)).delivered["sent"] == 0
    assert jobs.run_due(two_hours).delivered["sent"] == 1
    first, second = smtp.to(person.email)
    assert "09.00" in first["Subject"] and "/afbud" in smtp.text_of(first)
    assert "/afbud" not in smtp.text_of(second)


def test_no_reminder_for_cancelled_signups_tasks_occurrences_or_people_who_turned_it_off(app, make, smtp):
    now = datetime.now(UTC).replace(microsecond=0)
    start = now + timedelta(hours=20)
    _t, _o, [gone], [cancelled_signup] = shift(make, start, volunteers=1)
    cancelled_signup.status, cancelled_signup.holds_spot = "cancelled", False
    _t, _o, [off_person], _s = shift(make, start, volunteers=1)
    preferences.save(off_person, {"shift_reminder": preferences.Choice(False, None)})
    cancelled_task, _o, [on_cancelled_task], _s = shift(make, start, volunteers=1)
    cancelled_task.status = "cancelled"
    _t, cancelled_occurrence, [on_cancelled_occurrence], _s = shift(make, start, volunteers=1)
    cancelled_occurrence.cancelled = True
    _t, _o, [waiting], [waitlisted] = shift(make, start, volunteers=1)
    waitlisted.status, waitlisted.holds_spot = "waitlisted", False
    _t, _o, [expected], _s = shift(make, start, volunteers=1)
    db.session.commit()

    report = jobs.run_due(now)
    assert report.queued["shift_reminders"] == 1 and report.delivered["sent"] == 1
    assert [m["To"] for m in smtp.messages] == [expected.email]


def test_send_time_recheck_drops_what_is_no_longer_true(app, make, smtp):
    """Queued while SMTP was down; meanwhile one cancelled, one shift moved, one task was cancelled."""
    now = datetime.now(UTC).replace(microsecond=0)
    start = now + timedelta(hours=20)
    _t, _o, [cancels], [signup] = shift(make, start, volunteers=1)
    _t, moved, [moved_person], _s = shift(make, start, volunteers=1)
    called_off, _o, [called_off_person], _s = shift(make, start, volunteers=1)
    _t, _o, [still_on], _s = shift(make, start, volunteers=1)
    smtp.stop()
    report = jobs.run_due(now)
    assert report.queued["shift_reminders"] == 4 and report.delivered["retry"] == 4

    signup.status, signup.holds_spot = "cancelled", False
    moved.starts_at = start + timedelta(days=2)
    moved.ends_at = moved.starts_at + timedelta(hours=2)
    called_off.status = "cancelled"
    db.session.commit()
    smtp.start()
    report = jobs.run_due(now + timedelta(minutes=2))
    assert report.delivered == {"sent": 1, "retry": 0, "failed": 0, "dropped": 3}
    assert [m["To"] for m in smtp.messages] == [still_on.email]
    reasons = {m.recipient: m.last_error for m in reminders_in_outbox(status="dropped")}
    assert set(reasons) == {cancels.email, moved_person.email, called_off_person.email}
    assert all(reason.startswith("no longer true") for reason in reasons.values())


def test_catch_up_after_downtime_sends_what_is_relevant_and_drops_the_stale(app, make, smtp):
    now = datetime.now(UTC).replace(microsecond=0)
    # The scheduler was down from 30 hours before the start until one hour before it.
    _t, _o, [person], _s = shift(make, now + timedelta(hours=1), volunteers=1)
    report = jobs.run_due(now)
    assert report.delivered["sent"] == 1
    [mail] = smtp.to(person.email)
    assert "/afbud" not in smtp.text_of(mail)  # the two-hour one; the day-before one is stale
    [queued] = reminders_in_outbox()
    assert ":2h:" in queued.dedup_key

    # A day-before reminder stuck in the outbox until its window closed is dropped, not sent late.
    _t, _o, [late], _s = shift(make, now + timedelta(hours=20), volunteers=1)
    smtp.stop()
    jobs.run_due(now)
    smtp.start()
    report = jobs.run_due(now + timedelta(hours=18, minutes=30))
    assert report.delivered["dropped"] == 1 and report.delivered["sent"] == 1
    [mail] = smtp.to(late.email)
    assert "/afbud" not in smtp.text_of(mail)
    [dropped] = reminders_in_outbox(status="dropped")
    assert dropped.recipient == late.email and "stale" in dropped.last_error


def test_smtp_down_reminders_stay_queued_and_arrive_once_it_is_back(app, make, smtp):
    now = datetime.now(UTC).replace(microsecond=0)
    _t, _o, people, _s = shift(make, now + timedelta(hours=20), volunteers=3)
    smtp.stop()
    assert jobs.run_due(now).delivered["retry"] == 3
    assert jobs.run_due(now + timedelta(seconds=30)).delivered == {"sent": 0, "retry": 0, "failed": 0, "dropped": 0}
    smtp.start()
    assert jobs.run_due(now + sender.backoff(1)).delivered["sent"] == 3
    assert sorted(m["To"] for m in smtp.messages) == sorted(p.email for p in people)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3


def test_lead_times_are_configurable(app, make, smtp):
    app.config["REMINDER_LEADS"] = "2d,1h"
    plan = reminders.leads()
    assert [lead.name for lead in plan] == ["2d", "1h"] and plan[0].answer_links and not plan[1].answer_links
    now = datetime.now(UTC).replace(microsecond=0)
    shift(make, now + timedelta(hours=40), volunteers=1)
    assert jobs.run_due(now).delivered["sent"] == 1
    with pytest.raises(ValueError):
        reminders.parse_leads("soon")
