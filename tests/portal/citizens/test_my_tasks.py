"""Mine opgaver: commitments, hours, the private iCal feed, .ics per task, certificate and name badge."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from icalendar import Calendar

from models import Role, User, db, utcnow
from tests.factories import aware

CPH = ZoneInfo("Europe/Copenhagen")


def events(body: bytes):
    return [c for c in Calendar.from_ical(body).walk("VEVENT")]


def new_feed(client, citizen) -> str:
    client.post("/mine-opgaver/kalender", data={"action": "new"})
    db.session.expire_all()
    return db.session.get(User, citizen.id).ical_token


def test_upcoming_past_waiting_and_hours(client, citizen, make, school):
    soon = make.task(school, title="Kommende højtlæsning")
    full = make.task(school, title="Populær banko", capacity=1)
    done = make.task(school, title="Sidste måneds loppemarked", starts_at=utcnow() - timedelta(days=30), hours=3)
    done2 = make.task(school, title="Julefrokost", starts_at=utcnow() - timedelta(days=10), hours=2)
    coming_signup = make.signup_record(soon.occurrences[0], citizen)
    make.signup_record(full.occurrences[0], make.user())
    make.signup_record(full.occurrences[0], citizen, status="waitlisted")
    make.signup_record(done.occurrences[0], citizen, status="attended", hours=Decimal("2.5"))
    make.signup_record(done2.occurrences[0], citizen, status="attended", hours=Decimal("2"))
    db.session.commit()
    page = client.get("/mine-opgaver").get_data(as_text=True)
    coming, _, past = page.partition('id="past-heading"')
    assert "Kommende højtlæsning" in coming and "Populær banko" in coming
    assert "Du er nummer 1 på ventelisten" in coming
    assert "Sidste måneds loppemarked" in past and "Sidste måneds loppemarked" not in coming
    assert "<strong>4,5</strong> timer givet" in page
    assert f"/mine-opgaver/{coming_signup.id}/afmeld" in page
    assert f"/mine-opgaver/{soon.id}.ics" in page


def test_feed_is_off_until_made_and_can_be_renewed_and_revoked(client, citizen, make, school):
    task = make.task(school, title="Højtlæsning")
    make.signup_record(task.occurrences[0], citizen)
    db.session.commit()
    assert "Lav et privat kalenderlink" in client.get("/mine-opgaver").get_data(as_text=True)
    first = new_feed(client, citizen)
    assert first and len(first) >= 32
    page = client.get("/mine-opgaver").get_data(as_text=True)
    assert f"http://samskab.test/kalender/{first}.ics" in page and "Sådan abonnerer du" in page
    anonymous = client.application.test_client()
    response = anonymous.get(f"/kalender/{first}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert [str(e["SUMMARY"]) for e in events(response.data)] == ["Højtlæsning"]
    second = new_feed(client, citizen)
    assert second != first
    assert anonymous.get(f"/kalender/{first}.ics").status_code == 404
    assert anonymous.get(f"/kalender/{second}.ics").status_code == 200
    client.post("/mine-opgaver/kalender", data={"action": "off"})
    db.session.expire_all()
    assert db.session.get(User, citizen.id).ical_token is None
    assert anonymous.get(f"/kalender/{second}.ics").status_code == 404


def test_ical_parses_with_copenhagen_times_across_daylight_saving(client, citizen, make, school):
    # Summer time starts on Sunday 29 March 2026: 10:00 in Copenhagen is 09:00 UTC before, 08:00 UTC after.
    before = make.task(school, title="Før sommertid", starts_at=aware(2026, 3, 28, 9, 0), hours=2)
    after = make.task(school, title="Efter sommertid", starts_at=aware(2026, 3, 30, 8, 0), hours=2, sequence=3,
                      place="Lyngby Skole, Idrætsvej 1", postcode="2800")
    make.signup_record(before.occurrences[0], citizen)
    make.signup_record(after.occurrences[0], citizen)
    db.session.commit()
    token = new_feed(client, citizen)
    body = client.get(f"/kalender/{token}.ics").data
    text = body.decode()
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Copenhagen" in text
    assert "DTSTART;TZID=Europe/Copenhagen:20260328T100000" in text
    assert "DTSTART;TZID=Europe/Copenhagen:20260330T100000" in text
    found = {str(e["SUMMARY"]): e for e in events(body)}
    for title in ("Før sommertid", "Efter sommertid"):
        start = found[title].decoded("DTSTART")
        assert (start.hour, start.minute) == (10, 0)
        assert start.astimezone(CPH).hour == 10
    assert found["Før sommertid"].decoded("DTSTART").utcoffset() == timedelta(hours=1)
    assert found["Efter sommertid"].decoded("DTSTART").utcoffset() == timedelta(hours=2)
    assert found["Efter sommertid"].decoded("DTSTART") == datetime(2026, 3, 30, 8, 0, tzinfo=ZoneInfo("UTC"))
    assert found["Efter sommertid"].decoded("DTEND").astimezone(CPH).hour == 12
    event = found["Efter sommertid"]
    assert int(event["SEQUENCE"]) == 3
    assert f"http://samskab.test/opgaver/{after.id}" in str(event["DESCRIPTION"])
    assert "Idrætsvej 1" in str(event["LOCATION"])
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(hours=2)


def test_task_ics_download(client, citizen, make, school):
    task = make.task(school, title="Havedag", occurrences=2, recurrence="weekly")
    for occurrence in task.occurrences:
        make.signup_record(occurrence, citizen)
    db.session.commit()
    response = client.get(f"/mine-opgaver/{task.id}.ics")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert len(events(response.data)) == 2


def test_window_task_is_a_whole_day_event(client, citizen, make, school):
    task = make.task(school, title="Seks timer i marts", kind="window", starts_at=aware(2030, 3, 1, 0, 0),
                     hours=24 * 30)
    make.signup_record(task.occurrences[0], citizen)
    db.session.commit()
    [event] = events(client.get(f"/mine-opgaver/{task.id}.ics").data)
    assert str(event.decoded("DTSTART")) == "2030-03-01"


def test_feed_leaves_out_cancelled_and_other_peoples_signups(client, citizen, make, school):
    kept = make.task(school, title="Beholdt")
    dropped = make.task(school, title="Afmeldt")
    others = make.task(school, title="Andres")
    make.signup_record(kept.occurrences[0], citizen)
    make.signup_record(dropped.occurrences[0], citizen, status="cancelled")
    make.signup_record(others.occurrences[0], make.user())
    db.session.commit()
    token = new_feed(client, citizen)
    assert [str(e["SUMMARY"]) for e in events(client.get(f"/kalender/{token}.ics").data)] == ["Beholdt"]


def test_certificate_and_badge(client, citizen, make, school):
    centre = make.institution(name="Solgården")
    done = make.task(school, title="Loppemarked", starts_at=utcnow() - timedelta(days=20), hours=3,
                     occurrences=2, recurrence="weekly")
    for occurrence in done.occurrences:
        make.signup_record(occurrence, citizen, status="attended", hours=Decimal("1.5"))
    make.signup_record(make.task(centre).occurrences[0], citizen)
    make.signup_record(make.task(make.institution(name="Ikke mit sted")).occurrences[0], citizen,
                       status="waitlisted")
    db.session.commit()
    page = client.get("/mine-opgaver/bevis").get_data(as_text=True)
    assert "Tak, Bente Borger" in page and "Loppemarked" in page and "Lyngby Skole" in page
    assert "<td>3</td>" in page  # 1,5 + 1,5 hours
    badge = client.get("/mine-opgaver/navneskilt").get_data(as_text=True)
    assert badge.count('class="name-badge"') == 2
    assert "Frivillig" in badge and "Bente Borger" in badge and "Solgården" in badge
    assert "Ikke mit sted" not in badge


def test_another_citizens_tasks_are_not_shown(client, citizen, make, school):
    other = make.user(Role.CITIZEN, name="Anden Borger")
    task = make.task(school, title="Andens opgave")
    make.signup_record(task.occurrences[0], other, status="attended", hours=Decimal(4))
    db.session.commit()
    for url in ("/mine-opgaver", "/mine-opgaver/bevis", "/mine-opgaver/navneskilt"):
        page = client.get(url).get_data(as_text=True)
        assert "Andens opgave" not in page and "Anden Borger" not in page


def test_my_tasks_statement_count_does_not_grow_with_commitments(client, citizen, make, school):
    from tests.portal.public.test_tasks import count_statements

    def add(n):
        for i in range(n):
            inst = make.institution()
            task = make.task(inst, capacity=1, requires_pledge=i % 2 == 0)
            status = "waitlisted" if i % 3 == 0 else ("pending" if i % 2 == 0 else "accepted")
            if status == "waitlisted":
                make.signup_record(task.occurrences[0], make.user())
            make.signup_record(task.occurrences[0], citizen, status=status)
            done = make.task(inst, starts_at=utcnow() - timedelta(days=3 + i))
            make.signup_record(done.occurrences[0], citizen, status="attended", hours=Decimal(1))
        db.session.commit()

    add(2)
    with count_statements() as few:
        assert client.get("/mine-opgaver").status_code == 200
    add(10)
    with count_statements() as many:
        page = client.get("/mine-opgaver").get_data(as_text=True)
    assert page.count("/afmeld") == 12
    assert len(many) == len(few), "\n".join(many)


def test_a_task_called_off_by_the_institution_is_not_shown_as_coming(client, citizen, make, school):
    from models.task_operations import cancel_task
    task = make.task(school, title="Sommerfest")
    make.signup_record(task.occurrences[0], citizen)
    cancel_task(task, actor=make.user(Role.COORDINATOR), now=utcnow(), reason="Regnvejr")
    db.session.commit()
    page = client.get("/mine-opgaver").get_data(as_text=True)
    coming, _, rest = page.partition('id="past-heading"')
    assert "Sommerfest" not in coming
    assert "Sommerfest" in rest and "aflyst af institutionen – Regnvejr" in rest
    token = new_feed(client, citizen)
    assert events(client.get(f"/kalender/{token}.ics").data) == []
