"""Thematic networks: the public pages (tovholder, "N deltagere"), joining twice, meetings and minutes,
items for the municipality answered by a deadline."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from models import NetworkItem, NetworkMeeting, NetworkMember, Role, db, utcnow
from portal.scheduler.timing import to_local
from tests.conftest import sign_in


def _count(network) -> int:
    return db.session.scalar(select(func.count()).select_from(NetworkMember)
                             .where(NetworkMember.network_id == network.id))


def test_list_and_page_name_the_tovholder_and_the_count(client, make):
    tovholder = make.user(name="Tove Holm")
    network = make.network(tovholder=tovholder, name="Besøgsvenner", members=[make.user(), make.user()])
    db.session.commit()
    listing = client.get("/netvaerk").get_data(as_text=True)
    assert "Besøgsvenner" in listing and f"/netvaerk/{network.id}" in listing
    page = client.get(f"/netvaerk/{network.id}").get_data(as_text=True)
    assert "Tove Holm" in page and "Tovholder" in page
    assert "3 deltagere" in page


def test_joining_twice_adds_one_member(client, make):
    network = make.network(tovholder=make.user())
    citizen = make.user()
    db.session.commit()
    sign_in(client, citizen)
    first = client.post(f"/netvaerk/{network.id}/deltag")
    assert first.status_code == 302
    second = client.post(f"/netvaerk/{network.id}/deltag", follow_redirects=True)
    assert second.status_code == 200
    assert "allerede medlem" in second.get_data(as_text=True)
    assert _count(network) == 2
    assert "2 deltagere" in client.get(f"/netvaerk/{network.id}").get_data(as_text=True)


def test_anonymous_join_goes_to_log_in_and_adds_no_one(client, make):
    network = make.network()
    db.session.commit()
    response = client.post(f"/netvaerk/{network.id}/deltag")
    assert response.status_code == 302 and "/log-ind" in response.headers["Location"]
    assert _count(network) == 0


def test_leaving_and_the_tovholder_cannot(client, make):
    tovholder, member = make.user(), make.user()
    network = make.network(tovholder=tovholder, members=[member])
    db.session.commit()
    sign_in(client, member)
    client.post(f"/netvaerk/{network.id}/forlad")
    assert _count(network) == 1
    sign_in(client, tovholder)
    page = client.post(f"/netvaerk/{network.id}/forlad", follow_redirects=True).get_data(as_text=True)
    assert "Som tovholder kan du ikke melde dig ud" in page
    assert _count(network) == 1


def _meeting_form(day, **extra):
    return {"meeting-day": day.isoformat(), "meeting-starts": "17:00", "meeting-ends": "19:00",
            "meeting-place": "Biblioteket", "meeting-agenda": "1. Velkommen", **extra}


def test_only_the_tovholder_plans_meetings_and_bad_input_keeps_the_typing(client, make):
    tovholder, member = make.user(), make.user()
    network = make.network(tovholder=tovholder, members=[member])
    db.session.commit()
    day = to_local(utcnow()).date() + timedelta(days=20)
    sign_in(client, member)
    assert client.post(f"/netvaerk/{network.id}/moeder", data=_meeting_form(day)).status_code == 403
    sign_in(client, tovholder)
    bad = client.post(f"/netvaerk/{network.id}/moeder", data=_meeting_form(day, **{"meeting-ends": "16:00"}))
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "Slutningen skal være efter starten" in text or "efter start" in text
    assert "1. Velkommen" in text
    assert db.session.scalar(select(func.count()).select_from(NetworkMeeting)) == 0
    ok = client.post(f"/netvaerk/{network.id}/moeder", data=_meeting_form(day))
    assert ok.status_code == 302
    assert "1. Velkommen" in client.get(f"/netvaerk/{network.id}").get_data(as_text=True)


def test_minutes_are_published_to_members_only(client, make, app):
    from models.network_operations import plan_meeting
    tovholder, member, outsider = make.user(), make.user(), make.user()
    network = make.network(tovholder=tovholder, members=[member])
    now = utcnow()
    meeting = plan_meeting(network, actor=tovholder, now=now - timedelta(days=3), starts_at=now - timedelta(days=1),
                           ends_at=now - timedelta(hours=22), place="", agenda="Dagsorden")
    db.session.commit()
    sign_in(client, tovholder)
    assert client.post(f"/netvaerk/moeder/{meeting.id}/referat", data={"minutes": "Vi besluttede noget."}).status_code == 302
    sign_in(client, member)
    assert "Vi besluttede noget." in client.get(f"/netvaerk/{network.id}").get_data(as_text=True)
    sign_in(client, outsider)
    assert "Vi besluttede noget." not in client.get(f"/netvaerk/{network.id}").get_data(as_text=True)


def test_items_get_a_deadline_and_a_coordinators_answer(client, make):
    member = make.user()
    network = make.network(tovholder=make.user(), members=[member])
    coordinator = make.user(Role.COORDINATOR)
    db.session.commit()
    sign_in(client, member)
    response = client.post(f"/netvaerk/{network.id}/punkter", data={"item-title": "Et fast lokale", "item-body": ""},
                           follow_redirects=True)
    assert "De svarer senest" in response.get_data(as_text=True)
    item = db.session.scalar(select(NetworkItem))
    assert item.answer_due_at > utcnow() + timedelta(days=4)
    sign_in(client, coordinator)
    assert "Et fast lokale" in client.get("/koordinator/netvaerk").get_data(as_text=True)
    client.post(f"/netvaerk/punkter/{item.id}/svar", data={"answer": "I får lokale 2."})
    db.session.expire_all()
    assert item.answer == "I får lokale 2." and item.answered_by_id == coordinator.id
    sign_in(client, member)
    assert "I får lokale 2." in client.get(f"/netvaerk/{network.id}").get_data(as_text=True)


def test_a_non_member_cannot_raise_an_item(client, make):
    network = make.network(tovholder=make.user())
    outsider = make.user()
    db.session.commit()
    sign_in(client, outsider)
    assert client.post(f"/netvaerk/{network.id}/punkter", data={"item-title": "X"}).status_code == 403


def test_coordinator_creates_a_network_with_a_tovholder(client, make):
    coordinator = make.user(Role.COORDINATOR)
    tovholder = make.user(email="tove@example.dk")
    db.session.commit()
    sign_in(client, coordinator)
    response = client.post("/koordinator/netvaerk", data={"network-name": "Lektiehjælp i Lyngby",
                                                          "network-purpose": "Vi deler", "network-tovholder": "tove@example.dk"})
    assert response.status_code == 302
    network_id = int(re.search(r"/netvaerk/(\d+)", response.headers["Location"]).group(1))
    page = client.get(f"/netvaerk/{network_id}").get_data(as_text=True)
    assert tovholder.name in page and "1 deltager" in page
    unknown = client.post("/koordinator/netvaerk", data={"network-name": "Andet", "network-tovholder": "nobody@example.dk"})
    assert unknown.status_code == 400 and "Ingen har en konto" in unknown.get_data(as_text=True)
