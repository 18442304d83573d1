"""The citizen's own page (/mig/): coming tasks and events, ideas, co-created ideas and followed projects."""
from __future__ import annotations

import html
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event, select

from models import EventSignup, ProjectFollower, Role, db, utcnow
from portal.citizens.overview import SHOWN


@contextmanager
def counted_statements():
    """Count the SQL statements the application sends while the block runs."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)


def _page(client) -> str:
    response = client.get("/mig/")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _take_part(make, person, n: int, tag: str):
    """Give `person` n of everything the overview shows, with titles carrying `tag`; every row has its own
    institution, host and council, so a lazy load per row would show in the statement count."""
    for i in range(n):
        task = make.task(make.institution(name=f"Skole {tag} {i}"), title=f"Opgave {tag} {i}",
                         starts_at=utcnow() + timedelta(days=2 + i))
        make.signup_record(task.occurrences[0], person)
        host = make.institution(name=f"Vært {tag} {i}") if i % 2 else None
        event = make.event(council=None if host else make.council(name=f"Værtsråd {tag} {i}"), institution=host,
                           title=f"Møde {tag} {i}")
        db.session.add(EventSignup(event_id=event.id, user_id=person.id))
        make.idea(person, title=f"Min idé {tag} {i}")
        make.co_creator(make.idea(make.user(), title=f"Fælles idé {tag} {i}"), person)
        project = make.project(make.council(name=f"Lokalråd {tag} {i}"), title=f"Projekt {tag} {i}")
        db.session.add(ProjectFollower(project_id=project.id, user_id=person.id))
    db.session.commit()


def test_the_page_shows_everything_the_citizen_takes_part_in(client, citizen, make, school):
    council = make.council(name="Lyngby Lokalråd")
    coming = make.task(school, title="Lektiehjælp", starts_at=utcnow() + timedelta(days=2))
    make.signup_record(coming.occurrences[0], citizen)
    waiting = make.task(school, title="Havedag", starts_at=utcnow() + timedelta(days=4))
    make.signup_record(waiting.occurrences[0], citizen, status="waitlisted")
    past = make.task(school, title="Gammel opgave", starts_at=utcnow() - timedelta(days=4))
    make.signup_record(past.occurrences[0], citizen)
    dropped = make.task(school, title="Droppet opgave", starts_at=utcnow() + timedelta(days=5))
    make.signup_record(dropped.occurrences[0], citizen, status="cancelled")
    meeting = make.event(council=council, title="Temamøde om torvet", place="Rådhuset")
    left = make.event(council=council, title="Afmeldt møde")
    gone = make.event(council=council, title="Overstået møde", starts_at=utcnow() - timedelta(days=3))
    db.session.add_all([EventSignup(event_id=meeting.id, user_id=citizen.id),
                        EventSignup(event_id=left.id, user_id=citizen.id, cancelled=True),
                        EventSignup(event_id=gone.id, user_id=citizen.id)])
    mine = make.idea(citizen, title="Bogbytte i parken")
    other = make.user(name="Ole Andersen")
    joined = make.idea(other, title="Fælles drivhus")
    make.co_creator(joined, citizen, co_owner=True)
    project = make.project(council, title="Grønt torv", progress=40)
    db.session.add(ProjectFollower(project_id=project.id, user_id=citizen.id))
    db.session.commit()

    page = _page(client)
    for shown in ("Lektiehjælp", "Godkendt", "Havedag", "Venteliste", "Temamøde om torvet", "Rådhuset",
                  "Bogbytte i parken", "Fælles drivhus", "Medejer", "Grønt torv", "Lyngby Lokalråd", "40 % færdigt"):
        assert shown in page, shown
    for hidden in ("Gammel opgave", "Droppet opgave", "Afmeldt møde", "Overstået møde"):
        assert hidden not in page, hidden
    for link in (f"/opgaver/{coming.id}", f"/kalender/{meeting.id}", f"/kalender/{meeting.id}/arrangement.ics",
                 f"/kalender/{meeting.id}/afmeld", f"/ideer/{mine.id}", f"/ideer/{joined.id}",
                 f"/projekter/{project.id}", "/mine-opgaver", "/ideer/mine"):
        assert f'"{link}"' in page, link


def test_an_empty_page_points_to_where_to_begin(client, citizen):
    page = _page(client)
    for hint in ("Du har ingen kommende opgaver.", "/opgaver", "/kalender", "/ideer/ny", "/projekter"):
        assert hint in page, hint


def test_a_citizen_sees_only_their_own(client, citizen, make):
    _take_part(make, citizen, 1, "Bentes")
    _take_part(make, make.user(Role.CITIZEN, name="Anden Borger"), 1, "Andens")
    page = _page(client)
    assert page.count("Bentes") >= 5
    assert "Andens" not in page


def test_long_lists_are_cut_with_a_link_to_the_full_page(client, citizen, make):
    _take_part(make, citizen, SHOWN + 2, "mange")
    page = _page(client)
    assert "Se alle dine opgaver under Mine opgaver" in page
    assert sum(f"Opgave mange {i}<" in page for i in range(SHOWN + 2)) == SHOWN
    assert sum(f"Min idé mange {i}<" in page for i in range(SHOWN + 2)) == SHOWN
    assert sum(f"Møde mange {i}<" in page for i in range(SHOWN + 2)) == SHOWN + 2  # no other page lists them


def test_the_number_of_queries_does_not_grow_with_the_rows(client, citizen, make):
    _same_statements_for_more_rows(client, citizen, make)


@pytest.mark.postgres
def test_the_overview_on_postgresql(client, citizen, make):
    _same_statements_for_more_rows(client, citizen, make)


def _same_statements_for_more_rows(client, citizen, make):
    _take_part(make, citizen, 1, "en")
    with counted_statements() as one:
        _page(client)
    _take_part(make, citizen, 4, "flere")
    with counted_statements() as more:
        page = _page(client)
    assert "Opgave flere 3" in page and "Projekt flere 3" in page
    assert len(more) == len(one), (len(one), len(more))


def test_cancelling_an_event_from_the_page_comes_back_to_it(client, citizen, make):
    meeting = make.event(council=make.council(), title="Borgermøde", capacity=10, attendee_count=1)
    signup = EventSignup(event_id=meeting.id, user_id=citizen.id)
    db.session.add(signup)
    db.session.commit()
    response = client.post(f"/kalender/{meeting.id}/afmeld", data={"next": "/mig/"})
    assert response.status_code == 302 and response.location.endswith("/mig/")
    db.session.expire_all()
    assert db.session.scalar(select(EventSignup.cancelled).where(EventSignup.id == signup.id))
    assert "Borgermøde" not in _page(client)
    # an address elsewhere is not followed
    again = make.event(council=make.council(), title="Nyt møde")
    db.session.add(EventSignup(event_id=again.id, user_id=citizen.id))
    db.session.commit()
    response = client.post(f"/kalender/{again.id}/afmeld", data={"next": "https://evil.example/"})
    assert response.location.endswith(f"/kalender/{again.id}")
