"""The mails the task use cases cause: right person, right kind, in their language, never twice.

The operations decide who is told (models.notices); these tests call them and read the outbox.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import OutboxMessage, Role, db, utcnow
from models.notices import NoWriter, tell
from models.task_operations import (TaskPlan, cancel_signup, cancel_task, decline_signup, edit_task,
                                    write_to_volunteers)
from tests.factories import sign_up


def _all():
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _setup(make, **fields):
    staff = make.user(Role.STAFF, name="Lone Leder")
    inst = make.institution(name="Bakkehuset", staff=[staff])
    task = make.task(inst, title="Højtlæsning", contact_email="kontakt@bakkehuset.dk", **fields)
    return staff, task, task.occurrences[0]


def test_volunteer_mails_in_their_language(app, make):
    _staff, task, occ = _setup(make, capacity=1)
    dane, english = make.user(locale="da"), make.user(locale="en")
    first = sign_up(occ, volunteer=dane).signup
    second = sign_up(occ, volunteer=english).signup
    cancel_signup(first, actor=dane, now=utcnow(), reason="Syg")
    mails = {m.kind: m for m in _all()}
    da_mail, cancelled, en_mail = mails["signup_accepted"], mails["volunteer_cancelled"], mails["waitlist_promoted"]
    assert da_mail.kind == "signup_accepted" and da_mail.subject == "Du er tilmeldt: Højtlæsning"
    assert "Det gør du ikke:" in da_mail.body_text and "kontakt@bakkehuset.dk" in da_mail.body_text
    assert cancelled.kind == "volunteer_cancelled" and "Syg" in cancelled.body_text
    assert en_mail.kind == "waitlist_promoted" and en_mail.user_id == english.id
    assert en_mail.subject == "You got a place: Højtlæsning" and "a place became free" in en_mail.body_text
    assert en_mail.ref == f"signup:{second.id}:" + en_mail.ref.split(":")[2]


def test_coordinators_not_the_contact_hear_of_sign_ups_waiting_for_screening(app, make):
    _staff, task, occ = _setup(make, requires_pledge=True)
    coordinator = make.user(Role.COORDINATOR, email="koordinator@kommune.dk")
    volunteer = make.user(name="Jonna Frivillig")
    pending = sign_up(occ, volunteer=volunteer).signup
    cancel_signup(pending, actor=volunteer, now=utcnow(), reason="Fik nyt arbejde")
    received, cancelled = _all()
    assert received.recipient == coordinator.email and received.kind == "pending_nudge"
    assert "Jonna Frivillig" in received.body_text and "tavshedserklæring" in received.body_text
    assert "/koordinator/profiler" in received.body_text or "/koordinator/afventer" in received.body_text
    assert cancelled.recipient == "kontakt@bakkehuset.dk"
    assert cancelled.kind == "volunteer_cancelled" and "Fik nyt arbejde" in cancelled.body_text


def test_declined_and_cancelled_tell_the_reason(app, make):
    staff, task, occ = _setup(make, requires_pledge=True, capacity=3)
    a, b = make.user(), make.user()
    declined = sign_up(occ, volunteer=a).signup
    other = sign_up(occ, volunteer=b).signup
    decline_signup(declined, actor=staff, now=utcnow(), reason="Vi har fået nok hænder")
    cancel_task(task, actor=staff, now=utcnow(), reason="Huset er lukket")
    mails = [(m.kind, m.user_id) for m in _all()]
    assert mails == [("signup_declined", a.id), ("task_cancelled", b.id)]
    assert "Vi har fået nok hænder" in _all()[0].body_text and "Huset er lukket" in _all()[1].body_text
    assert other.status == "pending"


def test_task_changed_once_per_version_and_person(app, make):
    staff, task, occ = _setup(make, occurrences=2)
    volunteer = make.user()
    for o in task.occurrences:
        sign_up(o, volunteer=volunteer)
    before = len(_all())

    def edit(title):
        plan = TaskPlan(fields={"title": title}, capacity=task.capacity, kind=task.kind,
                        recurrence=task.recurrence, schedule=[(o.starts_at, o.ends_at) for o in task.occurrences])
        return edit_task(task, plan, actor=staff, now=utcnow())

    assert edit("Højtlæsning for de store").told == 1
    assert edit("Højtlæsning for de store").told == 0  # nothing changed: nobody told
    edit("Højtlæsning for alle")
    changed = [m for m in _all()[before:] if m.kind == "task_changed"]
    assert len(changed) == 2 and task.sequence == 2


def test_message_from_the_institution(app, make):
    staff, task, occ = _setup(make)
    sign_up(occ, volunteer=make.user())
    write_to_volunteers(task, actor=staff, now=utcnow(), subject="Husk navneskilt", body="Vi ses!\nHilsen Lone")
    mail = _all()[-1]
    assert mail.kind == "task_message" and mail.subject == "Højtlæsning: Husk navneskilt"
    assert "Lone Leder" in mail.body_text and "Vi ses!" in mail.body_text and "<br>" in mail.body_html


def test_a_notice_without_a_writer_is_never_dropped_silently(app):
    del app.extensions["samskab.notices"]["signup_accepted"]
    with pytest.raises(NoWriter):
        tell("signup_accepted", signup=None)
