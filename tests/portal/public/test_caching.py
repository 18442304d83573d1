"""The short-lived caches of the public pages: reused while nothing changed, never stale after our own writes."""
from __future__ import annotations

import re
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import update

from models import Occurrence, Role, Task, db, utcnow
from portal.public import views
from tests.portal.public.test_tasks import count_statements

READING = dict(title="Højtlæsning for børn", description="Læs højt af billedbøger for børnene i børnehaven.",
               skills_wanted="Glad for bøger og børn", volunteers_do="Læser højt for små grupper.")


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrf_token"([^>]*)value="[^"]*"', r'name="csrf_token"\1value=""', html)


def test_list_results_are_reused_until_this_process_writes(client, make):
    school = make.institution(name="Lyngby Skole")
    task = make.task(school, title="Lektiehjælp i biblioteket", capacity=2)
    make.task(school, title="Skolehaven")
    db.session.commit()
    first = client.get("/opgaver").get_data(as_text=True)
    assert "Lektiehjælp i biblioteket" in first and "2 ledige pladser" in first
    with count_statements() as again:
        # The CSRF token carries a timestamp: a second apart, it differs; the rest is the same page.
        assert _without_csrf(client.get("/opgaver").get_data(as_text=True)) == _without_csrf(first)
    assert again == []

    # Another query string is another result.
    assert "Skolehaven" not in client.get("/opgaver?q=lektie").get_data(as_text=True)

    # A change through the ORM and an atomic Core update (as sign-ups do) are both seen at once.
    task.title = "Lektiehjælp på skolen"
    db.session.commit()
    assert "Lektiehjælp på skolen" in client.get("/opgaver").get_data(as_text=True)
    db.session.execute(update(Occurrence).where(Occurrence.task_id == task.id).values(accepted_count=1))
    db.session.commit()
    assert "1 ledig plads" in client.get("/opgaver").get_data(as_text=True)

    # The language is part of the key.
    client.post("/sprog", data={"lang": "en", "next": "/opgaver"})
    assert "2 tasks found" in client.get("/opgaver").get_data(as_text=True)


def test_writes_by_other_processes_are_seen_after_the_cache_window(app, client, make, monkeypatch):
    task = make.task(make.institution(), title="Gammel titel")
    db.session.commit()
    assert "Gammel titel" in client.get("/opgaver").get_data(as_text=True)
    # Another process (a second gunicorn worker) changes the title behind this process's back.
    # (plain sqlite3, so none of this process's SQLAlchemy events see it).
    other = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    with other:
        other.execute(f"UPDATE {Task.__tablename__} SET title = 'Ny titel' WHERE id = ?", (task.id,))
    other.close()
    with count_statements() as cached:
        assert "Gammel titel" in client.get("/opgaver").get_data(as_text=True)
    assert cached == []
    seconds = app.config["TASK_LIST_CACHE_SECONDS"]
    later = utcnow() + timedelta(seconds=seconds + 1)
    monkeypatch.setattr(views, "utcnow", lambda: later)
    page = client.get("/opgaver").get_data(as_text=True)
    assert "Ny titel" in page and "Gammel titel" not in page


def test_the_cache_can_be_switched_off(app, client, make):
    app.config["TASK_LIST_CACHE_SECONDS"] = 0
    make.task(make.institution(), title="Opgaven")
    db.session.commit()
    client.get("/opgaver")
    with count_statements() as again:
        client.get("/opgaver")
    assert len(again) >= 1


def test_related_tasks_are_ranked_once_and_read_fresh(client, make):
    staff = make.user(Role.STAFF, email="leder@example.dk")
    inst = make.institution(staff=[staff])
    reading = make.task(inst, **READING)
    other = make.task(inst, **dict(READING, title="Oplæsning på biblioteket"))
    db.session.commit()
    with count_statements() as first:
        page = client.get(f"/opgaver/{reading.id}").get_data(as_text=True)
    assert "Oplæsning på biblioteket" in page.split('id="related-heading"')[-1]
    with count_statements() as again:
        # (The CSRF token carries a timestamp: across a second boundary it differs.)
        assert _without_csrf(client.get(f"/opgaver/{reading.id}").get_data(as_text=True)) == _without_csrf(page)
    # The task, its times and the related tasks themselves: the ranking's reads are not repeated.
    assert len(again) == 3 < len(first), again
    # A related task closed in this process disappears at once.
    db.session.execute(update(Task).where(Task.id == other.id).values(status="closed"))
    db.session.commit()
    assert 'id="related-heading"' not in client.get(f"/opgaver/{reading.id}").get_data(as_text=True)


def _a_real_sign_up_is_seen_at_once(client, make, login):
    task = make.task(make.institution(name="Lyngby Skole"), title="Lektiehjælp", capacity=2)
    person = make.user(Role.CITIZEN, name="Bente Borger")
    db.session.commit()
    login(person)
    assert "2 ledige pladser" in client.get("/opgaver").get_data(as_text=True)
    assert "2 ledige pladser" in client.get(f"/opgaver/{task.id}").get_data(as_text=True)
    response = client.post(f"/opgaver/{task.id}/tilmeld", data={"gang": str(task.occurrences[0].id)})
    assert response.status_code == 302
    assert "1 ledig plads" in client.get("/opgaver").get_data(as_text=True)


def test_a_real_sign_up_is_seen_at_once(client, make, login):
    _a_real_sign_up_is_seen_at_once(client, make, login)


@pytest.mark.postgres
def test_a_real_sign_up_is_seen_at_once_on_postgres(client, make, login):
    # PostgreSQL takes the place with an atomic conditional UPDATE … RETURNING.
    _a_real_sign_up_is_seen_at_once(client, make, login)


def test_the_whole_list_page_is_reused_for_visitors_who_are_not_logged_in(app, make):
    """Each visitor gets their own working CSRF token in the reused page; a logged-in person or a
    visitor with a message waiting gets a page of their own; a write shows at once."""
    from portal.public import cache
    from tests.conftest import sign_in

    app.config["WTF_CSRF_ENABLED"] = True
    school = make.institution(name="Lyngby Skole")
    task = make.task(school, title="Lektiehjælp i biblioteket")
    person = make.user(name="Birthe Borger")
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    page_one = first.get("/opgaver").get_data(as_text=True)
    from flask import template_rendered
    rendered = []
    record = lambda sender, template, context, **extra: rendered.append(template.name)  # noqa: E731
    template_rendered.connect(record, app)
    try:
        with count_statements() as again:
            page_two = second.get("/opgaver").get_data(as_text=True)
    finally:
        template_rendered.disconnect(record, app)
    assert again == [] and rendered == []  # the reused page: no query, no template rendered
    token = re.compile(r'name="csrf_token" value="([^"]+)"')
    one, two = token.findall(page_one), token.findall(page_two)
    assert one and two and one[0] != two[0]
    assert cache.CSRF_STAND_IN not in page_one + page_two
    assert _without_csrf(page_one) == _without_csrf(page_two)
    # The token in the reused page is the visitor's own: the language switch takes it, not another's.
    first.post("/sprog", data={"lang": "en", "csrf_token": two[0], "next": "/opgaver"})
    assert '<html lang="da">' in first.get("/opgaver").get_data(as_text=True)
    second.post("/sprog", data={"lang": "en", "csrf_token": two[0], "next": "/opgaver"})
    assert '<html lang="en">' in second.get("/opgaver").get_data(as_text=True)

    # A message waiting for the visitor is shown (a page of its own).
    with first.session_transaction() as state:
        state["_flashes"] = [("success", "Vi har modtaget din besked.")]
    assert "Vi har modtaget din besked." in first.get("/opgaver").get_data(as_text=True)
    # Logged in: the person's own page, with their name.
    app.config["WTF_CSRF_ENABLED"] = False
    sign_in(first, person)
    assert "Birthe Borger" in first.get("/opgaver").get_data(as_text=True)
    # A write is seen at once by the next visitor.
    task.title = "Lektiehjælp på skolen"
    db.session.commit()
    assert "Lektiehjælp på skolen" in app.test_client().get("/opgaver").get_data(as_text=True)
