"""Breadth on every task (issue 15, part B 5): five flags set in the editor, shown on the task, filtered on
the task list, used by suggestions and counted on the overview and in its CSV."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from models import Role, Task, db, utcnow
from models.tasks import BREADTH_FLAGS
from portal import suggestions
from tests.conftest import sign_in
from tests.factories import aware

LABELS = {"no_danish_needed": "Ingen danskkundskaber nødvendige", "wheelchair_accessible": "Kørestolsvenlig",
          "good_first_task": "God første opgave", "for_under_18": "For unge under 18",
          "from_home": "Kan gøres hjemmefra"}


def test_staff_sets_the_flags_in_the_editor_and_the_task_page_shows_them(client, make):
    staff = make.user(Role.STAFF)
    school = make.institution(staff=[staff])
    db.session.commit()
    sign_in(client, staff)
    page = client.get("/institution/opgaver/ny").get_data(as_text=True)
    for label in LABELS.values():
        assert label in page
    day = (utcnow() + timedelta(days=20)).date()
    data = {"institution_id": str(school.id), "title": "Sortér tøj", "description": "Vi sorterer tøj til genbrug.",
            "volunteers_do": "Sorterer.", "volunteers_do_not": "Ingen tunge løft.", "place": "Hallen",
            "postcode": "2800", "contact_name": "Kim", "contact_email": "kim@example.dk",
            "compensation_note": "Ingen", "insurance_note": "Kommunen dækker.", "capacity": "4",
            "kind": "fixed", "date": day.isoformat(), "start_time": "10:00", "end_time": "12:00",
            "recurrence": "none", "repeat_count": "1", "no_danish_needed": "y", "wheelchair_accessible": "y"}
    assert client.post("/institution/opgaver/ny", data=data).status_code == 302
    task = db.session.scalar(select(Task).where(Task.title == "Sortér tøj"))
    assert task.breadth == ["no_danish_needed", "wheelchair_accessible"]
    task.status = "open"
    db.session.commit()
    edit = client.get(f"/institution/opgaver/{task.id}/rediger").get_data(as_text=True)
    assert 'id="no_danish_needed" name="no_danish_needed" type="checkbox" value="y"' in edit or \
        ('name="no_danish_needed"' in edit and "checked" in edit.split('name="no_danish_needed"')[0][-200:]
         + edit.split('name="no_danish_needed"')[1][:60])
    public = client.get(f"/opgaver/{task.id}").get_data(as_text=True)
    assert "Ingen danskkundskaber nødvendige" in public and "Kørestolsvenlig" in public
    assert "Kan gøres hjemmefra" not in public


def test_the_task_list_filters_on_each_flag(client, make):
    school = make.institution()
    flagged = {flag: make.task(school, title=f"Opgave med {flag}", **{flag: True}) for flag in BREADTH_FLAGS}
    plain = make.task(school, title="Opgave uden noget")
    db.session.commit()
    page = client.get("/opgaver").get_data(as_text=True)
    assert plain.title in page and 'name="breadth"' in page
    for flag, task in flagged.items():
        page = client.get(f"/opgaver?breadth={flag}").get_data(as_text=True)
        assert task.title in page and plain.title not in page
        assert all(other.title not in page for name, other in flagged.items() if name != flag)
    both = client.get("/opgaver?breadth=from_home&breadth=for_under_18").get_data(as_text=True)
    assert "1 opgave fundet" in both or "0 opgaver fundet" in both
    assert client.get("/opgaver?breadth=nonsense").status_code == 200


def test_suggestions_lift_tasks_open_to_the_person_and_say_why(app, make):
    school = make.institution()
    text = dict(description="Læs højt af billedbøger for børnene.", skills_wanted="Glad for bøger og børn",
                volunteers_do="Læser højt for små grupper.")
    plain = make.task(school, title="Højtlæsning for børn", **text)
    open_to = make.task(school, title="Højtlæsning for børn", no_danish_needed=True, **text)
    person = make.user(Role.CITIZEN)
    make.profile(person, skills="Jeg læser gerne højt af billedbøger", interests="Børn og bøger",
                 languages="arabisk, engelsk")
    db.session.commit()
    assert suggestions.breadth_wanted(person, now=utcnow()) == {"good_first_task", "no_danish_needed"}
    found = suggestions.tasks_for(person)
    ids = [s.task.id for s in found]
    assert ids.index(open_to.id) < ids.index(plain.id)
    mine = next(s for s in found if s.task.id == open_to.id)
    with app.test_request_context():
        assert "Ingen danskkundskaber nødvendige" in mine.reasons
    # A Danish speaker who has taken part before gets no such lift.
    dane = make.user(Role.CITIZEN)
    make.profile(dane, skills="Jeg læser gerne højt", languages="dansk")
    past = make.task(school, starts_at=utcnow() - timedelta(days=9))
    make.signup_record(past.occurrences[0], dane, status="attended", hours=Decimal("2"))
    db.session.commit()
    assert suggestions.breadth_wanted(dane, now=utcnow()) == set()


def test_a_young_person_is_offered_tasks_for_young_people(app, make):
    young = make.user(Role.CITIZEN)
    make.profile(young, birth_year=utcnow().year - 15, languages="dansk")
    db.session.commit()
    assert "for_under_18" in suggestions.breadth_wanted(young, now=utcnow())


def test_the_overview_counts_volunteers_reached_through_each_flag(client, make):
    coordinator = make.user(Role.COORDINATOR)
    school = make.institution()
    first = make.task(school, starts_at=aware(2026, 9, 10, 8), status="closed", good_first_task=True,
                      no_danish_needed=True)
    home = make.task(school, starts_at=aware(2026, 9, 11, 8), status="closed", from_home=True)
    a, b = make.user(), make.user()
    make.signup_record(first.occurrences[0], a, status="attended", hours=Decimal("2"))
    make.signup_record(first.occurrences[0], b, status="attended", hours=Decimal("2"))
    make.signup_record(home.occurrences[0], a, status="attended", hours=Decimal("2"))
    make.signup_record(home.occurrences[0], make.user(), status="cancelled")
    db.session.commit()
    sign_in(client, coordinator)
    period = "?first=2026-09-01&last=2026-09-30"
    page = client.get("/koordinator/overblik" + period).get_data(as_text=True)
    reached = page.split('id="breadth-reached"')[1].split("</ul>")[0]
    assert "<strong>2</strong> God første opgave" in reached
    assert "<strong>2</strong> Ingen danskkundskaber nødvendige" in reached
    assert "<strong>1</strong> Kan gøres hjemmefra" in reached and "<strong>0</strong> Kørestolsvenlig" in reached
    csv = client.get("/koordinator/eksport/overblik.csv" + period).get_data().decode("utf-8-sig")
    assert "nået gennem bredde;god første opgave;2" in csv and "nået gennem bredde;kan gøres hjemmefra;1" in csv
