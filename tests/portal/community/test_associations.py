"""Associations as their own kind of organisation: registration by a board member, the directory with
filters, the profile linking its open tasks, tasks posted as institutions post them, the "we need" list;
organisations' public pages show teams, open tasks and the frame, edited only by their own people."""
from __future__ import annotations

import re

from sqlalchemy import select

from models import AssociationNeed, Institution, InstitutionMember, NeedOffer, Role, db
from models.organisations import ASSOCIATION
from tests.conftest import sign_in


def test_a_board_member_registers_an_association_and_posts_a_task_like_an_institution(client, make):
    board = make.user(name="Bent Bestyrelse")
    db.session.commit()
    sign_in(client, board)
    response = client.post("/foreninger/ny", data={"name": "Lyngby Skakklub", "cvr": "12345678", "postcode": "2800",
                                                   "activity": "Skak", "board": "y"})
    assert response.status_code == 302
    association = db.session.scalar(select(Institution).where(Institution.name == "Lyngby Skakklub"))
    assert association.kind == ASSOCIATION and association.cvr == "12345678"
    db.session.refresh(board)
    assert board.has_role(Role.STAFF)
    assert db.session.scalar(select(InstitutionMember).where(InstitutionMember.user_id == board.id))
    # the board posts a task through the institutions' task editor: same frame, same screening
    task = make.task(association, title="Skaktræner for børn")
    closed = make.task(association, title="Lukket opgave", status="closed")
    db.session.commit()
    page = client.get(f"/foreninger/{association.id}").get_data(as_text=True)
    assert f'href="/opgaver/{task.id}"' in page and f"/opgaver/{closed.id}" not in page
    assert "CVR 12345678" in page


def test_registration_without_cvr_and_bad_input_keeps_the_typing(client, make):
    board = make.user()
    make.association(name="Findes Allerede")
    db.session.commit()
    sign_in(client, board)
    bad = client.post("/foreninger/ny", data={"name": "Ny Forening", "cvr": "123", "activity": "Sang", "board": "y"})
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "Et CVR-nummer har otte cifre." in text and 'value="Sang"' in text
    taken = client.post("/foreninger/ny", data={"name": "Findes Allerede", "board": "y"})
    assert taken.status_code == 400 and "Det navn er allerede i brug" in taken.get_data(as_text=True)
    not_board = client.post("/foreninger/ny", data={"name": "Ny Forening"})
    assert not_board.status_code == 400 and "Kun et bestyrelsesmedlem" in not_board.get_data(as_text=True)
    assert db.session.scalar(select(Institution).where(Institution.name == "Ny Forening")) is None
    assert client.post("/foreninger/ny", data={"name": "Ny Forening", "board": "y"}).status_code == 302
    assert db.session.scalar(select(Institution).where(Institution.name == "Ny Forening")).cvr is None


def test_directory_filters(client, make):
    helped = make.association(name="Roklubben", postcode="2800", activity="Roning")
    make.task(helped)
    needy = make.association(name="Kor i Virum", postcode="2830", activity="Sang")
    from models.association_operations import add_need
    from models import utcnow
    add_need(needy, actor=db.session.get(InstitutionMember, needy.members[0].id).user, now=utcnow(), title="En kasserer")
    make.institution(name="En skole")
    db.session.commit()
    everything = client.get("/foreninger").get_data(as_text=True)
    assert "Roklubben" in everything and "Kor i Virum" in everything and "En skole" not in everything
    assert "Kor i Virum" not in client.get("/foreninger?opgaver=1").get_data(as_text=True)
    assert "Roklubben" not in client.get("/foreninger?behov=1").get_data(as_text=True)
    assert "Roklubben" not in client.get("/foreninger?postnummer=2830").get_data(as_text=True)
    assert "Kor i Virum" in client.get("/foreninger?q=sang").get_data(as_text=True)
    assert client.get(f"/foreninger/{make.institution().id}").status_code == 404


def test_needs_only_the_own_board_and_offers_once(client, make):
    board, other_board, volunteer = make.user(), make.user(), make.user()
    association = make.association(board=board)
    make.association(board=other_board)
    db.session.commit()
    sign_in(client, other_board)
    assert client.post(f"/foreninger/{association.id}/behov", data={"need-title": "Kasserer"}).status_code == 403
    assert client.get(f"/institutioner/{association.id}/profil").status_code == 403
    sign_in(client, board)
    assert client.post(f"/foreninger/{association.id}/behov", data={"need-title": "Kasserer",
                                                                    "need-period": "1 år"}).status_code == 302
    need = db.session.scalar(select(AssociationNeed))
    sign_in(client, volunteer)
    assert "Kasserer" in client.get(f"/foreninger/{association.id}").get_data(as_text=True)
    client.post(f"/foreninger/behov/{need.id}/tilbyd", data={"message": "Jeg er revisor."})
    client.post(f"/foreninger/behov/{need.id}/tilbyd", data={"message": "Igen"})
    offers = list(db.session.scalars(select(NeedOffer)))
    assert len(offers) == 1 and offers[0].message == "Jeg er revisor."


def test_institution_page_shows_teams_open_tasks_and_the_frame_edited_by_its_staff(client, make):
    staff, other_staff = make.user(Role.STAFF), make.user(Role.STAFF)
    inst = make.institution(name="Bakkehuset", staff=[staff])
    make.institution(staff=[other_staff])
    task = make.task(inst, title="Gåture")
    team = make.team(inst, staff=staff, tovholder=make.user(name="Tina Tovholder"), name="Gåholdet")
    db.session.commit()
    page = client.get(f"/institutioner/{inst.id}").get_data(as_text=True)
    assert "Gåholdet" in page and f'href="/hold/{team.id}"' in page and "Tina Tovholder" in page
    assert f'href="/opgaver/{task.id}"' in page
    sign_in(client, other_staff)
    assert client.post(f"/institutioner/{inst.id}/profil", data={"story": "Hack"}).status_code == 403
    sign_in(client, staff)
    assert client.post(f"/institutioner/{inst.id}/profil",
                       data={"story": "Vi er et plejecenter.", "volunteer_frame": "Frivillige går ture."}).status_code == 302
    page = client.get(f"/institutioner/{inst.id}").get_data(as_text=True)
    assert "Vi er et plejecenter." in page and "Frivillige går ture." in page
    too_long = client.post(f"/institutioner/{inst.id}/profil", data={"story": "x" * 6000, "volunteer_frame": "Ny"})
    assert too_long.status_code == 400 and 'Ny</textarea>' in too_long.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Institution, inst.id).volunteer_frame == "Frivillige går ture."
    assert re.search(r"Rediger siden", page)


def test_the_board_sees_offers_and_marks_a_need_filled(client, make):
    from models import utcnow
    from models.association_operations import add_need, offer_for_need
    board, volunteer = make.user(), make.user(name="Vera Revisor", email="vera@example.dk")
    association = make.association(board=board)
    need = add_need(association, actor=board, now=utcnow(), title="Kasserer")
    offer_for_need(need, person=volunteer, now=utcnow(), message="Jeg kan det.")
    db.session.commit()
    sign_in(client, board)
    page = client.get(f"/institutioner/{association.id}/profil").get_data(as_text=True)
    assert "Vera Revisor" in page and "vera@example.dk" in page and "Jeg kan det." in page
    client.post(f"/foreninger/behov/{need.id}/daekket")
    assert "Kasserer" not in client.get(f"/foreninger/{association.id}").get_data(as_text=True)
    sign_in(client, volunteer)
    late = client.post(f"/foreninger/behov/{need.id}/tilbyd", data={}, follow_redirects=True)
    assert "allerede dækket" in late.get_data(as_text=True)


def test_coordinators_list_the_municipalitys_offers(client, make):
    coordinator = make.user(Role.COORDINATOR)
    db.session.commit()
    sign_in(client, coordinator)
    bad = client.post("/koordinator/foreningstilbud", data={"kind": "grant", "title": "§ 18-tilskud",
                                                            "how_to_apply": ""})
    assert bad.status_code == 400 and 'value="§ 18-tilskud"' in bad.get_data(as_text=True)
    ok = client.post("/koordinator/foreningstilbud", data={"kind": "grant", "title": "§ 18-tilskud",
                                                           "how_to_apply": "Søg inden 1. marts."})
    assert ok.status_code == 302
    page = client.get("/foreninger").get_data(as_text=True)
    assert "§ 18-tilskud" in page and "Søg inden 1. marts." in page
