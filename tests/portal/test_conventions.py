"""Conventions every route must keep, checked over the whole URL map (so new rooms inherit them).

The role matrix and the "POST without a token is refused" walk live in test_access.py; this module
adds what they do not: an exempt route must be a TOKEN route with a written reason, nothing exempts a
whole blueprint, and a real form post with its token goes through while the same post without it
is refused with a Danish message.
"""
import re

from models import db
from portal.access import TOKEN, rule_of
from tests.factories import PASSWORD
from tests.portal.test_access import CSRF_EXEMPT, routes

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _view_name(view) -> str:
    return f"{view.__module__}.{view.__name__}"


def test_every_state_changing_route_has_an_access_rule(app):
    missing = [f"{m} {r.rule}" for r, m in routes(app)
               if m in STATE_CHANGING and not rule_of(app.view_functions[r.endpoint])]
    assert not missing, f"State-changing routes without @access(...): {missing}"


def test_csrf_exempt_routes_are_token_routes_with_a_reason(app):
    csrf = app.extensions["csrf"]
    assert not csrf._exempt_blueprints, "A whole blueprint is exempt from CSRF protection"
    exempt_routes = {(r.rule, m) for r, m in routes(app) if m in STATE_CHANGING
                     and _view_name(app.view_functions[r.endpoint]) in csrf._exempt_views}
    unexplained = exempt_routes - set(CSRF_EXEMPT)
    assert not unexplained, f"csrf.exempt without a reason in test_access.CSRF_EXEMPT: {sorted(unexplained)}"
    for rule, method in exempt_routes:
        endpoint = next(r.endpoint for r, m in routes(app) if (r.rule, m) == (rule, method))
        assert TOKEN in rule_of(app.view_functions[endpoint]), f"{rule} is CSRF-exempt but not a TOKEN route"
        assert "<token>" in rule, f"{rule} is CSRF-exempt but carries no signed token in its URL"


def test_exempt_list_has_a_reason_comment_for_each_entry():
    from pathlib import Path
    source = (Path(__file__).with_name("test_access.py")).read_text()
    block = source.split("CSRF_EXEMPT = {", 1)[1].split("}", 1)[0]
    entries = re.findall(r'\("([^"]+)", "([A-Z]+)"\)', block)
    comments = [line for line in block.splitlines() if line.strip().startswith("#")]
    assert len(comments) >= len(entries), "Every CSRF-exempt route needs a comment saying why"


def test_a_real_form_post_needs_its_token(make_app, make):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        make.user(email="csrf@example.dk")
        db.session.commit()
        client = app.test_client()
        form = {"email": "csrf@example.dk", "password": PASSWORD}
        refused = client.post("/log-ind", data=form)
        assert refused.status_code == 400
        assert "Din formular er udløbet" in refused.get_data(as_text=True)
        page = client.get("/log-ind").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        assert client.post("/log-ind", data={**form, "csrf_token": "forfalsket"}).status_code == 400
        assert client.post("/log-ind", data={**form, "csrf_token": token}).status_code == 302


def test_a_token_from_another_session_is_refused(make_app, make):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        make.user(email="csrf2@example.dk")
        db.session.commit()
        attacker, victim = app.test_client(), app.test_client()
        page = attacker.get("/log-ind").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        victim.get("/")
        response = victim.post("/log-ind", data={"email": "csrf2@example.dk", "password": PASSWORD,
                                                 "csrf_token": token})
        assert response.status_code == 400
