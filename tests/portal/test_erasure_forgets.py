"""Erasure that forgets (issue 13, finding 6): after /mig/slet the person's name, e-mail and phone are in
no column of any table, notices about the erasure say "en frivillig", comments and reports lose their text,
council membership goes, ideas others joined keep their text with contact details masked, and a scheduled
job empties the text of old mails."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import String, Text, select

from models import ContentReport, CouncilMember, OutboxMessage, UpdateComment, User, db, utcnow
from models.audit import report_content
from models.privacy import mask_contact_details
from portal.scheduler import jobs
from tests.conftest import sign_in
from tests.factories import PASSWORD

NAME, EMAIL, PHONE = "Kirsten Vestergaard", "kirsten.vestergaard@example.dk", "20 30 40 50"


def _leaver_world(make):
    leaver = make.user(name=NAME, email=EMAIL, phone=PHONE)
    make.profile(leaver)
    staff = make.user("staff", email="personale@example.dk")
    inst = make.institution(staff=[staff])
    task = make.task(inst)
    make.signup_record(task.occurrences[0], leaver, note="Ring på 20304050 hvis noget ændrer sig")
    council = make.council(members=[leaver, make.user("council")])
    project = make.project(council)
    update = make.project_update(project, author=leaver, body=f"Hilsen {NAME}")
    other = make.user(name="Bent Andersen")
    mine = make.update_comment(update, leaver, body="Jeg tager kaffe med, tlf 20 30 40 50")
    theirs = make.update_comment(update, other, body=f"Tak til {NAME} for kaffen")
    idea = make.idea(leaver, title="Kaffebar i hallen",
                     what=f"Skriv til {EMAIL} eller ring 20304050. Min nabo har 11 22 33 44.")
    make.co_creator(idea, other, offer="Jeg har en kaffemaskine")
    make.outbox_message(leaver, body_text=f"Kære {NAME}")
    make.outbox_message(staff, kind="signup_received",
                        body_text=f"{NAME} ({EMAIL}, {PHONE}) har tilmeldt sig: Ring på 20304050",
                        subject=f"Ny tilmelding fra {NAME}")
    db.session.flush()
    report_content("comment", theirs.id, reporter=leaver, now=utcnow(), reason=f"Jeg ({NAME}) vil ikke nævnes")
    db.session.commit()
    return leaver, staff, project, idea, mine, theirs


def _every_string_value():
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            for column, value in zip(columns, row):
                if isinstance(value, str):
                    yield f"{table.name}.{column.name}", value


def test_after_erasure_the_person_is_in_no_column_of_any_table(app, make, client):
    leaver, _staff, project, idea, mine, theirs = _leaver_world(make)
    leaver_id = leaver.id
    sign_in(client, leaver)
    assert client.post("/mig/slet", data={"password": PASSWORD, "confirm": "y"}).status_code == 302
    db.session.expire_all()
    needles = [NAME.lower(), EMAIL.lower(), PHONE, "20304050"]
    found = [(where, value[:80]) for where, value in _every_string_value()
             if any(needle in value.lower() for needle in needles)]
    assert not found, found
    # the notice to the contact person says "en frivillig"
    [cancelled] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "volunteer_cancelled"))
    assert "en frivillig" in cancelled.body_text.lower()
    # comments and reports lose their text; the reporter link is cut
    assert db.session.get(UpdateComment, mine.id).body == ""
    report = db.session.scalar(select(ContentReport))
    assert report.reporter_id is None and report.reason == ""
    # no longer a member of the council
    assert db.session.scalar(select(CouncilMember).where(CouncilMember.user_id == leaver_id)) is None
    # the idea others joined stays, contact details masked, with a note that its initiator has left
    db.session.refresh(idea)
    assert idea.initiator_id is None and "11 22 33 44" not in idea.what and "[telefon fjernet]" in idea.what
    page = app.test_client().get(f"/ideer/{idea.id}").get_data(as_text=True)
    assert "har forladt Samskab" in page and "Kaffebar i hallen" in page
    page = app.test_client().get(f"/projekter/{project.id}").get_data(as_text=True)
    assert "Kommentaren blev fjernet" in page and "kaffe med" not in page


def test_mask_contact_details():
    assert mask_contact_details("ring +45 20 30 40 50 / 20304050, mail a.b@c.dk, år 2026") == \
        "ring [telefon fjernet] / [telefon fjernet], mail [e-mail fjernet], år 2026"


def test_the_retention_job_empties_old_mails(app, make):
    person = make.user()
    old = make.outbox_message(person, status="sent", body_text="Gammel besked", created_at=utcnow() - timedelta(days=91))
    recent = make.outbox_message(person, status="sent", body_text="Ny besked", created_at=utcnow() - timedelta(days=10))
    waiting = make.outbox_message(person, status="queued", body_text="Venter", created_at=utcnow() - timedelta(days=91))
    db.session.commit()
    jobs.execute(jobs.BY_ID["purge_old_mails"], now=utcnow(), deliver=False)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, old.id).body_text == ""
    assert db.session.get(OutboxMessage, recent.id).body_text == "Ny besked"
    assert db.session.get(OutboxMessage, waiting.id).body_text == "Venter"


def test_the_privacy_page_says_what_erasure_does(client):
    page = client.get("/privatliv").get_data(as_text=True)
    for words in ("en frivillig", "90 dage", "kommentarer", "medlem af et lokalråd", "har forladt"):
        assert words in page, words


def test_user_model_is_untouched_for_others(app, make, client):
    """Another person with other details keeps everything when someone else leaves."""
    leaver, *_ = _leaver_world(make)
    stays = db.session.scalar(select(User).where(User.name == "Bent Andersen"))
    sign_in(client, leaver)
    client.post("/mig/slet", data={"password": PASSWORD, "confirm": "y"})
    db.session.expire_all()
    assert db.session.get(User, stays.id).name == "Bent Andersen"


@pytest.mark.postgres
def test_after_erasure_the_person_is_in_no_column_on_postgres(app, make, client):
    test_after_erasure_the_person_is_in_no_column_of_any_table(app, make, client)
