"""The front page and logging in as the demo citizen, with axe-core on each page."""
from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import axe_violations, log_in


def test_front_page_and_citizen_login_are_accessible(page, live_server):
    base, _app = live_server
    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "da"
    assert axe_violations(page) == []
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skipnav"

    log_in(page, base, "borger@samskab.dk", DEMO_PASSWORD)
    assert page.url.endswith("/mig/")
    page.get_by_role("button", name="din konto").click()  # the account menu (DKFDS overflow menu)
    assert page.get_by_role("button", name="Log ud").is_visible()
    assert axe_violations(page) == []
    # Clicking it logs out (DKFDS's menu closes on a click whose target is not right in one of its items).
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url(lambda url: "/mig/" not in url)
    page.goto(base + "/mig/")
    assert "/log-ind" in page.url
