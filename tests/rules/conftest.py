"""The five rules of issue 12, each tested through every path that reaches it, on SQLite and PostgreSQL.

Paths: the citizen's pages, the coordinators' assisted service, staff pages, the signed links in mails,
erasure (deleting an account), and the scheduler's jobs. Every test here runs once per database.
"""
from datetime import date, timedelta

import pytest

from models import Role, db, utcnow
from models import volunteer_operations as ops
from tests.conftest import sign_in
from tests.mailserver import smtp  # noqa: F401  (a real SMTP server for the mail-link paths)


def pytest_generate_tests(metafunc):
    if "database" in metafunc.fixturenames:
        metafunc.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])


@pytest.fixture(autouse=True)
def database():
    """Replaced by the parameter above, the database's dialect (tests/conftest.py's db_url reads the mark)."""


class World:
    """People and a school whose task requires a child certificate."""

    def __init__(self, make):
        self.make = make
        self.coordinator = make.user(Role.COORDINATOR, name="Kirsten Koordinator", email="koordinator@kommune.dk")
        self.staff = make.user(Role.STAFF, name="Lars Leder", email="leder@skolen.dk")
        self.school = make.institution(name="Lindegårdsskolen", staff=[self.staff])

    def citizen(self, name: str, **profile):
        person = self.make.user(name=name)
        self.make.profile(person, **profile)
        return person

    def certificate_task(self, **fields):
        fields.setdefault("title", "Lektiecafé")
        return self.make.task(self.school, requires_child_certificate=True, contact_email="kontakt@skolen.dk",
                              **fields)

    def certify(self, person, *, until: date):
        ops.record_screening(person.profile, ops.ScreeningFacts(
            "received", requested_on=date.today() - timedelta(days=30), received_on=date.today() - timedelta(days=20),
            valid_until=until), actor=self.coordinator, now=utcnow())

    def client_of(self, app, person):
        return sign_in(app.test_client(), person)


@pytest.fixture
def world(app, make, database):
    assert db.engine.dialect.name == database
    made = World(make)
    db.session.commit()
    return made
