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


# --- an empty list says what stands in the way ---------------------------------------------------

def _obstacle(page: str) -> str:
    assert 'data-obstacle="' in page, "no obstacle shown"
    return page.split('data-obstacle="')[1].split('"')[0]


def test_citizen_far_away_is_told_to_widen_the_distance(app, client, make, login):
    _staff, inst = _institution(make)
    make.task(inst, **READING)  # in 2800
    citizen = make.user()
    make.profile(citizen, postcode="8000", travel_km=5, **READER)
    db.session.commit()
    assert suggestions.tasks_for(citizen) == []
    login(citizen)
    page = client.get("/mig/").get_data(as_text=True)
    assert _obstacle(page) == "distance"
    assert "Ingen opgaver, der passer til dig, inden for 5 km af 8000." in page
    assert "Prøv en længere afstand i din profil: inden for 500 km ville 1 opgave passe." in page
    assert 'href="/min-profil#travel_km"' in page
    assert "Fortæl mere" not in page.split('id="suggestions-heading"')[-1]
    assert _obstacle(client.get("/mine-opgaver").get_data(as_text=True)) == "distance"


def test_citizen_nearby_needs_only_25_km(app, client, make, login):
    _staff, inst = _institution(make)
    make.task(inst, **READING)  # in 2800
    citizen = make.user()
    make.profile(citizen, postcode="2830", travel_km=5, **READER)
    db.session.commit()
    login(citizen)
    page = client.get("/mig/").get_data(as_text=True)
    assert "inden for 25 km ville 1 opgave passe" in page


def test_citizen_told_about_time_away_text_full_and_signed_up(app, client, make, login):
    from models import AvailabilitySlot, AwayPeriod
    _staff, inst = _institution(make)
    task = make.task(inst, **READING)
    citizen = make.user()
    profile = make.profile(citizen, **READER)
    occurrence = task.occurrences[0]
    local = occurrence.starts_at.astimezone(suggestions.ranking.COPENHAGEN)
    other_day = (local.weekday() + 3) % 7
    db.session.add(AvailabilitySlot(profile_id=profile.id, weekday=other_day, part="morning"))
    db.session.commit()
    login(citizen)
    page = client.get("/mig/").get_data(as_text=True)
    assert _obstacle(page) == "time" and "men ikke på de tidspunkter, du har sagt passer dig" in page
    assert 'href="/min-profil#availability"' in page
    # Away on the day instead: the away period is named.
    for slot in list(profile.availability):
        db.session.delete(slot)
    db.session.add(AwayPeriod(profile_id=profile.id, starts_on=local.date(), ends_on=local.date()))
    db.session.commit()
    page = client.get("/mig/").get_data(as_text=True)
    assert _obstacle(page) == "time" and "mens du er væk" in page
    # Full: the waiting list is offered.
    db.session.delete(db.session.scalars(select(AwayPeriod)).one())
    occurrence.capacity = 1
    make.signup_record(occurrence, make.user())
    db.session.commit()
    page = client.get("/mig/").get_data(as_text=True)
    assert _obstacle(page) == "full" and "venteliste" in page
    # Signed up for the one task there is.
    occurrence.capacity = 5
    make.signup_record(occurrence, citizen)
    db.session.commit()
    assert _obstacle(client.get("/mig/").get_data(as_text=True)) == "signed_up"


def test_citizen_whose_words_meet_nothing_is_asked_for_more(app, client, make, login):
    _staff, inst = _institution(make)
    make.task(inst, **READING)
    citizen = make.user()
    make.profile(citizen, skills="Motorcykler", interests="Fodbold")
    db.session.commit()
    login(citizen)
    page = client.get("/mig/").get_data(as_text=True)
    assert _obstacle(page) == "text" and "Fortæl mere om, hvad du kan lide" in page


def test_obstacle_counts_each_stage(app, make):
    from portal import obstacles
    _staff, inst = _institution(make)
    make.task(inst, **READING)
    make.task(inst, **dict(READING, title="Højtlæsning i vuggestuen"))
    make.task(inst, title="Havearbejde", description="Luge og plante.", skills_wanted="Grønne fingre",
              volunteers_do="Luger bedene.")
    citizen = make.user()
    make.profile(citizen, postcode="8000", travel_km=5, **READER)
    db.session.commit()
    with app.test_request_context():
        found = obstacles.for_citizen(citizen, now=utcnow())
    assert found.code == "distance"
    assert found.counts["candidates"] == 3 and found.counts["text"] == 1 and found.counts["distance"] == 2
    assert found.counts["signed_up"] == 0 and found.counts["time"] == 0


def test_institution_told_about_consent_distance_and_time(app, client, make, login):
    staff, inst = _institution(make)
    task = make.task(inst, **READING)
    hidden = make.user(name="Hemmelig Person")
    make.profile(hidden, consent_to_be_found=False, **READER)
    db.session.commit()
    login(staff)
    page = client.get(f"/institution/opgaver/{task.id}/forslag").get_data(as_text=True)
    assert _obstacle(page) == "consent" and "Hemmelig Person" not in page
    assert "1 frivillig passer til opgaven, men har ikke sagt ja til, at institutioner må finde dem." in page
    far = make.user(name="Fjern Frivillig")
    make.profile(far, consent_to_be_found=True, postcode="8000", travel_km=5, **READER)
    db.session.commit()
    page = client.get(f"/institution/opgaver/{task.id}").get_data(as_text=True)
    assert _obstacle(page) == "distance" and "Fjern Frivillig" not in page
    assert "bor længere fra 2800, end de vil rejse" in page
    from models import AvailabilitySlot
    far_profile = far.profile
    far_profile.postcode, far_profile.travel_km = "2800", 10
    local = task.occurrences[0].starts_at.astimezone(suggestions.ranking.COPENHAGEN)
    db.session.add(AvailabilitySlot(profile_id=far_profile.id, weekday=(local.weekday() + 1) % 7, part="evening"))
    db.session.commit()
    page = client.get(f"/institution/opgaver/{task.id}/forslag").get_data(as_text=True)
    assert _obstacle(page) == "time" and "1 af dem har tid" in page
    assert f'href="/institution/opgaver/{task.id}/rediger"' in page


def test_institution_task_without_free_places_says_so(app, client, make, login):
    staff, inst = _institution(make)
    task = make.task(inst, capacity=1, **READING)
    make.signup_record(task.occurrences[0], make.user())
    db.session.commit()
    login(staff)
    page = client.get(f"/institution/opgaver/{task.id}/forslag").get_data(as_text=True)
    assert _obstacle(page) == "no_times"


def test_sparring_agent_told_that_those_who_fit_have_not_consented(app, client, make, login):
    coordinator = make.user(Role.COORDINATOR)
    initiator = make.user()
    idea = make.idea(initiator, title="Læsecafé for børn", what="Vi vil læse højt af billedbøger for børn.")
    person = make.user(name="Hemmelig Læser")
    make.profile(person, consent_to_be_found=False, **READER)
    db.session.commit()
    login(coordinator)
    page = client.get(f"/ideer/{idea.id}").get_data(as_text=True)
    assert _obstacle(page) == "consent" and "Hemmelig Læser" not in page


# --- the share of open tasks with at least three suggested volunteers ----------------------------

def test_suggestions_report_counts_tasks_with_three_suggested_volunteers(app, make):
    import json
    _staff, inst = _institution(make)
    reading = make.task(inst, **READING)
    make.task(inst, title="Kridtning af baner", description="Kridt banerne.", skills_wanted="Praktisk",
              volunteers_do="Kridter baner.")
    for n in range(3):
        make.profile(make.user(name=f"Læser {n}"), consent_to_be_found=True, **READER)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["suggestions", "report", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["open_tasks"] == 2 and figures["with_minimum"] == 1 and figures["share"] == 0.5
    assert figures["causes"] == {"text": 1}
    assert [item["title"] for item in figures["short"]] == ["Kridtning af baner"]
    text = runner.invoke(args=["suggestions", "report"]).output
    assert "With at least 3 suggested volunteers: 1 (50%)" in text
    assert reading.title not in text


def test_demo_data_gives_most_open_tasks_three_suggested_volunteers(app):
    from portal.demo import load_demo_data
    from portal.suggestion_report import coverage
    load_demo_data(db.session, now=utcnow())
    db.session.commit()
    figures = coverage()
    assert figures.open_tasks >= 40 and figures.share >= 0.8, figures
    # The tasks left are those without a free place: nobody can be suggested for them.
    assert set(figures.causes) <= {"no_times"}


# --- on a full date, the other dates with free places first ------------------------------------

def _weekly_with_first_full(make, inst, citizen_taking=None):
    task = make.task(inst, occurrences=3, capacity=1, recurrence="weekly", **READING)
    first, second, third = sorted(task.occurrences, key=lambda o: o.starts_at)
    make.signup_record(first, make.user())
    if citizen_taking is not None:
        make.signup_record(second, citizen_taking)
    return task, first, second, third


def test_task_page_offers_a_free_date_before_the_waiting_list(app, client, make, login):
    _staff, inst = _institution(make)
    citizen = make.user()
    make.profile(citizen)
    task, first, second, _third = _weekly_with_first_full(make, inst)
    db.session.commit()
    login(citizen)
    page = client.get(f"/opgaver/{task.id}").get_data(as_text=True)
    row = page.split(f'data-instead-of="{first.id}"')[0].rsplit("<tr>", 1)[-1] + page.split(
        f'data-instead-of="{first.id}"')[1].split("</tr>")[0]
    instead = f"/opgaver/{task.id}/tilmeld?occurrence={second.id}"
    waitlist = f"/opgaver/{task.id}/tilmeld?occurrence={first.id}"
    assert instead in row and waitlist in row and row.index(instead) < row.index(waitlist)
    assert "Ledig plads" in row and "i stedet" in row


def test_task_page_skips_dates_the_citizen_holds(app, client, make, login):
    _staff, inst = _institution(make)
    citizen = make.user()
    make.profile(citizen)
    task, first, second, third = _weekly_with_first_full(make, inst, citizen_taking=make.user())
    db.session.commit()
    login(citizen)
    page = client.get(f"/opgaver/{task.id}").get_data(as_text=True)
    # the second date is full too now: the third is offered for both
    assert f'data-instead-of="{first.id}"' in page and f'data-instead-of="{second.id}"' in page
    assert page.count(f"/opgaver/{task.id}/tilmeld?occurrence={third.id}") == 3


def test_sign_up_page_and_waitlist_confirmation_offer_the_other_dates(app, client, make, login):
    _staff, inst = _institution(make)
    citizen = make.user()
    make.profile(citizen)
    task, first, second, third = _weekly_with_first_full(make, inst)
    db.session.commit()
    login(citizen)
    page = client.get(f"/opgaver/{task.id}/tilmeld?occurrence={first.id}").get_data(as_text=True)
    offer = page.split('id="other-times-heading"')[1]
    assert "Denne tid er fuld, men andre tider har ledige pladser" in page
    assert f"occurrence={second.id}" in offer and f"occurrence={third.id}" in offer
    assert page.index('id="other-times-heading"') < page.index('button type="submit" class="button"')
    # A free time shows no such offer.
    assert "other-times-heading" not in client.get(
        f"/opgaver/{task.id}/tilmeld?occurrence={second.id}").get_data(as_text=True)
    response = client.post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": str(first.id)})
    confirmation = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ventelisten" in confirmation
    offer = confirmation.split('id="other-times-heading"')[1]
    assert f"occurrence={second.id}" in offer and f"occurrence={third.id}" in offer
    # Signing up for the free one: it is no longer offered, and nothing is offered for a plain sign-up.
    response = client.post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": str(second.id)})
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "other-times-heading" not in after


def test_assisted_sign_up_on_a_full_date_names_the_free_dates(app, client, make, login):
    coordinator = make.user(Role.COORDINATOR)
    _staff, inst = _institution(make)
    citizen = make.user()
    make.profile(citizen)
    task, first, second, _third = _weekly_with_first_full(make, inst)
    db.session.commit()
    login(coordinator)
    response = client.post(f"/koordinator/medbetjening/{citizen.id}", data={"occurrence": str(first.id)},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "ventelisten" in page and "Andre tider for opgaven har stadig ledige pladser" in page


def test_free_alternatives_leave_out_full_cancelled_past_and_held_times(app, make):
    from models.tasks import free_alternatives
    _staff, inst = _institution(make)
    citizen = make.user()
    task, first, second, third = _weekly_with_first_full(make, inst, citizen_taking=None)
    third.cancelled = True
    db.session.commit()
    assert [o.id for o in free_alternatives(task, citizen, now=utcnow())] == [second.id]
    make.signup_record(second, citizen)
    db.session.commit()
    assert free_alternatives(task, citizen, now=utcnow()) == []
    assert free_alternatives(task, make.user(), now=utcnow() + timedelta(days=30)) == []


def test_institution_told_when_those_who_fit_are_not_approved(app, client, make, login):
    staff, inst = _institution(make)
    task = make.task(inst, **READING)
    declined = make.user(name="Afvist Person")
    make.profile(declined, consent_to_be_found=True, review_status="declined", **READER)
    db.session.commit()
    login(staff)
    page = client.get(f"/institution/opgaver/{task.id}/forslag").get_data(as_text=True)
    assert _obstacle(page) == "review" and "Afvist Person" not in page
    assert "frivilligkoordinatorerne har ikke godkendt profilen" in page
