"""The coordinators' start page: links to all their work and live counts, one query each."""
from datetime import timedelta

import pytest
from sqlalchemy import event

from models import ContentReport, Role, db, utcnow
from portal.coordinators.views import start_figures

LINKS = ("/koordinator/profiler", "/koordinator/afventer", "/koordinator/ring-til", "/koordinator/medbetjening",
         "/koordinator/overblik", "/koordinator/eksport", "/ideer/svartider", "/ideer/moderering", "/beskeder")


def build_world(make):
    """Two of each count that must be counted, next to rows that must not be."""
    now = utcnow()
    coordinator = make.user(Role.COORDINATOR, name="Sanne Sparring")
    # Profiles: two new ones count; approved, declined and a deleted user's new profile do not.
    for status in ("new", "new", "approved", "declined"):
        make.profile(make.user(), review_status=status)
    make.profile(make.user(deleted_at=now), review_status="new")
    # Sign-ups: two pending on live times count; pending on a cancelled time and accepted ones do not.
    inst = make.institution()
    task = make.task(inst, capacity=10, occurrences=2)
    live, cancelled = task.occurrences
    cancelled.cancelled = True
    phoneless = make.user(name="Uden Mail")
    phoneless.email = None
    make.signup_record(live, phoneless, status="pending")
    make.signup_record(live, make.user(), status="pending")
    make.signup_record(cancelled, make.user(), status="pending")
    make.signup_record(live, make.user(), status="accepted")
    # The phoneless volunteer also holds a place on a second task starting soon: still one person to phone.
    make.signup_record(make.task(inst, starts_at=now + timedelta(days=1)).occurrences[0], phoneless)
    make.task(inst, status="closed")
    # Ideas: two past their deadline count; answered, hidden, closed, not yet due and no deadline do not.
    citizen = make.user()
    past = now - timedelta(days=1)
    make.idea(citizen, answer_due_at=past)
    make.idea(citizen, answer_due_at=past, status="in_dialogue")
    make.idea(citizen, answer_due_at=past, first_answer_at=past - timedelta(days=1), status="can_go_ahead")
    hidden = make.idea(citizen, answer_due_at=past, hidden=True)
    make.idea(citizen, answer_due_at=past, status="closed")
    make.idea(citizen, answer_due_at=now + timedelta(days=2))
    make.idea(citizen)
    # Reports: two reported items are open (one reported twice); a resolved report does not count.
    for kind, target in (("idea", hidden.id), ("idea", hidden.id), ("comment", 99)):
        db.session.add(ContentReport(target_kind=kind, target_id=target, reporter_id=citizen.id, reason="Grimt"))
    db.session.add(ContentReport(target_kind="update", target_id=7, reporter_id=citizen.id, reason="Spam",
                                 resolved_at=now, resolved_by_id=coordinator.id))
    db.session.commit()
    return coordinator


def _count_selects(run):
    statements = []

    def listen(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        result = run()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return result, statements


def check_figures(make):
    build_world(make)
    figures, statements = _count_selects(lambda: start_figures(utcnow()))
    assert figures == {"profiles_to_review": 2, "pending_signups": 2, "to_phone": 1, "ideas_overdue": 2,
                       "open_reports": 2, "open_tasks": 2}
    assert len(statements) == len(figures)  # one count query each, whatever the amount of data


def test_the_counts_on_constructed_data(app, make):
    check_figures(make)


@pytest.mark.postgres
def test_the_counts_on_postgresql(app, make):
    check_figures(make)


def test_the_start_page_links_to_all_coordinators_have(client, login, make):
    coordinator = build_world(make)
    login(coordinator)
    response = client.get("/koordinator/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for link in LINKS:
        assert f'href="{link}"' in page, link
    figures = page.split('id="attention-heading"')[1].split("</section>")[0]
    assert "<strong>2</strong> <a href=\"/ideer/svartider\">idéer, der har overskredet svarfristen" in figures
    assert "<strong>2</strong> <a href=\"/ideer/moderering\">anmeldte indlæg" in figures
    for link in LINKS:
        assert client.get(link).status_code == 200, link  # every link works for a coordinator
