"""The ideas room through HTTP: submitting, answering, joining (with mails once), ownership, moderation."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import ContentReport, Idea, OutboxMessage, Role, db, utcnow
from models.idea_operations import answer_idea, join_idea
from portal.mail.notices import ideas as notify

IDEA_FORM = {"title": "Fælles drivhus", "what": "Et drivhus i gården, hvor naboer dyrker grøntsager.",
             "why": "Det skaber fællesskab.", "area": "Lyngby", "theme": "nature"}
GO_AHEAD = {"answer-status": "can_go_ahead", "answer-message": "God idé!", "answer-next_step": "Vi mødes på rådhuset",
            "answer-next_who": "Sanne fra Frivilligcenteret", "answer-next_when": "Tirsdag 10. marts kl. 16"}


@pytest.fixture
def people(app, make):
    initiator = make.user(Role.CITIZEN, name="Ida Initiativtager", email="ida@example.dk")
    joiner = make.user(Role.CITIZEN, name="Jens Medskaber", email="jens@example.dk")
    agent = make.user(Role.COORDINATOR, name="Sanne Sparring", email="sanne@example.dk")
    db.session.commit()
    return {"initiator": initiator, "joiner": joiner, "agent": agent}


@pytest.fixture
def idea(people, make):
    row = make.idea(people["initiator"], title="Bogbytte i parken", what="En reol med bøger ved søen.")
    db.session.commit()
    return row


def outbox(kind):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_a_citizen_submits_an_idea(client, login, people):
    login(people["initiator"])
    response = client.post("/ideer/ny", data=IDEA_FORM)
    idea = db.session.scalar(select(Idea))
    assert response.status_code == 302 and response.location.endswith(f"/ideer/{idea.id}")
    assert idea.initiator_id == people["initiator"].id and idea.agent_id == people["agent"].id
    assert idea.answer_due_at is not None and idea.answer_due_at > utcnow() + timedelta(days=4)
    page = client.get(f"/ideer/{idea.id}").get_data(as_text=True)
    assert "Fælles drivhus" in page and "Sanne Sparring" in page and "Idéen er modtaget" in page


def test_an_incomplete_idea_is_shown_again_in_danish_with_the_input_kept(client, login, people):
    login(people["initiator"])
    response = client.post("/ideer/ny", data={**IDEA_FORM, "what": "  "})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Udfyld venligst feltet" in page
    assert 'value="Fælles drivhus"' in page
    assert db.session.scalar(select(Idea)) is None


def test_a_coordinator_cannot_edit_the_text_but_the_initiator_can(client, login, people, idea):
    login(people["agent"])
    assert client.get(f"/ideer/{idea.id}/rediger").status_code == 403
    assert client.post(f"/ideer/{idea.id}/rediger", data={**IDEA_FORM, "title": "Kommunens titel"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).title == "Bogbytte i parken"
    login(people["initiator"])
    assert client.post(f"/ideer/{idea.id}/rediger", data={**IDEA_FORM, "title": "Bogbytte ved søen"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).title == "Bogbytte ved søen"


def test_the_agent_answers_and_the_initiator_gets_each_answer_once(client, login, people, idea):
    login(people["agent"])
    response = client.post(f"/ideer/{idea.id}/svar", data={**GO_AHEAD, "answer-next_who": ""})
    assert response.status_code == 200 and "Sig, hvad der sker nu" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == "received" and outbox("idea_answer") == []

    assert client.post(f"/ideer/{idea.id}/svar", data=GO_AHEAD).status_code == 302
    db.session.expire_all()
    row = db.session.get(Idea, idea.id)
    assert row.status == "can_go_ahead" and row.first_answer_at is not None
    mails = outbox("idea_answer")
    assert [m.recipient for m in mails] == ["ida@example.dk"]
    assert "Vi mødes på rådhuset" in mails[0].body_text and "Tirsdag 10. marts kl. 16" in mails[0].body_text
    assert notify.answered(row, row.events[-1]) is None  # the same answer is never mailed twice
    page = client.get(f"/ideer/{idea.id}").get_data(as_text=True)
    assert "Kan gå videre" in page and "Sanne fra Frivilligcenteret" in page


def test_cannot_engage_without_a_reason_is_refused(client, login, people, idea):
    login(people["agent"])
    response = client.post(f"/ideer/{idea.id}/svar", data={"answer-status": "cannot_engage", "answer-message": ""})
    assert response.status_code == 200 and "Skriv begrundelsen" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == "received"


def test_a_citizen_cannot_answer(client, login, people, idea):
    login(people["joiner"])
    assert client.post(f"/ideer/{idea.id}/svar", data=GO_AHEAD).status_code == 403


def test_joining_tells_the_initiator_once_and_they_see_who_joined(client, login, people, idea):
    login(people["joiner"])
    offer = "Jeg vil være med: jeg kan bygge reolen"
    assert client.post(f"/ideer/{idea.id}/vaer-med", data={"join-offer": offer}).status_code == 302
    assert client.post(f"/ideer/{idea.id}/vaer-med", data={"join-offer": offer}).status_code == 302  # already in
    mails = outbox("idea_activity")
    assert len(mails) == 1 and mails[0].recipient == "ida@example.dk"
    assert "Jens Medskaber" in mails[0].subject and "jeg kan bygge reolen" in mails[0].body_text
    row = db.session.get(Idea, idea.id)
    assert notify.someone_joined(row, row.co_creators[0]) is None and len(outbox("idea_activity")) == 1

    stranger_page = client.get(f"/ideer/{idea.id}").get_data(as_text=True)
    assert "Du er med" in stranger_page
    login(people["initiator"])
    page = client.get(f"/ideer/{idea.id}").get_data(as_text=True)
    assert "Jens Medskaber" in page and "jeg kan bygge reolen" in page


def test_co_creators_names_are_not_public(client, people, idea, make):
    join_idea(idea, user=people["joiner"], now=utcnow(), offer="Jeg har en trailer")
    db.session.commit()
    page = client.get(f"/ideer/{idea.id}").get_data(as_text=True)
    assert "1 person er med" in page and "Jens Medskaber" not in page and "trailer" not in page


def test_meeting_invitations_go_to_each_co_creator_once(client, login, people, idea, make):
    join_idea(idea, user=people["joiner"], now=utcnow(), offer="Jeg kan bage")
    join_idea(idea, user=make.user(email="third@example.dk"), now=utcnow(), offer="Jeg kan grave")
    db.session.commit()
    login(people["initiator"])
    data = {"meeting-when": "Tirsdag kl. 19", "meeting-where": "Medborgerhuset", "meeting-message": "Velkommen"}
    assert client.post(f"/ideer/{idea.id}/moede", data=data).status_code == 302
    assert sorted(m.recipient for m in outbox("idea_meeting")) == ["jens@example.dk", "third@example.dk"]


def test_the_list_filters_and_mine_shows_my_ideas(client, login, people, make):
    make.idea(people["initiator"], title="Kunst på muren", theme="culture", area="Virum")
    make.idea(people["joiner"], title="Løbeklub", theme="sport", area="Lyngby", status="can_go_ahead")
    db.session.commit()
    page = client.get("/ideer/?tema=culture").get_data(as_text=True)
    assert "Kunst på muren" in page and "Løbeklub" not in page
    page = client.get("/ideer/?status=can_go_ahead&omraade=lyng").get_data(as_text=True)
    assert "Løbeklub" in page and "Kunst på muren" not in page
    login(people["initiator"])
    page = client.get("/ideer/mine").get_data(as_text=True)
    assert "Kunst på muren" in page and "Løbeklub" not in page


def test_suggestions_fit_the_idea(client, login, people, make):
    idea = make.idea(people["initiator"], title="Lektiecafé", what="Lektiehjælp til børn i biblioteket")
    helper = make.user(name="Hanne Hjælper")
    make.profile(helper, skills="Lektiehjælp og matematik", interests="Børn", consent_to_be_found=True)
    hidden = make.user(name="Hemmelig Hans")
    make.profile(hidden, skills="Lektiehjælp og matematik", interests="Børn", consent_to_be_found=False)
    make.idea(people["joiner"], title="Lektiehjælp i klubben", what="Frivillige giver lektiehjælp til børn")
    db.session.commit()
    login(people["agent"])
    page = client.get(f"/ideer/{idea.id}").get_data(as_text=True)
    assert "Hanne Hjælper" in page and "Hemmelig Hans" not in page
    assert "Lektiehjælp i klubben" in page
    # The initiator learns how many fit, and names only of those who chose to be shown to citizens.
    login(people["initiator"])
    page = client.get(f"/ideer/{idea.id}").get_data(as_text=True)
    assert "1 person, hvis evner passer" in page and "Hanne Hjælper" not in page and "Hemmelig Hans" not in page


def test_answer_times_page_shows_the_figures(client, login, people, make):
    created = utcnow() - timedelta(days=60)
    first = make.idea(people["initiator"], created_at=created)
    make.idea(people["initiator"], created_at=created)  # never answered
    first.first_answer_at = created + timedelta(minutes=30)
    db.session.commit()
    login(people["agent"])
    page = client.get("/ideer/svartider").get_data(as_text=True)
    assert "50\xa0% (1/2)" in page and "<td>0,0</td>" in page  # Danish number formats
    assert client.get("/ideer/svartider?frist=0").status_code == 200  # out of range: the default is used


def test_moderation_hides_with_a_reason_the_author_sees(client, login, people, idea):
    login(people["joiner"])
    assert client.post(f"/ideer/anmeld/idea/{idea.id}", data={"reason": "Reklame"}).status_code == 302
    assert db.session.scalar(select(ContentReport)).reason == "Reklame"
    login(people["agent"])
    queue = client.get("/ideer/moderering").get_data(as_text=True)
    assert "Bogbytte i parken" in queue and "Reklame" in queue
    response = client.post(f"/ideer/moderering/idea/{idea.id}", data={"action": "hide", "reason": ""})
    assert response.status_code == 200 and "forfatteren vil se den" in response.get_data(as_text=True)
    assert client.post(f"/ideer/moderering/idea/{idea.id}",
                       data={"action": "hide", "reason": "Reklame for en butik"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).hidden

    login(people["joiner"])
    public = client.get(f"/ideer/{idea.id}").get_data(as_text=True)
    assert "Idéen er skjult" in public and "Reklame for en butik" not in public and "En reol" not in public
    assert "Bogbytte i parken" not in client.get("/ideer/").get_data(as_text=True)
    login(people["initiator"])
    assert "Reklame for en butik" in client.get(f"/ideer/{idea.id}").get_data(as_text=True)
    assert "Reklame for en butik" in client.get("/ideer/mine").get_data(as_text=True)


def test_answering_a_hidden_idea_still_works_for_the_agent(people, idea):
    answer_idea(idea, actor=people["agent"], now=utcnow(), status="in_dialogue", message="Hej")
    assert idea.status == "in_dialogue"


def test_the_queue_moderates_councils_comments_too(client, login, people, make):
    council = make.council(members=[people["initiator"]])
    update = make.project_update(make.project(council), author=people["initiator"])
    comment = make.update_comment(update, people["joiner"], body="Køb billige solbriller her")
    db.session.commit()
    login(people["initiator"])
    assert client.post(f"/ideer/anmeld/comment/{comment.id}", data={"reason": "Spam"}
                       ).location.endswith(f"/projekter/{update.project_id}#comment-{comment.id}")
    assert client.post("/ideer/anmeld/comment/999999", data={"reason": "Spam"}).status_code == 404
    login(people["agent"])
    queue = client.get("/ideer/moderering").get_data(as_text=True)
    assert "Køb billige solbriller her" in queue and "Spam" in queue
    assert client.post(f"/ideer/moderering/comment/{comment.id}",
                       data={"action": "hide", "reason": "Reklame hører ikke til her"}).status_code == 302
    db.session.expire_all()
    assert comment.hidden and comment.hidden_reason == "Reklame hører ikke til her"
    queue = client.get("/ideer/moderering").get_data(as_text=True)
    assert "Ingen anmeldelser venter" in queue and "Reklame hører ikke til her" in queue  # listed as hidden now
    assert client.post(f"/ideer/moderering/comment/{comment.id}", data={"action": "show"}).status_code == 302
    db.session.expire_all()
    assert not comment.hidden
    assert client.post("/ideer/moderering/nothing/1", data={"action": "show"}).status_code == 404


@pytest.mark.postgres
def test_submit_list_and_answer_times_on_postgresql(client, login, people):
    login(people["initiator"])
    assert client.post("/ideer/ny", data={**IDEA_FORM, "area": "Lyngby_Nord 100%"}).status_code == 302
    assert "Fælles drivhus" in client.get("/ideer/?omraade=nord 100%").get_data(as_text=True)
    # "%" is searched for as itself, not as a wildcard
    assert "Fælles drivhus" not in client.get("/ideer/?omraade=lyngby%25nord").get_data(as_text=True)
    login(people["agent"])
    idea = db.session.scalar(select(Idea))
    assert client.post(f"/ideer/{idea.id}/svar", data=GO_AHEAD).status_code == 302
    assert "100\xa0% (1/1)" in client.get("/ideer/svartider").get_data(as_text=True)
