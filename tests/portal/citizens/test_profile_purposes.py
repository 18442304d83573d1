"""Optional phone, birth year and gender, each with its purpose beside it, in the data export and on the
coordinator's review page; birth year and gender never reach an institution (issue 15, part B 1)."""
from __future__ import annotations

import json

from models import InstitutionMember, Role, User, db
from tests.conftest import sign_in

PHONE_PURPOSE = "kan ringe til dig"
BREADTH_PURPOSE = "Vises aldrig for institutioner."


def _profile(client, **fields):
    return client.post("/min-profil", data={"offers": "time", **fields})


def test_the_citizen_gives_phone_birth_year_and_gender_with_their_purpose_beside_them(client, citizen):
    page = client.get("/min-profil").get_data(as_text=True)
    assert PHONE_PURPOSE in page and BREADTH_PURPOSE in page
    assert 'for="profile-progress"' in page and 'id="profile-progress"' in page  # the progress has a label
    assert 'type="number"' not in page.split('name="birth_year"')[0][-300:] + page.split('name="birth_year"')[1][:100]
    response = _profile(client, phone="20 30 40 50", birth_year="1962", gender="female")
    assert response.status_code == 302
    person = db.session.get(User, citizen.id)
    assert (person.phone, person.profile.birth_year, person.profile.gender) == ("20 30 40 50", 1962, "female")
    page = client.get("/min-profil").get_data(as_text=True)
    assert 'value="20 30 40 50"' in page and 'value="1962"' in page


def test_the_citizen_can_take_the_facts_back(client, citizen):
    _profile(client, phone="20304050", birth_year="1962", gender="male")
    _profile(client, phone="", birth_year="", gender="")
    db.session.expire_all()
    person = db.session.get(User, citizen.id)
    assert (person.phone, person.profile.birth_year, person.profile.gender) == (None, None, None)


def test_bad_answers_are_refused_in_danish_and_the_typing_kept(client, citizen):
    response = _profile(client, phone="12", birth_year="19x2", gender="robot", skills="Strikning")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Skriv årstallet med fire cifre" in page and "Skriv et telefonnummer på mindst 8 cifre" in page
    assert 'value="19x2"' in page and "Strikning" in page
    person = db.session.get(User, citizen.id)
    assert person.profile is None and person.phone is None  # nothing half-written
    page = _profile(client, birth_year="1850").get_data(as_text=True)
    assert "Skriv et årstal mellem 1900 og i år." in page


def test_the_data_export_names_the_facts_and_their_purpose(client, citizen):
    _profile(client, phone="20304050", birth_year="1990", gender="other")
    page = client.get("/mig/data").get_data(as_text=True)
    assert PHONE_PURPOSE in page and BREADTH_PURPOSE in page
    data = json.loads(client.post("/mig/data").get_data(as_text=True))
    assert PHONE_PURPOSE in data["purposes"]["Telefon"] and BREADTH_PURPOSE in data["purposes"]["Fødselsår"]
    assert BREADTH_PURPOSE in data["purposes"]["Køn"]
    assert data["data"]["user"][0]["phone"] == "20304050"
    assert data["data"]["volunteer_profile"][0]["birth_year"] == 1990


def test_the_coordinator_sees_exactly_these_facts_with_their_purpose(client, make):
    citizen = make.user(Role.CITIZEN, phone="20304050")
    make.profile(citizen, birth_year=1971, gender="female")
    coordinator = make.user(Role.COORDINATOR)
    db.session.commit()
    sign_in(client, coordinator)
    page = client.get(f"/koordinator/profiler/{citizen.id}").get_data(as_text=True)
    assert "20304050" in page and "1971" in page and "Kvinde" in page
    assert PHONE_PURPOSE in page and BREADTH_PURPOSE in page


def test_institutions_see_the_phone_of_their_volunteers_never_birth_year_or_gender(client, make):
    staff = make.user(Role.STAFF)
    school = make.institution(staff=[staff])
    task = make.task(school)
    volunteer = make.user(Role.CITIZEN, name="Vera Frivillig", phone="20304050")
    make.profile(volunteer, birth_year=1944, gender="female", consent_to_be_found=True)
    make.signup_record(task.occurrences[0], volunteer)
    db.session.commit()
    sign_in(client, staff)
    for url in (f"/institution/opgaver/{task.id}", "/institution/"):
        page = client.get(url).get_data(as_text=True)
        assert "1944" not in page and "Kvinde" not in page
    page = client.get(f"/institution/opgaver/{task.id}").get_data(as_text=True)
    assert "Vera Frivillig" in page and "20304050" in page
