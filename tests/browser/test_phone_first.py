"""Phone-first (issue 15, part A): every main page of every role at 390 px and at 1280 px is no wider than the
screen and axe-core finds nothing serious or critical; the header's menu button works by keyboard and tells
screen readers whether the menu is open."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Idea, InstitutionMember, Project, Task, TaskStatus, User, db
from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import axe_violations, log_in

WIDTHS = (390, 1280)

# The main pages of each role; "{task}", "{own_task}", "{idea}" and "{project}" are filled from the demo data.
PAGES = {
    "anonymous": ["/", "/opgaver", "/opgaver/{task}", "/ideer/", "/ideer/{idea}", "/kalender", "/projekter",
                  "/projekter/{project}", "/privatliv", "/tilgaengelighed", "/log-ind", "/registrer",
                  "/glemt-adgangskode"],
    "borger@samskab.dk": ["/", "/mig/", "/min-profil", "/min-profil/indsigt", "/mine-opgaver", "/mine-opgaver/bevis",
                          "/opgaver/{task}", "/ideer/mine", "/ideer/ny", "/mig/data", "/mig/slet",
                          "/indstillinger/mails", "/indstillinger/sikkerhed", "/skift-adgangskode"],
    "institution@samskab.dk": ["/", "/institution/", "/institution/opgaver/{own_task}", "/institution/opgaver/ny"],
    "lokalraad@samskab.dk": ["/", "/lokalraad/", "/projekter/{project}", "/kalender", "/kalender/nyt"],
    "koordinator@samskab.dk": ["/", "/koordinator/", "/koordinator/overblik", "/koordinator/profiler",
                               "/koordinator/afventer", "/koordinator/medbetjening", "/koordinator/ring-til",
                               "/koordinator/eksport", "/beskeder", "/ideer/moderering", "/ideer/svartider"],
    "admin@samskab.dk": ["/", "/admin/", "/admin/brugere", "/admin/institutioner", "/admin/raad", "/admin/kommune",
                         "/beskeder"],
}


def _ids(app) -> dict:
    with app.app_context():
        staff = db.session.scalar(select(User).where(User.email == "institution@samskab.dk"))
        institution_ids = db.session.scalars(select(InstitutionMember.institution_id)
                                             .where(InstitutionMember.user_id == staff.id)).all()
        return {
            "task": db.session.scalar(select(Task.id).where(Task.status == TaskStatus.OPEN).order_by(Task.id)),
            "own_task": db.session.scalar(select(Task.id).where(Task.institution_id.in_(institution_ids))
                                          .order_by(Task.id)),
            "idea": db.session.scalar(select(Idea.id).where(Idea.hidden.is_(False)).order_by(Idea.id)),
            "project": db.session.scalar(select(Project.id).order_by(Project.id)),
        }


def page_width(page) -> tuple[int, int]:
    """The document's width with DKFDS's `body {overflow-x: hidden}` lifted, which would otherwise clip (and
    hide) anything wider than the screen, and the screen's width."""
    return page.evaluate("() => { document.body.style.overflowX = 'visible';"
                         " return [document.documentElement.scrollWidth, window.innerWidth]; }")


@pytest.mark.parametrize("role", list(PAGES))
def test_every_main_page_fits_the_screen_and_passes_axe(browser, live_server, role):
    base, app = live_server
    ids = _ids(app)
    problems = []
    # one log-in per role (a second factor's codes are not to be spent freely on a shared server)
    context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen", bypass_csp=True,
                                  viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    if role != "anonymous":
        log_in(page, base, role, DEMO_PASSWORD)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in PAGES[role]:
            url = base + path.format(**ids)
            response = page.goto(url)
            assert response.status == 200 and page.url == url, (role, path, response.status, page.url)
            scroll, screen = page_width(page)
            if scroll > screen:
                problems.append(f"{width}px {path}: {scroll}px wide")
            vanished = page.evaluate("() => [...document.querySelectorAll('main input[type=checkbox], main input[type=radio]')]"
                                     ".filter(e => e.getBoundingClientRect().width === 0).map(e => e.id || e.name)")
            if vanished:  # DKFDS resets inputs' appearance: a checkbox without its classes must not vanish
                problems.append(f"{width}px {path}: invisible checkboxes or radio buttons {vanished}")
            found = axe_violations(page)
            if found:
                problems.append(f"{width}px {path}: {found}")
    context.close()
    assert problems == []


def test_the_menu_button_opens_and_closes_the_menu_by_keyboard(browser, live_server):
    base, _ = live_server
    context = browser.new_context(locale="da-DK", viewport={"width": 390, "height": 800})
    page = context.new_page()
    log_in(page, base, "borger@samskab.dk", DEMO_PASSWORD)
    page.goto(base + "/mine-opgaver")
    button = page.get_by_role("button", name="Menu")
    assert button.is_visible()
    assert not page.locator(".navigation-menu .mainmenu").is_visible()   # the wide menu gives way to the button
    assert button.get_attribute("aria-expanded") == "false"
    button.focus()
    page.keyboard.press("Enter")
    drawer = page.get_by_role("dialog", name="Menu")
    drawer.wait_for(state="visible")
    assert button.get_attribute("aria-expanded") == "true"
    # the account's own pages are in the menu: "Mine data" and "Slet min profil"
    assert drawer.get_by_role("link", name="Mine data").is_visible()
    assert drawer.get_by_role("link", name="Slet min profil").is_visible()
    assert drawer.get_by_role("link", name="Find en opgave").is_visible()
    page.keyboard.press("Escape")
    drawer.wait_for(state="hidden")
    assert button.get_attribute("aria-expanded") == "false"
    # at 1280 px there is no menu button, the menu itself shows
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert page.locator(".navigation-menu .mainmenu").get_by_role("link", name="Find en opgave").is_visible()
    context.close()


def test_the_page_keeps_its_content_security_policy(page, live_server):
    base, _ = live_server
    response = page.goto(base + "/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy and "unsafe-inline" not in policy


def test_a_wide_table_scrolls_inside_itself_and_can_be_reached_by_keyboard(browser, live_server):
    base, _ = live_server
    context = browser.new_context(locale="da-DK", viewport={"width": 390, "height": 800}, bypass_csp=True)
    page = context.new_page()
    log_in(page, base, "borger@samskab.dk", DEMO_PASSWORD)
    page.goto(base + "/mine-opgaver")
    # a table whose cells cannot wrap (long codes side by side) scrolls in its own region, not the page
    page.evaluate("""() => {
        const table = document.querySelector('main table');
        const row = table.querySelector('tbody tr') || table.insertRow();
        for (let i = 0; i < 6; i++) { const cell = row.insertCell(); cell.textContent = 'X'.repeat(12);
                                       cell.style.whiteSpace = 'nowrap'; cell.style.overflowWrap = 'normal'; }
        window.dispatchEvent(new Event('resize'));
    }""")
    scroll, screen = page_width(page)
    assert scroll <= screen
    table = page.locator("main table").first
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")
    assert table.get_attribute("tabindex") == "0"
    assert table.get_attribute("aria-label")
    assert axe_violations(page) == []
    context.close()
