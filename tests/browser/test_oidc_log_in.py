"""In Chromium: "Log ind med MitID" through the provider's own log-in page and back; a coordinator through
the staff directory (issue 18)."""
import os
import threading

import pytest
from werkzeug.serving import make_server

from app import create_app
from models import User, db, utcnow
from tests.conftest import base_config
from tests.oidc_provider import Provider

pytestmark = pytest.mark.oidc
SECRET = "a-client-secret-long-enough-for-hs256-keys"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A live Samskab with both providers configured and pointed at providers that know its address."""
    tmp = tmp_path_factory.mktemp("oidc-live")
    os.environ.setdefault("SAMSKAB_INSTANCE", str(tmp / "instance"))
    # The port first: the providers must know the callback addresses before the app knows them.
    holder = make_server("127.0.0.1", 0, lambda environ, start: [], threaded=True)
    base = f"http://127.0.0.1:{holder.server_port}"

    def client(client_id, slug):
        return {"client_id": client_id, "client_secret": SECRET, "redirect_uris": [f"{base}/log-ind/oidc/{slug}/callback"],
                "post_logout_redirect_uris": [f"{base}/"]}

    citizen, staff = Provider([client("borger", "borger")]), Provider([client("medarbejder", "medarbejder")])
    app = create_app(base_config(
        tmp, WTF_CSRF_ENABLED=True, TESTING=False, BASE_URL=base,
        OIDC_CITIZEN={"issuer": citizen.issuer, "client_id": "borger", "client_secret": SECRET, "scopes": "openid profile"},
        OIDC_STAFF={"issuer": staff.issuer, "client_id": "medarbejder", "client_secret": SECRET,
                    "scopes": "openid profile email groups"},
        OIDC_STAFF_ROLE_MAP="koordinatorer=coordinator"))
    with app.app_context():
        db.create_all()
        from portal.demo import load_demo_data
        load_demo_data(db.session, now=utcnow())
        db.session.commit()
    holder.app = app  # the server made above now serves Samskab
    thread = threading.Thread(target=holder.serve_forever, daemon=True)
    thread.start()
    yield base, app, citizen, staff
    holder.shutdown()
    citizen.stop()
    staff.stop()


def _new_page(browser):
    context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen")
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _at_provider_log_in(page, login):
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("hvad-som-helst")
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_log_in_with_mitid_through_the_providers_page_and_back(browser, site):
    base, app, citizen, _staff = site
    citizen.account("mitid-browser-1", name="Birthe Browser")
    context, page = _new_page(browser)
    page.goto(base + "/log-ind")
    page.get_by_role("link", name="Log ind med MitID").click()
    page.wait_for_load_state()
    assert page.url.startswith(citizen.issuer)  # the provider's own log-in page
    _at_provider_log_in(page, "mitid-browser-1")
    assert page.url == base + "/log-ind/oidc/borger/velkommen"
    assert "Birthe Browser" in page.content()
    page.get_by_role("button", name="Opret min profil").click()
    page.wait_for_load_state()
    assert page.url == base + "/mig/" and "Birthe Browser" in page.content()
    with app.app_context():
        assert db.session.query(User).filter_by(name="Birthe Browser").one().identity_verified_at is not None
    context.close()


def test_a_coordinator_logs_in_through_the_staff_directory(browser, site):
    base, _app, _citizen, staff = site
    staff.account("entra-browser-1", name="Kim Koordinator", email="kim@kommune.dk", groups=["koordinatorer"])
    context, page = _new_page(browser)
    page.goto(base + "/log-ind")
    page.get_by_role("link", name="Log ind med din arbejdskonto").click()
    page.wait_for_load_state()
    _at_provider_log_in(page, "entra-browser-1")
    assert page.url == base + "/koordinator/"
    assert page.locator("h1").count() == 1
    page.get_by_role("button", name="din konto").click()  # the account menu (DKFDS overflow menu)
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url(lambda url: not url.startswith(base))
    assert page.url.startswith(staff.issuer + "/session/end")  # the provider ends its own session too
    context.close()
