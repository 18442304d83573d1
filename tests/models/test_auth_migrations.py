"""The auth migrations carry existing rows over: e-mail addresses normalised, clashes stopped and named."""
import pytest
from alembic import command
from flask_migrate import upgrade
from sqlalchemy import text

from models import db

INSERT = text('INSERT INTO "user" (email, name, locale, active, created_at) '
              "VALUES (:email, 'X', 'da', true, CURRENT_TIMESTAMP)")


def test_existing_addresses_are_normalised(make_app):
    app = make_app()
    with app.app_context():
        upgrade(revision="10c67bcbdef8")
        with db.engine.begin() as conn:
            for email in ("Borger@Samskab.dk\u200b", "anden@example.dk", "\u200eTREDJE@example.dk", None):
                conn.execute(INSERT, {"email": email})
        upgrade(revision="auth01")
        with db.engine.connect() as conn:
            emails = [row[0] for row in conn.execute(text('SELECT email FROM "user" ORDER BY id'))]
        assert emails == ["borger@samskab.dk", "anden@example.dk", "tredje@example.dk", None]


def test_two_accounts_that_are_one_address_stop_the_upgrade_and_are_named(make_app):
    app = make_app()
    with app.app_context():
        upgrade(revision="10c67bcbdef8")
        with db.engine.begin() as conn:
            conn.execute(INSERT, {"email": "borger@samskab.dk"})
            conn.execute(INSERT, {"email": "borger@samskab.dk\u00ad"})
        config = app.extensions["migrate"].migrate.get_config()
        with pytest.raises(RuntimeError, match=r"borger@samskab\.dk: users 1, 2"):
            command.upgrade(config, "auth01")
        with db.engine.connect() as conn:
            assert conn.execute(text('SELECT count(*) FROM "user" WHERE email = :e'),
                                {"e": "borger@samskab.dk\u00ad"}).scalar() == 1
