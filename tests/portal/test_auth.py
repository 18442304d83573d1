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


def _page(response) -> str:
    """The page's HTML without the CSRF token, which carries a timestamp and so differs per second."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', response.get_data(as_text=True))


def _same(html: str) -> str:
    """The page without its CSRF tokens, which carry a timestamp and differ from second to second."""
    return re.sub(r'name="csrf_token"[^>]*value="[^"]*"', 'name="csrf_token"', html)


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
    first = _page(_register(client, email="findes@example.dk"))
    second = _page(_register(client, email="findes-ikke@example.dk"))
    assert _same(first.replace("findes@", "X@")) == _same(second.replace("findes-ikke@", "X@"))
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
    known = _page(client.post("/glemt-adgangskode", data={"email": "glemt@example.dk"}))
    unknown = _page(client.post("/glemt-adgangskode", data={"email": "ukendt@example.dk"}))
    assert _same(known.replace("glemt@", "X@")) == _same(unknown.replace("ukendt@", "X@"))
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


def _age_tokens(monkeypatch, seconds: int) -> None:
    """Make every signed link look `seconds` older than it is (the clock moves forward)."""
    from itsdangerous.timed import TimestampSigner
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + seconds)


def test_verification_link_expires(client, monkeypatch):
    from portal.auth.views import VERIFY_MAX_AGE
    _register(client, email="sen@example.dk")
    link = _link(db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "verify")))
    _age_tokens(monkeypatch, VERIFY_MAX_AGE + 60)
    response = client.get(link)
    assert response.status_code == 302 and "send-bekraeftelse-igen" in response.headers["Location"]
    user = db.session.scalar(select(User).where(User.email == "sen@example.dk"))
    assert user.email_verified_at is None
    assert client.post("/log-ind", data={"email": "sen@example.dk", "password": "Mit-gode-kodeord-2026"}
                       ).status_code == 200  # still refused


def test_reset_link_expires_and_a_forged_one_is_refused(client, make, monkeypatch):
    from portal.auth.views import RESET_MAX_AGE
    user = make.user(email="udloebet@example.dk")
    db.session.commit()
    client.post("/glemt-adgangskode", data={"email": "udloebet@example.dk"})
    link = _link(db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "reset")))
    forged = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    response = client.post(forged, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and "glemt-adgangskode" in response.headers["Location"]
    _age_tokens(monkeypatch, RESET_MAX_AGE + 60)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and "glemt-adgangskode" in response.headers["Location"]
    db.session.refresh(user)
    assert user.check_password(PASSWORD) and not user.check_password(NEW_PASSWORD)


def test_reset_link_within_its_lifetime_works(client, make, monkeypatch):
    from portal.auth.views import RESET_MAX_AGE
    user = make.user(email="itide@example.dk")
    db.session.commit()
    client.post("/glemt-adgangskode", data={"email": "itide@example.dk"})
    link = _link(db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "reset")))
    _age_tokens(monkeypatch, RESET_MAX_AGE - 60)
    assert client.get(link).status_code == 200
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)


def test_change_password_rejects_a_weak_or_mismatched_new_password(client, make, login):
    user = make.user(email="svag@example.dk")
    db.session.commit()
    login(user)
    for new, confirm in (("kort", "kort"), ("password123", "password123"), (NEW_PASSWORD, NEW_PASSWORD + "x")):
        response = client.post("/skift-adgangskode", data={"current": PASSWORD, "password": new, "confirm": confirm})
        assert response.status_code == 200
    db.session.refresh(user)
    assert user.check_password(PASSWORD)
    assert user.password_hash.startswith("scrypt:")


def test_logout_needs_a_post_and_login_pages_are_danish(client, make, login):
    login(make.user())
    db.session.commit()
    assert client.get("/log-ud").status_code == 405
    assert client.get("/mig/").status_code == 200
    client.post("/log-ud")
    html = client.get("/log-ind").get_data(as_text=True)
    assert "Adgangskode" in html and "Glemt din adgangskode?" in html
