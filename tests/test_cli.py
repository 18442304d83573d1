"""`flask --app app create-admin EMAIL`: the first administrator, through click's runner."""
from sqlalchemy import func, select

from models import Role, User, db
from tests.auth_steps import log_in_with_form

GOOD = "Et-langt-admin-kodeord-7"


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def test_create_admin_makes_a_verified_administrator_who_can_log_in(app, client):
    result = app.test_cli_runner().invoke(args=["create-admin", "Chef@Kommune.dk", "--name", "Ane Chef"],
                                          input=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert "chef@kommune.dk is an administrator." in result.output
    user = _user("chef@kommune.dk")
    assert user.name == "Ane Chef" and user.has_role(Role.ADMIN)
    assert user.email_verified_at is not None and user.password_hash.startswith("scrypt:")
    response = log_in_with_form(client, "chef@kommune.dk", GOOD)  # an administrator sets up the second factor
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_create_admin_takes_the_password_from_the_environment(app):
    result = app.test_cli_runner().invoke(args=["create-admin", "env@kommune.dk"], env={"ADMIN_PASSWORD": GOOD})
    assert result.exit_code == 0, result.output
    assert _user("env@kommune.dk").check_password(GOOD)


def test_create_admin_refuses_a_weak_password_and_writes_nothing(app):
    runner = app.test_cli_runner()
    for weak in ("kort", "password123"):
        result = runner.invoke(args=["create-admin", "svag@kommune.dk", "--password", weak])
        assert result.exit_code != 0 and "characters" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_admin_grants_the_role_to_an_existing_user_and_keeps_the_password(app, make):
    from tests.factories import PASSWORD
    make.user(email="borger@kommune.dk")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["create-admin", "BORGER@kommune.dk"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    user = _user("borger@kommune.dk")
    assert user.has_role(Role.ADMIN) and user.has_role(Role.CITIZEN) and user.check_password(PASSWORD)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
