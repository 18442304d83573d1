"""Issue 14, the site part: suggestions that say what stands in the way, the screening named, other dates
offered on a full date, and the share of open tasks with suggested volunteers."""
from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from models import OutboxMessage, Role, Screening, db, utcnow
from models.task_operations import cancel_signup
from portal import suggestions
from tests.factories import sign_up

READING = dict(title="Højtlæsning for børn", description="Læs højt af billedbøger for børnene i børnehaven.",
               skills_wanted="Glad for bøger og børn", volunteers_do="Læser højt for små grupper.")
READER = dict(skills="Jeg læser gerne højt", interests="Børn og billedbøger")


def _institution(make):
    staff = make.user(Role.STAFF, email="leder@example.dk")
    return staff, make.institution(staff=[staff], postcode="2800")


# --- the screening requirement named ------------------------------------------------------------

def _suggested_reasons(client, login, citizen) -> str:
    login(citizen)
    page = client.get("/mig/").get_data(as_text=True)
    return page.split('id="suggestions-heading"')[-1]


def test_suggestion_names_the_child_certificate_only(app, client, make, login):
    _staff, inst = _institution(make)
    make.task(inst, requires_child_certificate=True, **READING)
    citizen = make.user()
    make.profile(citizen, **READER)
    db.session.commit()
    [found] = suggestions.tasks_for(citizen)
    assert found.missing == ("child_certificate",)
    section = _suggested_reasons(client, login, citizen)
    assert "Kræver børneattest" in section and "tavshedserklæring" not in section and " eller " not in section


def test_suggestion_names_the_pledge_only_when_the_certificate_is_in_place(app, client, make, login):
    _staff, inst = _institution(make)
    make.task(inst, requires_child_certificate=True, requires_pledge=True, **READING)
    citizen = make.user()
    profile = make.profile(citizen, **READER)
    db.session.add(Screening(profile_id=profile.id, child_certificate_status="received",
                             child_certificate_valid_until=(utcnow() + timedelta(days=400)).date()))
    db.session.commit()
    section = _suggested_reasons(client, login, citizen)
    assert "Kræver tavshedserklæring" in section and "børneattest" not in section


def test_suggestion_names_both_when_both_are_missing(app, client, make, login):
    _staff, inst = _institution(make)
    make.task(inst, requires_child_certificate=True, requires_pledge=True, **READING)
    citizen = make.user()
    make.profile(citizen, **READER)
    db.session.commit()
    assert "Kræver børneattest og tavshedserklæring" in _suggested_reasons(client, login, citizen)


def test_promotion_mail_and_calendar_name_what_the_place_waits_for(app, client, make, login):
    _staff, inst = _institution(make)
    task = make.task(inst, capacity=1, requires_pledge=True, **READING)
    first, second = make.user(), make.user(email="anden@example.dk")
    make.profile(first), make.profile(second)
    db.session.commit()
    holder = sign_up(task.occurrences[0], volunteer=first, pledge=True).signup
    sign_up(task.occurrences[0], volunteer=second)
    cancel_signup(holder, actor=first, now=utcnow())
    db.session.commit()
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "waitlist_promoted"))
    assert "din tavshedserklæring" in mail.body_text and "børneattest" not in mail.body_text
    assert "din tavshedserklæring" in mail.body_html
    login(second)
    [event] = Calendar.from_ical(client.get(f"/mine-opgaver/{task.id}.ics").data).walk("VEVENT")
    description = str(event["DESCRIPTION"])
    assert "venter på, at vi registrerer din tavshedserklæring" in description
    assert "børneattest" not in description
