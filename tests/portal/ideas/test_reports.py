"""One report form for ideas, project updates and comments, feeding the coordinators' moderation queue."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from models import ContentReport, Role, db, utcnow
from models.projects import set_hidden


@pytest.fixture
def world(app, make):
    author = make.user(Role.COUNCIL, name="Rikke Rådsmedlem")
    reporter = make.user(Role.CITIZEN, name="Rasmus Anmelder")
    coordinator = make.user(Role.COORDINATOR, name="Karin Koordinator")
    council = make.council(members=[author])
    project = make.project(council, title="Grønt torv")
    update = make.project_update(project, author=author, body="Vi planter 40 træer i april.")
    comment = make.update_comment(update, make.user(), body="Køb billige solbriller her")
    idea = make.idea(author, title="Bogbytte i parken", what="En reol med bøger ved søen.")
    db.session.commit()
    return {"reporter": reporter, "coordinator": coordinator, "project": project,
            "idea": idea, "update": update, "comment": comment}


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("kind, shown", [("idea", "En reol med bøger ved søen."),
                                         ("update", "Vi planter 40 træer i april."),
                                         ("comment", "Køb billige solbriller her")])
def test_the_form_shows_what_is_reported_and_keeps_the_text_on_error(client, login, world, kind, shown):
    target = world[kind]
    login(world["reporter"])
    page = _page(client.get(f"/ideer/anmeld/{kind}/{target.id}"))
    assert shown in page and '<label for="reason"' in page
    too_long = "Bevar mig 4711 " + "x" * 2000
    response = client.post(f"/ideer/anmeld/{kind}/{target.id}", data={"reason": too_long})
    page = _page(response)
    assert response.status_code == 200 and "Højst 2000 tegn." in page and too_long in page
    response = client.post(f"/ideer/anmeld/{kind}/{target.id}", data={"reason": "   "})
    assert response.status_code == 200 and "Fortæl kort, hvad der er galt." in _page(response)
    assert db.session.scalar(select(func.count()).select_from(ContentReport)) == 0


def test_a_report_goes_back_to_the_content(client, login, world):
    login(world["reporter"])
    project_id = world["project"].id
    cases = {"idea": f"/ideer/{world['idea'].id}",
             "update": f"/projekter/{project_id}#update-{world['update'].id}",
             "comment": f"/projekter/{project_id}#comment-{world['comment'].id}"}
    for kind, back in cases.items():
        response = client.post(f"/ideer/anmeld/{kind}/{world[kind].id}", data={"reason": f"Forkert {kind}"})
        assert response.status_code == 302 and response.location.endswith(back)
    reports = {(r.target_kind, r.target_id, r.reporter_id, r.reason) for r in db.session.scalars(select(ContentReport))}
    assert reports == {(kind, world[kind].id, world["reporter"].id, f"Forkert {kind}") for kind in cases}


def test_reporting_twice_keeps_one_open_report(client, login, world):
    login(world["reporter"])
    for _ in range(2):
        client.post(f"/ideer/anmeld/update/{world['update'].id}", data={"reason": "Forkert"})
    assert db.session.scalar(select(func.count()).select_from(ContentReport)) == 1


def test_the_moderation_queue_receives_every_kind(client, login, world):
    login(world["reporter"])
    for kind, reason in (("idea", "Reklame i idéen"), ("update", "Forkert dato"), ("comment", "Spam i kommentaren")):
        assert client.post(f"/ideer/anmeld/{kind}/{world[kind].id}", data={"reason": reason}).status_code == 302
    login(world["coordinator"])
    queue = _page(client.get("/ideer/moderering"))
    for text in ("Reklame i idéen", "Forkert dato", "Spam i kommentaren", "Bogbytte i parken",
                 "Vi planter 40 træer i april.", "Køb billige solbriller her"):
        assert text in queue


def test_unknown_missing_or_hidden_content_cannot_be_reported(client, login, world, make):
    login(world["reporter"])
    assert client.get("/ideer/anmeld/task/1").status_code == 404
    assert client.get("/ideer/anmeld/idea/999999").status_code == 404
    assert client.post("/ideer/anmeld/comment/999999", data={"reason": "Spam"}).status_code == 404
    set_hidden(world["comment"], actor=world["coordinator"], now=utcnow(), hidden=True, reason="Spam")
    db.session.commit()
    response = client.get(f"/ideer/anmeld/comment/{world['comment'].id}")
    assert response.status_code == 404 and "solbriller" not in response.get_data(as_text=True)


def test_anonymous_visitors_are_asked_to_log_in(client, world):
    response = client.post(f"/ideer/anmeld/idea/{world['idea'].id}", data={"reason": "Spam"})
    assert response.status_code == 302 and "/log-ind" in response.location
    assert db.session.scalar(select(func.count()).select_from(ContentReport)) == 0
