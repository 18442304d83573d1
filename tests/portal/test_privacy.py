"""Download my data and delete my account (GDPR rights of access and erasure)."""
import json
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from models import (CoCreator, ConsentRecord, Idea, OutboxMessage, Signup, User, VolunteerProfile, db, utcnow)
from tests.factories import PASSWORD


def _world(make):
    citizen = make.user(email="mig@example.dk", name="Mette Madsen", phone="12345678")
    make.profile(citizen, skills="Strikning og højtlæsning")
    db.session.add(ConsentRecord(user_id=citizen.id, kind="found", given=True))
    inst = make.institution()
    task = make.task(inst, starts_at=utcnow() - timedelta(days=10))
    occ = task.occurrences[0]
    db.session.add(Signup(occurrence_id=occ.id, user_id=citizen.id, status="attended", hours=Decimal("3.5"),
                          note="Jeg tager kage med"))
    lonely = Idea(initiator_id=citizen.id, title="Bogbytte", what="En reol med bøger")
    joined = Idea(initiator_id=citizen.id, title="Fællesspisning", what="Spisning i salen")
    db.session.add_all([lonely, joined])
    db.session.flush()
    other = make.user(email="anden@example.dk")
    db.session.add(CoCreator(idea_id=joined.id, user_id=other.id, offer="Jeg laver mad"))
    db.session.add(OutboxMessage(dedup_key="x:1", kind="verify", user_id=citizen.id, recipient=citizen.email,
                                 subject="Hej", body_text="Hej"))
    db.session.commit()
    return citizen, lonely.id, joined.id


def test_download_contains_everything_about_me(client, login, make):
    citizen, _lonely, _joined = _world(make)
    login(citizen)
    assert client.get("/mig/data").status_code == 200
    response = client.post("/mig/data")
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.get_data(as_text=True))["data"]
    assert data["user"][0]["email"] == "mig@example.dk" and "password_hash" not in data["user"][0]
    assert data["volunteer_profile"][0]["skills"] == "Strikning og højtlæsning"
    assert data["signup"][0]["hours"] == 3.5
    assert {i["title"] for i in data["idea"]} == {"Bogbytte", "Fællesspisning"}
    assert data["consent_record"] and data["outbox_message"]


def test_delete_my_account_erases_at_once_and_keeps_anonymous_hours(client, login, make):
    citizen, lonely_id, joined_id = _world(make)
    login(citizen)
    wrong = client.post("/mig/slet", data={"password": "forkert-kode", "confirm": "y"})
    assert wrong.status_code == 200 and db.session.get(User, citizen.id).email == "mig@example.dk"
    response = client.post("/mig/slet", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    user = db.session.get(User, citizen.id)
    assert user.email is None and user.phone is None and user.password_hash is None
    assert user.name == "Tidligere bruger" and user.deleted_at is not None and not user.is_active
    assert db.session.scalar(select(VolunteerProfile).where(VolunteerProfile.user_id == citizen.id)) is None
    assert db.session.scalar(select(func.count()).select_from(ConsentRecord)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.session.get(Idea, lonely_id) is None
    kept = db.session.get(Idea, joined_id)
    assert kept is not None and kept.initiator_id is None
    signup = db.session.scalar(select(Signup))
    assert signup.hours == Decimal("3.5") and signup.note == ""
    assert client.get("/mig/data").status_code == 302  # logged out


def test_delete_requires_confirmation(client, login, make):
    citizen, _l, _j = _world(make)
    login(citizen)
    response = client.post("/mig/slet", data={"password": PASSWORD})
    assert response.status_code == 200
    assert db.session.get(User, citizen.id).email == "mig@example.dk"
