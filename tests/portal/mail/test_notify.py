"""The mails of sign-ups and tasks: right person, right kind, in their language, never twice."""
from __future__ import annotations

from sqlalchemy import select

from models import OutboxMessage, db, utcnow
from models.tasks import cancel_signup, cancel_task, decline_signup, sign_up, touch_task
from portal.mail import notify


def _all():
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _setup(make, **fields):
    inst = make.institution(name="Bakkehuset")
    task = make.task(inst, title="Højtlæsning", contact_email="kontakt@bakkehuset.dk", **fields)
    return task, task.occurrences[0]


def test_volunteer_mails_in_their_language(app, make):
    task, occ = _setup(make, capacity=1)
    dane, english = make.user(locale="da"), make.user(locale="en")
    first = sign_up(occ, volunteer=dane, now=utcnow()).signup
    second = sign_up(occ, volunteer=english, now=utcnow()).signup
    notify.signup_accepted(first)
    promoted = cancel_signup(first, actor=dane, now=utcnow(), reason="Syg")
    notify.waitlist_promoted(promoted)
    da_mail, en_mail = _all()
    assert da_mail.kind == "signup_accepted" and da_mail.subject == "Du er tilmeldt: Højtlæsning"
    assert "Det gør du ikke:" in da_mail.body_text and "kontakt@bakkehuset.dk" in da_mail.body_text
    assert en_mail.kind == "waitlist_promoted" and en_mail.user_id == english.id
    assert en_mail.subject == "You got a place: Højtlæsning" and "a place became free" in en_mail.body_text
    assert en_mail.ref == f"signup:{second.id}:" + en_mail.ref.split(":")[2]


def test_contact_person_hears_of_new_applications_and_cancellations(app, make):
    task, occ = _setup(make, requires_pledge=True)
    volunteer = make.user(name="Jonna Frivillig")
    pending = sign_up(occ, volunteer=volunteer, now=utcnow()).signup
    notify.pending_received(pending)
    cancel_signup(pending, actor=volunteer, now=utcnow(), reason="Fik nyt arbejde")
    notify.volunteer_cancelled(pending, None)
    received, cancelled = _all()
    assert received.recipient == cancelled.recipient == "kontakt@bakkehuset.dk"
    assert received.kind == "pending_nudge" and "Jonna Frivillig" in received.body_text
    assert cancelled.kind == "volunteer_cancelled" and "Fik nyt arbejde" in cancelled.body_text


def test_declined_and_cancelled_tell_the_reason(app, make):
    task, occ = _setup(make, requires_pledge=True, capacity=3)
    a, b = make.user(), make.user()
    declined = sign_up(occ, volunteer=a, now=utcnow()).signup
    other = sign_up(occ, volunteer=b, now=utcnow()).signup
    decline_signup(declined, actor=None, now=utcnow(), reason="Vi har fået nok hænder")
    notify.signup_declined(declined)
    notify.task_cancelled(task, cancel_task(task, actor=None, now=utcnow(), reason="Huset er lukket"))
    mails = _all()
    assert [(m.kind, m.user_id) for m in mails] == [("signup_declined", a.id), ("task_cancelled", b.id)]
    assert "Vi har fået nok hænder" in mails[0].body_text and "Huset er lukket" in mails[1].body_text
    assert other.status == "pending"


def test_task_changed_once_per_version_and_person(app, make):
    task, occ = _setup(make, occurrences=2)
    volunteer = make.user()
    signups = [sign_up(o, volunteer=volunteer, now=utcnow()).signup for o in task.occurrences]
    touch_task(task, now=utcnow())
    assert len([m for m in notify.task_changed(task, signups) if m]) == 1
    assert [m for m in notify.task_changed(task, signups) if m] == []
    touch_task(task, now=utcnow())
    assert len([m for m in notify.task_changed(task, signups) if m]) == 1
    assert task.sequence == 2


def test_message_from_the_institution(app, make):
    task, occ = _setup(make)
    staff = make.user("staff", name="Lone Leder")
    signup = sign_up(occ, volunteer=make.user(), now=utcnow()).signup
    [mail] = notify.task_message(task, [signup], subject="Husk navneskilt", body="Vi ses!\nHilsen Lone",
                                 sender=staff, sent_at=utcnow())
    assert mail.kind == "task_message" and mail.subject == "Højtlæsning: Husk navneskilt"
    assert "Lone Leder" in mail.body_text and "Vi ses!" in mail.body_text and "<br>" in mail.body_html
