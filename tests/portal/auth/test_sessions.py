"""Sessions that can be ended (issue 13, item 3): a generation per person, idle and absolute lifetimes."""
import time

import pytest

from models import Role, User, db
from portal.auth import sessions
from tests.conftest import sign_in
from tests.factories import PASSWORD

NEW_PASSWORD = "Et-helt-andet-kodeord-7"


def _logged_in(app, email):
    client = app.test_client()
    assert client.post("/log-ind", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def _copy(app, client):
    """Another browser holding a copy of this browser's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _alive(client) -> bool:
    return client.get("/mig/data").status_code == 200


def test_a_cookie_copied_before_log_out_is_dead_after_it(app, make):
    make.user(email="borger@example.dk")
    db.session.commit()
    browser = _logged_in(app, "borger@example.dk")
    copy = _copy(app, browser)
    assert _alive(browser) and _alive(copy)
    assert browser.post("/log-ud").status_code == 302
    assert not _alive(copy)
    assert not _alive(browser)
    response = copy.get("/mig/data")
    assert response.status_code == 302 and "/log-ind" in response.headers["Location"]


def test_log_out_everywhere_ends_every_session_of_the_person_only(app, make):
    make.user(email="a@example.dk")
    make.user(email="b@example.dk")
    db.session.commit()
    phone, laptop, someone_else = (_logged_in(app, "a@example.dk"), _logged_in(app, "a@example.dk"),
                                   _logged_in(app, "b@example.dk"))
    page = laptop.get("/indstillinger/sikkerhed").get_data(as_text=True)
    assert "Log ud alle steder" in page
    response = laptop.post("/log-ud-alle-steder")
    assert response.status_code == 302 and response.headers["Location"] == "/log-ind"
    assert not _alive(phone) and not _alive(laptop)
    assert _alive(someone_else)


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(app, make):
    make.user(email="c@example.dk")
    db.session.commit()
    here, elsewhere = _logged_in(app, "c@example.dk"), _logged_in(app, "c@example.dk")
    assert here.post("/skift-adgangskode", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD}).status_code == 302
    assert _alive(here) and not _alive(elsewhere)


def test_a_reset_ends_every_session(app, make):
    from portal.auth import mailings
    user = make.user(email="d@example.dk")
    db.session.commit()
    browser = _logged_in(app, "d@example.dk")
    message = mailings.queue_reset(user)
    db.session.commit()
    link = message.body_text.split("http://samskab.test", 1)[1].split()[0]
    anonymous = app.test_client()
    assert anonymous.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert not _alive(browser)


def test_role_removal_and_deactivation_end_the_persons_sessions(app, make):
    admin = make.user(Role.ADMIN, email="admin@example.dk")
    staff = make.user(Role.COORDINATOR, email="koord@example.dk")
    citizen = make.user(email="e@example.dk")
    db.session.commit()
    admin_browser = sign_in(app.test_client(), admin)
    coordinator = sign_in(app.test_client(), staff)
    assert coordinator.get("/koordinator/").status_code == 200
    assert admin_browser.post(f"/admin/brugere/{staff.id}", data={"role-role": "coordinator",
                                                                  "role-action": "revoke"}).status_code == 302
    assert coordinator.get("/koordinator/").status_code == 302  # logged out, not merely refused
    person = _logged_in(app, "e@example.dk")
    assert admin_browser.post(f"/admin/brugere/{citizen.id}/status").status_code == 302
    assert not _alive(person)
    # Reactivated, the old session does not come back.
    assert admin_browser.post(f"/admin/brugere/{citizen.id}/status").status_code == 302
    assert db.session.get(User, citizen.id).active and not _alive(person)


def _age(client, **seconds_ago):
    with client.session_transaction() as session:
        for key, ago in seconds_ago.items():
            session[key] = int(time.time()) - ago


@pytest.mark.parametrize("roles, idle_minutes, out", [
    ((Role.CITIZEN,), 30, False), ((Role.CITIZEN,), 61, True),
    ((Role.COORDINATOR,), 19, False), ((Role.COORDINATOR,), 30, True), ((Role.CITIZEN, Role.ADMIN), 30, True)])
def test_idle_sessions_end_sooner_for_coordinators_and_administrators(app, make, roles, idle_minutes, out):
    user = make.user(*roles)
    db.session.commit()
    client = sign_in(app.test_client(), user)
    _age(client, **{sessions.SEEN_AT: idle_minutes * 60})
    page = client.get("/mig/data")
    assert (page.status_code == 302) is out
    if out:
        assert "for gammel" in client.get("/log-ind").get_data(as_text=True)


@pytest.mark.parametrize("roles, hours, out", [((Role.CITIZEN,), 11, False), ((Role.CITIZEN,), 13, True),
                                               ((Role.COORDINATOR,), 9, True)])
def test_every_session_ends_at_its_absolute_lifetime_however_busy(app, make, roles, hours, out):
    user = make.user(*roles)
    db.session.commit()
    client = sign_in(app.test_client(), user)
    _age(client, **{sessions.AUTH_AT: hours * 3600, sessions.SEEN_AT: 10})
    assert (client.get("/mig/data").status_code == 302) is out


def test_a_session_without_its_log_in_time_is_not_accepted(app, make):
    user = make.user()
    db.session.commit()
    client = sign_in(app.test_client(), user)
    with client.session_transaction() as session:
        del session[sessions.AUTH_AT]
    assert client.get("/mig/data").status_code == 302


def test_the_last_seen_time_moves_with_use(app, make):
    user = make.user()
    db.session.commit()
    client = sign_in(app.test_client(), user)
    _age(client, **{sessions.SEEN_AT: 50 * 60})
    assert _alive(client)
    with client.session_transaction() as session:
        assert time.time() - session[sessions.SEEN_AT] < 5
