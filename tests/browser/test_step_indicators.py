"""The DKFDS step indicators in Chromium: visible, no wider than a phone's screen, nothing serious or critical
for axe-core, and the current step the one screen readers are told about."""
from __future__ import annotations

from sqlalchemy import select

from models import CitizenBudget, db
from tests.browser.conftest import axe_violations
from tests.browser.test_phone_first import page_width


def test_registration_and_budget_steps_at_390_and_1280_px(browser, live_server):
    base, app = live_server
    with app.app_context():
        budget_id = db.session.scalar(select(CitizenBudget.id).order_by(CitizenBudget.id))
    context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen", bypass_csp=True)
    page = context.new_page()
    problems = []
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for path, current in (("/registrer", "Opret konto"), (f"/borgerbudgetter/{budget_id}", None)):
            assert page.goto(base + path).status == 200
            steps = page.locator("ol.step-indicator")
            assert steps.is_visible(), (width, path)
            marked = steps.locator("li[aria-current=step] .step-title")
            assert marked.count() == 1, (width, path)
            if current:
                assert marked.inner_text() == current
            scroll, screen = page_width(page)
            if scroll > screen:
                problems.append(f"{width}px {path}: {scroll}px wide")
            found = axe_violations(page)
            if found:
                problems.append(f"{width}px {path}: {found}")
    context.close()
    assert problems == []
