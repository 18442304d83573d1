"""Suggestions on the pages: "Forslag til dig", "Foreslåede frivillige" with invitations, related tasks."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import OutboxMessage, Role, Task, db, utcnow
from portal import suggestions
from portal.scheduler.jobs import BY_ID, execute

READING = dict(title="Højtlæsning for børn", description="Læs højt af billedbøger for børnene i børnehaven.",
               skills_wanted="Glad for bøger og børn", volunteers_do="Læser højt for små grupper.")
GARDEN = dict(title="Havearbejde i fælleshaven", description="Luge, plante og høste med beboerne.",
              skills_wanted="Grønne fingre", volunteers_do="Hjælper i haven.")
IT_HELP = dict(title="IT-hjælp til ældre", description="Hjælp ældre med tablets, smartphones og MitID.",
               skills_wanted="Tålmodighed og IT", volunteers_do="Viser hvordan.")


def _world(make):
    staff = make.user(Role.STAFF, email="leder@example.dk")
    inst = make.institution(staff=[staff])
    reading = make.task(inst, **READING)
    garden = make.task(inst, **GARDEN)
    return staff, inst, reading, garden


def test_citizen_sees_suggestions_with_reasons(app, client, make, login):
    _staff, _inst, reading, garden = _world(make)
    citizen = make.user(email="borger@example.dk")
    make.profile(citizen, skills="Jeg læser gerne højt", interests="Børn og billedbøger")
    db.session.commit()
    login(citizen)
    page = client.get("/mig/").get_data(as_text=True)
    assert "Forslag til dig" in page
    assert reading.title in page and garden.title not in page
    assert "billedbøger" in page.lower()  # the shared words are the reason
    mine = client.get("/mine-opgaver").get_data(as_text=True)
    assert "Forslag til dig" in mine and reading.title in mine


def test_full_past_or_signed_up_tasks_are_not_suggested(app, client, make, login):
    staff = make.user(Role.STAFF)
    inst = make.institution(staff=[staff])
    full = make.task(inst, capacity=1, **READING)
    past = make.task(inst, starts_at=utcnow() - timedelta(days=2), **dict(READING, title="Gammel højtlæsning"))
    mine = make.task(inst, **dict(READING, title="Min højtlæsning"))
    citizen = make.user()
    make.profile(citizen, skills="Jeg læser gerne højt", interests="Børn og billedbøger")
    make.signup_record(full.occurrences[0], make.user())
    make.signup_record(mine.occurrences[0], citizen)
    db.session.commit()
    assert suggestions.tasks_for(citizen) == []
    login(citizen)
    page = client.get("/mig/").get_data(as_text=True)
    assert full.title not in page.split("Forslag til dig")[-1] and past.title not in page


def test_institution_sees_only_consenting_volunteers_with_reasons(app, client, make, login):
    staff, _inst, reading, _garden = _world(make)
    found = make.user(name="Karen Frivillig")
    make.profile(found, skills="Højtlæsning for børn", interests="Bøger", consent_to_be_found=True)
    hidden = make.user(name="Hemmelig Person")
    make.profile(hidden, skills="Højtlæsning for børn, billedbøger, børnehaven, læser højt",
                 interests="Bøger og børn", consent_to_be_found=False)
    db.session.commit()
    login(staff)
    page = client.get(f"/institution/opgaver/{reading.id}/forslag").get_data(as_text=True)
    assert "Foreslåede frivillige" in page
    assert "Karen Frivillig" in page and "Hemmelig Person" not in page
    assert "højtlæsning" in page.lower() and "Inviter" in page
    assert [s.user.id for s in suggestions.volunteers_for(reading)] == [found.id]


def test_volunteers_for_one_occurrence_leaves_out_those_signed_up_for_it(app, make):
    _staff, inst, _reading, _garden = _world(make)
    weekly = make.task(inst, occurrences=2, **dict(READING, title="Ugentlig højtlæsning"))
    first, second = sorted(weekly.occurrences, key=lambda o: o.starts_at)
    person = make.user(name="Karen Frivillig")
    make.profile(person, skills="Højtlæsning for børn", consent_to_be_found=True)
    make.signup_record(first, person)
    db.session.commit()
    assert suggestions.volunteers_for(weekly, occurrence_id=first.id) == []
    assert [s.user.id for s in suggestions.volunteers_for(weekly, occurrence_id=second.id)] == [person.id]
    assert suggestions.volunteers_for(weekly, occurrence_id=-1) == []  # not an occurrence of this task


def test_withdrawn_consent_takes_effect_at_once(app, client, make, login):
    staff, _inst, reading, _garden = _world(make)
    person = make.user(name="Karen Frivillig")
    profile = make.profile(person, skills="Højtlæsning for børn", consent_to_be_found=True)
    db.session.commit()
    assert [s.user.id for s in suggestions.volunteers_for(reading)] == [person.id]
    index_before = suggestions.corpora()["profiles"].index
    profile.consent_to_be_found = False
    db.session.commit()
    assert suggestions.volunteers_for(reading) == []
    assert suggestions.corpora()["profiles"].index is index_before  # kept in step, not refitted
    login(staff)
    assert "Karen Frivillig" not in client.get(f"/institution/opgaver/{reading.id}/forslag").get_data(as_text=True)


def test_invitation_is_sent_once(app, client, make, login):
    staff, _inst, reading, _garden = _world(make)
    person = make.user(name="Karen Frivillig", email="karen@example.dk")
    make.profile(person, skills="Højtlæsning for børn", consent_to_be_found=True)
    db.session.commit()
    login(staff)
    url = f"/institution/opgaver/{reading.id}/inviter/{person.id}"
    first = client.post(url, data={"next": f"/institution/opgaver/{reading.id}/forslag"}, follow_redirects=True)
    assert first.status_code == 200 and "Karen Frivillig" in first.get_data(as_text=True)
    client.post(url, data={})
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "invitation")).all()
    assert len(mails) == 1
    assert mails[0].recipient == "karen@example.dk" and reading.title in mails[0].body_text
    assert f"/opgaver/{reading.id}" in mails[0].body_text
    page = client.get(f"/institution/opgaver/{reading.id}/forslag").get_data(as_text=True)
    assert "Inviteret" in page


def test_no_invitation_without_consent_or_for_strangers(app, client, make, login):
    staff, _inst, reading, _garden = _world(make)
    hidden = make.user()
    make.profile(hidden, skills="Højtlæsning for børn", consent_to_be_found=False)
    outsider = make.user(Role.STAFF)
    consenting = make.user()
    make.profile(consenting, skills="Højtlæsning for børn", consent_to_be_found=True)
    db.session.commit()
    login(staff)
    client.post(f"/institution/opgaver/{reading.id}/inviter/{hidden.id}", data={})
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    login(outsider)  # staff of another institution cannot see or invite
    assert client.get(f"/institution/opgaver/{reading.id}/forslag").status_code == 404
    assert client.post(f"/institution/opgaver/{reading.id}/inviter/{consenting.id}", data={}).status_code == 404
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_busy_volunteers_are_demoted(app, make):
    _staff, inst, reading, _garden = _world(make)
    busy, free = make.user(name="Travl"), make.user(name="Ledig")
    make.profile(busy, skills="Højtlæsning for børn og billedbøger", consent_to_be_found=True)
    make.profile(free, skills="Højtlæsning", consent_to_be_found=True)
    other = make.task(inst, occurrences=8, capacity=3, **IT_HELP)
    for occurrence in other.occurrences:
        make.signup_record(occurrence, busy)
    db.session.commit()
    ranked = suggestions.volunteers_for(reading)
    assert [s.user.name for s in ranked] == ["Ledig", "Travl"]
    assert ranked[1].suggestion.text_score > ranked[0].suggestion.text_score


def test_related_tasks_on_the_public_task_page(app, client, make):
    staff, inst, reading, garden = _world(make)
    other_reading = make.task(inst, **dict(READING, title="Oplæsning på biblioteket"))
    db.session.commit()
    page = client.get(f"/opgaver/{reading.id}").get_data(as_text=True)
    related = page.split('id="related-heading"')[-1]
    assert "Oplæsning på biblioteket" in related and garden.title not in related


def test_new_and_changed_tasks_are_seen_without_refit_and_the_job_refits(app, make):
    _staff, inst, reading, _garden = _world(make)
    citizen = make.user()
    make.profile(citizen, skills="IT og smartphones", interests="Tablets")
    db.session.commit()
    assert suggestions.tasks_for(citizen) == []
    index = suggestions.corpora()["tasks"].index
    it_task = make.task(inst, **IT_HELP)
    db.session.commit()
    assert [s.task.id for s in suggestions.tasks_for(citizen)] == [it_task.id]
    assert suggestions.corpora()["tasks"].index is index
    execute(BY_ID["matching_refit"], now=utcnow(), deliver=False)
    assert suggestions.corpora()["tasks"].index is not index
    assert [s.task.id for s in suggestions.tasks_for(citizen)] == [it_task.id]
    it_task.status = "closed"
    db.session.commit()
    assert suggestions.tasks_for(citizen) == []


def test_suggested_volunteers_on_the_institution_task_page(app, client, make, login):
    staff, _inst, reading, _garden = _world(make)
    found = make.user(name="Karen Frivillig")
    make.profile(found, skills="Højtlæsning for børn", consent_to_be_found=True)
    hidden = make.user(name="Hemmelig Person")
    make.profile(hidden, skills="Højtlæsning for børn og billedbøger", consent_to_be_found=False)
    db.session.commit()
    login(staff)
    page = client.get(f"/institution/opgaver/{reading.id}").get_data(as_text=True)
    section = page.split('id="suggested-heading"')[-1]
    assert "Foreslåede frivillige" in page and "Karen Frivillig" in section and "Hemmelig Person" not in page
    assert f"/institution/opgaver/{reading.id}/inviter/{found.id}" in section


@pytest.mark.postgres
def test_suggestions_and_invitation_on_postgres(app, client, make, login):
    test_invitation_is_sent_once(app, client, make, login)
    citizen = make.user()
    make.profile(citizen, skills="Jeg læser gerne højt", interests="Børn og billedbøger")
    db.session.commit()
    found = suggestions.tasks_for(citizen)
    assert [s.task.title for s in found] == [READING["title"]]
    garden = db.session.scalar(select(Task).where(Task.title == GARDEN["title"]))
    assert suggestions.related_tasks(found[0].task) == [] and suggestions.related_tasks(garden) == []


def test_the_refit_job_hands_its_fit_to_other_processes(make_app, make, tmp_path):
    folder = tmp_path / "matching"
    job_app, web_app = make_app(MATCHING_INDEX_DIR=str(folder)), make_app(MATCHING_INDEX_DIR=str(folder))
    with job_app.app_context():
        db.create_all()
        _world(make)
        db.session.commit()
        execute(BY_ID["matching_refit"], now=utcnow(), deliver=False)
        db.session.remove()
    assert sorted(p.name.split("-")[0] for p in folder.iterdir()) == ["ideas", "profiles", "tasks"]
    with web_app.app_context():
        corpus = suggestions.corpora()["tasks"]
        index = corpus.current()
        assert corpus.loaded_file_mtime > 0 and len(index) == 2  # loaded, not built here
        assert index.search("højtlæsning", k=1)[0].id == db.session.scalar(
            select(Task.id).where(Task.title == READING["title"]))
        db.session.remove()


def test_a_series_the_citizen_joined_is_not_suggested_again(app, make):
    staff = make.user(Role.STAFF)
    inst = make.institution(staff=[staff])
    weekly = make.task(inst, occurrences=3, recurrence="weekly", **READING)
    citizen = make.user()
    make.profile(citizen, skills="Jeg læser gerne højt", interests="Børn og billedbøger")
    db.session.commit()
    assert [s.task.id for s in suggestions.tasks_for(citizen)] == [weekly.id]
    make.signup_record(weekly.occurrences[0], citizen)
    db.session.commit()
    assert suggestions.tasks_for(citizen) == []


def test_staff_are_not_told_whether_a_suggested_volunteer_is_screened(app, client, make, login):
    staff = make.user(Role.STAFF)
    inst = make.institution(staff=[staff])
    reading = make.task(inst, requires_child_certificate=True, **READING)
    person = make.user(name="Karen Frivillig")
    make.profile(person, skills="Højtlæsning for børn", interests="Bøger", consent_to_be_found=True)
    db.session.commit()
    [suggested] = suggestions.volunteers_for(reading)
    assert suggested.user.id == person.id and "screening_needed" in suggested.suggestion.reasons
    login(staff)
    page = client.get(f"/institution/opgaver/{reading.id}/forslag").get_data(as_text=True)
    assert "Karen Frivillig" in page and "børneattest" not in page.split("Foreslåede frivillige")[-1]


@pytest.mark.redis
def test_the_refit_job_hands_its_fit_to_other_hosts_through_redis(make_app, make, redis_url, redis_prefix):
    """Two hosts without a shared folder: the job's fit reaches the web host through Redis (no pickle)."""
    import redis
    job_app = make_app(RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=redis_prefix)
    web_app = make_app(RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=redis_prefix)
    server = redis.Redis.from_url(redis_url)
    try:
        with job_app.app_context():
            db.create_all()
            _world(make)
            db.session.commit()
            execute(BY_ID["matching_refit"], now=utcnow(), deliver=False)
            db.session.remove()
        assert len(server.keys(f"{redis_prefix}:matching:*:stamp")) == 3
        with web_app.app_context():
            corpus = suggestions.corpora()["tasks"]
            index = corpus.current()
            assert corpus.loaded_shared_stamp is not None and len(index) == 2  # loaded, not built here
            assert index.search("højtlæsning", k=1)[0].id == db.session.scalar(
                select(Task.id).where(Task.title == READING["title"]))
            db.session.remove()
    finally:
        keys = server.keys(f"{redis_prefix}*")
        if keys:
            server.delete(*keys)
