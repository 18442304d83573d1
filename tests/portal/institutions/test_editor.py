"""The task editor: create, preview, publish, edit, close and cancel; kinds of time; validation in Danish."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import OutboxMessage, Task, db, utcnow
from tests.factories import sign_up
from portal.scheduler.timing import to_local

YEAR = utcnow().year + 1


def form(**changes) -> dict:
    data = {
        "title": "Læs højt for 3. klasse", "description": "Børnene elsker historier.",
        "skills_wanted": "højtlæsning", "volunteers_do": "Læser højt i en halv time.",
        "volunteers_do_not": "Ingen opsyn alene med børnene, ingen forældresamtaler.",
        "place": "Skolens bibliotek", "postcode": "2800", "contact_name": "Mette Lærer",
        "contact_email": "mette@skolen.dk", "contact_phone": "", "requires_child_certificate": "y",
        "compensation_note": "Kørsel dækkes efter regning.", "insurance_note": "Kommunens forsikring dækker.",
        "capacity": "3", "hours_estimate": "", "kind": "fixed", "date": f"{YEAR}-03-15", "start_time": "10:00",
        "end_time": "12:00", "recurrence": "none", "repeat_count": "1", "window_start": "", "window_end": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def staff(app, make, login):
    person = make.user("staff")
    inst = make.institution(name="Lundtofte Skole", staff=[person])
    db.session.commit()
    login(person)
    return person, inst


def _task() -> Task:
    return db.session.scalars(select(Task)).one()


def test_create_preview_and_publish_a_one_off_task(client, staff):
    person, inst = staff
    response = client.post("/institution/opgaver/ny", data=form(institution_id=str(inst.id)))
    assert response.status_code == 302
    task = _task()
    assert task.status == "draft" and task.institution_id == inst.id and task.created_by_id == person.id
    assert task.requires_child_certificate and not task.requires_pledge
    [occ] = task.occurrences
    # 10:00 in Copenhagen in March (winter time) is 09:00 UTC.
    assert occ.starts_at == datetime(YEAR, 3, 15, 9, 0, tzinfo=timezone.utc)
    assert occ.ends_at - occ.starts_at == timedelta(hours=2) and occ.capacity == 3
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Forhåndsvisning" in page and "Ingen opsyn alene med børnene" in page and "Kladde" in page
    assert client.post(f"/institution/opgaver/{task.id}/offentliggoer").status_code == 302
    db.session.refresh(task)
    assert task.status == "open" and task.published_at is not None


def test_weekly_series_keeps_the_local_time_across_daylight_saving(client, staff):
    _person, inst = staff
    client.post("/institution/opgaver/ny", data=form(recurrence="weekly", repeat_count="4"))
    starts = [o.starts_at for o in _task().occurrences]
    assert [s.date() for s in starts] == [date(YEAR, 3, 15) + timedelta(weeks=i) for i in range(4)]
    assert starts[0].hour == 9 and starts[-1].hour == 8   # 10:00 winter time, 10:00 summer time
    assert _task().recurrence == "weekly"


def test_every_second_week(client, staff):
    client.post("/institution/opgaver/ny", data=form(recurrence="biweekly", repeat_count="3"))
    days = [to_local(o.starts_at).date() for o in _task().occurrences]
    assert [(b - a).days for a, b in zip(days, days[1:])] == [14, 14]
    assert {to_local(o.starts_at).hour for o in _task().occurrences} == {10}


def test_time_window_is_one_occurrence_spanning_the_window(client, staff):
    client.post("/institution/opgaver/ny", data=form(kind="window", date="", start_time="", end_time="",
                                                     window_start=f"{YEAR}-03-01", window_end=f"{YEAR}-03-31",
                                                     hours_estimate="6"))
    task = _task()
    [occ] = task.occurrences
    assert task.kind == "window" and task.hours_estimate == Decimal("6")
    assert occ.starts_at == datetime(YEAR, 2, 28, 23, 0, tzinfo=timezone.utc)   # 1 March 00:00 local
    assert occ.ends_at == datetime(YEAR, 3, 31, 22, 0, tzinfo=timezone.utc)     # 1 April 00:00 local (summer)


def test_open_ended_task_has_no_end(client, staff):
    client.post("/institution/opgaver/ny", data=form(kind="open_ended", date="", start_time="", end_time="",
                                                     window_start=f"{YEAR}-03-01"))
    [occ] = _task().occurrences
    assert occ.ends_at is None and _task().kind == "open_ended"


@pytest.mark.parametrize("changes, message", [
    ({"end_time": "09:00"}, "Sluttidspunktet skal ligge efter starttidspunktet."),
    ({"capacity": "0"}, "Antallet af frivillige skal være mellem 1 og 500."),
    ({"date": f"{utcnow().year - 1}-03-15"}, "Starten skal ligge i fremtiden."),
    ({"insurance_note": ""}, "Udfyld venligst feltet."),
    ({"volunteers_do_not": "   "}, "Udfyld venligst feltet."),
    ({"kind": "window", "window_start": f"{YEAR}-03-01", "window_end": f"{YEAR}-03-31"}, "Udfyld venligst feltet."),
])
def test_invalid_forms_rerender_in_danish_keeping_the_input(client, staff, changes, message):
    response = client.post("/institution/opgaver/ny", data=form(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert "Læs højt for 3. klasse" in page and "mette@skolen.dk" in page
    assert db.session.scalar(select(func.count()).select_from(Task)) == 0


def test_publishing_a_task_whose_start_has_passed_is_refused(client, staff, make):
    _person, inst = staff
    task = make.task(inst, status="draft", starts_at=utcnow() - timedelta(hours=1), compensation_note="Ingen",
                     insurance_note="Kommunens")
    db.session.commit()
    response = client.post(f"/institution/opgaver/{task.id}/offentliggoer", follow_redirects=True)
    assert "Starten skal ligge i fremtiden" in response.get_data(as_text=True)
    db.session.refresh(task)
    assert task.status == "draft"


def test_staff_of_another_institution_cannot_see_or_change_the_task(app, make, login):
    owner = make.user("staff")
    theirs = make.institution(staff=[owner])
    stranger = make.user("staff")
    make.institution(staff=[stranger])
    task = make.task(theirs, status="draft", compensation_note="Ingen", insurance_note="Kommunens")
    db.session.commit()
    client = app.test_client()
    login_as = __import__("tests.conftest", fromlist=["sign_in"]).sign_in
    login_as(client, stranger)
    for url in (f"/institution/opgaver/{task.id}", f"/institution/opgaver/{task.id}/rediger",
                f"/institution/opgaver/{task.id}/aflys", f"/institution/opgaver/{task.id}/besked",
                f"/institution/gange/{task.occurrences[0].id}/fremmoede"):
        assert client.get(url).status_code == 404, url
    for url in (f"/institution/opgaver/{task.id}/offentliggoer", f"/institution/opgaver/{task.id}/rediger",
                f"/institution/opgaver/{task.id}/aflys", f"/institution/opgaver/{task.id}/luk"):
        assert client.post(url, data={**form(), "reason": "x", "confirm": "1"}).status_code == 404, url
    db.session.refresh(task)
    assert task.status == "draft" and task.title != "Læs højt for 3. klasse"
    assert task.title not in client.get("/institution/").get_data(as_text=True)


def test_editing_a_published_task_raises_the_sequence_and_tells_the_volunteers(client, staff, make):
    _person, inst = staff
    task = make.task(inst, compensation_note="Ingen", insurance_note="Kommunens", capacity=1,
                     starts_at=datetime(YEAR, 3, 15, 9, tzinfo=timezone.utc))
    occ = task.occurrences[0]
    volunteer, waiting = make.user(), make.user()
    sign_up(occ, volunteer=volunteer, now=utcnow())
    sign_up(occ, volunteer=waiting, now=utcnow())
    db.session.commit()
    assert client.get(f"/institution/opgaver/{task.id}/rediger").status_code == 200
    response = client.post(f"/institution/opgaver/{task.id}/rediger",
                           data=form(title=task.title, place="Gymnastiksalen", capacity="2", start_time="11:00",
                                     end_time="13:00"))
    assert response.status_code == 302
    db.session.refresh(task)
    assert task.sequence == 1 and task.place == "Gymnastiksalen" and task.status == "open"
    assert occ.starts_at == datetime(YEAR, 3, 15, 10, tzinfo=timezone.utc) and occ.capacity == 2
    kinds = dict(db.session.execute(select(OutboxMessage.user_id, OutboxMessage.kind)
                                    .where(OutboxMessage.kind.in_(("task_changed", "waitlist_promoted")))).all())
    assert kinds.get(waiting.id) in ("waitlist_promoted", "task_changed")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "task_changed", OutboxMessage.user_id == volunteer.id)) == 1
    promoted = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "waitlist_promoted",
                                                                      OutboxMessage.user_id == waiting.id)
    assert db.session.scalar(promoted) == 1


def test_capacity_cannot_go_below_those_signed_up(client, staff, make):
    _person, inst = staff
    task = make.task(inst, compensation_note="Ingen", insurance_note="Kommunens", capacity=2,
                     starts_at=datetime(YEAR, 3, 15, 9, tzinfo=timezone.utc))
    for _ in range(2):
        sign_up(task.occurrences[0], volunteer=make.user(), now=utcnow())
    db.session.commit()
    response = client.post(f"/institution/opgaver/{task.id}/rediger", data=form(title=task.title, capacity="1"))
    assert response.status_code == 200
    assert "Sænk ikke antallet til under 2" in response.get_data(as_text=True)
    db.session.refresh(task)
    assert task.capacity == 2 and task.sequence == 0


def test_close_needs_confirmation_and_then_takes_no_more_signups(client, staff, make):
    _person, inst = staff
    task = make.task(inst)
    db.session.commit()
    client.post(f"/institution/opgaver/{task.id}/luk")
    db.session.refresh(task)
    assert task.status == "open"
    client.post(f"/institution/opgaver/{task.id}/luk", data={"confirm": "1"})
    db.session.refresh(task)
    assert task.status == "closed"


def test_cancelling_tells_everyone_signed_up(client, staff, make):
    _person, inst = staff
    task = make.task(inst, capacity=1, requires_pledge=True)
    occ = task.occurrences[0]
    people = [make.user() for _ in range(3)]
    for p in people:
        sign_up(occ, volunteer=p, now=utcnow())   # pending, waitlisted, waitlisted
    cancelled_before = make.user()
    s = sign_up(occ, volunteer=cancelled_before, now=utcnow()).signup
    s.status = "cancelled"
    db.session.commit()
    response = client.post(f"/institution/opgaver/{task.id}/aflys", data={"reason": ""})
    assert response.status_code == 200 and "Fortæl venligst de frivillige hvorfor." in response.get_data(as_text=True)
    client.post(f"/institution/opgaver/{task.id}/aflys", data={"reason": "Skolen er lukket pga. vandskade."})
    db.session.refresh(task)
    assert task.status == "cancelled" and occ.cancelled and task.sequence == 1
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "task_cancelled")).all()
    assert sorted(m.user_id for m in told) == sorted(p.id for p in people)
    assert all("vandskade" in m.body_text for m in told)
    assert client.get(f"/institution/opgaver/{task.id}/rediger").status_code == 302


def test_window_and_open_ended_pages_show_their_time(client, staff):
    client.post("/institution/opgaver/ny", data=form(kind="window", date="", start_time="", end_time="",
                                                     window_start=f"{YEAR}-03-01", window_end=f"{YEAR}-03-31",
                                                     hours_estimate="6", title="Vindue"))
    client.post("/institution/opgaver/ny", data=form(kind="open_ended", date="", start_time="", end_time="",
                                                     window_start=f"{YEAR}-03-01", title="Løbende"))
    window, open_ended = db.session.scalars(select(Task).order_by(Task.id)).all()
    page = client.get(f"/institution/opgaver/{window.id}").get_data(as_text=True)
    assert "1. marts" in page and "31. marts" in page
    assert "løbende" in client.get(f"/institution/opgaver/{open_ended.id}").get_data(as_text=True)
    listing = client.get("/institution/").get_data(as_text=True)
    assert "Vindue" in listing and "Løbende" in listing and "Kladde" in listing


def test_editing_a_draft_rebuilds_its_times(client, staff):
    client.post("/institution/opgaver/ny", data=form(recurrence="weekly", repeat_count="4"))
    task = _task()
    page = client.get(f"/institution/opgaver/{task.id}/rediger").get_data(as_text=True)
    assert f'value="{YEAR}-03-15"' in page and 'value="4"' in page
    client.post(f"/institution/opgaver/{task.id}/rediger",
                data=form(recurrence="biweekly", repeat_count="2", start_time="14:00", end_time="15:30"))
    db.session.expire_all()
    task = _task()
    assert [to_local(o.starts_at).date() for o in task.occurrences] == [date(YEAR, 3, 15), date(YEAR, 3, 29)]
    assert task.recurrence == "biweekly" and task.sequence == 0
    assert {to_local(o.starts_at).hour for o in task.occurrences} == {14}


def test_published_series_keeps_its_times(client, staff, make):
    _person, inst = staff
    task = make.task(inst, occurrences=3, compensation_note="Ingen", insurance_note="Kommunens")
    before = [o.starts_at for o in task.occurrences]
    db.session.commit()
    page = client.get(f"/institution/opgaver/{task.id}/rediger").get_data(as_text=True)
    assert "tidspunkterne kan ikke ændres her" in page
    response = client.post(f"/institution/opgaver/{task.id}/rediger",
                           data=form(title="Nyt navn", date="", start_time="", end_time=""))
    assert response.status_code == 302
    db.session.expire_all()
    assert task.title == "Nyt navn" and [o.starts_at for o in task.occurrences] == before and task.sequence == 1
