"""Rule 1: a sign-up on a task that needs a child certificate (or the pledge) is accepted by nobody, on no path,
until a certificate valid on the occurrence's day (or the pledge) is recorded; staff see why and what
happens next; the sign-up stays in the coordinators' queue until then."""
import re
from datetime import timedelta

from sqlalchemy import select

from models import OutboxMessage, Signup, SignupStatus, db, utcnow
from models.task_operations import TaskPlan, edit_task
from portal.scheduler import jobs
from tests.factories import PASSWORD, sign_up


def _status(signup) -> str:
    return db.session.scalar(select(Signup.status).where(Signup.id == signup.id))


def _pending_page(app, world) -> str:
    return world.client_of(app, world.coordinator).get("/koordinator/afventer").get_data(as_text=True)


def test_citizen_path_waits_and_says_why(app, world):
    task = world.certificate_task()
    mette = world.citizen("Mette Frivillig")
    db.session.commit()
    client = world.client_of(app, mette)
    confirm = client.get(f"/opgaver/{task.id}/tilmeld?occurrence={task.occurrences[0].id}").get_data(as_text=True)
    assert "Opgaven kræver en børneattest" in confirm
    response = client.post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": str(task.occurrences[0].id)})
    [signup] = db.session.scalars(select(Signup).where(Signup.user_id == mette.id))
    assert signup.status == SignupStatus.PENDING and signup.holds_spot
    assert "venter, til frivilligkoordinatoren har registreret din børneattest" in \
        client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mette Frivillig" in _pending_page(app, world)


def test_assisted_path_waits_too(app, world):
    task = world.certificate_task()
    aksel = world.citizen("Aksel Uden Attest")
    db.session.commit()
    client = world.client_of(app, world.coordinator)
    response = client.post(f"/koordinator/medbetjening/{aksel.id}",
                           data={"occurrence": str(task.occurrences[0].id), "note": ""}, follow_redirects=True)
    assert "venter på screening" in response.get_data(as_text=True)
    [signup] = db.session.scalars(select(Signup).where(Signup.user_id == aksel.id))
    assert signup.status == SignupStatus.PENDING and signup.assisted_by_id == world.coordinator.id
    assert "Aksel Uden Attest" in _pending_page(app, world)


def test_staff_path_cannot_accept_and_sees_what_happens_next(app, world):
    task = world.certificate_task()
    signup = sign_up(task.occurrences[0], volunteer=world.citizen("Mette Frivillig")).signup
    db.session.commit()
    client = world.client_of(app, world.staff)
    page = client.get(f"/institution/opgaver/{task.id}").get_data(as_text=True)
    assert "Børneattest: ikke registreret" in page and "Frivilligkoordinatoren sørger for det" not in page
    assert "frivilligkoordinatoren" in page.lower() and "af sig selv" in page
    flashed = client.post(f"/institution/tilmeldinger/{signup.id}/accepter", follow_redirects=True)
    assert "kan ikke godkendes endnu" in flashed.get_data(as_text=True)
    assert _status(signup) == SignupStatus.PENDING
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "signup_accepted")) is None
    assert "Mette Frivillig" in _pending_page(app, world)


def test_a_certificate_must_be_valid_on_the_day_of_each_time(app, world):
    task = world.certificate_task(occurrences=2)
    first, second = task.occurrences
    mette = world.citizen("Mette Frivillig")
    early = sign_up(first, volunteer=mette).signup
    late = sign_up(second, volunteer=mette).signup
    world.certify(mette, until=first.day)  # runs out before the second time
    db.session.commit()
    assert (_status(early), _status(late)) == (SignupStatus.ACCEPTED, SignupStatus.PENDING)
    page = world.client_of(app, world.staff).get(f"/institution/opgaver/{task.id}").get_data(as_text=True)
    assert "Børneattest: gyldig" in page and "Børneattest: ikke registreret" in page


def test_mail_link_path_gives_the_freed_place_to_a_waiting_volunteer_as_pending(app, world, smtp):
    start = utcnow().replace(microsecond=0) + timedelta(hours=20)
    task = world.certificate_task(capacity=1, starts_at=start)
    certified, uncertified = world.citizen("Anna Attest"), world.citizen("Bo Uden")
    world.certify(certified, until=start.date() + timedelta(days=365))
    place = sign_up(task.occurrences[0], volunteer=certified).signup
    waiting = sign_up(task.occurrences[0], volunteer=uncertified).signup
    db.session.commit()
    assert (place.status, waiting.status) == (SignupStatus.ACCEPTED, SignupStatus.WAITLISTED)
    jobs.run_due(utcnow())
    texts = " ".join(smtp.text_of(mail) for mail in smtp.to(certified.email))  # the reminder among them
    cancel = re.search(r"http://samskab\.test(/vagt/[^\s/]+/afbud)", texts).group(1)
    assert app.test_client().post(cancel, data={"reason": "Syg"}).status_code == 302
    assert _status(waiting) == SignupStatus.PENDING  # moved up, holds the place, not accepted


def test_erasure_path_gives_the_freed_place_to_a_waiting_volunteer_as_pending(app, world):
    task = world.certificate_task(capacity=1)
    certified, uncertified = world.citizen("Anna Attest"), world.citizen("Bo Uden")
    world.certify(certified, until=utcnow().date() + timedelta(days=365))
    sign_up(task.occurrences[0], volunteer=certified)
    waiting = sign_up(task.occurrences[0], volunteer=uncertified).signup
    db.session.commit()
    client = world.client_of(app, certified)
    assert client.post("/mig/slet", data={"password": PASSWORD, "confirm": "y"}).status_code == 302
    assert _status(waiting) == SignupStatus.PENDING


def test_scheduler_path_closes_a_stale_application_and_the_next_one_still_waits(app, world):
    now = utcnow()
    task = world.certificate_task(capacity=1, starts_at=now + timedelta(days=30))
    stale = sign_up(task.occurrences[0], volunteer=world.citizen("Anna Uden"), now=now).signup
    waiting = sign_up(task.occurrences[0], volunteer=world.citizen("Bo Uden"), now=now).signup
    db.session.commit()
    jobs.execute(jobs.BY_ID["pending_signups"], now=now + timedelta(days=10, minutes=1), deliver=False)
    assert (_status(stale), _status(waiting)) == (SignupStatus.DECLINED, SignupStatus.PENDING)


def test_staff_adding_the_requirement_sends_accepted_volunteers_back_to_waiting(app, world):
    task = world.make.task(world.school, title="Skak i frikvarteret")
    signup = sign_up(task.occurrences[0], volunteer=world.citizen("Mette Frivillig")).signup
    db.session.commit()
    assert signup.status == SignupStatus.ACCEPTED
    plan = TaskPlan(fields={"requires_child_certificate": True}, capacity=task.capacity, kind=task.kind,
                    recurrence=task.recurrence, schedule=[(o.starts_at, o.ends_at) for o in task.occurrences])
    result = edit_task(task, plan, actor=world.staff, now=utcnow())
    db.session.commit()
    assert result.waiting_again == [signup] and _status(signup) == SignupStatus.PENDING and signup.holds_spot


def test_recording_the_certificate_accepts_it_by_itself_and_tells_the_volunteer(app, world):
    task = world.certificate_task()
    mette = world.citizen("Mette Frivillig")
    signup = sign_up(task.occurrences[0], volunteer=mette).signup
    db.session.commit()
    client = world.client_of(app, world.coordinator)
    today = utcnow().date()
    client.post(f"/koordinator/profiler/{mette.profile.id}/screening", data={
        "s-certificate_status": "received", "s-requested_on": (today - timedelta(days=9)).isoformat(),
        "s-received_on": today.isoformat(), "s-valid_until": (today + timedelta(days=700)).isoformat()})
    assert _status(signup) == SignupStatus.ACCEPTED
    assert db.session.scalar(select(OutboxMessage.user_id).where(OutboxMessage.kind == "signup_accepted")) == mette.id
    assert "Mette Frivillig" not in _pending_page(app, world)
