"""The second factor for coordinators and administrators who log in with a password (issue 18)."""
import re

import pyotp
from sqlalchemy import select

from models import RecoveryCode, Role, User, accounts, db, utcnow
from tests.auth_steps import set_up_second_factor, totp_code
from tests.factories import PASSWORD


def _password_log_in(app, email):
    client = app.test_client()
    response = client.post("/log-ind", data={"email": email, "password": PASSWORD})
    return client, response


def test_a_coordinator_with_a_password_cannot_open_a_coordinator_page_before_the_second_factor(app, make):
    make.user(Role.COORDINATOR, Role.CITIZEN, email="koord@example.dk")
    db.session.commit()
    client, response = _password_log_in(app, "koord@example.dk")
    assert response.status_code == 302 and response.headers["Location"].startswith("/log-ind/andet-trin?next=")
    for path in ("/koordinator/", "/koordinator/profiler", "/beskeder"):
        opened = client.get(path)
        assert opened.status_code == 302 and "/log-ind/andet-trin" in opened.headers["Location"], path
    page = client.get("/mig/").get_data(as_text=True)
    assert "Koordinering" not in page  # the menu shows only what the session may use
    setup = client.get("/log-ind/andet-trin", follow_redirects=True).get_data(as_text=True)
    assert "Opsæt andet trin" in setup
    codes = set_up_second_factor(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/koordinator/").status_code == 200


def test_the_set_up_page_draws_its_qr_code_itself_without_inline_script_or_style(app, make):
    make.user(Role.ADMIN, email="admin@example.dk")
    db.session.commit()
    client, _response = _password_log_in(app, "admin@example.dk")
    response = client.get("/log-ind/andet-trin/opsaet")
    html = response.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in html and 'alt="QR-kode til din godkendelsesapp"' in html
    # no inline script or style (the design system's scripts are files from this site)
    assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", html) and "style=" not in html and "<style" not in html
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "img-src 'self' data:" in csp
    with client.session_transaction() as session:
        secret = session["_totp_pending"]
    assert " ".join(secret[i:i + 4] for i in range(0, 32, 4)) in html  # the key to type, for those who cannot scan
    wrong = client.post("/log-ind/andet-trin/opsaet", data={"code": "000000"})
    assert "Koden passer ikke" in wrong.get_data(as_text=True)
    assert db.session.get(User, User.by_email("admin@example.dk").id).totp_enabled_at is None


def test_recovery_codes_are_kept_hashed_and_work_once_each(app, make):
    make.user(Role.COORDINATOR, email="k2@example.dk")
    db.session.commit()
    client, _response = _password_log_in(app, "k2@example.dk")
    codes = set_up_second_factor(client)
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(stored) & {c.replace("-", "") for c in codes}
    first = app.test_client()
    first.post("/log-ind", data={"email": "k2@example.dk", "password": PASSWORD})
    assert first.post("/log-ind/andet-trin", data={"code": codes[0].upper()}).status_code == 302
    assert first.get("/koordinator/").status_code == 200
    again = app.test_client()
    again.post("/log-ind", data={"email": "k2@example.dk", "password": PASSWORD})
    refused = again.post("/log-ind/andet-trin", data={"code": codes[0]})
    assert refused.status_code == 200 and "allerede brugt" in refused.get_data(as_text=True)
    assert again.get("/koordinator/").status_code == 302
    assert again.post("/log-ind/andet-trin", data={"code": codes[1]}).status_code == 302
    assert accounts.recovery_codes_left(User.by_email("k2@example.dk")) == 8


def test_a_code_from_the_app_works_once(app, make):
    make.user(Role.COORDINATOR, email="k3@example.dk")
    db.session.commit()
    client, _response = _password_log_in(app, "k3@example.dk")
    set_up_second_factor(client)
    user = User.by_email("k3@example.dk")
    code = pyotp.TOTP(user.totp_secret).at(utcnow(), counter_offset=1)  # the next step's code: not used yet
    one, two = app.test_client(), app.test_client()
    for browser in (one, two):
        browser.post("/log-ind", data={"email": "k3@example.dk", "password": PASSWORD})
    assert one.post("/log-ind/andet-trin", data={"code": code}).status_code == 302
    assert two.post("/log-ind/andet-trin", data={"code": code}).status_code == 200  # replayed: refused
    assert two.get("/koordinator/").status_code == 302


def test_a_role_granted_during_a_session_asks_for_the_second_factor_first(app, make):
    user = make.user(Role.CITIZEN, email="ny-koord@example.dk")
    db.session.commit()
    client, _response = _password_log_in(app, "ny-koord@example.dk")
    user.grant(Role.COORDINATOR)
    db.session.commit()
    response = client.get("/koordinator/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/log-ind/andet-trin")


def test_the_totp_code_command_works_in_development_only(make_app, make):
    for mode, works in (("development", True), ("production", False)):
        app = make_app(ENV_MODE=mode, PRODUCTION=mode == "production")
        with app.app_context():
            db.create_all()
            if mode == "development":
                user = make.user(Role.ADMIN, email="demo-admin@example.dk")
                user.totp_secret, user.totp_enabled_at = accounts.new_totp_secret(), utcnow()
                db.session.commit()
            result = app.test_cli_runner().invoke(args=["totp-code", "demo-admin@example.dk"])
            if works:
                assert result.exit_code == 0 and result.output.strip() == totp_code("demo-admin@example.dk")
            else:
                assert result.exit_code != 0 and "only in development" in result.output


def test_an_administrator_lets_a_user_set_up_the_second_factor_again(app, make):
    from tests.conftest import sign_in
    admin = make.user(Role.ADMIN, email="chef@example.dk")
    db.session.commit()
    coordinator = make.user(Role.COORDINATOR, email="k4@example.dk")
    db.session.commit()
    browser, _response = _password_log_in(app, "k4@example.dk")
    set_up_second_factor(browser)
    assert browser.get("/koordinator/").status_code == 200
    admin_browser = sign_in(app.test_client(), admin)
    assert "opsætte andet trin igen" in admin_browser.get(f"/admin/brugere/{coordinator.id}").get_data(as_text=True)
    assert admin_browser.post(f"/admin/brugere/{coordinator.id}/andet-trin").status_code == 302
    user = db.session.get(User, coordinator.id)
    assert user.totp_secret is None and db.session.scalar(select(RecoveryCode.id)) is None
    assert browser.get("/koordinator/").status_code == 302  # the session ended
    again, response = _password_log_in(app, "k4@example.dk")
    assert again.get(response.headers["Location"], follow_redirects=True).request.path == "/log-ind/andet-trin/opsaet"
