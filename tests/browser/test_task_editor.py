"""Institution staff logs in, creates a task in the editor, previews and publishes it; axe-core on the way."""
from datetime import timedelta

from sqlalchemy import select

from models import Task, db, utcnow
from portal.scheduler.timing import to_local
from tests import factories
from tests.browser.conftest import axe_violations, log_in

TITLE = "Cykeltur med beboerne (browsertest)"


def _staff(app) -> str:
    with app.app_context():
        person = factories.user("staff", name="Hanne Holm", email="hanne.editor@example.dk")
        factories.institution(name="Plejecenter Solgården (browsertest)", kind="elder_centre", staff=[person])
        db.session.commit()
        return person.email


def test_staff_creates_previews_and_publishes_a_task(page, live_server):
    base, app = live_server
    email = _staff(app)
    log_in(page, base, email, factories.PASSWORD)
    page.goto(base + "/institution/")
    page.get_by_role("link", name="Opret en opgave").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Opret en opgave"
    assert axe_violations(page) == []

    # An empty form comes back with Danish messages, still accessible.
    page.get_by_role("button", name="Gem kladde og se forhåndsvisning").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Ret venligst følgende").is_visible()
    assert axe_violations(page) == []

    day = to_local(utcnow() + timedelta(days=10)).date()
    page.get_by_label("Titel", exact=True).fill(TITLE)
    page.get_by_label("Beskriv opgaven").fill("Vi cykler en tur i rickshaw langs søen med to beboere.")
    page.get_by_label("Det gør den frivillige", exact=True).fill("Cykler rickshaw og snakker med beboerne.")
    page.get_by_label("Det gør den frivillige ikke").fill("Ingen personlig pleje, ingen medicin.")
    page.get_by_label("Godtgørelse (transport, telefon, forplejning)").fill("Kaffe og kage efter turen.")
    page.get_by_label("Forsikring", exact=True).fill("Kommunens forsikring dækker frivillige.")
    page.get_by_label("Sted (adresse eller lokale)").fill("Solgården, hovedindgangen")
    page.get_by_label("Kontaktperson", exact=True).fill("Hanne Holm")
    page.get_by_label("Antal frivillige hver gang").fill("2")
    page.get_by_label("Faste tidspunkter").check()
    page.get_by_label("Dato", exact=True).fill(day.isoformat())
    page.get_by_label("Fra", exact=True).fill("10:00")
    page.get_by_label("Til", exact=True).fill("12:00")
    page.get_by_label("Hver uge").check()
    page.get_by_label("Hvor mange gange i alt").fill("3")
    page.get_by_role("button", name="Gem kladde og se forhåndsvisning").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    assert page.get_by_role("heading", name="Forhåndsvisning: sådan ser de frivillige opgaven").is_visible()
    assert "Ingen personlig pleje, ingen medicin." in page.locator("main").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Offentliggør opgaven").click()
    page.wait_for_load_state()
    assert "Opgaven er offentliggjort" in page.locator("main").inner_text()

    with app.app_context():
        task = db.session.scalar(select(Task).where(Task.title == TITLE))
        assert task.status == "open" and len(task.occurrences) == 3
        assert [to_local(o.starts_at).hour for o in task.occurrences] == [10, 10, 10]
    page.goto(f"{base}/opgaver/{task.id}")
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
