"""The demo data: enough realistic content for every page, loaded once, never over existing data."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import (Council, Event, Idea, Institution, Occurrence, Project, Role, Signup, Task, TeamSignup, User,
                    VolunteerProfile, db, utcnow)
from models.ideas import IdeaStatus
from models.organisations import INSTITUTION_KINDS
from portal.demo import DEMO_LOGINS, DEMO_PASSWORD, DemoDataExists, load_demo_data
from tests.auth_steps import log_in_with_form


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_data_fills_every_part_of_the_site(app):
    now = utcnow()
    load_demo_data(db.session, now=now)
    db.session.commit()

    kinds = set(db.session.scalars(select(Institution.kind)))
    assert kinds == set(INSTITUTION_KINDS)
    assert db.session.scalar(select(func.count(Task.id)).where(Task.status == "open")) >= 40
    assert count(VolunteerProfile) >= 60
    assert count(Council) == 2 and count(Project) >= 2 and count(Event) >= 2
    assert set(db.session.scalars(select(Idea.status))) == set(IdeaStatus.ALL)
    for email, _name, roles in DEMO_LOGINS:
        user = db.session.scalar(select(User).where(User.email == email))
        assert user.check_password(DEMO_PASSWORD)
        assert all(user.has_role(role) for role in roles)
    assert {r for _e, _n, roles in DEMO_LOGINS for r in roles} == set(Role)
    # Commitments start within the next day, so reminders are due right after loading.
    soon = db.session.scalar(
        select(func.count(Signup.id)).join(Occurrence)
        .where(Signup.status == "accepted", Occurrence.starts_at > now,
               Occurrence.starts_at <= now + timedelta(hours=48)))
    assert soon >= 1
    # Capacity bookkeeping agrees with the sign-ups and the places teams hold.
    held = dict(db.session.execute(select(TeamSignup.occurrence_id, func.sum(TeamSignup.held))
                                   .group_by(TeamSignup.occurrence_id)).all())
    assert sum(held.values()) > 0  # the demo teams hold places their members have not confirmed
    for occ in db.session.scalars(select(Occurrence)):
        holding = sum(1 for s in occ.signups if s.holds_spot) + held.get(occ.id, 0)
        assert occ.accepted_count == holding <= occ.capacity


def test_demo_data_refuses_a_database_with_data(app, make):
    make.user(email="someone@example.dk")
    db.session.commit()
    with pytest.raises(DemoDataExists):
        load_demo_data(db.session, now=utcnow())
    db.session.rollback()
    assert count(User) == 1 and count(Task) == 0


def test_demo_data_command_says_so_on_a_second_run(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0 and "Demo data loaded" in first.output
    users = count(User)
    second = runner.invoke(args=["demo-data"])
    assert second.exit_code == 0 and "already has data" in second.output
    assert count(User) == users


# --- the demo tells the truth ----------------------------------------------------------------------------

def test_the_demo_data_tells_the_truth(app):
    from models import ReviewStatus, SignupStatus, TaskStatus
    from models.tasks import missing_for, missing_frame
    now = utcnow()
    load_demo_data(db.session, now=now)
    db.session.commit()
    signups = list(db.session.scalars(select(Signup)))
    # Nobody holds an accepted place (or gave hours) on a task whose screening they lack on its day.
    took_part = [s for s in signups if s.status in (*SignupStatus.TOOK_PART, SignupStatus.NO_SHOW)]
    assert took_part and [s for s in took_part if missing_for(s)] == []
    # Those waiting, wait for something real; an approved profile holds nothing it lacks.
    assert all(missing_for(s) for s in signups if s.status == SignupStatus.PENDING)
    approved = {p.user_id for p in db.session.scalars(select(VolunteerProfile))
                if p.review_status == ReviewStatus.APPROVED}
    assert not [s for s in took_part if s.user_id in approved and missing_for(s)]
    # Every published task has its frame; no declined profile holds a place; nothing was mailed.
    assert [t.id for t in db.session.scalars(select(Task)) if t.status != TaskStatus.DRAFT and missing_frame(t)] == []
    barred = {p.user_id for p in db.session.scalars(select(VolunteerProfile))
              if p.review_status in ReviewStatus.BARRED}
    assert not [s for s in signups if s.user_id in barred and s.status in SignupStatus.ACTIVE]
    from models import OutboxMessage
    assert count(OutboxMessage) == 0
    # The history is there: hours, a no-show, a "Jeg kommer", an audit trail of decisions.
    assert {SignupStatus.ATTENDED, SignupStatus.NO_SHOW} <= {s.status for s in signups}
    assert any(s.confirmed_at for s in signups)


# --- issue 12's "done when", on a fresh demo instance driven through its URLs ------------------------------

@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def demo(request, app):
    assert db.engine.dialect.name == request.param
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert "Demo data loaded" in result.output
    return app


def _log_in(app, email):
    """Through the form, the second factor included for the coordinator."""
    client = app.test_client()
    response = log_in_with_form(client, email, DEMO_PASSWORD)
    assert response.status_code == 302, email
    return client


def test_staff_cannot_accept_a_volunteer_without_the_required_certificate(demo):
    from models import InstitutionMember, SignupStatus
    from models.tasks import missing_for
    staff = db.session.scalar(select(User).where(User.email == "institution@samskab.dk"))
    mine = select(InstitutionMember.institution_id).where(InstitutionMember.user_id == staff.id)
    waiting = [s for s in db.session.scalars(select(Signup).join(Occurrence).join(Task).where(
        Signup.status == SignupStatus.PENDING, Task.institution_id.in_(mine))) if "child_certificate" in missing_for(s)]
    assert waiting, "the demo has a sign-up at the staff member's school that waits for a certificate"
    signup = waiting[0]
    client = _log_in(demo, "institution@samskab.dk")
    page = client.get(f"/institution/opgaver/{signup.occurrence.task_id}").get_data(as_text=True)
    assert "Børneattest: ikke registreret" in page and "kan ikke godkendes endnu" in page
    response = client.post(f"/institution/tilmeldinger/{signup.id}/accepter", follow_redirects=True)
    assert "kan ikke godkendes endnu" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Signup, signup.id).status == SignupStatus.PENDING
    queue = _log_in(demo, "koordinator@samskab.dk").get("/koordinator/afventer").get_data(as_text=True)
    assert signup.user.name in queue


def test_a_declined_volunteer_holds_no_place_after_trying_to_sign_up(demo):
    from models import SignupStatus, TaskStatus
    citizen = db.session.scalar(select(User).where(User.email == "borger@samskab.dk"))
    held = db.session.scalar(select(func.count(Signup.id)).where(Signup.user_id == citizen.id,
                                                                  Signup.status.in_(SignupStatus.ACTIVE)))
    assert held, "the demo citizen has coming places"
    coordinator = _log_in(demo, "koordinator@samskab.dk")
    response = coordinator.post(f"/koordinator/profiler/{citizen.profile.id}/afgoerelse",
                                data={"d-decision": "declined", "d-message": "Vi har ikke opgaver til dig lige nu."})
    assert response.status_code == 302
    volunteer = _log_in(demo, "borger@samskab.dk")
    task = db.session.scalar(select(Task).where(Task.status == TaskStatus.OPEN, Task.requires_child_certificate.is_(False),
                                                Task.requires_pledge.is_(False)).order_by(Task.id))
    occurrence = next(o for o in task.occurrences if o.starts_at > utcnow())
    answer = volunteer.post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": str(occurrence.id)})
    assert "ikke godkendt din frivilligprofil" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Signup.id)).where(
        Signup.user_id == citizen.id, Signup.status.in_(SignupStatus.ACTIVE))) == 0
    assert "Gav dine pladser i kommende opgaver videre" in volunteer.get("/min-profil/indsigt").get_data(as_text=True)


def test_an_initiators_idea_page_names_no_citizen_who_has_not_joined(demo):
    from models import CoCreator, Idea
    citizen = db.session.scalar(select(User).where(User.email == "borger@samskab.dk"))
    idea = db.session.scalar(select(Idea).where(Idea.initiator_id == citizen.id))
    page = _log_in(demo, "borger@samskab.dk").get(f"/ideer/{idea.id}").get_data(as_text=True)
    joined = set(db.session.scalars(select(CoCreator.user_id).where(CoCreator.idea_id == idea.id)))
    named = [u for u in db.session.scalars(select(User).where(User.id != citizen.id, User.id.not_in(joined or {0})))
             if u.profile is not None and u.name in page]
    # Only someone who chose the separate consent to be shown to citizens may be named (none in this idea's way).
    assert [u.name for u in named if not u.profile.consent_shown_to_citizens] == []
    assert "hvis evner passer" in page  # the initiator learns how many fit
