"""Rule 2: a volunteer whose profile is declined holds no place, is not suggested and not invited; their
coming places are given back (each waiting list moves up, in order) with a kind mail, and the decision
is in the audit log the citizen sees."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import DomainError, OutboxMessage, Signup, SignupStatus, db, utcnow
from models import volunteer_operations as ops
from models.task_operations import invite_volunteer
from models.tasks import waitlist_positions
from portal import suggestions
from portal.scheduler import followups, jobs
from tests.factories import PASSWORD, sign_up


def _statuses(*signups) -> list[str]:
    db.session.expire_all()
    return [db.session.get(Signup, s.id).status for s in signups]


def _decline(person, world, message="Vi kan desværre ikke bruge dig som frivillig lige nu."):
    ops.review_profile(person.profile, actor=world.coordinator, now=utcnow(), decision="declined", message=message)
    db.session.commit()


def test_declining_gives_back_coming_places_in_order_kindly_and_visibly(app, world):
    make = world.make
    declined = world.citizen("Dorte Afvist", skills="Lektiehjælp")
    reading = make.task(world.school, title="Højtlæsning", capacity=1)
    series = make.task(world.school, title="Skak", capacity=1, occurrences=2)
    held = sign_up(reading.occurrences[0], volunteer=declined).signup
    first_in_line = sign_up(reading.occurrences[0], volunteer=world.citizen("Første i kø")).signup
    second_in_line = sign_up(reading.occurrences[0], volunteer=world.citizen("Anden i kø")).signup
    chess = [sign_up(o, volunteer=declined).signup for o in series.occurrences]
    db.session.commit()
    client = world.client_of(app, world.coordinator)
    client.post(f"/koordinator/profiler/{declined.profile.id}/afgoerelse",
                data={"d-decision": "declined", "d-message": "Vi har ikke opgaver, der passer til dig."})
    assert _statuses(held, *chess) == [SignupStatus.CANCELLED] * 3
    assert _statuses(first_in_line, second_in_line) == [SignupStatus.ACCEPTED, SignupStatus.WAITLISTED]
    assert waitlist_positions([second_in_line]) == {second_in_line.id: 1}
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "profile_review"))
    assert mail.user_id == declined.id and "Højtlæsning" in mail.body_text and "Skak" in mail.body_text
    assert "Tak, fordi du gerne vil hjælpe" in mail.body_text
    insight = world.client_of(app, declined).get("/min-profil/indsigt").get_data(as_text=True)
    assert "Traf afgørelse om profilen: afvist" in insight and "Gav dine pladser i kommende opgaver videre" in insight


def test_citizen_path_a_declined_volunteer_holds_no_place_after_trying(app, world):
    task = world.make.task(world.school, title="Kagebord")
    declined = world.citizen("Dorte Afvist")
    _decline(declined, world)
    client = world.client_of(app, declined)
    page = client.get(f"/opgaver/{task.id}/tilmeld?occurrence={task.occurrences[0].id}").get_data(as_text=True)
    assert "ikke godkendt din frivilligprofil" in page and "Tilmeld mig" not in page
    response = client.post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": str(task.occurrences[0].id)})
    assert response.status_code == 200 and "ikke godkendt din frivilligprofil" in response.get_data(as_text=True)
    assert db.session.scalar(select(Signup).where(Signup.user_id == declined.id)) is None
    assert suggestions.tasks_for(declined) == []


def test_a_declined_profile_changed_by_the_citizen_is_still_barred_until_decided_again(app, world):
    task = world.make.task(world.school, title="Kagebord")
    declined = world.citizen("Dorte Afvist")
    _decline(declined, world)
    ops.update_profile(declined, ops.ProfileChanges(skills="Noget helt nyt"), now=utcnow())
    db.session.commit()
    assert declined.profile.review_status == "resubmitted"
    world.client_of(app, declined).post(f"/opgaver/{task.id}/tilmeld",
                                        data={"occurrence": str(task.occurrences[0].id)})
    assert db.session.scalar(select(Signup).where(Signup.user_id == declined.id)) is None
    assert "Dorte Afvist" in world.client_of(app, world.coordinator).get("/koordinator/profiler").get_data(as_text=True)


def test_assisted_path_refuses_to_sign_up_a_declined_citizen(app, world):
    task = world.make.task(world.school, title="Kagebord")
    declined = world.citizen("Dorte Afvist")
    _decline(declined, world)
    page = world.client_of(app, world.coordinator).post(
        f"/koordinator/medbetjening/{declined.id}", data={"occurrence": str(task.occurrences[0].id), "note": ""})
    assert "frivilligprofil er afvist" in page.get_data(as_text=True)
    assert db.session.scalar(select(Signup).where(Signup.user_id == declined.id)) is None


def test_staff_path_neither_suggests_nor_invites_a_declined_volunteer(app, world):
    task = world.make.task(world.school, title="Lektiehjælp for børn", description="Hjælp børn med lektier.")
    declined = world.citizen("Dorte Afvist", skills="Lektiehjælp for børn", consent_to_be_found=True)
    ok = world.citizen("Ole Okay", skills="Lektiehjælp for børn", consent_to_be_found=True)
    db.session.commit()
    assert {s.user.id for s in suggestions.volunteers_for(task)} == {declined.id, ok.id}
    _decline(declined, world)
    assert [s.user.id for s in suggestions.volunteers_for(task)] == [ok.id]
    client = world.client_of(app, world.staff)
    assert "Dorte Afvist" not in client.get(f"/institution/opgaver/{task.id}/forslag").get_data(as_text=True)
    client.post(f"/institution/opgaver/{task.id}/inviter/{declined.id}", data={})
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "invitation")) is None
    with pytest.raises(DomainError):
        invite_volunteer(task, declined, actor=world.staff, now=utcnow())


def _barred_in_line(world, task):
    """A declined volunteer left on a waiting list (as rows written before the rule existed)."""
    holder = world.citizen("Hanne Holder")
    holder_signup = sign_up(task.occurrences[0], volunteer=holder).signup
    declined = world.citizen("Dorte Afvist")
    barred = world.make.signup_record(task.occurrences[0], declined, status="waitlisted")
    after = sign_up(task.occurrences[0], volunteer=world.citizen("Bo Bagefter")).signup
    declined.profile.review_status = "declined"
    db.session.commit()
    return holder, holder_signup, barred, after


def test_mail_link_path_skips_a_declined_volunteer_on_the_waiting_list(app, world, smtp):
    start = utcnow().replace(microsecond=0) + timedelta(hours=20)
    task = world.make.task(world.school, title="Kagebord", capacity=1, starts_at=start)
    holder, _held, barred, after = _barred_in_line(world, task)
    jobs.run_due(utcnow())
    texts = " ".join(smtp.text_of(mail) for mail in smtp.to(holder.email))
    cancel = re.search(r"http://samskab\.test(/vagt/[^\s/]+/afbud)", texts).group(1)
    app.test_client().post(cancel, data={"reason": ""})
    assert _statuses(barred, after) == [SignupStatus.CANCELLED, SignupStatus.ACCEPTED]


def test_erasure_path_skips_a_declined_volunteer_on_the_waiting_list(app, world):
    task = world.make.task(world.school, title="Kagebord", capacity=1)
    holder, _held, barred, after = _barred_in_line(world, task)
    world.client_of(app, holder).post("/mig/slet", data={"password": PASSWORD, "confirm": "y"})
    assert _statuses(barred, after) == [SignupStatus.CANCELLED, SignupStatus.ACCEPTED]


def test_scheduler_path_skips_a_declined_volunteer_and_suggests_none(app, world):
    now = utcnow()
    task = world.make.task(world.school, title="Kagebord", capacity=1, requires_pledge=True,
                           starts_at=now + timedelta(days=30), description="Kage og kaffe til skolefesten.")
    holder, held, barred, after = _barred_in_line(world, task)
    assert held.status == SignupStatus.PENDING  # waits for the pledge
    jobs.execute(jobs.BY_ID["pending_signups"], now=now + timedelta(days=10, minutes=1), deliver=False)
    assert _statuses(held, barred, after) == [SignupStatus.DECLINED, SignupStatus.CANCELLED, SignupStatus.PENDING]
    # The under-filled mail's suggestions (the scheduler's) leave declined volunteers out too.
    soon = world.make.task(world.school, title="Kage til skolefesten", description="Kage og kaffe til skolefesten.",
                           starts_at=now + timedelta(days=2))
    world.citizen("Dorte To", skills="Kage og kaffe", consent_to_be_found=True, review_status="declined")
    db.session.commit()
    assert followups.suggested_volunteers(soon, soon.occurrences[0], now=now) == []
