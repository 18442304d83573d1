"""The migrations build the whole schema from empty, tear it down again, and agree with the models."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from models import db


def _roundtrip(app):
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True,
                "include_object": app.extensions["migrate"].configure_args["include_object"]})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"Models and migrations disagree: {diff}"
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}


def test_migrations_sqlite(make_app):
    _roundtrip(make_app())


@pytest.mark.postgres
def test_migrations_postgres(make_app):
    _roundtrip(make_app())
