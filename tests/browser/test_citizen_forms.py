"""The task editor shows only the fields of the chosen schedule kind, without any script (issue 15, B 3)."""
from models import db
from tests import factories
from tests.browser.conftest import axe_violations, log_in


def test_the_task_editor_shows_only_the_chosen_kind_without_javascript(browser, live_server):
    base, app = live_server
    with app.app_context():
        person = factories.user("staff", name="Kaj Kind", email="kaj.kind@example.dk")
        factories.institution(name="Skolen ved Søen (browsertest)", staff=[person])
        db.session.commit()
    context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        log_in(page, base, "kaj.kind@example.dk", factories.PASSWORD)
        page.goto(base + "/institution/opgaver/ny")
        date, first, last = (page.get_by_label("Dato", exact=True), page.get_by_label("Første dag"),
                             page.get_by_label("Sidste dag"))
        page.get_by_label("Faste tidspunkter").check()
        assert date.is_visible() and not first.is_visible() and not last.is_visible()
        page.get_by_role("radio", name="Et tidsrum").check()
        assert not date.is_visible() and first.is_visible() and last.is_visible()
        page.get_by_role("radio", name="Løbende").check()
        assert not date.is_visible() and first.is_visible() and not last.is_visible()
        hours = page.get_by_label("Timer i alt", exact=False)
        assert hours.is_visible() and hours.get_attribute("type") == "text"
        assert hours.get_attribute("inputmode") == "decimal"
    finally:
        context.close()


def test_the_task_editor_stays_accessible_with_a_kind_chosen(page, live_server):
    base, app = live_server
    with app.app_context():
        person = factories.user("staff", name="Kaja Kind", email="kaja.kind@example.dk")
        factories.institution(name="Skolen ved Åen (browsertest)", staff=[person])
        db.session.commit()
    log_in(page, base, "kaja.kind@example.dk", factories.PASSWORD)
    page.goto(base + "/institution/opgaver/ny")
    page.get_by_role("radio", name="Et tidsrum").check()
    assert axe_violations(page) == []
