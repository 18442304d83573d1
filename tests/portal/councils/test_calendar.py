"""The shared calendar: sign-up with confirmation and .ics, hosts' permissions, views, iCal feeds across DST."""
from __future__ import annotations

import html
from datetime import date, datetime, timedelta, timezone

import icalendar
from sqlalchemy import func, select

from models import Event, EventSignup, OutboxMessage, db, utcnow
from portal.scheduler.timing import LOCAL, from_local, to_local
from tests.conftest import sign_in


def _next_spring_change() -> date:
    """The next last Sunday of March at least a week away: clocks go from 02:00 to 03:00 in Copenhagen."""
    today = to_local(utcnow()).date()
    for year in (today.year, today.year + 1):
        last = date(year, 3, 31)
        sunday = last - timedelta(days=(last.weekday() + 1) % 7)
        if sunday > today + timedelta(days=7):
            return sunday
    raise AssertionError("unreachable")


def _at(day: date, hour: int) -> datetime:
    return from_local(datetime(day.year, day.month, day.day, hour))


def _mails(kind):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_feeds_parse_with_icalendar_and_keep_copenhagen_time_across_dst(app, make, client):
    change = _next_spring_change()
    council, other = make.council(name="Virum Lokalråd"), make.council()
    before = make.event(council=council, title="Temamøde før", starts_at=_at(change - timedelta(days=1), 19),
                        description="Om stier og bænke.")
    after = make.event(council=council, title="Temamøde efter", starts_at=_at(change + timedelta(days=1), 19))
    elsewhere = make.event(council=other, title="Andet råds møde", starts_at=_at(change, 12))
    db.session.commit()

    assert before.starts_at.utcoffset() == timedelta(0)
    assert (before.starts_at.hour, after.starts_at.hour) == (18, 17)  # UTC: CET then CEST

    everything = client.get("/kalender/alle.ics")
    assert everything.status_code == 200 and everything.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(everything.data)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Copenhagen"]
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"Temamøde før", "Temamøde efter", "Andet råds møde"}
    for title in ("Temamøde før", "Temamøde efter"):
        start = events[title]["DTSTART"]
        assert start.params["TZID"] == "Europe/Copenhagen"
        assert (start.dt.hour, start.dt.minute) == (19, 0)
        assert events[title].decoded("DTEND").hour == 21
    assert events["Temamøde før"]["DTSTART"].dt.astimezone(timezone.utc).hour == 18
    assert events["Temamøde efter"]["DTSTART"].dt.astimezone(timezone.utc).hour == 17
    raw = everything.data.decode().replace("\r\n ", "")
    assert f"DTSTART;TZID=Europe/Copenhagen:{(change + timedelta(days=1)).strftime('%Y%m%d')}T190000" in raw
    description = str(events["Temamøde før"]["DESCRIPTION"])
    assert f"http://samskab.test/kalender/{before.id}" in description and "Om stier og bænke." in description
    assert str(events["Temamøde før"]["LOCATION"]) == before.place

    one = icalendar.Calendar.from_ical(client.get(f"/kalender/raad/{council.id}.ics").data)
    assert {str(e["SUMMARY"]) for e in one.walk("VEVENT")} == {"Temamøde før", "Temamøde efter"}
    assert str(one["X-WR-CALNAME"]) == "Virum Lokalråd"
    assert client.get("/kalender/raad/99999.ics").status_code == 404

    single = client.get(f"/kalender/{elsewhere.id}/arrangement.ics")
    assert "attachment" in single.headers["Content-Disposition"]
    assert [str(e["UID"]) for e in icalendar.Calendar.from_ical(single.data).walk("VEVENT")] == \
        [f"event-{elsewhere.id}@samskab.test"]


def test_sign_up_confirms_once_with_the_ics_and_capacity_is_kept(app, make, client):
    council = make.council()
    event = make.event(council=council, title="Borgermøde", capacity=1)
    first, second = make.user(), make.user()
    db.session.commit()
    sign_in(client, first)
    page = client.post(f"/kalender/{event.id}/tilmeld", follow_redirects=True).get_data(as_text=True)
    assert "Du er tilmeldt." in page
    client.post(f"/kalender/{event.id}/tilmeld")  # again: refused, nothing new
    mails = _mails("event_signup")
    assert len(mails) == 1 and mails[0].user_id == first.id
    assert mails[0].subject == "Du er tilmeldt: Borgermøde"
    attached = icalendar.Calendar.from_ical(mails[0].ics)
    assert str(attached["METHOD"]) == "PUBLISH"
    assert [str(e["SUMMARY"]) for e in attached.walk("VEVENT")] == ["Borgermøde"]

    sign_in(client, second)
    page = html.unescape(client.post(f"/kalender/{event.id}/tilmeld", follow_redirects=True).get_data(as_text=True))
    assert "Desværre, arrangementet er fuldt." in page
    db.session.expire_all()
    assert db.session.get(Event, event.id).attendee_count == 1

    sign_in(client, first)
    client.post(f"/kalender/{event.id}/afmeld")
    sign_in(client, second)
    client.post(f"/kalender/{event.id}/tilmeld")
    db.session.expire_all()
    active = db.session.scalars(select(EventSignup.user_id).where(EventSignup.cancelled.is_(False))).all()
    assert active == [second.id] and db.session.get(Event, event.id).attendee_count == 1


def test_event_form_errors_in_danish_with_input_kept_and_local_times_stored_as_utc(app, make, client):
    member = make.user("council")
    council = make.council(members=[member])
    db.session.commit()
    sign_in(client, member)
    change = _next_spring_change()
    data = {"host": f"council:{council.id}", "title": "", "kind": "theme_meeting", "description": "Kom og hør",
            "place": "Virum Bibliotek", "area": "Virum", "day": (change + timedelta(days=1)).isoformat(),
            "starts": "19:00", "ends": "18:00", "capacity": "0"}
    response = client.post("/kalender/nyt", data=data)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    for message in ("Giv arrangementet en titel.", "Arrangementet skal slutte, efter det begynder.",
                    "Skriv et helt antal pladser, mindst 1."):
        assert message in page
    assert 'value="Virum Bibliotek"' in page and "Kom og hør" in page and 'value="19:00"' in page
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0

    project = make.project(council, title="Cykelstier")
    db.session.commit()
    response = client.post("/kalender/nyt", data={**data, "title": "Temamøde", "ends": "21:00", "capacity": "30",
                                                  "project": str(project.id)})
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event.project_id == project.id
    assert "Temamøde" in client.get(f"/projekter/{project.id}").get_data(as_text=True)
    assert to_local(event.starts_at).hour == 19 and event.starts_at.astimezone(timezone.utc).hour == 17
    assert event.council_id == council.id and event.capacity == 30

    past = {**data, "title": "For sent", "ends": "21:00", "capacity": "", "day": "2020-01-01"}
    page = html.unescape(client.post("/kalender/nyt", data=past).get_data(as_text=True))
    assert "Arrangementet skal ligge ude i fremtiden." in page


def test_hosts_manage_only_their_own_events(app, make, client):
    member, stranger, staff = make.user("council"), make.user("council"), make.user("staff")
    council = make.council(members=[member])
    make.council(members=[stranger])
    inst = make.institution(staff=[staff])
    event = make.event(council=council)
    people = [make.user(), make.user()]
    db.session.commit()
    for person in people:
        sign_in(client, person)
        client.post(f"/kalender/{event.id}/tilmeld")
    for outsider in (stranger, staff):
        sign_in(client, outsider)
        assert client.get(f"/kalender/{event.id}/rediger").status_code == 403
        assert client.get(f"/kalender/{event.id}/deltagere").status_code == 403
        assert client.post(f"/kalender/{event.id}/aflys").status_code == 403
    # staff publish for their own institution, never for a council they are not on
    page = client.get("/kalender/nyt").get_data(as_text=True)
    assert inst.name in page and council.name not in page

    sign_in(client, member)
    page = client.get(f"/kalender/{event.id}/deltagere").get_data(as_text=True)
    assert all(p.name in page for p in people)
    assert client.post(f"/kalender/{event.id}/aflys").status_code == 302
    cancelled = _mails("event_cancelled")
    assert sorted(m.user_id for m in cancelled) == sorted(p.id for p in people)
    ics = icalendar.Calendar.from_ical(cancelled[0].ics)
    assert str(ics["METHOD"]) == "CANCEL"
    assert [str(e["STATUS"]) for e in ics.walk("VEVENT")] == ["CANCELLED"]
    client.post(f"/kalender/{event.id}/aflys")  # twice: nobody is told twice
    assert len(_mails("event_cancelled")) == 2
    # the attachment's MIME method matches the file, so mail programs remove the event
    from portal.mail.sender import build_email
    email = build_email(cancelled[0], "Samskab <noreply@samskab.test>", "samskab.test")
    [attachment] = [part for part in email.walk() if part.get_content_type() == "text/calendar"]
    assert attachment.get_param("method") == "CANCEL"


def test_month_and_list_views_filter_by_council_and_area(app, make, client):
    change = _next_spring_change()
    month = change.strftime("%Y-%m")
    virum, lyngby = make.council(name="Virum Lokalråd"), make.council(name="Lyngby Lokalråd")
    make.event(council=virum, title="Stimøde", area="Virum", starts_at=_at(change - timedelta(days=3), 19))
    make.event(council=lyngby, title="Torvemøde", area="Lyngby", starts_at=_at(change - timedelta(days=2), 17))
    make.event(council=lyngby, title="Aprilmøde", area="Lyngby", starts_at=_at(change + timedelta(days=10), 17))
    db.session.commit()

    page = client.get(f"/kalender?maaned={month}").get_data(as_text=True)
    assert "Stimøde" in page and "Torvemøde" in page and "Aprilmøde" not in page
    assert '<th scope="col">Mandag</th>' in page and "19.00 Stimøde" in page
    page = client.get(f"/kalender?maaned={month}&council={virum.id}").get_data(as_text=True)
    assert "Stimøde" in page and "Torvemøde" not in page
    assert f"/kalender/raad/{virum.id}.ics" in page
    page = client.get(f"/kalender?maaned={month}&area=Lyngby&visning=liste").get_data(as_text=True)
    assert "Torvemøde" in page and "Aprilmøde" in page and "Stimøde" not in page
    assert client.get("/kalender?maaned=garbage&council=x&area=nowhere").status_code == 200


def test_queued_confirmations_and_updates_are_dropped_when_no_longer_true(app, make):
    from models.projects import set_hidden
    from models.calendar import cancel_event_signup, sign_up_for_event
    from portal.councils.notifications import confirm_event_signup, notify_followers
    from portal.mail import checks
    now = utcnow()
    member, person = make.user("council"), make.user()
    council = make.council(members=[member])
    signup = sign_up_for_event(make.event(council=council), user=person, now=now)
    confirmation = confirm_event_signup(signup, now=now)
    project = make.project(council)
    make_follower = make.user()
    from models.projects import follow_project, post_update
    follow_project(project, user=make_follower, now=now)
    [update_mail] = notify_followers(post_update(project, actor=member, now=now, body="Nyt"), now=now)
    assert checks.stale([confirmation, update_mail], now) == {}
    cancel_event_signup(signup, actor=person, now=now)
    set_hidden(project.updates[0], actor=member, now=now, hidden=True, reason="Fejl")
    assert set(checks.stale([confirmation, update_mail], now)) == {confirmation.id, update_mail.id}


def test_editing_an_event_keeps_its_local_time_and_raises_the_ical_sequence(app, make, client):
    member = make.user("council")
    council = make.council(members=[member])
    change = _next_spring_change()
    event = make.event(council=council, title="Møde", starts_at=_at(change - timedelta(days=2), 19))
    db.session.commit()
    sign_in(client, member)
    page = client.get(f"/kalender/{event.id}/rediger").get_data(as_text=True)
    assert 'value="19:00"' in page and f'value="{(change - timedelta(days=2)).isoformat()}"' in page
    response = client.post(f"/kalender/{event.id}/rediger", data={
        "host": f"council:{council.id}", "title": "Møde (flyttet)", "kind": "meeting", "place": "Rådhuset",
        "day": (change + timedelta(days=2)).isoformat(), "starts": "19:00", "ends": "20:30", "capacity": ""})
    assert response.status_code == 302
    ics = icalendar.Calendar.from_ical(client.get(f"/kalender/{event.id}/arrangement.ics").data)
    [item] = ics.walk("VEVENT")
    assert item["SEQUENCE"] == 1 and str(item["SUMMARY"]) == "Møde (flyttet)"
    assert item.decoded("DTSTART").hour == 19 and item.decoded("DTSTART").astimezone(timezone.utc).hour == 17
