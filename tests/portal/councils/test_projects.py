"""Project pages: council members manage only their own council's projects, followers hear once per update."""
from __future__ import annotations

import html

from sqlalchemy import func, select

from models import ContentReport, NotificationPreference, OutboxMessage, Project, ProjectFollower, db, utcnow
from models.audit import hide_content
from models.projects import set_hidden
from portal.councils.notifications import notify_followers
from portal.scheduler import digests
from tests.conftest import sign_in


def _world(make):
    member, outsider = make.user("council"), make.user("council")
    council = make.council(members=[member])
    make.council(members=[outsider])
    project = make.project(council, title="Grønt torv")
    return member, outsider, council, project


def _project_mails(kind="project_update"):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def test_members_of_another_council_get_403_on_every_management_route(app, make, client):
    member, outsider, _council, project = _world(make)
    db.session.commit()
    sign_in(client, outsider)
    base = f"/lokalraad/projekter/{project.id}"
    assert client.get(base).status_code == 403
    assert client.post(base, data={"title": "Overtaget", "goal": "x", "status": "active", "progress": 1}).status_code == 403
    assert client.post(base + "/opdatering", data={"body": "Overtaget"}).status_code == 403
    assert client.post(base + "/kobl", data={"item": "idea:1"}).status_code == 403
    assert client.post(base + "/fjern", data={"item": "idea:1"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Project, project.id).title == "Grønt torv"
    assert not _project_mails()
    sign_in(client, member)
    assert client.get(base).status_code == 200


def test_new_project_only_for_own_councils_and_invalid_form_keeps_input_in_danish(app, make, client):
    member, _outsider, council, _project = _world(make)
    foreign = make.council()
    db.session.commit()
    sign_in(client, member)
    page = client.get("/lokalraad/projekter/ny").get_data(as_text=True)
    assert council.name in page and foreign.name not in page
    response = client.post("/lokalraad/projekter/ny", data={
        "council": council.id, "title": "", "goal": "Flere bænke ved søen", "area": "Sorgenfri",
        "budget_kr": "mange", "status": "active", "progress": "150"})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Giv projektet en titel." in page and "Skriv et tal fra 0 til 100." in page
    assert "Flere bænke ved søen" in page and 'value="Sorgenfri"' in page and 'value="mange"' in page
    assert db.session.scalar(select(func.count()).select_from(Project)) == 1  # nothing half-written
    # a council the member is not on is not a valid choice
    response = client.post("/lokalraad/projekter/ny", data={"council": foreign.id, "title": "X", "goal": "Y",
                                                            "status": "active", "progress": "0"})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Project)) == 1
    response = client.post("/lokalraad/projekter/ny", data={"council": council.id, "title": "Bænke", "goal": "Y",
                                                            "budget_kr": "12000", "status": "proposed",
                                                            "progress": "0"})
    assert response.status_code == 302
    created = db.session.scalar(select(Project).where(Project.title == "Bænke"))
    assert created.council_id == council.id and created.budget_kr == 12000 and created.created_by_id == member.id


def test_followers_get_each_update_once_through_the_outbox(app, make, client):
    member, _outsider, _council, project = _world(make)
    followers = [make.user() for _ in range(3)]
    quiet = make.user()      # turned project updates off
    digester = make.user()   # reads project news in the digest instead
    db.session.add_all([NotificationPreference(user_id=quiet.id, kind="project_update", enabled=False),
                        NotificationPreference(user_id=digester.id, kind="digest_projects", enabled=True,
                                               frequency="daily")])
    db.session.commit()
    for person in followers + [quiet, digester]:
        sign_in(client, person)
        assert client.post(f"/projekter/{project.id}/foelg").status_code == 302
    client.post(f"/projekter/{project.id}/foelg")  # following twice changes nothing
    assert db.session.scalar(select(func.count()).select_from(ProjectFollower)) == 5

    sign_in(client, member)
    response = client.post(f"/lokalraad/projekter/{project.id}/opdatering",
                           data={"body": "Nu er træerne plantet.", "progress": "80"})
    assert response.status_code == 302
    mails = _project_mails()
    assert sorted(m.user_id for m in mails) == sorted(p.id for p in followers)
    assert len({m.dedup_key for m in mails}) == 3
    assert all("Nu er træerne plantet." in m.body_text and f"/projekter/{project.id}" in m.body_text for m in mails)
    assert mails[0].subject == "Nyt fra projektet Grønt torv"
    db.session.expire_all()
    assert db.session.get(Project, project.id).progress == 80

    # telling the followers again (a retried job, a double click) queues nothing new
    update = db.session.get(Project, project.id).updates[0]
    assert notify_followers(update, now=utcnow()) == []
    db.session.commit()
    assert len(_project_mails()) == 3

    # the digest reader finds the update in the digest instead
    from datetime import timedelta
    queued = digests.build("daily", utcnow() + timedelta(days=1))
    assert [m.user_id for m in queued if m] == [digester.id]
    assert "Nu er træerne plantet." in queued[0].body_text


def test_only_followers_comment_and_a_bad_comment_re_renders_with_the_text_kept(app, make, client):
    member, _outsider, _council, project = _world(make)
    update = make.project_update(project, author=member, body="Vi mangler hjælp til plantedagen.")
    citizen = make.user()
    db.session.commit()
    sign_in(client, citizen)
    page = client.get(f"/projekter/{project.id}").get_data(as_text=True)
    assert "Vi mangler hjælp til plantedagen." in page and 'name="body"' not in page  # not following yet
    response = client.post(f"/projekter/opdateringer/{update.id}/kommentar", data={"body": "Jeg kommer!"},
                           follow_redirects=True)
    assert "Følg projektet for at kommentere dets opdateringer." in html.unescape(response.get_data(as_text=True))
    assert "Jeg kommer!" not in response.get_data(as_text=True)
    client.post(f"/projekter/{project.id}/foelg")
    response = client.post(f"/projekter/opdateringer/{update.id}/kommentar", data={"body": "x" * 2001})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and "Højst 2000 tegn." in page and "x" * 2001 in page
    response = client.post(f"/projekter/opdateringer/{update.id}/kommentar", data={"body": "Jeg kommer!"})
    assert response.status_code == 302
    assert "Jeg kommer!" in client.get(f"/projekter/{project.id}").get_data(as_text=True)


def test_hidden_content_shows_the_reason_to_its_author_only(app, make, client):
    member, _outsider, _council, project = _world(make)
    update = make.project_update(project, author=member, body="Skjult opdatering")
    author, reader = make.user(), make.user()
    comment = make.update_comment(update, author, body="Grov kommentar")
    set_hidden(comment, actor=member, now=utcnow(), hidden=True, reason="Sproget er for groft")
    db.session.commit()
    sign_in(client, reader)
    page = client.get(f"/projekter/{project.id}").get_data(as_text=True)
    assert "Denne kommentar er skjult af en koordinator." in page
    assert "Grov kommentar" not in page and "Sproget er for groft" not in page
    sign_in(client, author)
    page = client.get(f"/projekter/{project.id}").get_data(as_text=True)
    assert "Sproget er for groft" in page and "Grov kommentar" in page
    # a hidden update is not in the digest, not commentable, and its author sees why
    set_hidden(update, actor=member, now=utcnow(), hidden=True, reason="Forkert dato")
    db.session.commit()
    assert "Forkert dato" not in client.get(f"/projekter/{project.id}").get_data(as_text=True)
    sign_in(client, member)
    assert "Forkert dato" in client.get(f"/projekter/{project.id}").get_data(as_text=True)


def test_the_project_page_links_updates_and_comments_to_the_one_report_form(app, make, client):
    member, _outsider, _council, project = _world(make)
    update = make.project_update(project, author=member)
    comment = make.update_comment(update, make.user())
    db.session.commit()
    sign_in(client, make.user())
    page = client.get(f"/projekter/{project.id}").get_data(as_text=True)
    assert f'href="/ideer/anmeld/update/{update.id}"' in page and f'href="/ideer/anmeld/comment/{comment.id}"' in page
    response = client.post(f"/ideer/anmeld/update/{update.id}", data={"reason": ""})
    assert response.status_code == 200 and "Fortæl kort, hvad der er galt." in html.unescape(response.get_data(as_text=True))
    assert client.post(f"/ideer/anmeld/update/{update.id}", data={"reason": "Forkert"}).status_code == 302
    assert client.post(f"/ideer/anmeld/comment/{comment.id}", data={"reason": "Uhøfligt"}).status_code == 302
    reports = {(r.target_kind, r.target_id) for r in db.session.scalars(select(ContentReport))}
    assert reports == {("update", update.id), ("comment", comment.id)}
    # the councils' own report pages are gone: one way to report
    assert client.get(f"/anmeld/opdatering/{update.id}").status_code == 404
    assert client.get(f"/anmeld/kommentar/{comment.id}").status_code == 404


def test_linking_ideas_and_tasks_shows_them_on_the_public_page(app, make, client):
    from models import Idea
    member, _outsider, _council, project = _world(make)
    citizen = make.user()
    idea = Idea(initiator_id=citizen.id, title="Bænke ved søen", what="Flere bænke")
    task = make.task(make.institution(), title="Plantedag på torvet")
    db.session.add(idea)
    db.session.commit()
    sign_in(client, member)
    assert client.post(f"/lokalraad/projekter/{project.id}/kobl", data={"item": f"idea:{idea.id}"}).status_code == 302
    assert client.post(f"/lokalraad/projekter/{project.id}/kobl", data={"item": f"task:{task.id}"}).status_code == 302
    response = client.post(f"/lokalraad/projekter/{project.id}/kobl", data={"item": "idea:99999"})
    assert response.status_code == 200  # not a choice: re-rendered
    sign_in(client, citizen)
    page = client.get(f"/projekter/{project.id}").get_data(as_text=True)
    assert "Bænke ved søen" in page and "Plantedag på torvet" in page
    assert "Du har været med i projektet." in page  # the initiator of a linked idea took part


def test_those_who_took_part_are_invited_to_follow_once(app, make, client):
    from models import CoCreator, Idea, Signup
    member, outsider, _council, project = _world(make)
    initiator, co_creator, volunteer, waiting, follower = (make.user() for _ in range(5))
    idea = Idea(initiator_id=initiator.id, title="Bænke", what="Flere bænke", project_id=project.id)
    db.session.add(idea)
    db.session.flush()
    db.session.add(CoCreator(idea_id=idea.id, user_id=co_creator.id, offer="Jeg kan snedkerere"))
    task = make.task(make.institution(), project_id=project.id)
    occurrence = task.occurrences[0]
    db.session.add_all([Signup(occurrence_id=occurrence.id, user_id=volunteer.id, status="accepted", holds_spot=True),
                        Signup(occurrence_id=occurrence.id, user_id=waiting.id, status="waitlisted"),
                        Signup(occurrence_id=occurrence.id, user_id=initiator.id, status="accepted", holds_spot=True),
                        ProjectFollower(project_id=project.id, user_id=follower.id)])
    db.session.add(CoCreator(idea_id=idea.id, user_id=follower.id, offer="Følger allerede"))
    db.session.commit()
    sign_in(client, outsider)
    assert client.post(f"/lokalraad/projekter/{project.id}/inviter").status_code == 403
    sign_in(client, member)
    page = client.get(f"/lokalraad/projekter/{project.id}").get_data(as_text=True)
    assert "følger det endnu: 3." in page
    assert client.post(f"/lokalraad/projekter/{project.id}/inviter").status_code == 302
    client.post(f"/lokalraad/projekter/{project.id}/inviter")  # a second click invites nobody again
    invited = _project_mails("project_invitation")
    assert sorted(m.user_id for m in invited) == sorted([initiator.id, co_creator.id, volunteer.id])
    assert all(f"/projekter/{project.id}" in m.body_text for m in invited)


def test_hidden_means_hidden_on_project_pages_and_report_pages(app, make, client):
    """Issue 13 finding 5: a hidden idea linked to a project, comments under a hidden update, report pages."""
    member, _outsider, _council, project = _world(make)
    moderator = make.user("coordinator")
    idea = make.idea(make.user(), title="Skjult idé om bålplads", project_id=project.id)
    update = make.project_update(project, author=member, body="En opdatering")
    comment = make.update_comment(update, make.user(), body="Kommentar under en skjult opdatering")
    db.session.flush()
    hide_content("idea", idea.id, actor=moderator, now=utcnow(), reason="Persondata")
    set_hidden(update, actor=member, now=utcnow(), hidden=True, reason="Forkert dato")
    db.session.commit()
    reader = make.user()
    db.session.commit()
    for who in (None, reader):
        visitor = app.test_client()
        if who is not None:
            sign_in(visitor, who)
        page = visitor.get(f"/projekter/{project.id}").get_data(as_text=True)
        assert "Skjult idé om bålplads" not in page and f"/ideer/{idea.id}" not in page
        assert "Kommentar under en skjult opdatering" not in page
    sign_in(client, reader)
    response = client.get(f"/ideer/anmeld/comment/{comment.id}")
    assert response.status_code == 404
    assert "Kommentar under en skjult opdatering" not in response.get_data(as_text=True)
    assert client.get(f"/ideer/anmeld/idea/{idea.id}").status_code == 404
    # the moderator still sees what was hidden, to decide on it
    sign_in(client, moderator)
    assert "Kommentar under en skjult opdatering" in client.get(f"/projekter/{project.id}").get_data(as_text=True)
