"""Forms people can use (issue 15, part B 3): the decimal comma wherever a number is typed, no number
boxes; assisted sign-up by search and suggestion; grouped, searchable project links; every field labelled.
The task editor's schedule kinds are checked in a browser (tests/browser/test_citizen_forms.py)."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from models import Idea, Role, Signup, Task, db, utcnow
from portal.forms import danish_number
from tests.conftest import sign_in
from tests.factories import aware


@pytest.mark.parametrize("typed, read", [("2,5", "2.5"), ("2.5", "2.5"), (" 1.250,75 ", "1250.75"), ("3", "3"),
                                         ("0,25", "0.25"), ("", "")])
def test_danish_numbers_are_read_as_meant(typed, read):
    assert danish_number(typed) == read


def _no_number_boxes(page: str) -> None:
    assert 'type="number"' not in page


def _labelled(page: str) -> None:
    """Every visible input, select and textarea has a <label for> or sits in a labelled group."""
    ids = re.findall(r'<(?:input|select|textarea|progress)\b(?![^>]*type="(?:hidden|submit|radio|checkbox)")[^>]*\bid="([^"]+)"',
                     page)
    for field_id in ids:
        assert f'for="{field_id}"' in page, field_id


def test_hours_with_a_comma_in_the_task_editor(client, make):
    staff = make.user(Role.STAFF)
    school = make.institution(staff=[staff])
    db.session.commit()
    sign_in(client, staff)
    page = client.get("/institution/opgaver/ny").get_data(as_text=True)
    _no_number_boxes(page)
    _labelled(page)
    day = (utcnow() + timedelta(days=20)).date()
    data = {"institution_id": str(school.id), "title": "Plant løg", "description": "Vi planter løg i bedene.",
            "skills_wanted": "", "volunteers_do": "Planter.", "volunteers_do_not": "Ingen tunge løft.",
            "place": "Haven", "postcode": "2800", "contact_name": "Kim", "contact_email": "kim@example.dk",
            "contact_phone": "", "compensation_note": "Ingen godtgørelse", "insurance_note": "Kommunen dækker.",
            "capacity": "2", "hours_estimate": "2,5", "kind": "window", "date": "", "start_time": "",
            "end_time": "", "recurrence": "none", "repeat_count": "1", "window_start": day.isoformat(),
            "window_end": (day + timedelta(days=10)).isoformat()}
    response = client.post("/institution/opgaver/ny", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    task = db.session.scalar(select(Task).where(Task.title == "Plant løg"))
    assert task.hours_estimate == Decimal("2.5")
    # A whole number refuses a comma with a Danish message and keeps what was typed.
    response = client.post("/institution/opgaver/ny", data={**data, "title": "Plant tulipaner", "capacity": "2,5"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Skriv et helt tal." in page and 'value="2,5"' in page


def test_hours_with_a_comma_on_the_attendance_list(client, make):
    staff = make.user(Role.STAFF)
    task = make.task(make.institution(staff=[staff]), starts_at=utcnow() - timedelta(hours=4), hours=3)
    signup = make.signup_record(task.occurrences[0], make.user(name="Anna"))
    db.session.commit()
    sign_in(client, staff)
    url = f"/institution/gange/{task.occurrences[0].id}/fremmoede"
    _no_number_boxes(client.get(url).get_data(as_text=True))
    data = {"rows-0-signup_id": str(signup.id), "rows-0-attended": "y", "rows-0-hours": "2,5"}
    assert client.post(url, data=data).status_code == 302
    db.session.refresh(signup)
    assert signup.hours == Decimal("2.5")


def test_every_number_field_in_the_portal_is_a_text_box():
    from portal.forms import CommaDecimalField, WholeNumberField
    import portal.citizens.forms, portal.coordinators.forms, portal.councils.forms, portal.ideas.forms  # noqa: E401
    import portal.institutions.forms  # noqa: F401
    from wtforms import DecimalField, FloatField, IntegerField
    from wtforms.form import FormMeta

    def forms(module):
        return [v for v in vars(module).values() if isinstance(v, FormMeta)]

    found = 0
    for module in (portal.citizens.forms, portal.coordinators.forms, portal.councils.forms, portal.ideas.forms,
                   portal.institutions.forms):
        for form in forms(module):
            for name, unbound in vars(form).items():
                cls = getattr(unbound, "field_class", None)
                if cls and issubclass(cls, (IntegerField, DecimalField, FloatField)):
                    assert issubclass(cls, (CommaDecimalField, WholeNumberField)), (form, name)
                    found += 1
    assert found >= 8


def test_the_progress_fields_each_have_their_own_label(client, make):
    member = make.user(Role.COUNCIL)
    council = make.council(members=[member])
    project = make.project(council, title="Grønt torv")
    db.session.commit()
    sign_in(client, member)
    page = client.get(f"/lokalraad/projekter/{project.id}").get_data(as_text=True)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids must be unique for labels to work"
    assert 'for="update-progress"' in page and 'id="update-progress"' in page and 'for="progress"' in page
    _labelled(page)
    _no_number_boxes(page)
    public = client.get(f"/projekter/{project.id}").get_data(as_text=True)
    assert 'for="project-progress"' in public and 'id="project-progress"' in public


def test_project_links_are_grouped_and_searchable(client, make):
    member = make.user(Role.COUNCIL)
    council = make.council(members=[member])
    project = make.project(council, title="Grønt torv")
    make.task(make.institution(name="Lyngby Skole"), title="Plantedag på torvet")
    make.task(make.institution(name="Virum Bibliotek"), title="Højtlæsning")
    db.session.add(Idea(initiator_id=make.user().id, title="Bænke ved søen", what="Flere bænke"))
    db.session.commit()
    sign_in(client, member)
    page = client.get(f"/lokalraad/projekter/{project.id}").get_data(as_text=True)
    assert '<optgroup label="Idéer">' in page
    assert '<optgroup label="Opgaver hos Lyngby Skole">' in page and '<optgroup label="Opgaver hos Virum Bibliotek">' in page
    page = client.get(f"/lokalraad/projekter/{project.id}?find=plante").get_data(as_text=True)
    assert "Plantedag på torvet" in page and "Højtlæsning" not in page and "Bænke ved søen" not in page
    page = client.get(f"/lokalraad/projekter/{project.id}?find=Søen").get_data(as_text=True)
    assert "Bænke ved søen" in page and "Plantedag" not in page
    assert "Intet passer til søgningen" in client.get(
        f"/lokalraad/projekter/{project.id}?find=zzz").get_data(as_text=True)


def test_assisted_sign_up_searches_by_task_day_and_area(client, make):
    coordinator = make.user(Role.COORDINATOR)
    person = make.user(Role.CITIZEN, name="Åse Ørnbøl", email=None)
    north = make.institution(name="Nordskolen", postcode="2800")
    south = make.institution(name="Sydskolen", postcode="2630")
    knit = make.task(north, title="Strikkecafé", postcode="2800", starts_at=aware(2030, 3, 5, 13), occurrences=3)
    make.task(south, title="Lektiecafé", postcode="2630", starts_at=aware(2030, 3, 5, 14))
    db.session.commit()
    sign_in(client, coordinator)
    url = f"/koordinator/medbetjening/{person.id}"
    page = client.get(url).get_data(as_text=True)
    assert "<select" not in page.split('id="signup-h"')[1].split("</section>")[0]  # no long dropdown
    assert "Strikkecafé" not in page  # nothing listed before a search (no suggestions without a profile)
    found = client.get(url + "?q=strik").get_data(as_text=True)
    assert "3 tidspunkter fundet" in found and "Lektiecafé" not in found
    assert "Lektiecafé" in client.get(url + "?omraade=26").get_data(as_text=True)
    day = client.get(url + "?dato=2030-03-12").get_data(as_text=True)
    assert "1 tidspunkt fundet" in day and "Strikkecafé" in day
    bad = client.get(url + "?omraade=abc").get_data(as_text=True)
    assert "Skriv et postnummer eller dets første cifre" in bad
    second = knit.occurrences[1]
    response = client.post(url + "?q=strik", data={"occurrence": str(second.id), "note": ""})
    assert response.status_code == 302 and "q=strik" in response.headers["Location"]
    signup = db.session.scalar(select(Signup).where(Signup.user_id == person.id))
    assert signup.occurrence_id == second.id and signup.assisted_by_id == coordinator.id


def test_assisted_sign_up_suggests_fitting_tasks_for_the_person(client, make):
    coordinator = make.user(Role.COORDINATOR)
    person = make.user(Role.CITIZEN, name="Bodil Strik")
    make.profile(person, skills="Jeg strikker og hækler gerne", interests="Strikning, garn og hækling",
                 review_status="approved")
    school = make.institution()
    make.task(school, title="Strikkecafé for begyndere", description="Vi strikker og hækler sammen, garn haves.",
              skills_wanted="strikning hækling")
    make.task(school, title="Fodboldtræning", description="Træn de små på banen.")
    db.session.commit()
    sign_in(client, coordinator)
    page = client.get(f"/koordinator/medbetjening/{person.id}").get_data(as_text=True)
    suggested = page.split("Forslag til Bodil Strik")[1].split("</fieldset>")[0]
    assert "Strikkecafé for begyndere" in suggested and "Fodboldtræning" not in suggested
    assert 'type="radio"' in suggested
