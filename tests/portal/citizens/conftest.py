"""A logged-in citizen and a school, shared by the citizens' tests."""
import pytest

from models import Role, db


@pytest.fixture
def citizen(make, login):
    person = make.user(Role.CITIZEN, name="Bente Borger")
    db.session.commit()
    login(person)
    return person


@pytest.fixture
def school(make):
    return make.institution(name="Lyngby Skole")
