"""Suggestions in the browser: "Forslag til dig" on the citizen's page and "Foreslåede frivillige" with
the invite button on the institution's task page; axe-core checks both."""
from datetime import timedelta

from sqlalchemy import func, select

from models import OutboxMessage, Role, db, utcnow
from tests import factories
from tests.browser.conftest import axe_violations, log_in

TITLE = "Skakmakker på plejehjemmet (browsertest)"


def _world(app) -> tuple[str, str, int]:
    with app.app_context():
        staff = factories.user(Role.STAFF, name="Lene Leder", email="lene.browser@example.dk")
        home = factories.institution(name="Bakkehuset (browsertest)", kind="elder_centre", staff=[staff])
        task = factories.task(home, title=TITLE, description="Spil skak med beboere, der elsker spillet.",
                              skills_wanted="Skak", volunteers_do="Spiller skak og drikker kaffe.",
                              starts_at=(utcnow() + timedelta(days=5)).replace(minute=0, second=0, microsecond=0))
        player = factories.user(name="Sune Skakspiller", email="sune.browser@example.dk")
        factories.profile(player, skills="Skak og brætspil", interests="Hygge med ældre", consent_to_be_found=True)
        db.session.commit()
        return staff.email, player.email, task.id


def test_suggestions_with_reasons_and_an_invitation(page, live_server):
    base, app = live_server
    staff_email, player_email, task_id = _world(app)

    log_in(page, base, player_email, factories.PASSWORD)
    page.goto(base + "/mig/")
    section = page.get_by_role("region", name="Forslag til dig")
    assert section.get_by_role("heading", name="Forslag til dig").is_visible()
    assert TITLE in section.inner_text() and "skak" in section.inner_text().lower()
    assert axe_violations(page) == []
    page.context.clear_cookies()

    log_in(page, base, staff_email, factories.PASSWORD)
    page.goto(f"{base}/institution/opgaver/{task_id}")
    suggested = page.locator("section.suggestions")
    assert suggested.get_by_role("heading", name="Foreslåede frivillige").is_visible()
    assert "Sune Skakspiller" in suggested.inner_text()
    assert axe_violations(page) == []
    suggested.get_by_role("button", name="Inviter Sune Skakspiller").click()
    page.wait_for_load_state()
    assert "Invitationen til Sune Skakspiller er sendt." in page.locator("main").inner_text()
    assert "Inviteret" in page.locator("section.suggestions").inner_text()
    with app.app_context():
        sent = db.session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.kind == "invitation", OutboxMessage.recipient == player_email))
    assert sent == 1
