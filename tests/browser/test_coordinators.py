"""A coordinator approves a profile and records a child certificate; the waiting sign-up is accepted."""
from datetime import date, timedelta

from sqlalchemy import select

from models import Signup, User, VolunteerProfile, db, utcnow
from tests.factories import sign_up
from portal.demo import DEMO_PASSWORD
from tests import factories
from tests.browser.conftest import axe_violations, log_in


def _waiting_volunteer(app):
    """A new citizen with a profile to review and a sign-up waiting for a child certificate."""
    with app.app_context():
        citizen = factories.user(name="Ulla Ørsted", email="ulla.browser@example.dk")
        factories.profile(citizen, skills="Lektiehjælp i dansk", postcode="2800")
        institution = factories.institution(name="Virum Skole (browsertest)")
        task = factories.task(institution, title="Lektiecafé (browsertest)", requires_child_certificate=True,
                              starts_at=utcnow() + timedelta(days=5))
        signup = sign_up(task.occurrences[0], volunteer=citizen, now=utcnow()).signup
        db.session.commit()
        assert signup.status == "pending"
        return citizen.id, signup.id


def test_coordinator_approves_records_certificate_and_the_signup_is_accepted(page, live_server):
    base, app = live_server
    citizen_id, signup_id = _waiting_volunteer(app)
    log_in(page, base, "koordinator@samskab.dk", DEMO_PASSWORD)

    page.goto(base + "/koordinator/profiler")
    assert page.get_by_role("heading", level=1).inner_text() == "Profiler til behandling"
    assert axe_violations(page) == []
    page.get_by_role("link", name="Ulla Ørsted").click()
    page.wait_for_load_state()
    page.get_by_label("Godkend").check()
    page.get_by_role("button", name="Gem afgørelse").click()
    page.wait_for_load_state()
    assert "Afgørelsen er gemt" in page.locator(".flashes").inner_text()

    page.goto(base + "/koordinator/afventer")
    assert "Lektiecafé (browsertest)" in page.locator("main").inner_text()
    page.get_by_role("link", name="Ulla Ørsted").click()
    page.wait_for_load_state()
    today = date.today()
    page.get_by_label("Børneattest", exact=True).select_option("received")
    page.get_by_label("Bestilt den").fill((today - timedelta(days=14)).isoformat())
    page.get_by_label("Modtaget den").fill(today.isoformat())
    page.get_by_label("Gyldig til").fill((today + timedelta(days=730)).isoformat())
    page.get_by_role("button", name="Gem screening").click()
    page.wait_for_load_state()
    assert "1 ventende tilmelding er nu godkendt" in page.locator(".flashes").inner_text()
    assert "Børneattest: gyldig" in page.locator("main").inner_text()
    assert axe_violations(page) == []

    with app.app_context():
        assert db.session.get(Signup, signup_id).status == "accepted"
        profile = db.session.scalar(select(VolunteerProfile).where(VolunteerProfile.user_id == citizen_id))
        assert profile.review_status == "approved"
        assert db.session.get(User, citizen_id).profile.screening.child_certificate_status == "received"


def test_overview_and_waiting_list_are_accessible(page, live_server):
    base, _app = live_server
    log_in(page, base, "koordinator@samskab.dk", DEMO_PASSWORD)
    for path in ("/koordinator/overblik", "/koordinator/afventer", "/koordinator/", "/koordinator/medbetjening/ny"):
        page.goto(base + path)
        assert axe_violations(page) == [], path
    page.goto(base + "/koordinator/overblik")
    assert page.locator("svg.chart").count() == 6
