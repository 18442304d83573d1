"""Browser tests: a live Samskab server in a thread, Playwright driving Debian's chromium, axe-core."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from models import db, utcnow
from tests.conftest import base_config

CHROMIUM = "/usr/bin/chromium"
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-quic", "--no-first-run", "--disable-sync"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if REQUIRE_BROWSER:
            pytest.fail(f"{CHROMIUM} is required (REQUIRE_BROWSER=1) but missing")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app on a free port with the demo data loaded, shared by the browser tests."""
    tmp = tmp_path_factory.mktemp("live")
    os.environ.setdefault("SAMSKAB_INSTANCE", str(tmp / "instance"))
    app = create_app(base_config(tmp, WTF_CSRF_ENABLED=True, TESTING=False))
    with app.app_context():
        db.create_all()
        from portal.demo import load_demo_data
        load_demo_data(db.session, now=utcnow())
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _LIVE_APPS[f"http://127.0.0.1:{server.server_port}"] = app
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()


_LIVE_APPS = {}  # base URL -> app, so log_in can read a demo account's second factor


@pytest.fixture
def page(browser, live_server):
    # bypass_csp lets the test inject axe-core; the site itself never runs inline scripts.
    context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (vendored) on the page and return the violations at the given impact levels."""
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in impacts]


def log_in(page, base: str, email: str, password: str) -> None:
    """Log in through the form; a coordinator or administrator then types the code from the app."""
    page.goto(base + "/log-ind")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if "/log-ind/andet-trin/opsaet" in page.url:  # no app yet: set it up from the key shown for typing
        import pyotp
        page.get_by_label("Kode").fill(pyotp.TOTP(page.locator("code.secret").inner_text().replace(" ", "")).now())
        page.locator("main form button[type=submit]").click()
        page.get_by_role("link", name="Jeg har gemt koderne – fortsæt").click()
        page.wait_for_load_state()
    elif "/log-ind/andet-trin" in page.url:
        from tests.auth_steps import totp_code
        with _LIVE_APPS[base].app_context():
            code = totp_code(email)
        page.get_by_label("Kode").fill(code)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
