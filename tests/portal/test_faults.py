"""Faults: a database outage fails cleanly and recovers by itself; one unsendable mail blocks no other."""
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError

from models import OutboxMessage, db, utcnow
from portal.access import PUBLIC, access
from portal.mail import sender
from tests.conftest import sign_in
from tests.mailserver import MailServer


def test_production_settings_ping_the_pool():
    from portal import config
    assert config.load({})["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_database_outage_is_a_clean_danish_503(make_app, make):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.route("/test-db-down")
    @access(PUBLIC)
    def down():
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    with app.app_context():
        db.create_all()
        user = make.user(email="nede@example.dk")
        db.session.commit()
        for client in (app.test_client(), sign_in(app.test_client(), user)):
            response = client.get("/test-db-down")
            html = response.get_data(as_text=True)
            assert response.status_code == 503 and response.headers["Retry-After"]
            assert "utilgængelig" in html and "server closed" not in html and "Traceback" not in html
        assert sign_in(app.test_client(), user).get("/mig/data").status_code == 200  # and it goes on


@pytest.mark.postgres
def test_app_recovers_when_postgres_drops_its_connections(make_app, make):
    """What a PostgreSQL restart does to the pool: every open connection dies. Pre-ping replaces them."""
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})
    with app.app_context():
        db.create_all()
        user = make.user(email="pg@example.dk")
        db.session.commit()
        client = sign_in(app.test_client(), user)
        assert client.get("/mig/data").status_code == 200
        db.session.remove()
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        killer = create_engine(url)
        with killer.begin() as conn:
            killed = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
        killer.dispose()
        assert killed >= 1
        assert [client.get("/mig/data").status_code for _ in range(3)] == [200, 200, 200]


def test_an_unsendable_mail_does_not_block_the_batch(app, make):
    server = MailServer()
    server.start()
    try:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_TIMEOUT=5)
        good = make.user(email="god@example.dk")
        bad = make.user(email="daarlig@example.dk")
        poison = make.outbox_message(bad, dedup_key="poison")
        poison.recipient = "kontakt@solgården.dk"  # smtplib cannot send a non-ASCII address this way
        fine = make.outbox_message(good, dedup_key="fine")
        db.session.commit()
        counts = sender.deliver(now=utcnow())
        db.session.expire_all()
        assert db.session.get(OutboxMessage, fine.id).status == "sent"
        assert db.session.get(OutboxMessage, poison.id).status == "failed"
        assert counts["sent"] == 1 and counts["failed"] == 1
        assert [m["To"] for m in server.messages] == ["god@example.dk"]
        assert not db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "sending")).all()
    finally:
        server.stop()


@pytest.mark.postgres
def test_a_connection_lost_after_the_answer_does_not_turn_it_into_an_error(make_app):
    """PostgreSQL restarting between a page's last query and the end of the request."""
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True}, PROPAGATE_EXCEPTIONS=False)

    @app.route("/test-lose-connection")
    @access(PUBLIC)
    def lose():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        killer = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        with killer.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killer.dispose()
        return "svar"

    with app.app_context():
        db.create_all()
    client = app.test_client()  # no app context held: each request tears its own down, as in production
    response = client.get("/test-lose-connection")
    assert response.status_code == 200 and response.get_data(as_text=True) == "svar"
    assert client.get("/opgaver").status_code == 200
