"""An idea from submission to co-creation in a real browser, with axe-core on every idea page."""
from models import Role, db
from tests import factories
from tests.browser.conftest import axe_violations, log_in


def _people(app):
    with app.app_context():
        people = {
            "initiator": factories.user(Role.CITIZEN, name="Ida Idémager", email="ida.browser@example.dk"),
            "joiner": factories.user(Role.CITIZEN, name="Jonas Medskaber", email="jonas.browser@example.dk"),
            "agent": factories.user(Role.COORDINATOR, name="Sofie Sparring", email="sofie.browser@example.dk"),
        }
        db.session.commit()
        emails = {key: user.email for key, user in people.items()}
        db.session.remove()
    return emails


def _as(browser, base, email):
    context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, base, email, factories.PASSWORD)
    return context, page


def _clean(page, where):
    violations = axe_violations(page)
    assert violations == [], f"{where}: {violations}"


def test_submit_answer_join_and_see_the_co_creator(browser, live_server):
    base, app = live_server
    emails = _people(app)

    # A citizen proposes an idea.
    context, page = _as(browser, base, emails["initiator"])
    page.goto(base + "/ideer/")
    _clean(page, "idea list")
    page.get_by_role("link", name="Foreslå en idé").first.click()
    _clean(page, "idea form")
    page.get_by_label("Titel").fill("Bytteskab for værktøj")
    page.get_by_label("Hvad er din idé?").fill("Et aflåst skab ved medborgerhuset, hvor naboer låner værktøj af hinanden.")
    page.get_by_label("Hvad kan du selv gøre?").fill("Jeg kan bygge skabet og passe nøglerne.")
    page.get_by_label("Tema").select_option("community")
    page.get_by_role("button", name="Send idéen").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1, name="Bytteskab for værktøj").is_visible()
    assert page.get_by_text("Idéen er modtaget.").is_visible()
    idea_url = page.url
    _clean(page, "idea page (initiator)")
    context.close()

    # The sparring agent answers "can go ahead": next step, who and when.
    context, page = _as(browser, base, emails["agent"])
    page.goto(idea_url)
    _clean(page, "idea page (sparring agent)")
    page.get_by_label("Svar", exact=True).select_option("can_go_ahead")
    page.get_by_label("Næste skridt").fill("Vi finder en plads til skabet sammen")
    page.get_by_label("Hvem gør det").fill("Sofie fra Frivilligcenteret")
    page.get_by_label("Hvornår", exact=True).fill("Torsdag i næste uge")
    page.get_by_role("button", name="Send svaret").click()
    page.wait_for_load_state()
    assert page.get_by_text("Dit svar står på idéens tidslinje").is_visible()
    page.goto(base + "/ideer/svartider")
    _clean(page, "answer times")
    page.goto(base + "/ideer/moderering")
    _clean(page, "moderation queue")
    context.close()

    # A second citizen joins as co-creator, saying what they offer.
    context, page = _as(browser, base, emails["joiner"])
    page.goto(idea_url)
    assert page.get_by_text("Kan gå videre").first.is_visible()
    page.get_by_label("Jeg vil være med: det kan jeg bidrage med").fill("Jeg har en boremaskine og en stige")
    page.get_by_role("button", name="Vær med som medskaber").click()
    page.wait_for_load_state()
    assert page.get_by_text("Du er med i idéen").is_visible()
    _clean(page, "idea page (co-creator)")
    page.get_by_role("link", name="Anmeld idéen").click()
    page.wait_for_load_state()
    _clean(page, "report form")
    page.get_by_label("Hvad er galt?").fill("Der står et telefonnummer i teksten")
    page.get_by_role("button", name="Send anmeldelsen").click()
    page.wait_for_load_state()
    context.close()

    # The initiator sees who joined and what they offer.
    context, page = _as(browser, base, emails["initiator"])
    page.goto(idea_url)
    people = page.get_by_role("list", name="Hvem er med")
    assert people.get_by_text("Jonas Medskaber", exact=True).is_visible()
    assert people.get_by_text("Jeg har en boremaskine og en stige").is_visible()
    assert page.get_by_text("Sofie fra Frivilligcenteret").first.is_visible()
    _clean(page, "idea page with co-creators")
    page.goto(base + "/ideer/mine")
    assert page.get_by_role("link", name="Bytteskab for værktøj").is_visible()
    _clean(page, "my ideas")
    page.goto(base + "/mig/")
    ideas = page.locator("section", has=page.get_by_role("heading", name="Mine idéer"))
    assert ideas.get_by_role("link", name="Bytteskab for værktøj").is_visible()
    _clean(page, "my page with ideas")
    context.close()

    # A coordinator hides the reported idea with a reason; the initiator sees the reason.
    context, page = _as(browser, base, emails["agent"])
    page.goto(base + "/ideer/moderering")
    report = page.get_by_role("listitem").filter(has_text="Der står et telefonnummer i teksten")
    _clean(page, "moderation queue with a report")
    report.get_by_label("Afgørelse").select_option("hide")
    report.get_by_label("Begrundelse (vises for forfatteren)").fill("Fjern venligst telefonnummeret")
    report.get_by_role("button", name="Gem afgørelsen").click()
    page.wait_for_load_state()
    assert page.get_by_text("Afgørelsen er gemt.").is_visible()
    context.close()
    context, page = _as(browser, base, emails["initiator"])
    page.goto(idea_url)
    assert page.get_by_text("Fjern venligst telefonnummeret").first.is_visible()
    _clean(page, "hidden idea, seen by its initiator")
    context.close()
