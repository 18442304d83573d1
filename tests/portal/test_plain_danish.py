"""Plain Danish everywhere (issue 15, part B 4): plurals, no English in what people see, download or
receive, one word per act, one time format, and a development console that shows a queued mail once."""
from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

from models import ConsentRecord, Role, db, utcnow
from models.consent import HOW_PROFILE, HOW_SIGN_UP
from tests.conftest import sign_in
from tests.factories import aware


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


# --- plurals ------------------------------------------------------------------------------------------

def test_about_one_hour_is_singular_and_decimals_keep_the_comma(app, client, make):
    school = make.institution()
    one = make.task(school, hours_estimate=Decimal("1"))
    more = make.task(school, hours_estimate=Decimal("2.5"))
    db.session.commit()
    assert "Cirka 1 time<" in _page(client, f"/opgaver/{one.id}")
    page = _page(client, f"/opgaver/{more.id}")
    assert "Cirka 2,5 timer" in page and "Cirka 1 timer" not in page


def test_coordinator_start_page_counts_one_in_the_singular(app, client, make):
    coordinator = make.user(Role.COORDINATOR)
    school = make.institution()
    task = make.task(school, requires_pledge=True)
    make.signup_record(task.occurrences[0], make.user(), status="pending")
    db.session.commit()
    sign_in(client, coordinator)
    page = _page(client, "/koordinator/")
    assert ">tilmelding venter på screening<" in page
    assert "tilmeldinger venter" not in page
    assert "åben opgave<" in page and "åbne opgaver" not in page


def test_overview_says_one_volunteer_took_part(app, client, make):
    coordinator = make.user(Role.COORDINATOR)
    school = make.institution()
    task = make.task(school, starts_at=aware(2026, 9, 10, 8), status="closed")
    make.signup_record(task.occurrences[0], make.user(), status="attended", hours=Decimal("1"))
    db.session.commit()
    sign_in(client, coordinator)
    page = _page(client, "/koordinator/overblik?first=2026-09-01&last=2026-09-30")
    assert "frivillig var med" in page and "frivillige var med" not in page
    assert "time registreret" in page and "timer registreret" not in page


# --- one word per act ---------------------------------------------------------------------------------

def test_the_volunteer_cancels_with_one_word(app, client, make):
    volunteer = make.user(Role.CITIZEN)
    task = make.task(make.institution())
    signup = make.signup_record(task.occurrences[0], volunteer)
    db.session.commit()
    sign_in(client, volunteer)
    page = _page(client, "/mine-opgaver")
    assert "Meld afbud" in page and "Annullér" not in page
    assert "Meld afbud" in _page(client, f"/mine-opgaver/{signup.id}/afmeld")
    other = make.task(task.institution)
    db.session.commit()
    sign_up_page = _page(client, f"/opgaver/{other.id}/tilmeld?occurrence={other.occurrences[0].id}")
    assert "Annullér" not in sign_up_page


# --- no English in records, downloads and calendars ---------------------------------------------------

def test_consent_records_are_written_in_danish_from_the_profile_page(app, client, make):
    citizen = make.user(Role.CITIZEN)
    db.session.commit()
    sign_in(client, citizen)
    client.post("/min-profil", data={"offers": "time", "consent_to_be_found": "y"})
    records = db.session.query(ConsentRecord).filter_by(user_id=citizen.id).all()
    assert records and {r.how for r in records} == {HOW_PROFILE} == {"online, på profilsiden"}
    assert "online, på profilsiden" in _page(client, "/min-profil/indsigt")


def test_consent_given_when_signing_up_is_in_danish(app, make):
    from models.task_operations import sign_up
    volunteer = make.user(Role.CITIZEN)
    task = make.task(make.institution(), requires_pledge=True)
    sign_up(task.occurrences[0], volunteer=volunteer, actor=volunteer, now=utcnow(), pledge=True)
    record = db.session.query(ConsentRecord).filter_by(user_id=volunteer.id).one()
    assert record.how == HOW_SIGN_UP == "online, ved tilmeldingen"


def test_old_english_consent_records_are_shown_and_exported_in_danish(app, client, make):
    citizen = make.user(Role.CITIZEN)
    coordinator = make.user(Role.COORDINATOR)
    make.profile(citizen)
    db.session.add(ConsentRecord(user_id=citizen.id, kind="be_found", given=True, how="online, profile page"))
    db.session.commit()
    sign_in(client, coordinator)
    page = _page(client, f"/koordinator/profiler/{citizen.id}")
    assert "online, på profilsiden" in page and "profile page" not in page
    sign_in(client, citizen)
    body = client.post("/mig/data").get_data(as_text=True)
    assert "online, på profilsiden" in body and "profile page" not in body


def test_calendar_files_carry_no_english_comment(app, client, make):
    volunteer = make.user(Role.CITIZEN)
    task = make.task(make.institution())
    make.signup_record(task.occurrences[0], volunteer)
    db.session.commit()
    sign_in(client, volunteer)
    body = client.get(f"/mine-opgaver/{task.id}.ics").get_data(as_text=True)
    assert "BEGIN:VTIMEZONE" in body and "COMMENT" not in body and "only works" not in body


# --- the message log ----------------------------------------------------------------------------------

def test_message_log_gives_the_reason_in_danish_and_the_detail_behind_a_disclosure(app, client, make):
    coordinator = make.user(Role.COORDINATOR)
    person = make.user()
    make.outbox_message(person, status="queued", attempts=1, subject="Netfejl",
                        last_error="ConnectionRefusedError: [Errno 111] Connection refused")
    make.outbox_message(person, status="failed", subject="Afvist", last_error="550 b'no such user'")
    make.outbox_message(person, status="dropped", subject="For sent", last_error="stale: its moment has passed")
    db.session.commit()
    sign_in(client, coordinator)
    page = _page(client, "/beskeder")
    assert "Mailserveren kunne ikke nås" in page
    assert "Mailserveren afviste beskeden" in page
    assert "Ikke sendt: tidspunktet, den handlede om, er passeret." in page
    detail = page.split("<details>")[1].split("</details>")[0]
    assert "<summary>Teknisk detalje</summary>" in detail
    for english in ("ConnectionRefusedError", "no such user", "its moment has passed"):
        # The technical text only inside a disclosure.
        outside = "".join(part.split("</details>")[-1] for part in page.split("<details>"))
        assert english not in outside and english in page


def test_the_development_console_prints_a_queued_mail_once(app, make, caplog, monkeypatch):
    from portal.mail import sender
    message = make.outbox_message(make.user(), subject="Bekræft din e-mail", body_text="https://x/bekraeft")
    monkeypatch.setattr(app, "testing", False)
    with caplog.at_level(logging.WARNING, logger=sender.log.name):
        for attempt in range(3):
            sender._record(message, ConnectionRefusedError(111, "Connection refused"), utcnow())
    printed = [r for r in caplog.records if "Bekræft din e-mail" in r.getMessage()]
    assert message.attempts == 3 and len(printed) == 1


# --- one time format ----------------------------------------------------------------------------------

def test_times_use_the_danish_separator_everywhere(app, client, make):
    from portal.formatting import time_pattern
    assert time_pattern("HH:mm", "da") == "HH.mm" and time_pattern("HH:mm", "en") == "HH:mm"
    assert "ss" not in time_pattern("medium", "da")
    school = make.institution()
    task = make.task(school, starts_at=aware(2030, 6, 4, 13))  # 15.00 in Copenhagen (summer time)
    db.session.commit()
    page = _page(client, f"/opgaver/{task.id}")
    assert "15.00" in page and "15:00" not in page
    staff = make.user(Role.STAFF)
    from models import InstitutionMember
    db.session.add(InstitutionMember(institution_id=school.id, user_id=staff.id))
    db.session.commit()
    sign_in(client, staff)
    page = _page(client, f"/institution/opgaver/{task.id}")
    assert "15.00" in page and "15:00" not in page


def test_csv_exports_name_states_in_danish(app, client, make):
    # The values and keys themselves are checked in coordinators/test_assisted_and_exports.py.
    from portal.coordinators.exports import SIGNUP_STATUS_WORDS, TASK_STATUS_WORDS
    from models import SignupStatus, TaskStatus
    assert set(SIGNUP_STATUS_WORDS) == set(SignupStatus.ALL) and set(TASK_STATUS_WORDS) == set(TaskStatus.ALL)
    assert not set(SIGNUP_STATUS_WORDS.values()) & set(SignupStatus.ALL)
