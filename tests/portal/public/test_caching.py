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


@pytest.fixture(autouse=True)
def _one_cache_window(monkeypatch):
    """The pages of a test are all asked for at one moment: a cache window's end falling between two of
    its requests (rare, likelier on a busy machine) would make an entry anew and fail a statement count."""
    moment = utcnow()
    monkeypatch.setattr(views, "utcnow", lambda: moment)


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


# --- sign-ups do not make the pages anew (issue 13: the load's sign-ups made every list page anew) ---

@pytest.mark.parametrize("statement, kind", [
    ("UPDATE occurrence SET accepted_count=(occurrence.accepted_count + %(a)s::INTEGER) WHERE occurrence.id = 1",
     "places"),
    ("UPDATE occurrence SET accepted_count=? WHERE occurrence.id = ? RETURNING occurrence.id", "places"),
    ("UPDATE occurrence SET accepted_count=?, capacity=? WHERE occurrence.id = ?", "content"),
    ("UPDATE occurrence SET cancelled=? WHERE occurrence.id = ?", "content"),
    ("UPDATE occurrence SET accepted_count=(SELECT count(*) FROM signup WHERE signup.occurrence_id = 1), "
     "capacity=? WHERE occurrence.id = 1", "content"),  # a subquery could hide the end of the SET clause
    ("INSERT INTO signup (occurrence_id, user_id) VALUES (?, ?)", "places"),
    ("DELETE FROM signup WHERE signup.id = ?", "places"),
    ("UPDATE team_signup SET held=(team_signup.held - ?) WHERE team_signup.id = ? AND team_signup.held > ?",
     "places"),  # a member's sign-up using a place the team holds
    ("UPDATE task SET title=? WHERE task.id = ?", "content"),
    ('UPDATE "user" SET name=? WHERE "user".id = ?', "content"),
    ("INSERT INTO outbox_message (kind) VALUES (?)", None),
    ("UPDATE flow_count SET count=(flow_count.count + ?) WHERE flow_count.day = ?", None),
    ("WITH moved AS (SELECT 1) UPDATE task SET title = 'x'", "content"),  # not recognised: content
])
def test_writes_are_told_apart(statement, kind):
    from portal.public import cache
    assert cache.kind_of_write(statement) == kind


def _spots_dd(page: str, title: str) -> str:
    card = page.split(f">{title}</a>", 1)[1]
    return card[card.index("<dd>", card.index("Ledige pladser") if "Ledige pladser" in card else 0):].split("</dd>")[1]


def _about_the_page(statements: list[str]) -> list[str]:
    return [s for s in statements if "FROM user_role" not in s and "FROM user " not in s.replace("\n", " ")]


def test_after_a_sign_up_the_list_is_reused_with_its_free_places_read_again(client, make, login):
    school = make.institution(name="Lyngby Skole")
    task = make.task(school, title="Lektiehjælp", capacity=2)
    make.task(school, title="Skolehaven", capacity=4)
    person = make.user(Role.CITIZEN, name="Bente Borger")
    db.session.commit()
    login(person)
    first = client.get("/opgaver").get_data(as_text=True)
    assert "2 ledige pladser" in first and "4 ledige pladser" in first
    assert client.post(f"/opgaver/{task.id}/tilmeld", data={"gang": str(task.occurrences[0].id)}).status_code == 302
    with count_statements() as after:
        page = client.get("/opgaver").get_data(as_text=True)
    # Besides the person: the free places of the page's tasks, no more (the search, the form and the cards
    # are reused).
    after = _about_the_page(after)
    assert len(after) == 1 and "sum(occurrence.capacity - occurrence.accepted_count)" in after[0], after
    assert "1 ledig plads" in page and "4 ledige pladser" in page and "2 ledige pladser" not in page
    with count_statements() as again:
        assert "1 ledig plads" in client.get("/opgaver").get_data(as_text=True)
    assert _about_the_page(again) == []  # the figures read after the sign-up are kept
    # Full: the badge says so, and the waiting list is open.
    db.session.execute(update(Occurrence).where(Occurrence.task_id == task.id).values(accepted_count=2))
    db.session.commit()
    assert "Fuldt – ventelisten er åben" in client.get("/opgaver").get_data(as_text=True)
    # The visitor's page (reused whole) shows the same figures.
    assert "Fuldt – ventelisten er åben" in client.application.test_client().get("/opgaver").get_data(as_text=True)


def test_a_list_sorted_or_filtered_by_free_places_is_made_anew_after_a_sign_up(client, make):
    school = make.institution(name="Lyngby Skole")
    few = make.task(school, title="Lektiehjælp", capacity=3)
    make.task(school, title="Skolehaven", capacity=2)
    db.session.commit()
    page = client.get("/opgaver?sort=spots").get_data(as_text=True)
    assert page.index("Lektiehjælp") < page.index("Skolehaven")
    assert "Lektiehjælp" in client.get("/opgaver?spots_left=y").get_data(as_text=True)
    db.session.execute(update(Occurrence).where(Occurrence.task_id == few.id).values(accepted_count=3))
    db.session.commit()
    page = client.get("/opgaver?sort=spots").get_data(as_text=True)
    assert page.index("Skolehaven") < page.index("Lektiehjælp")
    assert "Lektiehjælp" not in client.get("/opgaver?spots_left=y").get_data(as_text=True)


def test_quiet_writes_keep_the_pages(client, make):
    from models import OutboxMessage
    make.task(make.institution(), title="Lektiehjælp")
    db.session.commit()
    client.get("/opgaver")
    db.session.add(OutboxMessage(dedup_key="k1", kind="signup_accepted", recipient="a@example.dk", subject="Hej",
                                 body_text="Hej"))
    db.session.commit()
    with count_statements() as again:
        client.get("/opgaver")
    assert again == []


def test_a_related_task_that_fills_up_drops_out_without_ranking_again(client, make):
    inst = make.institution()
    reading = make.task(inst, **READING)
    other = make.task(inst, **dict(READING, title="Oplæsning på biblioteket"), capacity=1)
    db.session.commit()
    assert "Oplæsning på biblioteket" in client.get(f"/opgaver/{reading.id}").get_data(as_text=True)
    url = f"/opgaver/{reading.id}"
    db.session.execute(update(Occurrence).where(Occurrence.task_id == other.id).values(accepted_count=1))
    db.session.commit()
    with count_statements() as again:
        page = client.get(url).get_data(as_text=True)
    assert 'id="related-heading"' not in page
    assert len(again) == 3, "\n".join(s[:200] for s in again)  # the task, its times, the related tasks: no ranking
    # Free again: back at once.
    db.session.execute(update(Occurrence).where(Occurrence.task_id == other.id).values(accepted_count=0))
    db.session.commit()
    assert "Oplæsning på biblioteket" in client.get(f"/opgaver/{reading.id}").get_data(as_text=True)


def test_the_front_page_figures_follow_content_not_sign_ups(client, make):
    school = make.institution(name="Lyngby Skole")
    task = make.task(school, title="Lektiehjælp")
    db.session.commit()
    assert "<strong>1</strong> åben opgave" in client.get("/").get_data(as_text=True)
    db.session.execute(update(Occurrence).where(Occurrence.task_id == task.id).values(accepted_count=1))
    db.session.commit()
    with count_statements() as again:
        client.get("/")
    assert again == []  # a sign-up's write: the figures are kept
    make.task(school, title="Skolehaven")
    db.session.commit()
    assert "<strong>2</strong> åbne opgaver" in client.get("/").get_data(as_text=True)


def test_typed_or_stored_text_cannot_forge_the_stand_ins(app, make):
    from portal.public import cache
    task = make.task(make.institution(name="Skole <!--samskab:spots:1-->"), title="Lektiehjælp", capacity=2)
    db.session.commit()
    forged = f"<!--samskab:spots:{task.id}--> {cache.CSRF_STAND_IN} {cache.CONTENT_STAND_IN}"
    for client in (app.test_client(), app.test_client()):  # made, then reused
        page = client.get("/opgaver", query_string={"q": forged}).get_data(as_text=True)
        assert 'value="&lt;!--samskab:spots:' in page and cache.CSRF_STAND_IN in page
        assert page.count("<!--samskab") == 0
        listed = client.get("/opgaver").get_data(as_text=True)
        assert "Skole &lt;!--samskab:spots:1--&gt;" in listed and listed.count("badge ok") == 1


def test_related_tasks_fill_up_from_the_free_ones_when_the_spares_are_full(client, make):
    from portal import suggestions
    inst = make.institution()
    reading = make.task(inst, **READING)
    full = [make.task(inst, **dict(READING, title=f"Højtlæsning for børn {i}"), capacity=1)
            for i in range(suggestions.RELATED_SHOWN + suggestions.RELATED_SPARE)]
    free = make.task(inst, **dict(READING, title="Oplæsning i læsecaféen",
                                  description="Læs historier højt for en gruppe børn."))
    db.session.commit()
    db.session.execute(update(Occurrence).where(Occurrence.task_id.in_([t.id for t in full])).values(accepted_count=1))
    db.session.commit()
    page = client.get(f"/opgaver/{reading.id}").get_data(as_text=True)
    related = page.split('id="related-heading"')[-1]
    assert "Oplæsning i læsecaféen" in related
    assert not any(f"Højtlæsning for børn {i}<" in related for i in range(len(full)))
    assert [s.task.id for s in suggestions.related_tasks(reading)] == [free.id]


@pytest.mark.parametrize("path, after, reused", [
    ("citizen gives the place back", "3 ledige pladser", True),
    ("coordinator signs a second person up (assisted)", "1 ledig plads", True),
    ("coordinator gives the place back for them", "3 ledige pladser", True),
    ("the person erases their account", "3 ledige pladser", False),  # erasure writes content too
    ("staff raise the places", "3 ledige pladser", False),  # 4 places, 1 taken
])
def test_every_path_that_moves_places_shows_on_the_reused_list_at_once(client, make, path, after, reused):
    from portal.privacy.erasure import withdraw_and_erase
    from models.task_operations import _set_capacity, cancel_signup, sign_up
    coordinator = make.user(Role.COORDINATOR, email="koordinator@example.dk")
    task = make.task(make.institution(name="Lyngby Skole"), title="Lektiehjælp", capacity=3)
    person, other = make.user(Role.CITIZEN, name="Bente Borger"), make.user(Role.CITIZEN, name="Ole Olsen")
    db.session.commit()
    signup = sign_up(task.occurrences[0], volunteer=person, actor=person, now=utcnow()).signup
    db.session.commit()
    assert "2 ledige pladser" in client.get("/opgaver").get_data(as_text=True)
    if path == "citizen gives the place back":
        cancel_signup(signup, actor=person, now=utcnow())
    elif path.startswith("coordinator signs"):
        sign_up(task.occurrences[0], volunteer=other, actor=coordinator, now=utcnow())
    elif path.startswith("coordinator gives"):
        cancel_signup(signup, actor=coordinator, now=utcnow(), reason="Ringede og meldte afbud")
    elif path.startswith("the person erases"):
        withdraw_and_erase(person, now=utcnow())  # as /mig/slet does
    else:
        _set_capacity(task, 4, now=utcnow())
    db.session.commit()
    with count_statements() as seen:
        page = client.get("/opgaver").get_data(as_text=True)
    assert after in page, re.findall(r"badge[^<]*</span>", page)
    # A place given back or taken costs one statement for the figures; content makes the list anew (the
    # search, with its window count).
    searched = any("OVER ()" in statement for statement in seen)
    assert searched is not reused and len(seen) == 1, seen


def test_the_entries_of_a_cache_do_not_all_run_out_at_once():
    """Found by `make load`: windows aligned on the clock made every worker remake every list in the same
    second. Each key's window starts at its own moment; none lasts longer than `seconds`."""
    from datetime import datetime, timezone

    from portal.public import cache
    timed = cache.TimedCache()
    made = []
    start = datetime(2026, 12, 7, 12, 0, 0, tzinfo=timezone.utc)

    def at(moment, key):
        return timed.get_or_make(key, lambda: made.append(key) or key, now=moment, seconds=10)

    keys = [f"/opgaver?side={n}" for n in range(40)]
    for key in keys:
        at(start, key)
    made.clear()
    for key in keys:
        at(start + timedelta(seconds=5), key)
    assert 0 < len(made) < len(keys)  # some windows ended within 5 s, not all
    remade_by_5 = set(made)
    made.clear()
    for key in keys:
        at(start + timedelta(seconds=10.001), key)
    assert set(keys) - remade_by_5 <= set(made)  # no entry outlives its 10 s
    made.clear()
    for key in keys:
        at(start + timedelta(seconds=20.002), key)
    assert sorted(made) == sorted(keys)
