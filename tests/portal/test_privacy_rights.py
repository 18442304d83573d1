"""GDPR beyond the basics: places given back on deletion, the retention job, consents with time,
audit views in the download, a deleted initiator's idea, and the privacy and accessibility pages."""
import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from models import (AuditEntry, CoCreator, ConsentRecord, Idea, OutboxMessage, Signup, User, db, utcnow)
from models.calendar import Event, EventSignup
from portal.scheduler import jobs
from portal.scheduler.timing import add_months
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def test_deleting_my_account_gives_my_places_to_the_waiting_list(client, login, make):
    leaver, waiting = make.user(email="gaar@example.dk"), make.user(email="venter@example.dk")
    task = make.task(make.institution(), capacity=1)
    occ = task.occurrences[0]
    make.signup_record(occ, leaver)
    make.signup_record(occ, waiting, status="waitlisted")
    event = Event(council_id=make.council().id, title="Borgermøde", starts_at=utcnow() + timedelta(days=2), ends_at=utcnow() + timedelta(days=2, hours=1),
                  capacity=10, attendee_count=1)
    db.session.add(event)
    db.session.flush()
    db.session.add(EventSignup(event_id=event.id, user_id=leaver.id))
    db.session.commit()
    login(leaver)
    assert client.post("/mig/slet", data={"password": PASSWORD, "confirm": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Signup.status).where(Signup.user_id == waiting.id)) == "accepted"
    assert occ.accepted_count == 1
    assert db.session.get(Event, event.id).attendee_count == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.recipient == "venter@example.dk")) == 1


def test_past_hours_stay_as_anonymous_counts(client, login, make):
    leaver = make.user(email="timer@example.dk", name="Tove Timer")
    occ = make.task(make.institution(), starts_at=utcnow() - timedelta(days=20)).occurrences[0]
    make.signup_record(occ, leaver, status="attended", hours=4, note="Hemmelig note")
    db.session.commit()
    login(leaver)
    client.post("/mig/slet", data={"password": PASSWORD, "confirm": "y"})
    db.session.expire_all()
    signup = db.session.scalar(select(Signup).where(Signup.occurrence_id == occ.id))
    assert signup.hours == 4 and signup.note == ""
    user = db.session.get(User, leaver.id)
    assert user.name != "Tove Timer" and user.email is None and not user.roles


def test_retention_job_deletes_only_warned_and_still_inactive_accounts(app, make):
    now = utcnow()
    old = add_months(now, -25)
    warned = make.user(email="glemt1@example.dk", last_seen_at=old, created_at=old)
    unwarned = make.user(email="glemt2@example.dk", last_seen_at=old, created_at=old)
    active = make.user(email="aktiv@example.dk", last_seen_at=now - timedelta(days=3))
    from portal.mail.checks import stamp
    make.outbox_message(warned, kind="deletion_warning", status="sent",
                        dedup_key=f"deletion_warning:{warned.id}:{stamp(old)}", sent_at=now - timedelta(days=31))
    db.session.commit()
    jobs.execute(jobs.BY_ID["delete_inactive_accounts"], now=now, deliver=False)
    db.session.expire_all()
    assert db.session.get(User, warned.id).deleted_at is not None
    assert db.session.get(User, warned.id).email is None
    assert db.session.get(User, unwarned.id).email == "glemt2@example.dk"  # never deleted without a warning
    assert db.session.get(User, active.id).deleted_at is None
    # Running again (a late or doubled run) changes nothing more.
    jobs.execute(jobs.BY_ID["delete_inactive_accounts"], now=now, deliver=False)
    assert db.session.scalar(select(func.count()).select_from(User).where(User.deleted_at.is_not(None))) == 1


def test_download_holds_consents_with_time_and_who_looked_at_me(client, login, make):
    me = make.user(email="indsigt@example.dk")
    coordinator = make.user("coordinator", email="k@example.dk")
    make.profile(me)
    given_at = utcnow() - timedelta(days=3)
    db.session.add_all([ConsentRecord(user_id=me.id, kind="found", given=True, created_at=given_at),
                        ConsentRecord(user_id=me.id, kind="found", given=False),
                        AuditEntry(actor_id=coordinator.id, subject_id=me.id, action="profile_viewed")])
    db.session.commit()
    login(me)
    data = json.loads(client.post("/mig/data").get_data(as_text=True))["data"]
    consents = sorted(data["consent_record"], key=lambda r: r["created_at"])
    assert [c["given"] for c in consents] == [True, False] and all(c["created_at"] for c in consents)
    assert data["audit_entry"][0]["action"] == "profile_viewed"
    assert "password_hash" not in json.dumps(data)


def test_an_idea_others_joined_is_shown_as_by_a_former_user(client, login, make):
    initiator, helper = make.user(email="ide@example.dk", name="Ida Idérig"), make.user(email="hj@example.dk")
    idea = Idea(initiator_id=initiator.id, title="Fælles drivhus", what="Et drivhus i gården")
    db.session.add(idea)
    db.session.flush()
    db.session.add(CoCreator(idea_id=idea.id, user_id=helper.id, offer="Jeg har glas"))
    db.session.commit()
    login(initiator)
    client.post("/mig/slet", data={"password": PASSWORD, "confirm": "y"})
    response = client.get(f"/ideer/{idea.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Fælles drivhus" in html and "Ida Idérig" not in html


def test_privacy_and_accessibility_pages_are_in_plain_danish(client):
    privacy = client.get("/privatliv").get_data(as_text=True)
    for words in ("dataansvarlig", "Hvad vi gemmer", "Hvem ser det", "Hvor længe", "Datatilsynet", "slette"):
        assert words in privacy, words
    statement = client.get("/tilgaengelighed").get_data(as_text=True)
    for words in ("Tilgængelighedserklæring", "WCAG 2.1", "Digitaliseringsstyrelsen", "Kendte begrænsninger",
                  "udarbejdet den"):
        assert words in statement, words


def test_retention_settings_are_documented_with_their_defaults():
    from portal import config
    readme = (ROOT / "README.md").read_text()
    settings = config.load({})
    for name in ("RETENTION_NUDGE_MONTHS", "RETENTION_INACTIVE_MONTHS"):
        assert f"`{name}`" in readme and f"`{settings[name]}`" in readme, name


def test_consent_changes_are_recorded_with_time(client, login, make):
    me = make.user(email="samtykke@example.dk")
    db.session.commit()
    login(me)
    before = utcnow()
    for consent in ("y", None, "y"):
        data = {"offers": "time", "skills": "Kaffe", "postcode": "2800"}
        if consent:
            data["consent_to_be_found"] = consent
        assert client.post("/min-profil", data=data).status_code == 302
    rows = db.session.scalars(select(ConsentRecord).where(ConsentRecord.user_id == me.id)
                              .order_by(ConsentRecord.id)).all()
    assert [r.given for r in rows] == [True, False, True]
    assert all(r.created_at is not None and r.created_at >= before.replace(microsecond=0) for r in rows)
