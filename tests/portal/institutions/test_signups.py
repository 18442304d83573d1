"""The institution's view of a task: sign-ups with what volunteers share, answers, messages, attendance."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from models import OutboxMessage, Screening, Signup, db, utcnow
from tests.factories import sign_up


@pytest.fixture
def setup(app, make, login):
    staff = make.user("staff")
    inst = make.institution(name="Solgården", kind="elder_centre", staff=[staff])
    task = make.task(inst, capacity=2, requires_child_certificate=True, title="Fisketur med beboerne",
                     compensation_note="Ingen", insurance_note="Kommunens")
    db.session.commit()
    login(staff)
    return staff, task


def _outbox(kind):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_shows_only_what_volunteers_agreed_to_share_and_screening_as_facts(client, setup, make):
    _staff, task = setup
    occ = task.occurrences[0]
    sharing, private = make.user(name="Åse Deler"), make.user(name="Per Privat")
    make.profile(sharing, skills="Fiskeri og knob", consent_to_be_found=True,
                 coordinator_note="Intern note om Åse")
    profile = make.profile(private, skills="Hemmelig hobby", consent_to_be_found=False)
    sharing.profile.screening = Screening(child_certificate_status="received",
                                          child_certificate_received_on=date(2026, 1, 5),
                                          child_certificate_valid_until=date(2099, 1, 1))
    profile.screening = Screening(pledge_accepted_at=utcnow())
    sign_up(occ, volunteer=sharing, now=utcnow(), note="Jeg har egen stang")
    sign_up(occ, volunteer=private, now=utcnow())
    db.session.commit()
    page = client.get(f"/institution/opgaver/{task.id}").get_data(as_text=True)
    assert "Åse Deler" in page and "Per Privat" in page
    assert "Fiskeri og knob" in page and "Jeg har egen stang" in page
    assert "Hemmelig hobby" not in page and "Intern note" not in page
    assert "Børneattest: gyldig" in page and "Børneattest: ikke registreret" in page
    assert "2099" not in page and "2026-01-05" not in page and "5. januar 2026" not in page
    assert sharing.email not in page and private.email not in page


def test_staff_cannot_accept_without_the_certificate_but_may_decline(client, setup, make):
    """The sign-up waits in the coordinators' queue until the certificate valid on the day is recorded;
    staff see why and what happens next, and may still decline with a reason."""
    _staff, task = setup
    occ = task.occurrences[0]
    a, b, c = (make.user() for _ in range(3))
    first, second, third = (sign_up(occ, volunteer=p, now=utcnow()).signup for p in (a, b, c))
    db.session.commit()
    assert [first.status, second.status, third.status] == ["pending", "pending", "waitlisted"]
    page = client.get(f"/institution/opgaver/{task.id}").get_data(as_text=True)
    assert "Børneattest: ikke registreret" in page and "kan ikke godkendes endnu" in page
    assert f"/institution/tilmeldinger/{first.id}/accepter" not in page  # no button that cannot work
    response = client.post(f"/institution/tilmeldinger/{first.id}/accepter", follow_redirects=True)
    assert "kan ikke godkendes endnu" in response.get_data(as_text=True)
    assert "frivilligkoordinatoren" in response.get_data(as_text=True)
    db.session.refresh(first)
    assert first.status == "pending" and first.holds_spot and _outbox("signup_accepted") == []
    coordinator = make.user("coordinator")
    db.session.commit()
    from tests.conftest import sign_in
    queue = sign_in(client.application.test_client(), coordinator).get("/koordinator/afventer")
    assert a.name in queue.get_data(as_text=True)

    response = client.post(f"/institution/tilmeldinger/{second.id}/afvis", data={"reason": " "})
    assert response.status_code == 200
    assert "Giv venligst den frivillige en begrundelse." in response.get_data(as_text=True)
    assert client.get(f"/institution/tilmeldinger/{second.id}/afvis").status_code == 200
    client.post(f"/institution/tilmeldinger/{second.id}/afvis", data={"reason": "Turen kræver svømmeerfaring."})
    db.session.refresh(second)
    db.session.refresh(third)
    assert second.status == "declined" and third.status == "pending"  # moved up, still needs the certificate
    [declined] = _outbox("signup_declined")
    assert declined.user_id == b.id and "svømmeerfaring" in declined.body_text
    assert [m.user_id for m in _outbox("waitlist_promoted")] == [c.id]


def test_message_goes_to_accepted_volunteers_only(client, setup, make):
    _staff, task = setup
    task.requires_child_certificate = False
    occ = task.occurrences[0]
    people = [make.user() for _ in range(3)]
    for p in people:
        sign_up(occ, volunteer=p, now=utcnow())
    db.session.commit()
    response = client.post(f"/institution/opgaver/{task.id}/besked", data={"subject": "Husk", "body": ""})
    assert response.status_code == 200 and "Husk" in response.get_data(as_text=True)
    client.post(f"/institution/opgaver/{task.id}/besked",
                data={"subject": "Husk gummistøvler", "body": "Vi mødes ved søen kl. 9."})
    sent = _outbox("task_message")
    assert sorted(m.user_id for m in sent) == sorted(p.id for p in people[:2])
    assert all("gummistøvler" in m.subject and "ved søen" in m.body_text for m in sent)


def test_two_different_messages_in_one_second_both_go(client, setup, make, monkeypatch):
    _staff, task = setup
    task.requires_child_certificate = False
    people = [make.user() for _ in range(2)]
    for p in people:
        sign_up(task.occurrences[0], volunteer=p, now=utcnow())
    db.session.commit()
    moment = utcnow().replace(microsecond=0)
    monkeypatch.setattr("portal.institutions.views.utcnow", lambda: moment)
    url = f"/institution/opgaver/{task.id}/besked"
    for body in ("Vi mødes ved søen kl. 9.", "Husk madpakke."):
        response = client.post(url, data={"subject": "Husk", "body": body}, follow_redirects=True)
        assert "på vej til 2 frivillige" in response.get_data(as_text=True)
    sent = _outbox("task_message")
    assert len(sent) == 4 and {m.body_text.count("madpakke") for m in sent} == {0, 1}
    # The same message twice in that second (a double click) goes once.
    client.post(url, data={"subject": "Husk", "body": "Husk madpakke."})
    assert len(_outbox("task_message")) == 4


def test_attendance_and_hours_after_the_start(client, setup, make):
    _staff, task = setup
    task.requires_child_certificate = False
    occ = task.occurrences[0]
    came, absent = make.user(name="Anna"), make.user(name="Bent")
    s1 = sign_up(occ, volunteer=came, now=utcnow()).signup
    s2 = sign_up(occ, volunteer=absent, now=utcnow()).signup
    db.session.commit()
    url = f"/institution/gange/{occ.id}/fremmoede"
    assert "når opgaven er gået i gang" in client.get(url).get_data(as_text=True)
    occ.starts_at = utcnow() - timedelta(hours=3)
    occ.ends_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Anna" in page and "Bent" in page
    rows = sorted([s1, s2], key=lambda s: s.user.name)
    data = {"rows-0-signup_id": str(rows[0].id), "rows-0-attended": "y", "rows-0-hours": "1,5",
            "rows-1-signup_id": str(rows[1].id), "rows-1-hours": ""}
    assert client.post(url, data=data).status_code == 302
    db.session.refresh(s1)
    db.session.refresh(s2)
    assert s1.status == "attended" and s1.hours == Decimal("1.5")
    assert s2.status == "no_show" and s2.hours is None
    # Too many hours for a two-hour task: refused, nothing saved.
    data["rows-0-hours"] = "5"
    response = client.post(url, data=data, follow_redirects=True)
    assert "opgavens længde" in response.get_data(as_text=True)
    db.session.refresh(s1)
    assert s1.hours == Decimal("1.5")


def test_another_institutions_staff_cannot_answer_sign_ups(app, setup, make):
    from tests.conftest import sign_in
    _staff, task = setup
    signup = sign_up(task.occurrences[0], volunteer=make.user(), now=utcnow()).signup
    stranger = make.user("staff")
    make.institution(staff=[stranger])
    db.session.commit()
    client = app.test_client()
    sign_in(client, stranger)
    assert client.post(f"/institution/tilmeldinger/{signup.id}/accepter").status_code == 404
    assert client.post(f"/institution/tilmeldinger/{signup.id}/afvis", data={"reason": "Nej"}).status_code == 404
    db.session.refresh(signup)
    assert signup.status == "pending"
    assert db.session.scalar(select(Signup.status).where(Signup.id == signup.id)) == "pending"


def test_task_page_queries_do_not_grow_with_the_sign_ups(client, setup, make):
    from sqlalchemy import event
    _staff, task = setup
    task.capacity = 30
    for occ in task.occurrences:
        occ.capacity = 30
    db.session.commit()

    def statements_with(n: int) -> int:
        for _ in range(n):
            person = make.user()
            make.profile(person, consent_to_be_found=True)
            sign_up(task.occurrences[0], volunteer=person, now=utcnow())
        db.session.commit()
        seen = []

        def listener(_conn, _cursor, statement, *_rest):
            # Reads only: the audit log writes one row per volunteer shown, on purpose.
            if statement.lstrip().startswith("SELECT"):
                seen.append(statement)
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/institution/opgaver/{task.id}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    few = statements_with(2)
    many = statements_with(12)
    assert many == few, (few, many)
