"""The shared calendar (month and list), an event page and a project page are accessible (axe-core)."""
from sqlalchemy import select

from models import Event, Project, db
from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import axe_violations, log_in


def _first(app, model, order):
    with app.app_context():
        return db.session.scalar(select(model.id).order_by(order).limit(1))


def test_calendar_and_project_pages_are_accessible(page, live_server):
    base, app = live_server
    project_id = _first(app, Project, Project.id)
    event_id = _first(app, Event, Event.starts_at)

    page.goto(base + "/kalender")
    assert page.locator("table.month-grid th[scope=col]").count() == 7
    assert axe_violations(page) == []
    page.get_by_role("link", name="Liste").click()
    page.wait_for_load_state()
    assert "visning=liste" in page.url
    assert axe_violations(page) == []

    page.goto(f"{base}/kalender/{event_id}")
    assert axe_violations(page) == []
    page.goto(f"{base}/projekter/{project_id}")
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []

    # a council member sees the comment forms and the management page
    log_in(page, base, "lokalraad@samskab.dk", DEMO_PASSWORD)
    page.goto(f"{base}/projekter/{project_id}")
    assert axe_violations(page) == []
    page.goto(f"{base}/lokalraad/projekter/{project_id}")
    assert page.get_by_label("Hvad er nyt?").is_visible()
    assert axe_violations(page) == []
    page.goto(f"{base}/kalender/nyt")
    page.get_by_role("button", name="Sæt det i kalenderen").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    assert axe_violations(page) == []
