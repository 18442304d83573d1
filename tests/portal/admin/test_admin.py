"""Administration: institutions, councils, memberships, roles and deactivating users, in the web UI."""
from sqlalchemy import select

from models import AuditEntry, Council, CouncilMember, Institution, InstitutionMember, Role, User, db
from tests.conftest import sign_in
from tests.factories import PASSWORD


def _admin(make):
    admin = make.user(Role.ADMIN, name="Anna Admin")
    db.session.commit()
    return admin


def test_create_and_edit_an_institution(client, login, make):
    login(_admin(make))
    bad = client.post("/admin/institutioner/ny", data={"name": "", "kind": "school", "postcode": "28"})
    assert bad.status_code == 200 and "Skriv et navn." in bad.get_data(as_text=True)
    assert db.session.scalar(select(Institution)) is None
    response = client.post("/admin/institutioner/ny", data={"name": "Lundtofte Skole", "kind": "school",
                                                           "postcode": "2800", "email": "skole@example.dk"})
    assert response.status_code == 302
    inst = db.session.scalar(select(Institution))
    assert (inst.name, inst.postcode) == ("Lundtofte Skole", "2800")
    client.post(f"/admin/institutioner/{inst.id}", data={"name": "Lundtofte Skole", "kind": "library",
                                                         "postcode": "2800"})
    assert db.session.get(Institution, inst.id).kind == "library"
    page = client.get("/admin/institutioner").get_data(as_text=True)
    assert "Lundtofte Skole" in page and "Bibliotek" in page


def test_a_name_in_use_is_refused(client, login, make):
    login(_admin(make))
    make.council(name="Seniorrådet")
    db.session.commit()
    response = client.post("/admin/raad/ny", data={"name": "Seniorrådet", "kind": "council"})
    assert response.status_code == 200 and len(db.session.scalars(select(Council)).all()) == 1


def test_memberships_and_roles(client, login, make):
    admin = _admin(make)
    person = make.user(name="Pia Pædagog")
    inst = make.institution(name="Børnehuset Æblehaven")
    council = make.council(name="Lokalrådet Virum")
    db.session.commit()
    login(admin)
    client.post(f"/admin/brugere/{person.id}", data={"member-organisation": f"i{inst.id}", "member-action": "add"})
    client.post(f"/admin/brugere/{person.id}", data={"member-organisation": f"c{council.id}", "member-action": "add"})
    person = db.session.get(User, person.id)
    assert person.has_role(Role.STAFF) and person.has_role(Role.COUNCIL)
    assert db.session.scalar(select(InstitutionMember).where(InstitutionMember.user_id == person.id))
    assert "Pia Pædagog" in client.get(f"/admin/institutioner/{inst.id}").get_data(as_text=True)
    assert "Pia Pædagog" in client.get(f"/admin/raad/{council.id}").get_data(as_text=True)
    client.post(f"/admin/brugere/{person.id}", data={"member-organisation": f"c{council.id}", "member-action": "remove"})
    assert db.session.scalar(select(CouncilMember).where(CouncilMember.user_id == person.id)) is None
    client.post(f"/admin/brugere/{person.id}", data={"role-role": "coordinator", "role-action": "grant"})
    assert db.session.get(User, person.id).has_role(Role.COORDINATOR)
    client.post(f"/admin/brugere/{person.id}", data={"role-role": "coordinator", "role-action": "revoke"})
    assert not db.session.get(User, person.id).has_role(Role.COORDINATOR)
    # Repeating a change that is already in place writes nothing to the log the citizen sees.
    client.post(f"/admin/brugere/{person.id}", data={"role-role": "coordinator", "role-action": "revoke"})
    client.post(f"/admin/brugere/{person.id}", data={"role-role": "staff", "role-action": "grant"})
    client.post(f"/admin/brugere/{person.id}", data={"member-organisation": f"c{council.id}", "member-action": "remove"})
    client.post(f"/admin/brugere/{person.id}", data={"member-organisation": f"i{inst.id}", "member-action": "add"})
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == person.id)
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["membership_add", "membership_add", "membership_remove", "role_granted", "role_removed"]


def test_an_admin_cannot_remove_their_own_admin_role_or_deactivate_themselves(client, login, make):
    admin = _admin(make)
    login(admin)
    client.post(f"/admin/brugere/{admin.id}", data={"role-role": "admin", "role-action": "revoke"})
    client.post(f"/admin/brugere/{admin.id}/status")
    fresh = db.session.get(User, admin.id)
    assert fresh.has_role(Role.ADMIN) and fresh.active


def test_a_deactivated_user_is_logged_out_and_cannot_log_in(app, client, login, make):
    admin = _admin(make)
    person = make.user(email="pia@example.dk")
    db.session.commit()
    other = app.test_client()
    sign_in(other, person)
    assert other.get("/skift-adgangskode").status_code == 200
    login(admin)
    assert client.post(f"/admin/brugere/{person.id}/status").status_code == 302
    assert db.session.get(User, person.id).active is False
    assert other.get("/skift-adgangskode").status_code == 302
    fresh = app.test_client()
    response = fresh.post("/log-ind", data={"email": "pia@example.dk", "password": PASSWORD})
    assert fresh.get("/skift-adgangskode").status_code == 302
    assert response.status_code in (200, 302)
    client.post(f"/admin/brugere/{person.id}/status")
    assert db.session.get(User, person.id).active is True


def test_user_search(client, login, make):
    login(_admin(make))
    make.user(name="Ærlige Åge", email="aage@example.dk")
    make.user(name="Bo Berg")
    db.session.commit()
    page = client.get("/admin/brugere?q=AAGE").get_data(as_text=True)
    assert "Ærlige Åge" in page and "Bo Berg" not in page
    page = client.get("/admin/brugere?q=ærlige").get_data(as_text=True)
    assert "Ærlige Åge" in page and "Bo Berg" not in page
