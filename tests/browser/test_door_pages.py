"""The pages the rules show in a real browser, checked with axe: why staff cannot accept, "Jeg kommer" beside
the attendance list, and what an idea's initiator and its sparring agent see of the people who fit."""
from sqlalchemy import select

from models import Idea, Signup, SignupStatus, Task, User, db
from portal.demo import DEMO_PASSWORD
from portal.scheduler.reminders import answer_token
from tests.browser.conftest import axe_violations, log_in


def test_staff_see_why_a_sign_up_waits_and_who_said_they_are_coming(page, live_server):
    base, app = live_server
    with app.app_context():
        waiting = db.session.scalar(select(Signup).where(Signup.status == SignupStatus.PENDING))
        task_id = waiting.occurrence.task_id
        wheelchairs = db.session.scalar(select(Task).where(Task.title.startswith("Kørestolsteamet")))
        past = wheelchairs.occurrences[0].id
    log_in(page, base, "institution@samskab.dk", DEMO_PASSWORD)
    page.goto(f"{base}/institution/opgaver/{task_id}")
    main = page.locator("main").inner_text()
    assert "kan ikke godkendes endnu" in main and "frivilligkoordinatoren" in main
    assert page.get_by_role("button", name="Godkend Poul").count() == 0
    assert axe_violations(page) == []
    page.goto(f"{base}/institution/gange/{past}/fremmoede")
    assert page.get_by_role("columnheader", name="Svar på påmindelsen").count() == 1
    assert axe_violations(page) == []


def test_the_jeg_kommer_page_is_accessible(page, live_server):
    base, app = live_server
    with app.app_context():
        citizen = db.session.scalar(select(User).where(User.email == "borger@samskab.dk"))
        confirmed = db.session.scalar(select(Signup).where(Signup.user_id == citizen.id,
                                                           Signup.confirmed_at.is_not(None)))
        token = answer_token(confirmed)
    page.goto(f"{base}/vagt/{token}")
    assert "fortalte os" in page.locator("main").inner_text()
    assert axe_violations(page) == []


def test_the_initiator_sees_how_many_fit_and_the_agent_who(page, live_server):
    base, app = live_server
    with app.app_context():
        citizen = db.session.scalar(select(User).where(User.email == "borger@samskab.dk"))
        idea_id = db.session.scalar(select(Idea.id).where(Idea.initiator_id == citizen.id))
    log_in(page, base, "borger@samskab.dk", DEMO_PASSWORD)
    page.goto(f"{base}/ideer/{idea_id}")
    assert "hvis evner passer" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Bed sparringsagenten invitere dem").click()
    page.wait_for_load_state()
    assert "Sparringsagenten er bedt om" in page.locator(".flashes").inner_text()
    page.context.clear_cookies()
    log_in(page, base, "koordinator@samskab.dk", DEMO_PASSWORD)
    page.goto(f"{base}/ideer/{idea_id}")
    assert page.locator("form[action*='/inviter/'] button").count() >= 1
    assert axe_violations(page) == []
