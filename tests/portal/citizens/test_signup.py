"""Signing up from the task page: confirmation with the frame, one POST, the result, and cancelling."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import ConsentRecord, OutboxMessage, Role, Signup, db, utcnow


def signups_of(user):
    return list(db.session.scalars(select(Signup).where(Signup.user_id == user.id).order_by(Signup.id)))


def mails(kind):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_confirmation_shows_the_frame_and_the_time(client, citizen, make, school):
    task = make.task(school, title="Højtlæsning", volunteers_do="Læser højt.", volunteers_do_not="Ingen pleje.",
                     contact_name="Mette", compensation_note="Transport betales.")
    db.session.commit()
    page = client.get(f"/opgaver/{task.id}/tilmeld?occurrence={task.occurrences[0].id}").get_data(as_text=True)
    for text in ("Tilmeld dig: Højtlæsning", "Læser højt.", "Ingen pleje.", "Mette", "Transport betales.",
                 "Tilmeld mig"):
        assert text in page, text
    assert signups_of(citizen) == []  # looking changes nothing


def test_one_post_signs_up_and_shows_the_result(client, citizen, make, school):
    task = make.task(school, capacity=3)
    occurrence = task.occurrences[0]
    db.session.commit()
    response = client.post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": str(occurrence.id), "note": "Jeg glæder mig"})
    assert response.status_code == 302
    [signup] = signups_of(citizen)
    assert signup.status == "accepted" and signup.note == "Jeg glæder mig"
    assert db.session.get(type(occurrence), occurrence.id).accepted_count == 1
    assert [m.user_id for m in mails("signup_accepted")] == [citizen.id]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Godkendt" in page and "Føj til din kalender" in page
    # The task page now says so instead of offering the button again.
    assert "Du er tilmeldt" in client.get(f"/opgaver/{task.id}").get_data(as_text=True)


def test_full_occurrence_puts_citizen_on_the_waiting_list_with_position(client, citizen, make, school):
    task = make.task(school, capacity=1)
    occurrence = task.occurrences[0]
    make.signup_record(occurrence, make.user())
    make.signup_record(occurrence, make.user(), status="waitlisted")
    db.session.commit()
    response = client.post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": str(occurrence.id)})
    [signup] = signups_of(citizen)
    assert signup.status == "waitlisted"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Du er nummer 2 på ventelisten" in page
    assert "Du er nummer 2 på ventelisten" in client.get("/mine-opgaver").get_data(as_text=True)


def test_child_certificate_makes_the_signup_pending_and_says_why(client, citizen, make, school):
    coordinator = make.user("coordinator", email="koordinator@kommune.dk")
    task = make.task(school, requires_child_certificate=True)
    db.session.commit()
    confirm = client.get(f"/opgaver/{task.id}/tilmeld?occurrence={task.occurrences[0].id}").get_data(as_text=True)
    assert "Opgaven kræver en børneattest" in confirm
    response = client.post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": str(task.occurrences[0].id)})
    assert signups_of(citizen)[0].status == "pending"
    assert mails("signup_accepted") == []
    # Screening is the coordinators' work: they hear at once, the institution's contact person does not.
    [notice] = mails("pending_nudge")
    assert notice.recipient == coordinator.email and notice.dedup_key.startswith("pending_received:")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Den venter, til frivilligkoordinatoren har registreret din børneattest." in page


def test_pledge_accepted_on_the_spot(client, citizen, make, school):
    task = make.task(school, requires_pledge=True)
    db.session.commit()
    confirm = client.get(f"/opgaver/{task.id}/tilmeld?occurrence={task.occurrences[0].id}").get_data(as_text=True)
    assert "Jeg lover at holde tavshed" in confirm
    client.post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": str(task.occurrences[0].id), "accept_pledge": "y"})
    assert signups_of(citizen)[0].status == "accepted"
    db.session.refresh(citizen)
    assert citizen.profile.screening.pledge_accepted_at is not None
    record = db.session.scalar(select(ConsentRecord).where(ConsentRecord.user_id == citizen.id))
    assert record.kind == "confidentiality_pledge" and record.given


def test_pledge_not_ticked_leaves_the_signup_pending(client, citizen, make, school):
    task = make.task(school, requires_pledge=True)
    db.session.commit()
    response = client.post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": str(task.occurrences[0].id)})
    assert signups_of(citizen)[0].status == "pending"
    assert "din tavshedserklæring er registreret" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_whole_series_in_one_step(client, citizen, make, school):
    task = make.task(school, occurrences=4, recurrence="weekly")
    db.session.commit()
    page = client.get(f"/opgaver/{task.id}").get_data(as_text=True)
    assert "Tilmeld dig alle 4 gange" in page
    client.post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": "alle"})
    assert [s.status for s in signups_of(citizen)] == ["accepted"] * 4
    # Nothing left to sign up for: a Danish message, not an error page.
    again = client.post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": "alle"})
    assert again.status_code == 200
    assert "Du er allerede tilmeldt alle de kommende tidspunkter." in again.get_data(as_text=True)


def test_overlap_is_a_warning_and_back_to_back_is_fine(client, citizen, make, school):
    start = (utcnow() + timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    first = make.task(school, title="Morgenkaffe", starts_at=start, hours=2)
    overlapping = make.task(school, title="Bankospil", starts_at=start + timedelta(hours=1), hours=2)
    after = make.task(school, title="Eftermiddagstur", starts_at=start + timedelta(hours=2), hours=2)
    make.signup_record(first.occurrences[0], citizen)
    db.session.commit()
    confirm = client.get(f"/opgaver/{overlapping.id}/tilmeld?occurrence={overlapping.occurrences[0].id}")
    assert "Du har allerede noget på dette tidspunkt" in confirm.get_data(as_text=True)
    assert "Morgenkaffe" in confirm.get_data(as_text=True)
    confirm = client.get(f"/opgaver/{after.id}/tilmeld?occurrence={after.occurrences[0].id}").get_data(as_text=True)
    assert "Du har allerede noget på dette tidspunkt" not in confirm  # back to back
    response = client.post(f"/opgaver/{overlapping.id}/tilmeld", data={"occurrence": str(overlapping.occurrences[0].id)})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bemærk: Det overlapper med en anden af dine opgaver" in page and "Morgenkaffe" in page
    response = client.post(f"/opgaver/{after.id}/tilmeld", data={"occurrence": str(after.occurrences[0].id)})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # Back to back with Morgenkaffe is fine, but the 13-15 Bankospil overlaps 14-16.
    assert "Morgenkaffe" not in page and "Bankospil" in page


def test_closed_or_cancelled_task_takes_no_signups(client, citizen, make, school):
    for status in ("closed", "cancelled", "draft"):
        task = make.task(school, status=status)
        db.session.commit()
        chosen = task.occurrences[0].id
        assert client.get(f"/opgaver/{task.id}/tilmeld?occurrence={chosen}").status_code == 404
        assert client.post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": str(chosen)}).status_code == 404
    assert signups_of(citizen) == []


def test_past_occurrence_cannot_be_chosen(client, citizen, make, school):
    task = make.task(school, starts_at=utcnow() - timedelta(days=1))
    db.session.commit()
    response = client.post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": str(task.occurrences[0].id)})
    assert response.status_code == 302 and signups_of(citizen) == []


def test_invalid_signup_form_keeps_input_in_danish(client, citizen, make, school):
    task = make.task(school)
    db.session.commit()
    long_note = "Hej " * 300
    response = client.post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": str(task.occurrences[0].id),
                                                                 "note": long_note})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Beskeden må højst være på 1000 tegn." in page
    assert "Hej Hej Hej" in page
    assert signups_of(citizen) == []


def test_staff_without_citizen_role_cannot_sign_up(client, make, login, school):
    staff = make.user(Role.STAFF)
    task = make.task(school)
    db.session.commit()
    login(staff)
    assert client.post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": str(task.occurrences[0].id)}).status_code == 403


def test_cancel_with_reason_promotes_the_first_waiting(client, citizen, make, school):
    task = make.task(school, capacity=1)
    occurrence = task.occurrences[0]
    mine = make.signup_record(occurrence, citizen)
    waiting = make.signup_record(occurrence, make.user(), status="waitlisted")
    db.session.commit()
    page = client.get(f"/mine-opgaver/{mine.id}/afmeld").get_data(as_text=True)
    assert "Hvorfor kan du ikke komme?" in page
    response = client.post(f"/mine-opgaver/{mine.id}/afmeld", data={"reason": "Syg barn"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Signup, mine.id).status == "cancelled"
    assert db.session.get(Signup, mine.id).cancel_reason == "Syg barn"
    assert db.session.get(Signup, waiting.id).status == "accepted"
    assert [m.user_id for m in mails("waitlist_promoted")] == [waiting.user_id]
    assert len(mails("volunteer_cancelled")) == 1


def test_cannot_cancel_after_the_start(client, citizen, make, school):
    task = make.task(school, starts_at=utcnow() - timedelta(hours=1))
    mine = make.signup_record(task.occurrences[0], citizen)
    db.session.commit()
    response = client.post(f"/mine-opgaver/{mine.id}/afmeld", data={"reason": "For sent"})
    assert response.status_code == 200
    assert "Du kan ikke længere melde afbud her" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Signup, mine.id).status == "accepted"


def test_cannot_see_or_cancel_another_citizens_signup(client, citizen, make, school):
    other = make.user(Role.CITIZEN, name="Anden Borger")
    task = make.task(school, title="Hemmelig opgave")
    theirs = make.signup_record(task.occurrences[0], other)
    db.session.commit()
    assert client.get(f"/mine-opgaver/{theirs.id}/afmeld").status_code == 404
    assert client.post(f"/mine-opgaver/{theirs.id}/afmeld", data={}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Signup, theirs.id).status == "accepted"
    assert "Hemmelig opgave" not in client.get("/mine-opgaver").get_data(as_text=True)
    assert client.get(f"/mine-opgaver/{task.id}.ics").status_code == 404
    # The result page shows only my own sign-ups: I have none, so it sends me to my tasks.
    assert client.get(f"/mine-opgaver/tilmeldt/{task.id}").status_code == 302


def test_links_with_the_former_parameter_name_still_work(client, citizen, make, school):
    """?gang= was the query parameter's name before it became ?occurrence=; links people kept still work."""
    task = make.task(school, title="Gammelt link", occurrences=2)
    db.session.commit()
    page = client.get(f"/opgaver/{task.id}/tilmeld?gang={task.occurrences[1].id}")
    assert page.status_code == 200 and "Gammelt link" in page.get_data(as_text=True)
    response = client.post(f"/opgaver/{task.id}/tilmeld", data={"gang": str(task.occurrences[1].id)})
    assert response.status_code == 302
    assert [s.occurrence_id for s in signups_of(citizen)] == [task.occurrences[1].id]
