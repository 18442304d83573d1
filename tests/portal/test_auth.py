"""Registration, e-mail verification, login/logout, password reset and change, throttling."""
import re

from sqlalchemy import select

from models import OutboxMessage, Role, User, db
from portal.auth.views import safe_next
from tests.factories import PASSWORD

NEW_PASSWORD = "En-lang-ny-sætning-77"


def _register(client, email="ny@example.dk", password="Mit-gode-kodeord-2026", **extra):
    data = {"name": "Nina Nielsen", "email": email, "password": password, "confirm": password, "accept": "y"}
    data.update(extra)
    return client.post("/registrer", data=data)


def _link(message: OutboxMessage) -> str:
    return re.search(r"http://samskab\.test(/\S+)", message.body_text).group(1)


def test_register_verify_and_login(client):
    response = _register(client)
    assert response.status_code == 200
    assert "ny@example.dk" in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "ny@example.dk"))
    assert user.has_role(Role.CITIZEN) and user.email_verified_at is None
    assert user.password_hash.startswith("scrypt:")
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "verify"))
    assert mail.recipient == "ny@example.dk"

    refused = client.post("/log-ind", data={"email": "ny@example.dk", "password": "Mit-gode-kodeord-2026"})
    assert refused.status_code == 200 and user.email_verified_at is None

    assert client.get(_link(mail)).status_code == 302
    db.session.refresh(user)
    assert user.email_verified_at is not None
    ok = client.post("/log-ind", data={"email": "NY@example.dk", "password": "Mit-gode-kodeord-2026"})
    assert ok.status_code == 302 and ok.headers["Location"] == "/mig/"
    assert client.get("/mig/").status_code == 200
    assert client.post("/log-ud").status_code == 302
    assert client.get("/mig/").status_code == 302


def test_bad_verification_token_is_refused(client):
    response = client.get("/bekraeft/not-a-token")
    assert response.status_code == 302 and "send-bekraeftelse-igen" in response.headers["Location"]


def test_invalid_registration_keeps_input_and_writes_nothing(client):
    response = _register(client, email="forkert", password="kort")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Nina Nielsen"' in html and 'value="forkert"' in html
    assert db.session.scalar(select(User)) is None


def test_common_and_short_passwords_are_refused(client):
    for password in ("kort", "password123", "1234567890", "aaaaaaaaaaaa"):
        _register(client, email=f"x{len(password)}@example.dk", password=password)
    assert db.session.scalar(select(User)) is None


def test_registering_an_existing_address_reveals_nothing(client, make):
    make.user(email="findes@example.dk")
    db.session.commit()
    first = _register(client, email="findes@example.dk").get_data(as_text=True)
    second = _register(client, email="findes-ikke@example.dk").get_data(as_text=True)
    assert first.replace("findes@", "X@") == second.replace("findes-ikke@", "X@")
    kinds = set(db.session.scalars(select(OutboxMessage.kind)))
    assert kinds == {"account_exists", "verify"}


def test_login_wrong_password_and_next(client, make):
    user = make.user(email="a@example.dk")
    db.session.commit()
    bad = client.post("/log-ind", data={"email": "a@example.dk", "password": "forkert-kodeord"})
    assert bad.status_code == 200
    good = client.post("/log-ind", data={"email": "a@example.dk", "password": PASSWORD, "next": "/privatliv"})
    assert good.headers["Location"] == "/privatliv"
    assert user.last_seen_at is not None


def test_open_redirects_are_refused(client, make):
    make.user(email="b@example.dk")
    db.session.commit()
    for target in ("https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)"):
        response = client.post("/log-ind", data={"email": "b@example.dk", "password": PASSWORD, "next": target})
        assert response.headers["Location"] == "/mig/"
        client.post("/log-ud")
    assert safe_next("/opgaver?side=2") == "/opgaver?side=2"


def test_password_reset_works_once_and_unknown_address_looks_the_same(client, make):
    user = make.user(email="glemt@example.dk")
    db.session.commit()
    known = client.post("/glemt-adgangskode", data={"email": "glemt@example.dk"}).get_data(as_text=True)
    unknown = client.post("/glemt-adgangskode", data={"email": "ukendt@example.dk"}).get_data(as_text=True)
    assert known.replace("glemt@", "X@") == unknown.replace("ukendt@", "X@")
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "reset"))
    link = _link(mail)
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)
    again = client.post(link, data={"password": "Endnu-en-ny-sætning-1", "confirm": "Endnu-en-ny-sætning-1"})
    assert again.status_code == 302 and "glemt-adgangskode" in again.headers["Location"]
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)


def test_change_password_ends_other_sessions(app, make):
    user = make.user(email="c@example.dk")
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        assert c.post("/log-ind", data={"email": "c@example.dk", "password": PASSWORD}).status_code == 302
    wrong = first.post("/skift-adgangskode", data={"current": "forkert", "password": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD})
    assert wrong.status_code == 200
    ok = first.post("/skift-adgangskode", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                "confirm": NEW_PASSWORD})
    assert ok.status_code == 302
    assert first.get("/mig/").status_code == 200
    assert second.get("/mig/").status_code == 302


def test_login_is_throttled_per_account(make_app, make):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        db.create_all()
        make.user(email="d@example.dk")
        db.session.commit()
        client = app.test_client()
        codes = [client.post("/log-ind", data={"email": "d@example.dk", "password": "forkert-igen"},
                             environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code for i in range(7)]
        assert codes[:5] == [200] * 5 and codes[5] == 429
        assert "Vent" in client.post("/log-ind", data={"email": "d@example.dk", "password": "x"}).get_data(as_text=True)
