"""Review queue, screening, audit log and the citizen's insight page."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import AuditEntry, OutboxMessage, Role, Screening, Signup, db, utcnow
from models import volunteer_operations as ops
from models.audit import AuditAction
from tests.factories import sign_up

COORDINATOR_PAGES = ["/koordinator/profiler", "/koordinator/afventer", "/koordinator/ring-til",
                     "/koordinator/medbetjening", "/koordinator/medbetjening/ny", "/koordinator/overblik",
                     "/koordinator/eksport", "/koordinator/eksport/opgaver.csv",
                     "/koordinator/eksport/tilmeldinger.csv", "/koordinator/eksport/timer.csv",
                     "/koordinator/eksport/overblik.csv"]


def audit_count(**where) -> int:
    query = select(func.count()).select_from(AuditEntry)
    for name, value in where.items():
        query = query.where(getattr(AuditEntry, name) == value)
    return db.session.scalar(query)


@pytest.fixture
def people(app, make):
    coordinator = make.user(Role.COORDINATOR, name="Kirsten Koordinator")
    citizen = make.user(name="Søren Æblegård", phone="22334455")
    profile = make.profile(citizen, skills="Fodbold og lektiehjælp", postcode="2830")
    staff = make.user(Role.STAFF)
    inst = make.institution(name="Ørholm Skole", staff=[staff])
    db.session.commit()
    return coordinator, citizen, profile, staff, inst


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.STAFF, Role.COUNCIL, Role.ADMIN])
def test_only_coordinators_reach_the_pages_and_exports(client, login, make, people, role):
    _c, _citizen, profile, _s, _i = people
    other = make.user(role)
    db.session.commit()
    login(other)
    for url in COORDINATOR_PAGES + [f"/koordinator/profiler/{profile.id}", f"/koordinator/profiler/{profile.id}/log"]:
        assert client.get(url).status_code == 403, url
    assert audit_count() == 0


def test_coordinator_reaches_every_page(client, login, people):
    coordinator, *_ = people
    login(coordinator)
    for url in COORDINATOR_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.get_data(as_text=True)


def test_each_view_of_a_profile_writes_exactly_one_audit_row(client, login, people):
    coordinator, citizen, profile, *_ = people
    login(coordinator)
    assert client.get(f"/koordinator/profiler/{profile.id}").status_code == 200
    assert audit_count(subject_id=citizen.id) == 1
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.actor_id, entry.action, entry.on_behalf) == (coordinator.id, AuditAction.VIEWED_PROFILE, False)
    client.get(f"/koordinator/profiler/{profile.id}")
    assert audit_count(subject_id=citizen.id) == 2
    # The queue lists no private fields and writes nothing; the log page shows the rows.
    client.get("/koordinator/profiler")
    page = client.get(f"/koordinator/profiler/{profile.id}/log").get_data(as_text=True)
    assert audit_count(subject_id=citizen.id) == 2
    assert "Kirsten Koordinator" in page


def test_queue_filters_by_area_skills_and_screening(client, login, make, people):
    coordinator, citizen, profile, *_ = people
    other = make.user(name="Birthe Bøgh")
    make.profile(other, skills="Strikning, Ølbrygning", postcode="2800")
    db.session.commit()
    login(coordinator)
    page = client.get("/koordinator/profiler").get_data(as_text=True)
    assert "Søren Æblegård" in page and "Birthe Bøgh" in page
    page = client.get("/koordinator/profiler?area=2830").get_data(as_text=True)
    assert "Søren Æblegård" in page and "Birthe Bøgh" not in page
    page = client.get("/koordinator/profiler?skills=strik").get_data(as_text=True)
    assert "Søren Æblegård" not in page and "Birthe Bøgh" in page
    page = client.get("/koordinator/profiler?skills=øLBRYG").get_data(as_text=True)
    assert "Søren Æblegård" not in page and "Birthe Bøgh" in page
    page = client.get("/koordinator/profiler?skills=%25").get_data(as_text=True)  # a literal %, not a wildcard
    assert "Søren Æblegård" not in page and "Birthe Bøgh" not in page
    ops.record_screening(profile, ops.ScreeningFacts("received", date(2026, 1, 2), date(2026, 1, 20),
                                                     date.today() + timedelta(days=300), True),
                         actor=coordinator, now=utcnow())
    db.session.commit()
    before = audit_count(action=AuditAction.VIEWED_SCREENING)
    page = client.get("/koordinator/profiler?screening=valid").get_data(as_text=True)
    assert "Søren Æblegård" in page and "Birthe Bøgh" not in page
    assert audit_count(action=AuditAction.VIEWED_SCREENING, subject_id=citizen.id) == before + 1
    page = client.get("/koordinator/profiler?screening=none").get_data(as_text=True)
    assert "Søren Æblegård" not in page and "Birthe Bøgh" in page
    assert client.get("/koordinator/profiler?area=abc").status_code == 200


def test_asking_for_a_change_needs_a_message_and_mails_the_citizen(client, login, people):
    coordinator, citizen, profile, *_ = people
    login(coordinator)
    response = client.post(f"/koordinator/profiler/{profile.id}/afgoerelse",
                           data={"d-decision": "changes_requested", "d-message": ""})
    assert response.status_code == 200
    assert "Skriv til borgeren" in response.get_data(as_text=True)
    assert db.session.get(type(profile), profile.id).review_status == "new"
    response = client.post(f"/koordinator/profiler/{profile.id}/afgoerelse",
                           data={"d-decision": "changes_requested", "d-message": "Skriv gerne dine tider på ugen."})
    assert response.status_code == 302
    fresh = db.session.get(type(profile), profile.id)
    assert fresh.review_status == "changes_requested" and fresh.reviewed_by_id == coordinator.id
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "profile_review"))
    assert mail.recipient == citizen.email and "Skriv gerne dine tider på ugen." in mail.body_text
    assert audit_count(subject_id=citizen.id, action=AuditAction.REVIEWED) == 1


def test_decline_and_approve(client, login, people):
    coordinator, citizen, profile, *_ = people
    login(coordinator)
    client.post(f"/koordinator/profiler/{profile.id}/afgoerelse",
                data={"d-decision": "declined", "d-message": "Vi har ikke opgaver i dit område."})
    assert db.session.get(type(profile), profile.id).review_status == "declined"
    client.post(f"/koordinator/profiler/{profile.id}/afgoerelse", data={"d-decision": "approved"})
    assert db.session.get(type(profile), profile.id).review_status == "approved"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_a_changed_profile_returns_to_the_queue(client, login, people):
    coordinator, citizen, profile, *_ = people
    ops.review_profile(profile, actor=coordinator, now=utcnow(), decision="approved")
    db.session.commit()
    login(coordinator)
    assert "Søren Æblegård" not in client.get("/koordinator/profiler").get_data(as_text=True)
    ops.update_profile(citizen, ops.ProfileChanges(skills="Fodbold, lektiehjælp og skak", postcode="2830"),
                       now=utcnow())
    db.session.commit()
    page = client.get("/koordinator/profiler").get_data(as_text=True)
    assert "Søren Æblegård" in page and "Ændret" in page


@pytest.mark.parametrize("decision, message", [("approved", ""), ("changes_requested", "Skriv dine tider"),
                                               ("declined", "Vi mangler dine tider")])
def test_a_profile_the_citizen_edits_returns_to_the_queue_as_changed(client, login, people, decision, message):
    from tests.portal.citizens.test_profile import FULL
    coordinator, citizen, profile, *_ = people
    ops.review_profile(profile, actor=coordinator, now=utcnow(), decision=decision, message=message)
    db.session.commit()
    login(coordinator)
    assert "Søren Æblegård" not in client.get("/koordinator/profiler").get_data(as_text=True)
    login(citizen)
    assert client.post("/min-profil", data=FULL).status_code == 302
    db.session.expire_all()
    fresh = db.session.get(type(profile), profile.id)
    # A declined profile stays unable to hold a place until a coordinator has looked again.
    assert fresh.review_status == ("resubmitted" if decision == "declined" else "new")
    assert fresh.reviewed_at is not None
    login(coordinator)
    page = client.get("/koordinator/profiler").get_data(as_text=True)
    assert "Søren Æblegård" in page and ("Ændret" in page or "ændret siden" in page)


def test_internal_note_is_kept_from_the_citizen(client, login, people):
    coordinator, citizen, profile, *_ = people
    login(coordinator)
    assert client.post(f"/koordinator/profiler/{profile.id}/note",
                       data={"n-note": "Ringede, vil gerne starte i januar"}).status_code == 302
    assert db.session.get(type(profile), profile.id).coordinator_note == "Ringede, vil gerne starte i januar"
    assert audit_count(subject_id=citizen.id, action=AuditAction.NOTE_CHANGED) == 1
    login(citizen)
    page = client.get("/min-profil/indsigt").get_data(as_text=True)
    assert "Ringede" not in page and "Kirsten Koordinator" in page


def _pending_signup(make, citizen, inst):
    task = make.task(inst, requires_child_certificate=True, title="Lektiecafé for 5. klasse")
    result = sign_up(task.occurrences[0], volunteer=citizen, now=utcnow())
    db.session.commit()
    assert result.status == "pending"
    return result.signup


def test_recording_a_certificate_releases_the_pending_signup(client, login, make, people):
    coordinator, citizen, profile, _staff, inst = people
    signup = _pending_signup(make, citizen, inst)
    login(coordinator)
    page = client.get("/koordinator/afventer").get_data(as_text=True)
    assert "Lektiecafé for 5. klasse" in page and "Søren Æblegård" in page
    today = date.today()
    bad = client.post(f"/koordinator/profiler/{profile.id}/screening",
                      data={"s-certificate_status": "received", "s-received_on": today.isoformat()})
    assert bad.status_code == 200 and db.session.get(Signup, signup.id).status == "pending"
    response = client.post(f"/koordinator/profiler/{profile.id}/screening", data={
        "s-certificate_status": "received", "s-requested_on": (today - timedelta(days=20)).isoformat(),
        "s-received_on": today.isoformat(), "s-valid_until": (today + timedelta(days=700)).isoformat()})
    assert response.status_code == 302
    assert db.session.get(Signup, signup.id).status == "accepted"
    record = db.session.scalar(select(Screening))
    assert record.child_certificate_valid_until == today + timedelta(days=700) and record.recorded_by_id == coordinator.id
    assert audit_count(subject_id=citizen.id, action=AuditAction.SCREENING_RECORDED) == 1
    assert db.session.scalar(select(OutboxMessage.kind).where(OutboxMessage.user_id == citizen.id)) == "signup_accepted"
    assert "Lektiecafé" not in client.get("/koordinator/afventer").get_data(as_text=True)


def test_pending_signups_are_listed_by_the_task_start_oldest_first(client, login, make, people):
    coordinator, citizen, _p, _s, inst = people
    later = make.task(inst, requires_pledge=True, title="Senere opgave", starts_at=utcnow() + timedelta(days=9))
    sooner = make.task(inst, requires_pledge=True, title="Tidligere opgave", starts_at=utcnow() + timedelta(days=2))
    sign_up(later.occurrences[0], volunteer=citizen, now=utcnow())
    sign_up(sooner.occurrences[0], volunteer=citizen, now=utcnow())
    db.session.commit()
    login(coordinator)
    page = client.get("/koordinator/afventer").get_data(as_text=True)
    assert page.index("Tidligere opgave") < page.index("Senere opgave")


def test_what_a_task_requires_is_judged_on_its_day(make, people):
    from models.tasks import unmet_requirements
    coordinator, citizen, profile, _staff, inst = people
    ops.record_screening(profile, ops.ScreeningFacts("received", date(2026, 1, 2), date(2026, 1, 20),
                                                     date(2027, 1, 20), False), actor=coordinator, now=utcnow())
    needs_certificate = make.task(inst, requires_child_certificate=True)
    needs_both = make.task(inst, requires_child_certificate=True, requires_pledge=True)
    plain = make.task(inst)
    assert unmet_requirements(needs_certificate, citizen, date(2027, 1, 20)) == []
    assert unmet_requirements(needs_both, citizen, date(2027, 1, 21)) == ["child_certificate", "pledge"]
    assert unmet_requirements(plain, citizen, date(2030, 1, 1)) == []
    assert unmet_requirements(needs_certificate, make.user(), date(2026, 6, 1)) == ["child_certificate"]


def test_staff_cannot_open_screening_pages_and_leave_no_audit_row(client, login, people):
    _coordinator, citizen, profile, staff, _inst = people
    login(staff)
    for url in (f"/koordinator/profiler/{profile.id}", f"/koordinator/profiler/{profile.id}/log"):
        assert client.get(url).status_code == 403
    assert client.post(f"/koordinator/profiler/{profile.id}/screening",
                       data={"s-certificate_status": "none"}).status_code == 403
    assert audit_count(subject_id=citizen.id) == 0


def test_the_citizen_sees_who_looked_at_their_data(client, login, make, people):
    coordinator, citizen, profile, *_ = people
    login(coordinator)
    client.get(f"/koordinator/profiler/{profile.id}")
    other_citizen = make.user()
    db.session.commit()
    login(citizen)
    page = client.get("/min-profil/indsigt").get_data(as_text=True)
    assert "Kirsten Koordinator" in page and "Så på profilen" in page
    login(other_citizen)
    assert "Kirsten Koordinator" not in client.get("/min-profil/indsigt").get_data(as_text=True)


def test_screening_dates_must_fit_together(people):
    coordinator, _citizen, profile, *_ = people
    from models import DomainError
    with pytest.raises(DomainError):
        ops.record_screening(profile, ops.ScreeningFacts("received", None, date(2026, 2, 1), date(2025, 1, 1)),
                             actor=coordinator, now=utcnow())
    with pytest.raises(DomainError):
        ops.record_screening(profile, ops.ScreeningFacts("requested"), actor=coordinator, now=utcnow())
    assert db.session.scalar(select(func.count()).select_from(Screening)) == 0


def test_institution_staff_see_the_fact_not_the_dates_and_each_view_is_logged_once(client, login, make, people):
    coordinator, citizen, profile, staff, inst = people
    ops.record_screening(profile, ops.ScreeningFacts("received", date(2026, 1, 2), date(2026, 1, 20),
                                                     date.today() + timedelta(days=400), True),
                         actor=coordinator, now=utcnow())
    ops.set_coordinator_note(profile, actor=coordinator, now=utcnow(), note="Fortrolig note om Søren")
    task = make.task(inst, requires_child_certificate=True, title="Lektiecafé")
    other = make.user(name="Anden Frivillig")
    sign_up(task.occurrences[0], volunteer=citizen, now=utcnow())
    sign_up(task.occurrences[0], volunteer=other, now=utcnow())
    db.session.commit()
    before = audit_count(action=AuditAction.VIEWED_SCREENING)
    login(staff)
    page = client.get(f"/institution/opgaver/{task.id}").get_data(as_text=True)
    assert "Børneattest: gyldig" in page
    valid_until = date.today() + timedelta(days=400)
    from babel.dates import format_date
    for secret in ("Fortrolig note", valid_until.isoformat(), format_date(valid_until, "long", locale="da"),
                   format_date(valid_until, "medium", locale="da"), "20. jan"):
        assert secret not in page, secret
    assert audit_count(action=AuditAction.VIEWED_SCREENING) == before + 2
    assert audit_count(action=AuditAction.VIEWED_SCREENING, subject_id=citizen.id, actor_id=staff.id) == 1
    plain = make.task(inst, title="Kaffe og kage")
    sign_up(plain.occurrences[0], volunteer=citizen, now=utcnow())
    db.session.commit()
    client.get(f"/institution/opgaver/{plain.id}")
    assert audit_count(action=AuditAction.VIEWED_SCREENING) == before + 2  # no screening shown, nothing logged


def test_a_failed_decision_keeps_the_other_forms_as_recorded(client, login, people):
    coordinator, citizen, profile, *_ = people
    ops.record_screening(profile, ops.ScreeningFacts(pledge_given=True), actor=coordinator, now=utcnow())
    ops.set_coordinator_note(profile, actor=coordinator, now=utcnow(), note="Husk kaffen")
    db.session.commit()
    login(coordinator)
    page = client.post(f"/koordinator/profiler/{profile.id}/afgoerelse", data={"d-decision": "declined"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Husk kaffen" in html
    pledge = re.search(r'<input[^>]*id="s-pledge"[^>]*>', html).group(0)
    assert "checked" in pledge
