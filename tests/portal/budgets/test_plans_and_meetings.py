"""Development plans (page, versions, editing) and dialogue meetings (minutes, follow-up deadlines in the
calendar, answers)."""
from datetime import date, timedelta

from sqlalchemy import select

from models import db
from models.plans import DevelopmentPlan, DialogueMeeting, FollowUpItem
from tests.conftest import sign_in


def test_a_council_member_saves_the_plan_and_every_save_is_a_version(client, people, make):
    council, member = people["council"], people["member"]
    project = make.project(council)
    db.session.commit()
    assert "har ingen udviklingsplan endnu" in client.get(f"/udviklingsplaner/{council.id}").get_data(as_text=True)
    sign_in(client, member)
    response = client.post(f"/udviklingsplaner/{council.id}/rediger",
                           data={"vision": "", "backers": "Skolen", "goal_title": ["Mere grønt"],
                                 "goal_status": ["planned"], "goal_project": [""]})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Skriv planens vision." in page and "Mere grønt" in page and "Skolen" in page
    assert db.session.scalar(select(DevelopmentPlan)) is None
    client.post(f"/udviklingsplaner/{council.id}/rediger",
                data={"vision": "Et levende Nord", "backers": "Lokalrådet og skolen", "goal_title": ["Mere grønt", ""],
                      "goal_status": ["planned", "planned"], "goal_project": [str(project.id), ""]})
    client.post(f"/udviklingsplaner/{council.id}/rediger",
                data={"vision": "Et levende og grønt Nord", "backers": "Lokalrådet og skolen", "note": "Mål nået",
                      "goal_title": ["Mere grønt"], "goal_status": ["reached"], "goal_project": [str(project.id)]})
    plan = db.session.scalar(select(DevelopmentPlan))
    assert plan.version == 2 and [v.version for v in plan.versions] == [2, 1]
    page = client.get(f"/udviklingsplaner/{council.id}").get_data(as_text=True)
    assert "Et levende og grønt Nord" in page and "Nået" in page and project.title in page
    first = client.get(f"/udviklingsplaner/{council.id}/versioner/1").get_data(as_text=True)
    assert "Et levende Nord" in first and "Planlagt" in first
    assert client.get(f"/udviklingsplaner/{council.id}/versioner/9").status_code == 404


def test_someone_outside_the_council_cannot_edit_the_plan(client, people, make):
    other = make.user("council", email="andet@example.dk")
    db.session.commit()
    sign_in(client, other)
    assert client.get(f"/udviklingsplaner/{people['council'].id}/rediger").status_code == 403


def test_a_dialogue_meeting_with_minutes_and_a_follow_up_answered_by_its_deadline(client, people):
    sign_in(client, people["coordinator"])
    response = client.post("/dialogmoeder", data={"title": "Dialogmøde", "day": "", "time": "19:00",
                                                  "agenda": "1. Trafik"})
    assert response.status_code == 400
    assert "Giv mødet en titel, en dato og et klokkeslæt." in response.get_data(as_text=True)
    assert "1. Trafik" in response.get_data(as_text=True)
    day = date.today() + timedelta(days=10)
    client.post("/dialogmoeder", data={"title": "Dialogmøde marts", "day": day.isoformat(), "time": "19:00",
                                       "place": "Rådhuset", "agenda": "1. Trafik", "invited": "Lokalrådene, udvalget"})
    meeting = db.session.scalar(select(DialogueMeeting))
    assert meeting.title == "Dialogmøde marts"
    client.post(f"/dialogmoeder/{meeting.id}/referat", data={"minutes": "Vi talte om cykelstier."})
    due = date.today() + timedelta(days=20)
    response = client.post(f"/dialogmoeder/{meeting.id}/opfoelgning", data={"question": "Hvornår kommer stien?",
                                                                          "due_on": ""})
    assert response.status_code == 400 and "Skriv spørgsmålet og dets frist." in response.get_data(as_text=True)
    client.post(f"/dialogmoeder/{meeting.id}/opfoelgning", data={"question": "Hvornår kommer stien?",
                                                               "due_on": due.isoformat()})
    item = db.session.scalar(select(FollowUpItem))
    assert item.due_on == due
    calendar = client.get(f"/kalender?maaned={due.strftime('%Y-%m')}&visning=liste").get_data(as_text=True)
    assert "Frist: Hvornår kommer stien?" in calendar
    calendar = client.get(f"/kalender?maaned={due.strftime('%Y-%m')}").get_data(as_text=True)
    assert "Frist: Hvornår kommer stien?" in calendar
    assert "Hvornår kommer stien?" in client.get("/dialogmoeder").get_data(as_text=True)
    client.post(f"/dialogmoeder/opfoelgning/{item.id}/svar", data={"answer": "Til sommer."})
    db.session.expire_all()
    assert item.answer == "Til sommer." and item.answered_at is not None
    page = client.get(f"/dialogmoeder/{meeting.id}").get_data(as_text=True)
    assert "Vi talte om cykelstier." in page and "Til sommer." in page
    assert "Intet venter på svar." in client.get("/dialogmoeder").get_data(as_text=True)


def test_citizens_read_meetings_but_cannot_change_them(client, people):
    sign_in(client, people["voters"][0])
    assert client.get("/dialogmoeder").status_code == 200
    assert client.post("/dialogmoeder", data={"title": "X"}).status_code == 403
