"""The database itself keeps the data sound (constraints from the migration, on SQLite and PostgreSQL),
and times go in and come out as aware UTC."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError

from models import Institution, Role, Signup, Task, User, UserRole, db

BACKENDS = pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])


@pytest.fixture
def migrated(make_app):
    """A database built by the migration (not create_all), with one app context pushed."""
    app = make_app()
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()


def _refused(make_row) -> None:
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            make_row()
            db.session.flush()


@BACKENDS
def test_times_are_stored_in_utc_and_come_back_aware(migrated, make, backend):
    assert db.engine.dialect.name == backend
    copenhagen = datetime(2026, 7, 1, 10, 30, tzinfo=ZoneInfo("Europe/Copenhagen"))  # summer time, UTC+2
    user = make.user(email="tid@example.dk", last_seen_at=copenhagen)
    db.session.commit()
    stored = db.session.execute(text('SELECT last_seen_at FROM "user" WHERE id = :id'), {"id": user.id}).scalar()
    if isinstance(stored, str):  # SQLite hands back text
        stored = datetime.fromisoformat(stored)
    assert stored.replace(tzinfo=None) == datetime(2026, 7, 1, 8, 30)
    db.session.expire_all()
    back = db.session.get(User, user.id).last_seen_at
    assert back.tzinfo is not None and back.utcoffset() == timedelta(0) and back == copenhagen
    with pytest.raises(StatementError):
        with db.session.begin_nested():
            db.session.get(User, user.id).last_seen_at = datetime(2026, 7, 1, 10, 30)  # naive: refused
            db.session.flush()


@BACKENDS
def test_one_sign_up_per_volunteer_and_occurrence(migrated, make, backend):
    volunteer, task = make.user(), make.task(make.institution())
    occurrence = task.occurrences[0]
    make.signup_record(occurrence, volunteer)
    db.session.commit()
    _refused(lambda: db.session.add(Signup(occurrence_id=occurrence.id, user_id=volunteer.id, status="pending")))


@BACKENDS
def test_closed_sets_of_values_are_checked_by_the_database(migrated, make, backend):
    inst = make.institution()
    task = make.task(inst)
    user = make.user()
    db.session.commit()
    _refused(lambda: db.session.add(Institution(name="Forkert", kind="casino", postcode="2800")))
    _refused(lambda: db.session.add(UserRole(user_id=user.id, role="king")))
    _refused(lambda: db.session.add(Signup(occurrence_id=task.occurrences[0].id, user_id=user.id, status="maybe")))
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.execute(text("UPDATE task SET status = 'lost' WHERE id = :id"), {"id": task.id})
    assert db.session.get(Task, task.id).status == "open"


@BACKENDS
def test_foreign_keys_and_unique_e_mail_are_enforced(migrated, make, backend):
    make.user(email="en@example.dk")
    db.session.commit()
    _refused(lambda: db.session.add(UserRole(user_id=999_999, role="citizen")))
    _refused(lambda: db.session.add(User(email="en@example.dk", name="Dublet")))


@BACKENDS
def test_one_person_holds_several_roles_but_each_once(migrated, make, backend):
    person = make.user(Role.CITIZEN, Role.COUNCIL, Role.COORDINATOR)
    db.session.commit()
    db.session.expire_all()
    again = db.session.scalar(select(User).where(User.id == person.id))
    assert again.has_role(Role.COUNCIL) and again.has_role(Role.COORDINATOR) and not again.has_role(Role.ADMIN)
    person_id = person.id
    _refused(lambda: db.session.add(UserRole(user_id=person_id, role="council")))
    db.session.expunge_all()
    # Deleting the person removes their roles with them (ON DELETE CASCADE).
    db.session.execute(text('DELETE FROM "user" WHERE id = :id'), {"id": person_id})
    db.session.commit()
    assert db.session.scalar(select(UserRole).where(UserRole.user_id == person_id)) is None
