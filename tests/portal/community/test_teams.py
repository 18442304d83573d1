"""Volunteer teams: joining by consent (name and phone for that team only), the tovholder manages only
their own team (shifts, messages, meetings in the shared calendar, team sign-ups), members confirm their
own place through the ordinary sign-up (same places, same screening)."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import (AuditEntry, Event, Role, Signup, SignupStatus, TeamMember, TeamShift, TeamSignup, db, utcnow)
from models.audit import AuditAction
from models.base import DomainError
from portal.scheduler.timing import to_local
from tests.conftest import sign_in


def _world(make, **task_fields):
    staff = make.user(Role.STAFF, name="Kirsten Kontakt")
    inst = make.institution(staff=[staff])
    task = make.task(inst, capacity=5, **task_fields)
    tovholder = make.user(name="Tove Tovholder", phone="11 11 11 11")
    team = make.team(inst, staff=staff, tovholder=tovholder, task=task, name="Lektieholdet")
    return staff, inst, task, tovholder, team


def _members(team):
    return db.session.scalar(select(func.count()).select_from(TeamMember).where(TeamMember.team_id == team.id))


def test_team_page_names_tovholder_and_contact_and_hides_phones_from_outsiders(client, make):
    staff, inst, task, tovholder, team = _world(make)
    db.session.commit()
    page = client.get(f"/hold/{team.id}").get_data(as_text=True)
    assert "Tove Tovholder" in page and "Kirsten Kontakt" in page and "1 medlem" in page
    assert "11 11 11 11" not in page
    outsider = make.user()
    db.session.commit()
    sign_in(client, outsider)
    assert "11 11 11 11" not in client.get(f"/hold/{team.id}").get_data(as_text=True)


def test_joining_needs_the_consent_and_twice_changes_nothing(client, make):
    *_, team = _world(make)
    citizen = make.user(phone="22 22 22 22")
    db.session.commit()
    sign_in(client, citizen)
    refused = client.post(f"/hold/{team.id}/bliv-medlem", data={})
    assert refused.status_code == 400
    assert "skal du acceptere" in refused.get_data(as_text=True)
    assert _members(team) == 1
    assert client.post(f"/hold/{team.id}/bliv-medlem", data={"join-consent": "y"}).status_code == 302
    assert client.post(f"/hold/{team.id}/bliv-medlem", data={"join-consent": "y"}).status_code == 302
    assert _members(team) == 2
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.subject_id == citizen.id,
                                                      AuditEntry.action == AuditAction.TEAM_JOINED))
    page = client.get(f"/hold/{team.id}").get_data(as_text=True)
    assert "11 11 11 11" in page and "22 22 22 22" in page
    client.post(f"/hold/{team.id}/forlad")
    assert _members(team) == 1
    assert "11 11 11 11" not in client.get(f"/hold/{team.id}").get_data(as_text=True)


def test_a_declined_profile_cannot_join(client, make):
    *_, team = _world(make)
    declined = make.user()
    make.profile(declined, review_status="declined")
    db.session.commit()
    sign_in(client, declined)
    client.post(f"/hold/{team.id}/bliv-medlem", data={"join-consent": "y"})
    assert _members(team) == 1


def _shift_form(days=5, **extra):
    day = to_local(utcnow()).date() + timedelta(days=days)
    return {"shift-day": day.isoformat(), "shift-starts": "15:00", "shift-ends": "17:00", "shift-needed": "1", **extra}


def test_tovholder_manages_only_their_own_team(client, make):
    staff, inst, task, tovholder, team = _world(make)
    other_tovholder = make.user()
    other = make.team(inst, staff=staff, tovholder=other_tovholder, name="Andet hold")
    other_staff = make.user(Role.STAFF)
    make.institution(staff=[other_staff])
    db.session.commit()
    for person in (other_tovholder, other_staff):
        sign_in(client, person)
        assert client.post(f"/hold/{team.id}/vagter", data=_shift_form()).status_code == 403
        assert client.post(f"/hold/{team.id}/besked", data={"message-body": "Hej"}).status_code == 403
    sign_in(client, tovholder)
    assert client.post(f"/hold/{other.id}/vagter", data=_shift_form()).status_code == 403
    assert client.post(f"/hold/{team.id}/vagter", data=_shift_form()).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(TeamShift)) == 1
    bad = client.post(f"/hold/{team.id}/vagter", data=_shift_form(**{"shift-ends": "14:00", "shift-note": "Husk nøgle"}))
    assert bad.status_code == 400 and "Husk nøgle" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TeamShift)) == 1
    assert client.post(f"/hold/{team.id}/besked", data={"message-body": "Velkommen!"}).status_code == 302


def test_members_answer_shifts_until_enough_are_coming(client, make):
    staff, inst, task, tovholder, team = _world(make)
    first, second = make.user(name="Anna"), make.user(name="Bo")
    from models.team_operations import add_shift, join_team
    for person in (first, second):
        join_team(team, person=person, now=utcnow(), consent=True)
    shift = add_shift(team, actor=tovholder, now=utcnow(), starts_at=utcnow() + timedelta(days=2),
                      ends_at=utcnow() + timedelta(days=2, hours=2), needed=1)
    outsider = make.user()
    db.session.commit()
    sign_in(client, outsider)
    assert client.post(f"/hold/vagter/{shift.id}/svar", data={"coming": "1"}).status_code == 403
    sign_in(client, first)
    client.post(f"/hold/vagter/{shift.id}/svar", data={"coming": "1"})
    sign_in(client, second)
    full = client.post(f"/hold/vagter/{shift.id}/svar", data={"coming": "1"}, follow_redirects=True)
    assert "Der kommer allerede nok" in full.get_data(as_text=True)
    sign_in(client, tovholder)
    page = client.get(f"/hold/{team.id}").get_data(as_text=True)
    assert "1 / 1: Anna" in page


def test_team_meeting_lands_in_the_shared_calendar(client, make):
    *_, tovholder, team = _world(make)
    db.session.commit()
    sign_in(client, tovholder)
    day = to_local(utcnow()).date() + timedelta(days=9)
    response = client.post(f"/hold/{team.id}/moede", data={"meeting-day": day.isoformat(), "meeting-starts": "18:00",
                                                           "meeting-ends": "19:00", "meeting-place": "Lærerværelset"})
    assert response.status_code == 302
    event = db.session.scalar(select(Event).where(Event.team_id == team.id))
    assert event.institution_id == team.institution_id and event.place == "Lærerværelset"
    shown = client.get(f"/kalender/{event.id}")
    assert shown.status_code == 200 and "Lektieholdet" in shown.get_data(as_text=True)
    assert f"/kalender/{event.id}" in client.get(f"/hold/{team.id}").get_data(as_text=True)


def test_team_sign_up_and_members_confirm_their_own_places(client, make):
    staff, inst, task, tovholder, team = _world(make, requires_child_certificate=True)
    members = [make.user() for _ in range(3)]
    from models.team_operations import join_team
    for person in members:
        join_team(team, person=person, now=utcnow(), consent=True)
    occurrence = task.occurrences[0]
    db.session.commit()
    sign_in(client, members[0])
    assert client.post(f"/hold/{team.id}/tilmeld", data={"signup-occurrence": occurrence.id,
                                                         "signup-places": "2"}).status_code == 403
    sign_in(client, tovholder)
    too_many = client.post(f"/hold/{team.id}/tilmeld", data={"signup-occurrence": occurrence.id, "signup-places": "9"})
    assert too_many.status_code == 400 and "Vælg mellem 1 plads" in too_many.get_data(as_text=True)
    assert client.post(f"/hold/{team.id}/tilmeld", data={"signup-occurrence": occurrence.id,
                                                         "signup-places": "2"}).status_code == 302
    team_signup = db.session.scalar(select(TeamSignup))
    for person in members:
        sign_in(client, person)
        client.post(f"/hold/tilmelding/{team_signup.id}/bekraeft")
    signups = list(db.session.scalars(select(Signup).where(Signup.occurrence_id == occurrence.id)))
    assert len(signups) == 2
    # same screening as any sign-up: without a child certificate the place waits as pending
    assert {s.status for s in signups} == {SignupStatus.PENDING}
    outsider = make.user()
    db.session.commit()
    sign_in(client, outsider)
    assert client.post(f"/hold/tilmelding/{team_signup.id}/bekraeft").status_code == 403


def test_a_team_is_not_promised_more_places_than_the_time_has_free(client, make):
    from models.team_operations import confirm_team_place, join_team, sign_up_team
    staff, inst, task, tovholder, team = _world(make)
    members = [make.user() for _ in range(4)]
    for person in members:
        join_team(team, person=person, now=utcnow(), consent=True)
    occurrence = task.occurrences[0]
    occurrence.capacity = 3
    make.signup_record(occurrence, make.user())               # someone else holds one of the three
    db.session.commit()
    sign_in(client, tovholder)
    page = client.post(f"/hold/{team.id}/tilmeld", data={"signup-occurrence": occurrence.id, "signup-places": "3"})
    assert page.status_code == 400 and "kun 2 ledige pladser" in page.get_data(as_text=True)
    assert db.session.scalar(select(TeamSignup)) is None     # nothing half-written
    assert client.post(f"/hold/{team.id}/tilmeld", data={"signup-occurrence": occurrence.id,
                                                         "signup-places": "2"}).status_code == 302
    team_signup = db.session.scalar(select(TeamSignup))
    confirm_team_place(team_signup, person=members[0], now=utcnow())
    db.session.commit()
    # The member's confirmed place is the team's own: two places stay possible, three are not.
    assert sign_up_team(team, occurrence, actor=tovholder, now=utcnow(), places=2).places == 2
    with pytest.raises(DomainError) as refused:
        sign_up_team(team, occurrence, actor=tovholder, now=utcnow(), places=3)
    assert refused.value.code == "places_not_free"


def test_staff_create_a_team_with_a_tovholder_and_become_its_contact(client, make):
    staff = make.user(Role.STAFF, name="Kim Kontakt")
    inst = make.institution(staff=[staff])
    make.user(email="tovholder@example.dk", name="Tine")
    db.session.commit()
    sign_in(client, staff)
    assert client.get(f"/institutioner/{inst.id}/hold/ny").status_code == 200
    unknown = client.post(f"/institutioner/{inst.id}/hold/ny", data={"name": "Holdet", "task": "0",
                                                                     "tovholder": "ingen@example.dk"})
    assert unknown.status_code == 400 and 'value="Holdet"' in unknown.get_data(as_text=True)
    ok = client.post(f"/institutioner/{inst.id}/hold/ny", data={"name": "Holdet", "task": "0",
                                                                "tovholder": "tovholder@example.dk"})
    assert ok.status_code == 302
    page = client.get(ok.headers["Location"]).get_data(as_text=True)
    assert "Tine" in page and "Kim Kontakt" in page


def test_the_tovholder_asks_a_member_to_cover_and_only_members_can_be_asked(client, make):
    staff, inst, task, tovholder, team = _world(make)
    member, outsider = make.user(name="Mia"), make.user()
    from models.team_operations import add_shift, join_team
    join_team(team, person=member, now=utcnow(), consent=True)
    shift = add_shift(team, actor=tovholder, now=utcnow(), starts_at=utcnow() + timedelta(days=2),
                      ends_at=utcnow() + timedelta(days=2, hours=2), needed=2)
    db.session.commit()
    sign_in(client, member)
    assert client.post(f"/hold/vagter/{shift.id}/spoerg", data={"member": member.id}).status_code == 403
    sign_in(client, tovholder)
    refused = client.post(f"/hold/vagter/{shift.id}/spoerg", data={"member": outsider.id}, follow_redirects=True)
    assert "Kun holdets medlemmer" in refused.get_data(as_text=True)
    client.post(f"/hold/vagter/{shift.id}/spoerg", data={"member": member.id})
    sign_in(client, member)
    assert "Du er bedt om at tage vagten" in client.get(f"/hold/{team.id}").get_data(as_text=True)
    client.post(f"/hold/vagter/{shift.id}/svar", data={"coming": "1"})
    db.session.expire_all()
    assert [u.name for u in db.session.get(TeamShift, shift.id).coming] == ["Mia"]


def test_deleting_ones_account_leaves_teams_and_networks_and_the_data_export_lists_them(client, make):
    from tests.factories import PASSWORD
    staff, inst, task, tovholder, team = _world(make)
    network = make.network(tovholder=tovholder)
    member = make.user(phone="33 33 33 33")
    from models.network_operations import join_network
    from models.team_operations import join_team
    join_team(team, person=member, now=utcnow(), consent=True)
    join_network(network, person=member, now=utcnow())
    db.session.commit()
    sign_in(client, member)
    exported = json.loads(client.post("/mig/data").get_data(as_text=True))["data"]
    assert exported["team_member"][0]["team_id"] == team.id and exported["network_member"][0]["network_id"] == network.id
    sign_in(client, tovholder)
    assert client.post("/mig/slet", data={"password": PASSWORD, "confirm": "y"}).status_code == 302
    db.session.expire_all()
    assert team.tovholder_id is None and network.tovholder_id is None
    assert _members(team) == 1
    sign_in(client, member)
    page = client.get(f"/hold/{team.id}").get_data(as_text=True)
    assert "Tove Tovholder" not in page and "11 11 11 11" not in page


def test_the_tovholders_message_is_mailed_to_the_members_not_the_sender(client, make):
    from models import OutboxMessage
    staff, inst, task, tovholder, team = _world(make)
    member, outsider = make.user(email="medlem@example.dk"), make.user(email="udenfor@example.dk")
    from models.team_operations import join_team
    join_team(team, person=member, now=utcnow(), consent=True)
    db.session.commit()
    sign_in(client, tovholder)
    client.post(f"/hold/{team.id}/besked", data={"message-body": "Vi ses tirsdag"})
    mails = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "team_message")))
    assert [m.recipient for m in mails] == ["medlem@example.dk"]
    assert "Vi ses tirsdag" in mails[0].body_text
