"""What stands in the way of an empty suggestion list, and the other free dates of a full task, in the
browser: the cause-and-fix message links to the profile field, the free date is offered before the
waiting list, and axe-core finds nothing serious on these pages."""
from datetime import timedelta

from models import Role, db, utcnow
from tests import factories
from tests.browser.conftest import axe_violations, log_in

TITLE = "Oplæsning af eventyr (browsertest af forhindringer)"


def _world(app) -> tuple[str, int, int, int]:
    with app.app_context():
        staff = factories.user(Role.STAFF, email="leder.forhindring@example.dk")
        school = factories.institution(name="Eventyrskolen (browsertest)", postcode="2800", staff=[staff])
        start = (utcnow() + timedelta(days=4)).replace(minute=0, second=0, microsecond=0)
        task = factories.task(school, title=TITLE, description="Læs eventyr højt for børnene.",
                              skills_wanted="Eventyr og oplæsning", volunteers_do="Læser eventyr højt.",
                              starts_at=start, occurrences=2, capacity=1, recurrence="weekly", postcode="2800")
        full, free = sorted(task.occurrences, key=lambda o: o.starts_at)
        factories.signup_record(full, factories.user(email="optaget.forhindring@example.dk"))
        far = factories.user(name="Aase Aarhus", email="aase.forhindring@example.dk")
        factories.profile(far, skills="Eventyr og oplæsning", interests="Børn", postcode="8000", travel_km=5)
        db.session.commit()
        return far.email, task.id, full.id, free.id


def test_cause_and_fix_and_the_free_date_first(page, live_server):
    base, app = live_server
    email, task_id, full_id, free_id = _world(app)
    log_in(page, base, email, factories.PASSWORD)

    page.goto(base + "/mig/")
    obstacle = page.locator("section.suggestions .obstacle")
    assert "inden for 5 km af 8000" in obstacle.inner_text()
    assert axe_violations(page) == []
    obstacle.get_by_role("link").click()
    page.wait_for_load_state()
    assert page.url.endswith("/min-profil#travel_km")
    assert page.locator("#travel_km").is_visible()

    page.goto(f"{base}/opgaver/{task_id}")
    instead = page.locator(f'[data-instead-of="{full_id}"]')
    assert "i stedet" in instead.inner_text()
    assert axe_violations(page) == []
    page.goto(f"{base}/opgaver/{task_id}/tilmeld?occurrence={full_id}")
    offer = page.locator("section.other-times")
    assert offer.get_by_role("heading").is_visible()
    assert axe_violations(page) == []
    offer.get_by_role("link").first.click()
    page.wait_for_load_state()
    assert f"occurrence={free_id}" in page.url
