"""Security headers, cookies, session protection, login throttling, password rules, redirects, errors."""
import pytest
from flask import abort
from sqlalchemy import func, select

from models import User, db
from portal.access import PUBLIC, access
from portal.auth.views import LOGIN_LIMIT_PER_ACCOUNT, LOGIN_LIMIT_PER_IP, safe_next
from portal.forms import MIN_PASSWORD_LENGTH, common_passwords
from tests.conftest import sign_in
from tests.factories import PASSWORD
from tests.portal.test_auth import _same


def _directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.parametrize("path", ["/", "/log-ind", "/findes-ikke", "/healthz"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    csp = _directives(response.headers["Content-Security-Policy"])
    scripts = csp.get("script-src", csp["default-src"])
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert "'unsafe-inline'" not in csp.get("style-src", csp["default-src"])
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "no-referrer", "same-origin")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # development: plain http on loopback


def test_templates_have_no_inline_scripts_or_styles():
    """The CSP forbids inline code; a template that needs it would silently break in the browser."""
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        if "mail" in path.parts:
            continue  # e-mail bodies are read by mail programs, not served under our CSP
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"<style\b", text) \
                or re.search(r"\son[a-z]+\s*=", text) or re.search(r'\sstyle\s*=\s*"', text):
            offenders.append(str(path.relative_to(root)))
    assert not offenders, f"Inline script/style/handlers (forbidden by the CSP): {offenders}"


def _session_cookie(response) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_production_sends_hsts_and_secure_cookies(make_app, make):
    from portal import config
    settings = config.load({"SAMSKAB_ENV": "production", "SECRET_KEY": "k" * 32, "RATELIMIT_STORAGE_URI": "memory://"})
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]
    app = make_app(PRODUCTION=True, SESSION_COOKIE_SECURE=True)
    with app.app_context():
        db.create_all()
        make.user(email="prod@example.dk")
        db.session.commit()
        client = app.test_client()
        assert "max-age=" in client.get("/").headers["Strict-Transport-Security"]
        response = client.post("/log-ind", data={"email": "prod@example.dk", "password": PASSWORD},
                               base_url="https://localhost")
        cookie = _session_cookie(response)
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_refuses_to_start_without_a_secret_key():
    from portal import config
    with pytest.raises(config.ConfigError):
        config.load({"SAMSKAB_ENV": "production"})


def test_session_cookie_is_httponly_and_lax(client, make):
    make.user(email="kage@example.dk")
    db.session.commit()
    response = client.post("/log-ind", data={"email": "kage@example.dk", "password": PASSWORD})
    assert response.status_code == 302
    cookie = _session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_pages_of_logged_in_users_are_not_cached(client, login, make):
    login(make.user(email="cache@example.dk"))
    db.session.commit()
    assert "no-store" in client.get("/mig/data").headers["Cache-Control"]


def test_session_protection_drops_a_stolen_session(app, make):
    """A session cookie replayed from another browser (other user agent) is not logged in."""
    user = make.user(email="stjaal@example.dk")
    db.session.commit()
    owner = app.test_client()
    sign_in(owner, user)
    assert owner.get("/mig/data").status_code == 200
    thief = app.test_client()
    thief.set_cookie("session", owner.get_cookie("session").value)
    assert thief.get("/mig/data", headers={"User-Agent": "Other/1.0"}).status_code == 302


def _throttled_app(make_app, make):
    app = make_app(RATELIMIT_ENABLED=True)
    app.app_context().push()
    db.create_all()
    make.user(email="throttle@example.dk")
    db.session.commit()
    return app


def test_login_is_throttled_per_ip_with_a_danish_message(make_app, make):
    app = _throttled_app(make_app, make)
    per_minute = int(LOGIN_LIMIT_PER_IP.split()[0])
    client = app.test_client()
    codes = [client.post("/log-ind", data={"email": f"x{i}@example.dk", "password": "forkert-kode"},
                         environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code for i in range(per_minute + 1)]
    assert codes[:per_minute] == [200] * per_minute and codes[-1] == 429
    html = client.post("/log-ind", data={"email": "throttle@example.dk", "password": PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.1.1.1"}).get_data(as_text=True)
    assert "For mange forsøg" in html and "Traceback" not in html
    # Another address is not affected, and the right password still works from there.
    ok = client.post("/log-ind", data={"email": "throttle@example.dk", "password": PASSWORD},
                     environ_base={"REMOTE_ADDR": "10.1.1.2"})
    assert ok.status_code == 302


def test_account_throttle_ignores_case_and_spaces(make_app, make):
    app = _throttled_app(make_app, make)
    per_minute = int(LOGIN_LIMIT_PER_ACCOUNT.split()[0])
    client = app.test_client()
    spellings = ["throttle@example.dk", " THROTTLE@example.dk", "Throttle@Example.dk "]
    codes = [client.post("/log-ind", data={"email": spellings[i % 3], "password": "forkert-kode"},
                         environ_base={"REMOTE_ADDR": f"10.2.0.{i}"}).status_code for i in range(per_minute + 1)]
    assert codes[-1] == 429


def test_get_of_the_login_page_is_never_throttled(make_app, make):
    app = _throttled_app(make_app, make)
    client = app.test_client()
    assert all(client.get("/log-ind").status_code == 200 for _ in range(30))


def test_password_rules():
    words = common_passwords()
    assert len(words) >= 100 and "adgangskode" in words
    assert MIN_PASSWORD_LENGTH >= 10


@pytest.mark.parametrize("password", ["Kort-1", "adgangskode123", "ADGANGSKODE123", "aaaaaaaaaaaaaa", "abababababab",
                                      "ny@example.dk"])
def test_weak_passwords_are_refused_with_a_danish_message(client, password):
    response = client.post("/registrer", data={"name": "Nora", "email": "ny@example.dk", "password": password,
                                               "confirm": password, "accept": "y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "adgangskode" in html.lower()
    assert any(word in html for word in ("mindst", "almindelig", "må ikke"))
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example", "///evil.example", "/\\evil.example",
                                    "\\\\evil.example", "/\t/evil.example", "/\n/evil.example", " //evil.example",
                                    "http:/evil.example", "javascript:alert(1)", "data:text/html,x", "",
                                    "evil.example"])
def test_unsafe_next_targets_are_refused(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/", "/opgaver?side=2", "/mig/data#top"])
def test_safe_next_targets_are_kept(target):
    assert safe_next(target) == target


def test_anonymous_redirect_to_login_keeps_a_safe_next(client):
    response = client.get("/mig/data")
    assert response.status_code == 302 and "/log-ind?next=" in response.headers["Location"]


def test_resend_verification_reveals_nothing(client, make):
    make.user(email="ubekraeftet@example.dk", verified=False)
    db.session.commit()
    known = client.post("/send-bekraeftelse-igen", data={"email": "ubekraeftet@example.dk"}).get_data(as_text=True)
    unknown = client.post("/send-bekraeftelse-igen", data={"email": "ukendt@example.dk"}).get_data(as_text=True)
    assert _same(known.replace("ubekraeftet@", "X@")) == _same(unknown.replace("ukendt@", "X@"))


def test_login_message_does_not_say_which_part_was_wrong(client, make):
    make.user(email="hvem@example.dk")
    db.session.commit()
    wrong_password = client.post("/log-ind", data={"email": "hvem@example.dk", "password": "forkert-kode"})
    no_account = client.post("/log-ind", data={"email": "ingen@example.dk", "password": "forkert-kode"})
    strip = lambda r: _same(r.get_data(as_text=True).replace("hvem@", "X@").replace("ingen@", "X@"))  # noqa: E731
    assert strip(wrong_password) == strip(no_account)


# Error pages ---------------------------------------------------------------------------------------


@pytest.fixture
def crashing_app(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False, TESTING=False)

    @app.route("/test-crash")
    @access(PUBLIC)
    def crash():
        raise RuntimeError("secret internals: password=hunter2")

    @app.route("/test-abort/<int:code>")
    @access(PUBLIC)
    def aborting(code):
        abort(code)

    with app.app_context():
        db.create_all()
        yield app


@pytest.mark.parametrize("path,code,danish", [
    ("/findes-ikke", 404, "Vi kunne ikke finde"),
    ("/test-crash", 500, "Noget gik galt"),
    ("/test-abort/403", 403, "ikke adgang"),
    ("/test-abort/400", 400, "forstå"),
])
def test_error_pages_are_danish_without_internals(crashing_app, path, code, danish):
    response = crashing_app.test_client().get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == code
    assert danish in html and '<html lang="da">' in html
    assert "Traceback" not in html and "hunter2" not in html and "RuntimeError" not in html


def test_wrong_method_is_a_danish_405(client):
    response = client.delete("/log-ind")
    assert response.status_code == 405 and "ikke tilladt" in response.get_data(as_text=True)


def test_too_large_request_is_a_danish_413_and_writes_nothing(make_app):
    app = make_app(MAX_CONTENT_LENGTH=10_000)
    with app.app_context():
        db.create_all()
        response = app.test_client().post("/registrer", data={
            "name": "x" * 20_000, "email": "stor@example.dk", "password": "Et-godt-kodeord-9",
            "confirm": "Et-godt-kodeord-9", "accept": "y"})
        assert response.status_code == 413
        assert "for stort" in response.get_data(as_text=True)
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_default_request_size_limit_is_set():
    from portal import config
    assert 0 < config.load({})["MAX_CONTENT_LENGTH"] <= 10 * 1024 * 1024


def test_reset_mails_to_one_address_are_capped_across_addresses(make_app, make):
    """Many IP addresses cannot flood one person's inbox with reset links."""
    from models import OutboxMessage
    app = _throttled_app(make_app, make)
    client = app.test_client()
    codes = [client.post("/glemt-adgangskode", data={"email": "throttle@example.dk"},
                         environ_base={"REMOTE_ADDR": f"10.3.0.{i}"}).status_code for i in range(5)]
    assert codes[:3] == [200] * 3 and codes[3] == 429
    assert 1 <= db.session.scalar(select(func.count()).select_from(OutboxMessage)) <= 3


def test_registration_is_throttled_per_ip(make_app, make):
    app = _throttled_app(make_app, make)
    client = app.test_client()
    codes = [client.post("/registrer", data={"name": "X", "email": f"n{i}@example.dk", "password": "kort"},
                         environ_base={"REMOTE_ADDR": "10.4.0.1"}).status_code for i in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429


def test_stored_text_is_escaped_everywhere_it_is_shown(client, make):
    """Text people type (names, titles, descriptions) never becomes markup on a page."""
    from datetime import timedelta

    from models import Event, Idea, Project, utcnow
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    author = make.user(email="xss@example.dk", name=evil)
    task = make.task(make.institution(name=evil), title=evil, description=evil, place=evil, contact_name=evil)
    council = make.council(name="Råd " + evil)
    idea = Idea(initiator_id=author.id, title=evil, what=evil)
    project = Project(council_id=council.id, title=evil, goal=evil)
    event = Event(council_id=council.id, title=evil, description=evil, place=evil,
                  starts_at=utcnow() + timedelta(days=3), ends_at=utcnow() + timedelta(days=3, hours=1))
    db.session.add_all([idea, project, event])
    db.session.commit()
    pages = ["/", "/opgaver", f"/opgaver/{task.id}", "/opgaver?q=%3Cscript%3E", f"/ideer/{idea.id}",
             f"/projekter/{project.id}", f"/kalender/{event.id}", "/ideer/", "/kalender", "/projekter"]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, page


@pytest.mark.parametrize("path", ["/opgaver/99999999999999999999", "/opgaver/2147483648", "/ideer/99999999999999999999",
                                  "/kalender?council=99999999999999999999", "/opgaver?side=99999999999999999999"])
def test_huge_numbers_in_urls_are_not_server_errors(client, path):
    response = client.get(path)
    assert response.status_code in (200, 400, 404), path
    assert "Traceback" not in response.get_data(as_text=True)
