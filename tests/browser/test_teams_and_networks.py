"""Teams, networks and associations in a real browser at 390 px, checked with axe: the public pages, the
citizen who joins a network and leads a team, staff's team form and the coordinators' items."""
from sqlalchemy import select

from models import Institution, Network, Team, User, db
from models.organisations import ASSOCIATION
from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import axe_violations, log_in

PHONE = {"width": 390, "height": 844}


def _fits(page) -> None:
    """Accessible, and nothing wider than the phone's screen (no sideways scrolling)."""
    assert axe_violations(page) == [], page.url
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def test_public_pages_at_390_px(page, live_server):
    base, app = live_server
    with app.app_context():
        network_id = db.session.scalar(select(Network.id).order_by(Network.id))
        association_id = db.session.scalar(select(Institution.id).where(Institution.kind == ASSOCIATION))
        team = db.session.scalar(select(Team).order_by(Team.id))
        team_id, institution_id = team.id, team.institution_id
    page.set_viewport_size(PHONE)
    for path in ("/netvaerk", f"/netvaerk/{network_id}", "/foreninger", "/foreninger?behov=1",
                 f"/foreninger/{association_id}", f"/institutioner/{institution_id}", f"/hold/{team_id}"):
        page.goto(base + path)
        assert page.locator("h1").count() == 1
        _fits(page)
    page.goto(f"{base}/netvaerk/{network_id}")
    assert "deltagere" in page.locator("#member-count").inner_text()


def test_a_citizen_joins_a_network_and_leads_a_team_at_390_px(page, live_server):
    base, app = live_server
    with app.app_context():
        citizen = db.session.scalar(select(User).where(User.email == "borger@samskab.dk"))
        team_id = db.session.scalar(select(Team.id).where(Team.tovholder_id == citizen.id))
        network_id = db.session.scalar(select(Network.id).where(Network.name == "Besøgsvenner"))
    page.set_viewport_size(PHONE)
    log_in(page, base, "borger@samskab.dk", DEMO_PASSWORD)
    page.goto(f"{base}/netvaerk/{network_id}")
    before = page.locator("#member-count").inner_text()
    page.get_by_role("button", name="Deltag i netværket").click()
    page.wait_for_load_state()
    assert "Velkommen i netværket" in page.locator(".flashes").inner_text()
    assert page.locator("#member-count").inner_text() != before
    _fits(page)
    page.goto(f"{base}/hold/{team_id}")
    assert "For tovholderen" in page.locator("main").inner_text()
    _fits(page)
    # bad input: the message is clear and the typing stays
    page.locator("#shift-note").fill("Husk nøglen")
    page.get_by_role("button", name="Tilføj vagten").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() >= 1
    assert page.locator("#shift-note").input_value() == "Husk nøglen"
    _fits(page)
    page.goto(f"{base}/mig/")
    _fits(page)


def test_staff_and_coordinator_pages_at_390_px(page, live_server):
    base, app = live_server
    with app.app_context():
        institution_id = db.session.scalar(select(Team.institution_id).order_by(Team.id))
    page.set_viewport_size(PHONE)
    log_in(page, base, "institution@samskab.dk", DEMO_PASSWORD)
    for path in (f"/institutioner/{institution_id}/profil", f"/institutioner/{institution_id}/hold/ny"):
        page.goto(base + path)
        _fits(page)
    page.context.clear_cookies()
    log_in(page, base, "koordinator@samskab.dk", DEMO_PASSWORD)
    page.goto(base + "/koordinator/netvaerk")
    assert "Kørsel til arrangementer" in page.locator("main").inner_text()
    _fits(page)
    page.goto(base + "/koordinator/overblik")
    assert page.locator("#together-teams").count() == 1
