"""Shared fixtures: an app per test on a fresh database (SQLite, or PostgreSQL when marked)."""
from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from app import create_app
from models import db
from tests import factories

REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
# The server's maintenance database: each test run creates its own database beside it (and drops it at
# the end), so two runs on one host never drop each other's schema.
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://127.0.0.1:5432/test")
RUN_DATABASE = f"samskab_test_{os.getpid()}_{secrets.token_hex(3)}"
_run_database_created = False


def _server_url(database: str) -> str:
    rest = PG_URL.split("://", 1)[1]
    server = rest.rsplit("/", 1)[0] if "/" in rest else rest
    return f"postgresql+psycopg://{server}/{database}"


def pg_url() -> str:
    """This run's own database (created on first use)."""
    return _server_url(RUN_DATABASE)


def _maintenance_engine():
    return create_engine(_server_url(PG_URL.rsplit("/", 1)[1]), isolation_level="AUTOCOMMIT",
                         connect_args={"connect_timeout": 3})


def postgres_available() -> bool:
    """True when the server answers; creates this run's database the first time."""
    global _run_database_created
    if _run_database_created:
        return True
    try:
        engine = _maintenance_engine()
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{RUN_DATABASE}"'))
        engine.dispose()
        _run_database_created = True
        return True
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return False


def pytest_sessionfinish(session, exitstatus):
    if not _run_database_created:
        return
    engine = _maintenance_engine()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{RUN_DATABASE}" WITH (FORCE)'))
    engine.dispose()


def base_config(tmp_path: Path, **extra) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_SEND_IMMEDIATELY": False,
        "BASE_URL": "http://samskab.test",
        "SERVER_NAME": None,
    }
    config.update(extra)
    return config


def reset_postgres() -> None:
    engine = create_engine(pg_url())
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request starts as in production: empty `g` and no stale objects in the session.

    The tests keep one application context pushed (so they can use db.session between requests);
    Flask then reuses it for requests, which would share `g` (and Flask-Login's cached user).
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(vars(g)):
                delattr(g, name)
            db.session.expire_all()
        return super().open(*args, **kwargs)


@pytest.fixture
def db_url(request, tmp_path):
    """The database URL for this test: PostgreSQL for tests marked `postgres`, else a SQLite file."""
    if request.node.get_closest_marker("postgres"):
        if not postgres_available():
            if REQUIRE_POSTGRES:
                pytest.fail("PostgreSQL is required (REQUIRE_POSTGRES=1) but not reachable at " + PG_URL)
            pytest.skip("PostgreSQL not available")
        reset_postgres()
        return pg_url()
    return f"sqlite:///{tmp_path / 'test.db'}"


REQUIRE_REDIS = os.environ.get("REQUIRE_REDIS") == "1"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url(request):
    """Redis for tests marked `redis`, with a key prefix of this test's own (parallel runs share the server)."""
    import redis
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if REQUIRE_REDIS:
            pytest.fail("Redis is required (REQUIRE_REDIS=1) but not reachable at " + REDIS_URL)
        pytest.skip("Redis not available")
    return REDIS_URL


@pytest.fixture
def redis_prefix():
    return f"samskab-test-{os.getpid()}-{secrets.token_hex(4)}"


@pytest.fixture
def make_app(tmp_path, db_url, monkeypatch):
    monkeypatch.setenv("SAMSKAB_INSTANCE", str(tmp_path / "instance"))
    created = []

    def build(**extra):
        app = create_app(base_config(tmp_path, SQLALCHEMY_DATABASE_URI=db_url, **extra))
        app.test_client_class = IsolatedClient
        created.append(app)
        return app

    yield build
    for app in created:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def warm_identity(app) -> None:
    """Read the municipality's identity into the app's 30 s cache, as a running site has it."""
    from portal.look import current_identity
    with app.test_request_context():
        current_identity()


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory) -> Path:
    """An empty SQLite database with the schema, made once per run: a test's own database starts as a
    copy of it (a file copy takes a millisecond, `create_all` about 150 ms)."""
    folder = tmp_path_factory.mktemp("schema")
    schema = create_app(base_config(folder))
    with schema.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return folder / "test.db"


@pytest.fixture
def app(make_app, db_url, sqlite_schema):
    copied = db_url.startswith("sqlite:///")
    if copied:
        shutil.copyfile(sqlite_schema, db_url.removeprefix("sqlite:///"))
    app = make_app()
    with app.app_context():
        if not copied:
            db.create_all()
        # The municipality's identity is read once per 30 s per process; start warm, as a running site is,
        # so statement counts measure the page itself.
        warm_identity(app)
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


def sign_in(client, user):
    """Log a user in through the session, without the form (the form has its own tests).

    The session is one that passed every step of the log-in, the second factor included.
    """
    from flask_login.utils import _create_identifier

    from models import utcnow
    from portal.auth import sessions
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
        sess["_id"] = identifier
        sess.update(sessions.values(method=sessions.PASSWORD, now=utcnow(), second_factor=True))
    return client


@pytest.fixture
def login(client):
    return lambda user: sign_in(client, user)


@pytest.fixture
def make():
    return factories
