"""A citizen finds a task by search, signs up, sees it under "Mine opgaver" and downloads the .ics;
axe-core checks the task list, the task page, the confirmation and "Mine opgaver"."""
from datetime import timedelta
from pathlib import Path

from icalendar import Calendar

from models import db, utcnow
from portal.demo import DEMO_PASSWORD
from tests import factories
from tests.browser.conftest import axe_violations, log_in

TITLE = "Fuglekasser med 5. klasse (browsertest)"


def _citizen_and_task(app) -> str:
    with app.app_context():
        citizen = factories.user(name="Birgit Browser", email="birgit.browser@example.dk")
        school = factories.institution(name="Lundtofte Skole (browsertest)", kind="school")
        factories.task(school, title=TITLE, description="Vi bygger fuglekasser til skolens have.",
                       starts_at=(utcnow() + timedelta(days=6)).replace(minute=0, second=0, microsecond=0),
                       capacity=3, compensation_note="Vi giver kaffe og kage.")
        db.session.commit()
        return citizen.email


def test_citizen_finds_signs_up_and_downloads_the_calendar_file(page, live_server):
    base, app = live_server
    email = _citizen_and_task(app)

    page.goto(base + "/opgaver")
    assert page.get_by_role("heading", level=1).inner_text() == "Find en opgave"
    assert axe_violations(page) == []
    page.get_by_label("Søg", exact=True).fill("fuglekasser")
    page.locator("form.task-search .search-row button[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="1 opgave fundet").is_visible()
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    assert "Vi giver kaffe og kage." in page.locator("main").inner_text()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Log ind for at tilmelde dig").first.click()
    page.wait_for_load_state()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == TITLE  # back where the citizen was

    page.get_by_role("link", name="Tilmeld dig").first.click()
    page.wait_for_load_state()
    assert "Tilmeld dig:" in page.get_by_role("heading", level=1).inner_text()
    assert "Som frivillig skal du ikke" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Tilmeld mig").click()
    page.wait_for_load_state()
    assert "Godkendt" in page.locator("main").inner_text()

    page.get_by_role("link", name="Se alle dine opgaver").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Mine opgaver"
    assert TITLE in page.locator("main").inner_text()
    assert axe_violations(page) == []
    with page.expect_download() as info:
        page.get_by_role("link", name=f"Kalenderfil (.ics) – {TITLE}").click()
    body = Path(info.value.path()).read_bytes()
    [event] = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]) == TITLE
    assert "/opgaver/" in str(event["DESCRIPTION"])

    page.get_by_role("button", name="Lav et privat kalenderlink").click()
    page.wait_for_load_state()
    assert "/kalender/" in page.get_by_label("Dit private kalenderlink").input_value()
    assert axe_violations(page) == []


def test_profile_page_is_accessible(page, live_server):
    base, _app = live_server
    log_in(page, base, "borger@samskab.dk", DEMO_PASSWORD)
    page.goto(base + "/min-profil")
    assert page.get_by_role("heading", level=1).inner_text() == "Min profil"
    assert axe_violations(page) == []
