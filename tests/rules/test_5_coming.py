"""Rule 5: "Jeg kommer" from the reminder is recorded and shown to staff beside the attendance list, and the
coordinators' overview counts who did not come."""
import re
from datetime import timedelta

from sqlalchemy import select

from models import Signup, SignupStatus, db, utcnow
from models.task_operations import confirm_coming, record_attendance
from portal.scheduler import jobs
from tests.factories import sign_up


def _links(smtp, person) -> tuple[str, str]:
    texts = " ".join(smtp.text_of(mail) for mail in smtp.to(person.email))
    coming = re.search(r"http://samskab\.test(/vagt/[^\s/]+)\s", texts).group(1)
    return coming, coming + "/afbud"


def test_jeg_kommer_from_the_reminder_is_recorded_and_shown_beside_the_attendance_list(app, world, smtp):
    start = utcnow().replace(microsecond=0) + timedelta(hours=20)
    task = world.make.task(world.school, title="Kagebord", starts_at=start, capacity=3)
    coming, silent, absent = (world.citizen(name) for name in ("Anna Kommer", "Bo Tavs", "Carl Udebliver"))
    signups = [sign_up(task.occurrences[0], volunteer=p).signup for p in (coming, silent, absent)]
    db.session.commit()
    jobs.run_due(utcnow())                                  # the scheduler sends the day-before reminders
    link, _cancel = _links(smtp, coming)
    mail_client = app.test_client()
    page = mail_client.get(link).get_data(as_text=True)
    assert "Kommer du?" in page and db.session.get(Signup, signups[0].id).confirmed_at is None  # opening: nothing
    mail_client.post(link, data={})
    mail_client.post(link, data={})                         # twice: the first answer's time is kept
    confirmed = db.session.get(Signup, signups[0].id).confirmed_at
    assert confirmed is not None and "fortalte os" in mail_client.get(link).get_data(as_text=True)
    assert db.session.get(Signup, signups[0].id).confirmed_at == confirmed

    staff = world.client_of(app, world.staff)
    overview = staff.get(f"/institution/opgaver/{task.id}").get_data(as_text=True)
    assert overview.count("Jeg kommer") == 1 and "Anna Kommer" in overview.split("Jeg kommer")[0].rsplit("<tr>", 1)[1]
    occurrence = task.occurrences[0]
    occurrence.starts_at, occurrence.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1)
    db.session.commit()
    url = f"/institution/gange/{occurrence.id}/fremmoede"
    sheet = staff.get(url).get_data(as_text=True)
    rows = {name: sheet.split(name, 1)[1].split("</tr>", 1)[0] for name in ("Anna Kommer", "Bo Tavs", "Carl Udebliver")}
    assert "Jeg kommer" in rows["Anna Kommer"] and "Intet svar" in rows["Bo Tavs"]
    ordered = sorted(signups, key=lambda s: s.user.name)
    data = {}
    for n, signup in enumerate(ordered):
        data[f"rows-{n}-signup_id"] = str(signup.id)
        if signup.user_id != absent.id:
            data[f"rows-{n}-attended"] = "y"
    assert staff.post(url, data=data).status_code == 302
    statuses = dict(db.session.execute(select(Signup.user_id, Signup.status)
                                       .where(Signup.occurrence_id == occurrence.id)).all())
    assert statuses == {coming.id: SignupStatus.ATTENDED, silent.id: SignupStatus.ATTENDED,
                        absent.id: SignupStatus.NO_SHOW}


def test_the_overview_counts_no_shows_and_who_of_them_had_said_they_would_come(app, world):
    now = utcnow()
    task = world.make.task(world.school, title="Kagebord", starts_at=now + timedelta(days=1), capacity=3)
    occurrence = task.occurrences[0]
    people = [world.citizen(name) for name in ("Anna", "Bo", "Carl")]
    signups = [sign_up(occurrence, volunteer=p, now=now).signup for p in people]
    confirm_coming(signups[0], actor=people[0], now=now)
    later = occurrence.ends_at + timedelta(hours=1)
    record_attendance(signups[0], actor=world.staff, now=later, attended=False, hours=None)
    record_attendance(signups[1], actor=world.staff, now=later, attended=False, hours=None)
    record_attendance(signups[2], actor=world.staff, now=later, attended=True, hours=None)
    db.session.commit()
    day = occurrence.day
    page = world.client_of(app, world.coordinator).get(
        f"/koordinator/overblik?first={(day - timedelta(days=1)).isoformat()}&last={(day + timedelta(days=1)).isoformat()}")
    html = page.get_data(as_text=True)
    assert re.search(r"<strong>2</strong> gange nogen ikke kom som aftalt", html)
    assert "1 af dem havde svaret" in html
    csv = world.client_of(app, world.coordinator).get(
        f"/koordinator/eksport/overblik.csv?first={(day - timedelta(days=1)).isoformat()}"
        f"&last={(day + timedelta(days=1)).isoformat()}").get_data(as_text=True)
    assert "periode;udeblivelser;2" in csv and "periode;udeblivelser efter 'Jeg kommer';1" in csv
