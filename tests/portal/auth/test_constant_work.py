"""Known and unknown addresses cost the same work (issue 13, item 2); timings live in scripts/bench_auth.py."""
import hashlib
import smtplib
import threading

import pytest
from sqlalchemy import event, func, select

from models import AccountMailRequest, OutboxMessage, db
from portal.mail import background, sender
from tests.conftest import warm_identity
from tests.mailserver import MailServer

NEW = {"name": "Ny Person", "password": "Et-helt-nyt-kodeord-9", "confirm": "Et-helt-nyt-kodeord-9", "accept": "y"}


@pytest.fixture
def scrypt_calls(monkeypatch):
    calls = []
    real = hashlib.scrypt

    def counting(password, *, salt, n, r, p, maxmem=0, dklen=64):
        calls.append((n, r, p))
        return real(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return calls


def _work(client, path, form, calls) -> list:
    calls.clear()
    assert client.post(path, data=form).status_code == 200
    return list(calls)


def test_log_in_runs_the_same_password_hash_for_known_unknown_and_passwordless(client, make, scrypt_calls):
    make.user(email="kendt@example.dk")
    make.user(email="uden@example.dk").password_hash = None  # an assisted account: no password yet
    db.session.commit()
    wrong = {"password": "forkert-kodeord-1"}
    known = _work(client, "/log-ind", {**wrong, "email": "kendt@example.dk"}, scrypt_calls)
    unknown = _work(client, "/log-ind", {**wrong, "email": "ingen@example.dk"}, scrypt_calls)
    passwordless = _work(client, "/log-ind", {**wrong, "email": "uden@example.dk"}, scrypt_calls)
    assert len(known) == 1 and known == unknown == passwordless


def test_registering_a_known_address_hashes_the_password_like_a_new_one(client, make, scrypt_calls):
    make.user(email="kendt@example.dk")
    db.session.commit()
    known = _work(client, "/registrer", {**NEW, "email": "kendt@example.dk"}, scrypt_calls)
    unknown = _work(client, "/registrer", {**NEW, "email": "ny@example.dk"}, scrypt_calls)
    assert len(known) == 1 and known == unknown
    kinds = sorted(db.session.scalars(select(OutboxMessage.kind)))
    assert kinds == ["account_exists", "verify"]  # one mail queued on each path


@pytest.mark.parametrize("path", ["/glemt-adgangskode", "/send-bekraeftelse-igen"])
def test_reset_and_resend_requests_do_the_same_statements_for_any_address(make_app, make, path):
    # Work after the response goes to the background thread, as in production.
    app = make_app(AFTER_RESPONSE_INLINE=False)
    with app.app_context():
        db.create_all()
        warm_identity(app)  # statements of the request itself, not of the 30 s identity cache
        make.user(email="kendt@example.dk", verified=path == "/glemt-adgangskode")
        db.session.commit()
        client = app.test_client()
        runs = {}
        for who, address in (("known", "kendt@example.dk"), ("unknown", "ingen@example.dk")):
            seen, here = [], threading.current_thread()

            def record(_conn, _cursor, statement, *_rest):
                if threading.current_thread() is here:  # the request's statements, not the thread's after it
                    seen.append(statement)

            event.listen(db.engine, "before_cursor_execute", record)
            try:
                assert client.post(path, data={"email": address}).status_code == 200
            finally:
                event.remove(db.engine, "before_cursor_execute", record)
            runs[who] = seen
            assert background.wait_until_done(10)
        assert runs["known"] == runs["unknown"] and runs["known"]
        assert not any('"user"' in statement or " user" in statement for statement in runs["known"])
        # Answered after the response: the known address got its mail, the asks are gone.
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
        assert db.session.scalar(select(func.count()).select_from(AccountMailRequest)) == 0


def test_no_smtp_connection_is_opened_in_the_request(make_app, make, monkeypatch):
    server = MailServer()
    server.start()
    threads = []
    real_connect = smtplib.SMTP.connect
    real_deliver = sender.deliver

    def connect(self, *args, **kwargs):
        threads.append(("smtp", threading.current_thread().name))
        return real_connect(self, *args, **kwargs)

    def deliver(*args, **kwargs):
        threads.append(("deliver", threading.current_thread().name))
        return real_deliver(*args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "connect", connect)
    monkeypatch.setattr(sender, "deliver", deliver)
    try:
        app = make_app(AFTER_RESPONSE_INLINE=False, MAIL_SEND_IMMEDIATELY=True, SMTP_HOST="127.0.0.1",
                       SMTP_PORT=server.port)
        with app.app_context():
            db.create_all()
            warm_identity(app)  # statements of the request itself, not of the 30 s identity cache
            make.user(email="kendt@example.dk")
            make.user(email="ny@example.dk", verified=False)
            db.session.commit()
            client = app.test_client()
            request_thread = threading.current_thread().name
            client.post("/glemt-adgangskode", data={"email": "kendt@example.dk"})
            client.post("/send-bekraeftelse-igen", data={"email": "ny@example.dk"})
            client.post("/registrer", data={**NEW, "email": "kendt@example.dk"})
            client.post("/registrer", data={**NEW, "email": "helt-ny@example.dk"})
            assert background.wait_until_done(20)
    finally:
        server.stop()
    assert sorted(m["Subject"] for m in server.messages) == sorted([
        "Vælg en ny adgangskode", "Bekræft din e-mailadresse", "Nogen har prøvet at oprette sig med din e-mail",
        "Bekræft din e-mailadresse"])
    assert threads and all(name != request_thread for _what, name in threads), threads
