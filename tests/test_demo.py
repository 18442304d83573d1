"""The demo data: enough realistic content for every page, loaded once, never over existing data."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import (Council, Event, Idea, Institution, Occurrence, Project, Role, Signup, Task, User,
                    VolunteerProfile, db, utcnow)
from models.ideas import IdeaStatus
from models.organisations import INSTITUTION_KINDS
from portal.demo import DEMO_LOGINS, DEMO_PASSWORD, DemoDataExists, load_demo_data


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
    # Capacity bookkeeping agrees with the sign-ups.
    for occ in db.session.scalars(select(Occurrence)):
        holding = sum(1 for s in occ.signups if s.holds_spot)
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
