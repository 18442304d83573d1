"""Rule 4: waiting for a certificate is the coordinators' work, not the institution's. The scheduler tells
the coordinators (never the contact person), the ten-day closing pauses while a certificate is requested,
and nothing is nudged or closed with a mail for a time already passed (it closes quietly)."""
from datetime import date, timedelta

from sqlalchemy import select

from models import OutboxMessage, Role, db
from models import volunteer_operations as ops
from portal.scheduler import followups
from portal.scheduler.jobs import BY_ID, execute
from tests.factories import aware, sign_up

NOW = aware(2026, 3, 2, 9, 0)


def _mails(kind):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def _certificate_task(make, **fields):
    inst = make.institution()
    return make.task(inst, requires_child_certificate=True, contact_email="leder@skolen.dk", title="Lektiecafé",
                     starts_at=fields.pop("starts_at", NOW + timedelta(days=30)), **fields)


def test_the_coordinators_are_nudged_then_the_application_closes_with_a_friendly_message(app, make):
    coordinator = make.user(Role.COORDINATOR, email="koordinator@kommune.dk")
    task = _certificate_task(make, capacity=1)
    occ = task.occurrences[0]
    applicant, waiting = make.user(name="Aya Hansen"), make.user(name="Bo Jensen")
    pending = sign_up(occ, volunteer=applicant, now=NOW).signup
    queued = sign_up(occ, volunteer=waiting, now=NOW).signup
    db.session.commit()
    received = _mails("pending_nudge")
    assert [m.recipient for m in received] == [coordinator.email]  # the new sign-up, to the coordinator

    followups.pending_signups(NOW + timedelta(days=2))
    assert len(_mails("pending_nudge")) == 1
    execute(BY_ID["pending_signups"], now=NOW + timedelta(days=3, minutes=20), deliver=False)
    execute(BY_ID["pending_signups"], now=NOW + timedelta(days=4), deliver=False)  # no second nudge
    nudges = _mails("pending_nudge")[1:]
    assert [m.recipient for m in nudges] == [coordinator.email]
    assert "Aya Hansen" in nudges[0].body_text and "Lektiecafé" in nudges[0].body_text
    assert all(m.recipient != "leder@skolen.dk" for m in db.session.scalars(select(OutboxMessage)))

    execute(BY_ID["pending_signups"], now=NOW + timedelta(days=10), deliver=False)
    execute(BY_ID["pending_signups"], now=NOW + timedelta(days=10, hours=1), deliver=False)
    closed = _mails("pending_closed")
    assert [m.user_id for m in closed] == [applicant.id]
    assert pending.status == "declined"
    # The place went to the next one, who is told (and waits for screening in turn).
    assert queued.status == "pending"
    assert [m.user_id for m in _mails("waitlist_promoted")] == [waiting.id]


def test_the_closing_pauses_while_the_certificate_is_requested(app, make):
    coordinator = make.user(Role.COORDINATOR)
    task = _certificate_task(make)
    volunteer = make.user()
    profile = make.profile(volunteer)
    signup = sign_up(task.occurrences[0], volunteer=volunteer, now=NOW).signup
    ops.record_screening(profile, ops.ScreeningFacts("requested", requested_on=date(2026, 3, 3)),
                         actor=coordinator, now=NOW + timedelta(days=1))
    db.session.commit()
    execute(BY_ID["pending_signups"], now=NOW + timedelta(days=3, hours=1), deliver=False)
    execute(BY_ID["pending_signups"], now=NOW + timedelta(days=20), deliver=False)
    assert signup.status == "pending" and signup.holds_spot
    assert _mails("pending_closed") == [] and len(_mails("pending_nudge")) == 1  # only the first notice
    ops.record_screening(profile, ops.ScreeningFacts("received", date(2026, 3, 3), date(2026, 3, 20),
                                                     date(2028, 1, 1)), actor=coordinator, now=NOW + timedelta(days=21))
    assert signup.status == "accepted"


def test_a_time_already_passed_is_neither_nudged_nor_closed_with_a_mail(app, make):
    make.user(Role.COORDINATOR)
    task = _certificate_task(make, starts_at=NOW + timedelta(days=2))
    signup = sign_up(task.occurrences[0], volunteer=make.user(), now=NOW).signup
    db.session.commit()
    before = len(list(db.session.scalars(select(OutboxMessage))))
    execute(BY_ID["pending_signups"], now=NOW + timedelta(days=3), deliver=False)
    assert signup.status == "declined" and not signup.holds_spot
    assert len(list(db.session.scalars(select(OutboxMessage)))) == before


def test_applications_that_screening_released_are_left_alone(app, make):
    coordinator = make.user(Role.COORDINATOR)
    task = _certificate_task(make)
    volunteer = make.user()
    profile = make.profile(volunteer)
    signup = sign_up(task.occurrences[0], volunteer=volunteer, now=NOW).signup
    ops.record_screening(profile, ops.ScreeningFacts("received", date(2026, 1, 2), date(2026, 1, 20),
                                                     date(2027, 1, 20)), actor=coordinator, now=NOW + timedelta(days=1))
    db.session.commit()
    followups.pending_signups(NOW + timedelta(days=11))
    assert signup.status == "accepted" and _mails("pending_closed") == []


def test_pending_rows_without_a_start_of_waiting_count_from_their_creation(app, make):
    make.user(Role.COORDINATOR)
    inst = make.institution()
    task = make.task(inst, requires_pledge=True, starts_at=NOW + timedelta(days=30))
    old = make.signup_record(task.occurrences[0], make.user(), status="pending", created_at=NOW)
    db.session.commit()
    assert old.pending_since is None
    followups.pending_signups(NOW + timedelta(days=3))
    assert [m.kind for m in _mails("pending_nudge")] == ["pending_nudge"]
