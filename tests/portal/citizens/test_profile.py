"""The citizen's profile: all fields, consent records, review status, completeness, validation, privacy."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from models import ConsentRecord, Role, VolunteerProfile, db

FULL = {
    "skills": "Pensioneret tømrer", "interests": "Børn og natur", "tags": ["havearbejde", "håndværk"],
    "own_tags": "Skak, fuglekig", "availability": ["0-morning", "2-evening", "5-afternoon"],
    "away-0-starts_on": "2030-07-01", "away-0-ends_on": "2030-07-21", "postcode": "2800", "travel_km": "10",
    "languages": "dansk, engelsk", "offers": "both", "motivations": ["community", "time"],
    "consent_to_be_found": "y",
}


@pytest.fixture
def citizen(make, login):
    person = make.user(Role.CITIZEN)
    db.session.commit()
    login(person)
    return person


def profile_of(user) -> VolunteerProfile:
    db.session.expire_all()
    return db.session.scalar(select(VolunteerProfile).where(VolunteerProfile.user_id == user.id))


def consent_box(page: str) -> str:
    [tag] = re.findall(r'<input[^>]*id="consent_to_be_found"[^>]*>', page)
    return tag


def consents(user):
    return list(db.session.scalars(select(ConsentRecord).where(ConsentRecord.user_id == user.id,
                                                                ConsentRecord.kind == "be_found")
                                   .order_by(ConsentRecord.id)))


def test_new_profile_is_not_findable_by_default(client, citizen):
    page = client.get("/min-profil").get_data(as_text=True)
    assert "checked" not in consent_box(page)
    assert "Din profil er 0 ud af 9 færdig" in page
    assert "Tilladelse til at blive fundet" in page  # listed as missing, with why it helps
    # Saving without touching the box keeps it off, and records no consent.
    client.post("/min-profil", data={"offers": "time"})
    assert profile_of(citizen).consent_to_be_found is False
    assert consents(citizen) == []


def test_saving_every_field(client, citizen):
    response = client.post("/min-profil", data=FULL)
    assert response.status_code == 302
    p = profile_of(citizen)
    assert p.skills == "Pensioneret tømrer" and p.interests == "Børn og natur"
    assert p.tag_list == ["havearbejde", "håndværk", "skak", "fuglekig"]
    assert sorted((s.weekday, s.part) for s in p.availability) == [(0, "morning"), (2, "evening"), (5, "afternoon")]
    assert [(a.starts_on, a.ends_on) for a in p.away] == [(date(2030, 7, 1), date(2030, 7, 21))]
    assert (p.postcode, p.travel_km, p.languages) == ("2800", 10, "dansk, engelsk")
    assert p.offers_time and p.offers_ideas
    assert p.motivation_list == ["community", "time"]
    assert p.consent_to_be_found is True
    page = client.get("/min-profil").get_data(as_text=True)
    assert "Din profil er helt udfyldt" in page and "Din profil er 9 ud af 9 færdig" in page
    assert "checked" in consent_box(page)
    assert 'value="skak, fuglekig"' in page
    # Removing a slot and the away period.
    client.post("/min-profil", data={**FULL, "availability": ["0-morning"], "away-0-starts_on": "",
                                     "away-0-ends_on": ""})
    p = profile_of(citizen)
    assert [(s.weekday, s.part) for s in p.availability] == [(0, "morning")] and p.away == []


def test_consent_changes_are_recorded_with_time(client, citizen):
    client.post("/min-profil", data=FULL)
    client.post("/min-profil", data=FULL)  # unchanged: no new record
    client.post("/min-profil", data={k: v for k, v in FULL.items() if k != "consent_to_be_found"})
    records = consents(citizen)
    assert [r.given for r in records] == [True, False]
    assert all(r.created_at is not None for r in records)
    assert records[0].created_at <= records[1].created_at


def test_a_change_sends_an_approved_profile_back_to_review(client, citizen, make):
    make.profile(citizen, review_status="approved", skills="Pensioneret tømrer")
    db.session.commit()
    client.post("/min-profil", data=FULL)
    assert profile_of(citizen).review_status == "new"
    p = profile_of(citizen)
    p.review_status = "approved"
    db.session.commit()
    client.post("/min-profil", data=FULL)  # nothing changed
    assert profile_of(citizen).review_status == "approved"
    client.post("/min-profil", data={**FULL, "skills": "Tømrer og maler"})
    assert profile_of(citizen).review_status == "new"
    # A profile the coordinator asked to change goes back to the queue when the citizen edits it.
    p = profile_of(citizen)
    p.review_status = "changes_requested"
    db.session.commit()
    client.post("/min-profil", data={**FULL, "skills": "Tømrer, maler og murer"})
    assert profile_of(citizen).review_status == "new"
    # A declined profile the citizen edits goes back for a new look (the reason may have been dealt
    # with), but holds no place until a coordinator has decided again.
    p = profile_of(citizen)
    p.review_status = "declined"
    db.session.commit()
    client.post("/min-profil", data=FULL | {"skills": "Tømrer, maler og murer"})  # nothing changed
    assert profile_of(citizen).review_status == "declined"
    client.post("/min-profil", data={**FULL, "skills": "Kun tømrer"})
    assert profile_of(citizen).review_status == "resubmitted"


def test_invalid_profile_re_renders_in_danish_and_writes_nothing(client, citizen):
    bad = {**FULL, "postcode": "28", "travel_km": "900", "away-0-ends_on": "2030-06-01"}
    response = client.post("/min-profil", data=bad)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Et postnummer har fire cifre, fx 2800." in page
    assert "Skriv en afstand mellem 0 og 500 km." in page
    assert "Sidste dag skal være samme dag som første dag eller senere." in page
    assert 'value="28"' in page and "Pensioneret tømrer" in page and 'value="900"' in page
    assert profile_of(citizen) is None
    response = client.post("/min-profil", data={**FULL, "offers": ""})
    assert "Vælg, hvad du tilbyder." in response.get_data(as_text=True)


def test_a_citizen_sees_only_their_own_profile(client, citizen, make):
    other = make.user(Role.CITIZEN, phone="22 33 44 55")
    make.profile(other, skills="Hemmelige evner", coordinator_note="Intern note om borgeren", birth_year=1950)
    db.session.commit()
    page = client.get("/min-profil").get_data(as_text=True)
    for private in ("Hemmelige evner", "Intern note om borgeren", "22 33 44 55", other.email):
        assert private not in page
    # The coordinators' internal note is never shown to the citizen themself either.
    make.profile(citizen, coordinator_note="Kun for koordinatorer")
    db.session.commit()
    assert "Kun for koordinatorer" not in client.get("/min-profil").get_data(as_text=True)


def test_unparseable_values_get_danish_messages(client, citizen):
    response = client.post("/min-profil", data={**FULL, "travel_km": "ti", "away-0-starts_on": "i morgen",
                                                "offers": "penge", "motivations": ["penge"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for message in ("Skriv et helt tal.", "Skriv en gyldig dato.", "Vælg en af mulighederne.",
                    "“penge” er ikke en af mulighederne."):
        assert message in page, message
    assert "Not a valid" not in page
    assert profile_of(citizen) is None
