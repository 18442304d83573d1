"""Citizen budgets in the browser at 390 px, each phase by its role, by keyboard, checked with axe-core."""
import re

from sqlalchemy import select

from models import db
from models.budgets import CitizenBudget, Phase
from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import axe_violations, log_in

PHONE = {"width": 390, "height": 844}


def _fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def _check(page):
    assert axe_violations(page) == []
    assert _fits(page), page.url


def test_a_budget_through_its_phases_at_390_px(page, live_server):
    base, app = live_server
    page.set_viewport_size(PHONE)
    page.goto(base + "/borgerbudgetter")
    _check(page)

    # council member: a new knapsack budget for their council
    log_in(page, base, "lokalraad@samskab.dk", DEMO_PASSWORD)
    page.goto(base + "/borgerbudgetter/ny")
    _check(page)
    page.get_by_label("Titel", exact=True).fill("Borgerbudget i browseren")
    page.get_by_label("Pulje i kroner").fill("100000")
    page.get_by_label("Områdets postnumre").fill("2800")
    page.get_by_label("Stemmeseddel", exact=True).select_option("knapsack")
    page.get_by_role("button", name="Åbn for forslag").click()
    page.wait_for_load_state()
    assert "/styr" in page.url
    budget_id = int(re.search(r"/borgerbudgetter/(\d+)/styr", page.url).group(1))
    _check(page)
    page.context.clear_cookies()

    # citizen: a proposal without a cost is refused in Danish, with the typing kept
    log_in(page, base, "borger@samskab.dk", DEMO_PASSWORD)
    page.goto(f"{base}/borgerbudgetter/{budget_id}")
    _check(page)
    page.get_by_label("Titel", exact=True).fill("Bænk ved søen")
    page.get_by_label("Hvad skal laves, og for hvem?").fill("En bænk med udsigt.")
    page.get_by_role("button", name="Offentliggør forslaget").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    assert page.get_by_label("Titel", exact=True).input_value() == "Bænk ved søen"
    _check(page)
    page.get_by_label("Anslået pris i kroner").fill("60000")
    page.get_by_role("button", name="Offentliggør forslaget").click()
    page.wait_for_load_state()
    page.get_by_label("Titel", exact=True).fill("Lys på stien")
    page.get_by_label("Hvad skal laves, og for hvem?").fill("Lys om aftenen.")
    page.get_by_label("Anslået pris i kroner").fill("50000")
    page.get_by_role("button", name="Offentliggør forslaget").click()
    page.wait_for_load_state()
    page.context.clear_cookies()

    # council member: review both feasible, then open voting
    log_in(page, base, "lokalraad@samskab.dk", DEMO_PASSWORD)
    page.goto(f"{base}/borgerbudgetter/{budget_id}/styr")
    page.get_by_role("button", name="Gå videre til: Vurdering").click()
    page.wait_for_load_state()
    _check(page)
    for form in range(2):
        page.locator("main form[action$='/vurder']").nth(form).get_by_role("button", name="Gem vurderingen").click()
        page.wait_for_load_state()
    page.get_by_role("button", name="Gå videre til: Afstemning").click()
    page.wait_for_load_state()
    with app.app_context():
        assert db.session.get(CitizenBudget, budget_id).phase == Phase.VOTING
    page.context.clear_cookies()

    # citizen: vote by keyboard; the running total shows an over-pot choice, and the server refuses it
    log_in(page, base, "borger@samskab.dk", DEMO_PASSWORD)
    page.goto(f"{base}/borgerbudgetter/{budget_id}")
    _check(page)
    boxes = page.locator("input[name=projekt]")
    boxes.nth(0).focus()
    page.keyboard.press("Space")
    boxes.nth(1).focus()
    page.keyboard.press("Space")
    assert "110.000 kr af 100.000 kr" in page.locator("output[name=total]").inner_text()
    page.get_by_role("button", name="Afgiv min stemme").click()
    page.wait_for_load_state()
    assert "koster mere end puljen" in page.locator(".error-summary").inner_text()
    _check(page)
    page.locator("input[name=projekt]").nth(0).uncheck()
    page.get_by_role("button", name="Afgiv min stemme").click()
    page.wait_for_load_state()
    assert "Din stemme er gemt" in page.content()
    assert page.locator("input[name=projekt]:checked").count() == 1
    _check(page)
    page.context.clear_cookies()

    # coordinator: assisted ballot, close voting, publish; everyone sees the explained result
    log_in(page, base, "koordinator@samskab.dk", DEMO_PASSWORD)
    page.goto(f"{base}/borgerbudgetter/{budget_id}/medbetjening")
    _check(page)
    page.goto(f"{base}/borgerbudgetter/{budget_id}/styr")
    page.get_by_role("button", name="Gå videre til: Optælling").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Gå videre til: Resultat").click()
    page.wait_for_load_state()
    page.context.clear_cookies()
    page.goto(f"{base}/borgerbudgetter/{budget_id}/resultat")
    assert "Sådan blev resultatet fundet" in page.content()
    _check(page)


def test_the_demo_budgets_are_accessible_at_390_px(page, live_server):
    base, app = live_server
    page.set_viewport_size(PHONE)
    with app.app_context():
        budgets = list(db.session.scalars(select(CitizenBudget).order_by(CitizenBudget.id)))
        ids = [(b.id, b.phase) for b in budgets]
    for budget_id, phase in ids:
        page.goto(f"{base}/borgerbudgetter/{budget_id}")
        _check(page)
        if phase in Phase.PUBLISHED:
            page.goto(f"{base}/borgerbudgetter/{budget_id}/resultat")
            _check(page)


def test_plans_and_dialogue_meetings_at_390_px(page, live_server):
    from models import Council
    from models.plans import DialogueMeeting
    base, app = live_server
    page.set_viewport_size(PHONE)
    with app.app_context():
        council_id = db.session.scalar(select(Council.id).order_by(Council.id))
        meeting_id = db.session.scalar(select(DialogueMeeting.id).order_by(DialogueMeeting.starts_at))
    for url in (f"/udviklingsplaner/{council_id}", f"/udviklingsplaner/{council_id}/versioner/1", "/dialogmoeder",
                f"/dialogmoeder/{meeting_id}", "/kalender?visning=liste"):
        page.goto(base + url)
        _check(page)
    log_in(page, base, "lokalraad@samskab.dk", DEMO_PASSWORD)
    page.goto(f"{base}/udviklingsplaner/{council_id}/rediger")
    _check(page)
    page.get_by_label("Vision").fill("")
    page.get_by_role("button", name="Gem som en ny version").click()
    page.wait_for_load_state()
    assert "Skriv planens vision." in page.locator(".error-summary").inner_text()
    _check(page)
    page.context.clear_cookies()
    log_in(page, base, "koordinator@samskab.dk", DEMO_PASSWORD)
    page.goto(f"{base}/dialogmoeder/{meeting_id}")
    _check(page)
    page.goto(base + "/dialogmoeder")
    _check(page)
