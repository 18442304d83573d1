"""The pending-application follow-ups: a nudge to the contact person at 3 days, closing at 10 days."""
from datetime import timedelta

from sqlalchemy import select

from models import OutboxMessage, db
from models.tasks import sign_up
from portal.scheduler import followups
from portal.scheduler.jobs import BY_ID, execute
from tests.factories import aware

NOW = aware(2026, 3, 2, 9, 0)


def _mails(kind):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def test_nudge_then_close_with_a_friendly_message_and_promotion(app, make):
    inst = make.institution()
    task = make.task(inst, capacity=1, requires_child_certificate=True, starts_at=NOW + timedelta(days=30),
                     contact_email="leder@skolen.dk", title="Lektiecafé")
    occ = task.occurrences[0]
    applicant, waiting = make.user(name="Aya Hansen"), make.user(name="Bo Jensen")
    pending = sign_up(occ, volunteer=applicant, now=NOW).signup
    queued = sign_up(occ, volunteer=waiting, now=NOW).signup
    db.session.commit()

    assert followups.pending_signups(NOW + timedelta(days=2)) == []
    execute(BY_ID["pending_signups"], now=NOW + timedelta(days=3, minutes=20), deliver=False)
    execute(BY_ID["pending_signups"], now=NOW + timedelta(days=4), deliver=False)  # no second nudge
    nudges = _mails("pending_nudge")
    assert [m.recipient for m in nudges] == ["leder@skolen.dk"]
    assert "Aya Hansen" in nudges[0].body_text and "Lektiecafé" in nudges[0].body_text

    execute(BY_ID["pending_signups"], now=NOW + timedelta(days=10), deliver=False)
    execute(BY_ID["pending_signups"], now=NOW + timedelta(days=10, hours=1), deliver=False)
    closed = _mails("pending_closed")
    assert [m.user_id for m in closed] == [applicant.id]
    assert pending.status == "declined"
    # The place went to the next one, who is told (and waits for screening in turn).
    assert queued.status == "pending"
    assert [m.user_id for m in _mails("waitlist_promoted")] == [waiting.id]
    assert len(_mails("pending_nudge")) == 1


def test_answered_applications_are_left_alone(app, make):
    from models.tasks import accept_signup
    staff = make.user("staff")
    inst = make.institution(staff=[staff])
    task = make.task(inst, requires_pledge=True, starts_at=NOW + timedelta(days=30))
    signup = sign_up(task.occurrences[0], volunteer=make.user(), now=NOW).signup
    accept_signup(signup, actor=staff, now=NOW + timedelta(days=1))
    db.session.commit()
    assert followups.pending_signups(NOW + timedelta(days=11)) == []
    assert signup.status == "accepted"


def test_pending_rows_without_a_start_of_waiting_count_from_their_creation(app, make):
    inst = make.institution()
    task = make.task(inst, starts_at=NOW + timedelta(days=30))
    old = make.signup_record(task.occurrences[0], make.user(), status="pending", created_at=NOW)
    db.session.commit()
    assert old.pending_since is None
    followups.pending_signups(NOW + timedelta(days=3))
    assert [m.kind for m in _mails("pending_nudge")] == ["pending_nudge"]
