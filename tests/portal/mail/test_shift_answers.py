"""The day-before reminder's signed links: "Jeg kommer" and "Jeg kan ikke alligevel", without logging in."""
import re
from datetime import datetime, timedelta, timezone

from models import Signup, db
from portal.mail import sender
from portal.scheduler import jobs


def _full_shift_with_waitlist(make):
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=20)
    task = make.task(make.institution(), starts_at=start, capacity=1, contact_email="leder@skolen.dk")
    occurrence = task.occurrences[0]
    coming, waiting = make.user(), make.user()
    signup = make.signup_record(occurrence, coming)
    waitlisted = make.signup_record(occurrence, waiting, status="waitlisted")
    db.session.commit()
    return occurrence, coming, signup, waiting, waitlisted


def _links(smtp, person) -> tuple[str, str]:
    [mail] = smtp.to(person.email)
    text = smtp.text_of(mail)
    coming = re.search(r"http://samskab\.test(/vagt/[^\s/]+)\s", text).group(1)
    cancel = re.search(r"http://samskab\.test(/vagt/[^\s/]+/afbud)", text).group(1)
    return coming, cancel


def test_i_cannot_come_frees_the_place_and_promotes_the_waiting_list(app, make, smtp, client):
    occurrence, coming, signup, waiting, waitlisted = _full_shift_with_waitlist(make)
    now = datetime.now(timezone.utc)
    assert jobs.run_due(now).delivered["sent"] == 1  # only the accepted volunteer is reminded
    _coming_link, cancel_link = _links(smtp, coming)

    page = client.get(cancel_link)
    assert page.status_code == 200 and 'name="reason"' in page.get_data(as_text=True)
    response = client.post(cancel_link, data={"reason": "Syg"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Signup, signup.id).status == "cancelled"
    assert db.session.get(Signup, signup.id).cancel_reason == "Syg"
    assert db.session.get(Signup, waitlisted.id).status == "accepted"

    # The promoted volunteer and the contact person hear about it; the promoted one gets her reminder.
    sender.deliver()
    assert len(smtp.to(waiting.email)) == 1 and len(smtp.to("leder@skolen.dk")) == 1
    jobs.run_due(now + timedelta(minutes=5))
    assert len(smtp.to(waiting.email)) == 2 and "/afbud" in smtp.text_of(smtp.to(waiting.email)[1])
    # The one who cancelled gets no two-hour reminder.
    jobs.run_due(occurrence.starts_at - timedelta(hours=1, minutes=30))
    assert len(smtp.to(coming.email)) == 1

    # The link again: nothing left to cancel, nothing changes.
    again = client.post(cancel_link, data={"reason": ""})
    assert again.status_code == 200 and db.session.get(Signup, waitlisted.id).status == "accepted"


def test_i_am_coming_thanks_without_login(app, make, smtp, client):
    _occurrence, coming, signup, _waiting, _waitlisted = _full_shift_with_waitlist(make)
    jobs.run_due(datetime.now(timezone.utc))
    coming_link, _cancel = _links(smtp, coming)
    page = client.get(coming_link)
    assert page.status_code == 200 and signup.occurrence.task.title in page.get_data(as_text=True)
    assert db.session.get(Signup, signup.id).status == "accepted"


def test_answer_links_are_signed_and_end_at_the_start(app, make, smtp, client):
    occurrence, coming, signup, _waiting, _waitlisted = _full_shift_with_waitlist(make)
    jobs.run_due(datetime.now(timezone.utc))
    _coming_link, cancel_link = _links(smtp, coming)
    token = cancel_link.split("/")[2]
    assert client.get(f"/vagt/{token[:-2]}xx/afbud").status_code == 404
    assert client.post(f"/vagt/{token[:-2]}xx/afbud", data={}).status_code == 404

    occurrence.starts_at = datetime.now(timezone.utc) - timedelta(minutes=5)
    occurrence.ends_at = occurrence.starts_at + timedelta(hours=2)
    db.session.commit()
    response = client.post(cancel_link, data={"reason": "for sent"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Signup, signup.id).status == "accepted"
