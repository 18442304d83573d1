"""Assisted sign-up (medbetjening) with the phone list, and the CSV exports."""
import csv
import io
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from models import AuditEntry, ConsentRecord, Role, Signup, User, db, utcnow
from models import volunteer_operations as ops
from models.audit import AuditAction
from tests.factories import aware


def _coordinator(make):
    coordinator = make.user(Role.COORDINATOR, name="Kirsten Koordinator")
    db.session.commit()
    return coordinator


FORM = {"name": "Åse Ørnbøl", "email": "", "phone": "45 87 12 34", "postcode": "2800", "birth_year": "1941",
        "gender": "female", "skills": "Strikning", "interests": "Højtlæsning",
        "consent_how": "I telefonen", "consent_at": "2026-11-20T10:30"}


def test_assisted_profile_without_email_signup_and_phone_list(client, login, make):
    coordinator = _coordinator(make)
    inst = make.institution(name="Sorgenfri Bibliotek")
    task = make.task(inst, title="Strikkecafé", starts_at=utcnow() + timedelta(days=1))
    db.session.commit()
    login(coordinator)
    missing = client.post("/koordinator/medbetjening/ny", data={**FORM, "phone": "", "consent_how": ""})
    assert missing.status_code == 200 and db.session.scalar(select(func.count()).select_from(User)) == 1
    assert "Skriv et telefonnummer eller en e-mailadresse" in missing.get_data(as_text=True)
    response = client.post("/koordinator/medbetjening/ny", data=FORM)
    assert response.status_code == 302
    citizen = db.session.scalar(select(User).where(User.name == "Åse Ørnbøl"))
    assert citizen.email is None and citizen.assisted_by_id == coordinator.id and citizen.has_role(Role.CITIZEN)
    assert citizen.profile.review_status == "approved" and citizen.profile.birth_year == 1941
    consent = db.session.scalar(select(ConsentRecord).where(ConsentRecord.user_id == citizen.id,
                                                            ConsentRecord.kind == "profile"))
    assert consent.how == "I telefonen" and consent.recorded_by_id == coordinator.id
    assert consent.created_at == aware(2026, 11, 20, 9, 30)  # 10:30 in Copenhagen

    response = client.post(f"/koordinator/medbetjening/{citizen.id}",
                           data={"occurrence": str(task.occurrences[0].id), "note": "Kommer med taxa"})
    assert response.status_code == 302
    signup = db.session.scalar(select(Signup).where(Signup.user_id == citizen.id))
    assert signup.status == "accepted" and signup.assisted_by_id == coordinator.id

    page = client.get("/koordinator/ring-til").get_data(as_text=True)
    assert "Åse Ørnbøl" in page and "45 87 12 34" in page and "Strikkecafé" in page
    on_behalf = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == citizen.id,
                                                                   AuditEntry.on_behalf.is_(True))).all()
    assert {AuditAction.ASSISTED_CREATED, AuditAction.CONSENT_RECORDED, AuditAction.ASSISTED_SIGNUP, AuditAction.PHONE_LIST} <= set(on_behalf)


def test_citizens_with_email_are_not_on_the_phone_list(client, login, make):
    coordinator = _coordinator(make)
    online = make.user(name="Mads Mail", phone="11111111")
    task = make.task(make.institution(), starts_at=utcnow() + timedelta(days=1))
    make.signup_record(task.occurrences[0], online)
    db.session.commit()
    login(coordinator)
    assert "Mads Mail" not in client.get("/koordinator/ring-til").get_data(as_text=True)


def test_what_was_done_on_the_citizens_behalf_is_shown_to_them(client, login, make):
    coordinator = _coordinator(make)
    citizen = ops.create_assisted_profile(actor=coordinator, now=utcnow(), name="Aksel", email="aksel@example.dk",
                                          phone=None, consent_how="Ved et møde", consent_at=utcnow())
    db.session.commit()
    login(citizen)
    page = client.get("/min-profil/indsigt").get_data(as_text=True)
    assert "Oprettede profilen på dine vegne" in page and "Registrerede dit samtykke" in page
    assert "Kirsten Koordinator" in page and "Ved et møde" in page


def test_an_email_in_use_is_refused(client, login, make):
    coordinator = _coordinator(make)
    make.user(email="taget@example.dk")
    db.session.commit()
    login(coordinator)
    response = client.post("/koordinator/medbetjening/ny", data={**FORM, "email": "Taget@example.dk"})
    assert response.status_code == 200
    assert "Der findes allerede en profil med denne e-mailadresse." in response.get_data(as_text=True)


def _rows(response):
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_csv_exports_have_bom_headers_and_danish_letters(client, login, make):
    coordinator = _coordinator(make)
    inst = make.institution(name="Ørholm Børnehave")
    task = make.task(inst, title="Æblehøst i haven", starts_at=aware(2026, 9, 10, 8), status="closed")
    volunteer = make.user(name="Søren Ærø")
    make.signup_record(task.occurrences[0], volunteer, status="attended", hours=Decimal("2.5"))
    formula = make.user(name="=HYPERLINK(\"x\")")
    make.signup_record(task.occurrences[0], formula, status="accepted")
    db.session.commit()
    login(coordinator)
    period = "?first=2026-09-01&last=2026-09-30"

    response = client.get("/koordinator/eksport/tilmeldinger.csv" + period)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _rows(response)
    assert rows[0] == ["tilmelding_id", "opgave", "institution", "start", "frivillig", "status", "timer",
                       "medbetjent", "tilmeldt"]
    assert rows[1][1:8] == ["Æblehøst i haven", "Ørholm Børnehave", "2026-09-10 10:00", "Søren Ærø", "mødt",
                            "2,50", "nej"]
    assert rows[2][5] == "godkendt"
    assert rows[2][4].startswith("'=")  # no formula injection

    rows = _rows(client.get("/koordinator/eksport/opgaver.csv" + period))
    assert rows[0][:3] == ["opgave_id", "titel", "institution"] and rows[1][1:4] == ["Æblehøst i haven",
                                                                                     "Ørholm Børnehave", "lukket"]
    rows = _rows(client.get("/koordinator/eksport/timer.csv" + period))
    assert rows == [["institution", "måned", "fremmødte", "timer"], ["Ørholm Børnehave", "2026-09", "1", "2,50"]]
    rows = _rows(client.get("/koordinator/eksport/overblik.csv" + period))
    assert rows[0] == ["afsnit", "nøgle", "værdi"]
    assert ["periode", "frivillige der var med", "2"] in rows
    assert ["timer: Ørholm Børnehave", "2026-09", "2,50"] in rows
    assert ["køn", "ikke oplyst", "2"] in rows
    english = {"period", "now", "participants", "open_tasks", "hours", "unknown", "female", "male", "gender",
               "area", "age_band", "first", "last"}
    assert not english & {cell for row in rows for cell in row[:2]}
    empty = _rows(client.get("/koordinator/eksport/tilmeldinger.csv?first=2020-01-01&last=2020-01-31"))
    assert len(empty) == 1


def test_a_large_export_streams_in_chunks(app, make):
    from portal.coordinators.exports import csv_lines
    chunks = list(csv_lines(["a", "b"], (("æ", i) for i in range(2500))))
    assert chunks[0] == "\ufeffa;b\r\n" and len(chunks) == 4
    assert "".join(chunks).count("\r\n") == 2501


def test_a_decision_for_a_citizen_without_email_asks_the_coordinator_to_phone(client, login, make):
    coordinator = _coordinator(make)
    citizen = ops.create_assisted_profile(actor=coordinator, now=utcnow(), name="Poul Uden Mail", email=None,
                                          phone="12121212", consent_how="I telefonen", consent_at=utcnow())
    db.session.commit()
    login(coordinator)
    response = client.post(f"/koordinator/profiler/{citizen.profile.id}/afgoerelse",
                           data={"d-decision": "changes_requested", "d-message": "Vi mangler dine tider."},
                           follow_redirects=True)
    assert "Borgeren har ingen e-mailadresse, så ring venligst til dem." in response.get_data(as_text=True)
    assert db.session.get(User, citizen.id).profile.review_status == "changes_requested"


def test_a_cell_that_a_spreadsheet_would_run_is_quoted():
    from portal.coordinators.exports import _cell
    assert [_cell(v) for v in ("=1+1", "\t=1+1", "\r=1+1", "@SUM(A1)", "Bent")] == [
        "'=1+1", "'\t=1+1", "'\r=1+1", "'@SUM(A1)", "Bent"]


def test_a_consent_in_the_future_is_refused_and_the_input_kept(client, login, make):
    login(_coordinator(make))
    later = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/koordinator/medbetjening/ny", data={**FORM, "consent_at": later})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Samtykket kan ikke være givet ude i fremtiden." in page
    assert "Åse Ørnbøl" in page and db.session.scalar(select(func.count()).select_from(User)) == 1
