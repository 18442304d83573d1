"""The sender against a real SMTP server: delivery, retries, refusals, crashes, stale mail."""
from datetime import timedelta

import pytest
from flask_babel import gettext as _
from sqlalchemy import func, select

from models import OutboxMessage, Role, db, utcnow
from portal.mail import sender
from portal.mail.outbox import queue_mail
from tests.conftest import sign_in


def _queue(user, key="test:1", kind="verify", **extra):
    message = queue_mail(kind, dedup_key=key, recipient=user, subject=lambda: _("Confirm your e-mail address"),
                         template="verify", context={"link": "http://samskab.test/x"}, **extra)
    db.session.commit()
    return message


def test_delivers_and_marks_sent(app, make, smtp):
    user = make.user()
    message = _queue(user)
    assert sender.deliver() == {"sent": 1, "retry": 0, "failed": 0, "dropped": 0}
    [mail] = smtp.to(user.email)
    assert mail["Subject"] == message.subject
    assert mail.get_body(preferencelist=("html",)) is not None
    db.session.refresh(message)
    assert message.status == "sent" and message.sent_at is not None and message.attempts == 1
    assert sender.deliver() == {"sent": 0, "retry": 0, "failed": 0, "dropped": 0}
    assert len(smtp.messages) == 1


def test_smtp_down_keeps_mail_queued_retries_with_backoff_and_delivers_later(app, make, smtp):
    user = make.user()
    message = _queue(user)
    smtp.stop()
    now = utcnow()
    assert sender.deliver(now=now)["retry"] == 1
    db.session.refresh(message)
    assert message.status == "queued" and message.attempts == 1
    assert message.next_attempt_at == now + sender.backoff(1)
    assert "Connection" in message.last_error or "refused" in message.last_error

    assert sender.deliver(now=now + timedelta(seconds=30))["retry"] == 0  # not due before the backoff
    assert sender.deliver(now=now + timedelta(minutes=1))["retry"] == 1  # second failure: longer wait
    db.session.refresh(message)
    assert message.attempts == 2 and message.next_attempt_at == now + timedelta(minutes=1) + sender.backoff(2)
    assert sender.backoff(2) == 2 * sender.backoff(1)

    smtp.start()
    assert sender.deliver(now=now + timedelta(minutes=3))["sent"] == 1
    assert len(smtp.to(user.email)) == 1
    db.session.refresh(message)
    assert message.status == "sent" and message.last_error is None


def test_gives_up_after_max_attempts(app, make, smtp):
    user = make.user()
    message = _queue(user)
    smtp.stop()
    now = utcnow()
    for _attempt in range(sender.MAX_ATTEMPTS):
        sender.deliver(now=now)
        db.session.refresh(message)
        now = max(now, message.next_attempt_at)
    assert message.status == "failed" and message.attempts == sender.MAX_ATTEMPTS


def test_permanent_refusal_fails_at_once_and_admins_see_it(app, make, smtp, client):
    user = make.user()
    admin = make.user(Role.ADMIN)
    message = _queue(user)
    smtp.handler.refuse = "550 5.1.1 Mailbox does not exist"
    assert sender.deliver()["failed"] == 1
    db.session.refresh(message)
    assert message.status == "failed" and message.attempts == 1
    assert "550" in message.last_error and "Mailbox does not exist" in message.last_error
    db.session.commit()

    sign_in(client, admin)
    page = client.get("/beskeder?status=failed").get_data(as_text=True)
    assert user.email in page and "Mailbox does not exist" in page and f"/beskeder/{message.id}/igen" in page
    smtp.handler.refuse = None
    assert client.post(f"/beskeder/{message.id}/igen").status_code == 302
    db.session.refresh(message)
    assert message.status == "queued" and message.attempts == 0
    assert sender.deliver()["sent"] == 1
    assert len(smtp.to(user.email)) == 1


def test_crash_between_sent_and_marked_resends_with_the_same_message_id(app, make, smtp):
    """The documented guarantee: at least once, and a repeat carries the same Message-ID."""
    user = make.user()
    message = _queue(user)
    now = utcnow()
    claimed = sender._claim([message.id], now)
    assert claimed == [message.id]
    # The sender speaks SMTP and the server accepts, then the process dies before marking "sent".
    transport = sender.SmtpTransport(app.config)
    transport.send(sender.build_email(db.session.get(OutboxMessage, message.id), "noreply@samskab.test",
                                      "samskab.test"))
    transport.close()
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == "sending"

    # Nobody else takes it while the claim's lease runs.
    assert sender.deliver(now=now + timedelta(minutes=1))["sent"] == 0
    # After the lease the message is sent again.
    assert sender.deliver(now=now + sender.CLAIM_LEASE)["sent"] == 1
    first, second = smtp.to(user.email)
    assert first["Message-ID"] == second["Message-ID"]
    assert db.session.get(OutboxMessage, message.id).status == "sent"


def test_two_senders_at_once_claim_each_message_once(app, make, smtp):
    users = [make.user() for _ in range(5)]
    ids = [_queue(u, key=f"test:{u.id}").id for u in users]
    now = utcnow()
    first = sender._claim(ids, now)
    second = sender._claim(ids, now)
    assert sorted(first) == sorted(ids) and second == []


def test_stale_message_is_dropped_not_sent(app, make, smtp):
    user = make.user()
    message = _queue(user, expires_at=utcnow() - timedelta(minutes=1))
    assert sender.deliver() == {"sent": 0, "retry": 0, "failed": 0, "dropped": 1}
    db.session.refresh(message)
    assert message.status == "dropped" and "stale" in message.last_error
    assert smtp.messages == []


def test_list_unsubscribe_headers_for_optional_kinds_only(app, make, smtp):
    user = make.user()
    _queue(user, key="a", kind="signup_accepted")
    _queue(user, key="b", kind="verify")
    sender.deliver()
    by_kind = {m["Message-ID"]: m for m in smtp.to(user.email)}
    optional = [m for m in by_kind.values() if m["List-Unsubscribe"]]
    assert len(optional) == 1 and len(by_kind) == 2
    header = optional[0]["List-Unsubscribe"]
    assert header.startswith("<http://samskab.test/afmeld/") and header.endswith(">")
    assert optional[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_bulk_claim_is_one_statement(app, make, smtp):
    from sqlalchemy import event
    users = [make.user() for _ in range(20)]
    ids = [_queue(u, key=f"bulk:{u.id}").id for u in users]
    updates = []
    listener = lambda conn, cursor, statement, *a: updates.append(statement) if statement.startswith("UPDATE") else None  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert sorted(sender._claim(ids, utcnow())) == sorted(ids)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(updates) == 1
    assert db.session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == ids[0])) == "sending"


def test_temporary_refusal_is_retried_with_backoff_and_then_delivered(app, make, smtp):
    user = make.user()
    message = _queue(user)
    smtp.handler.refuse = "451 4.3.0 Mailbox busy, try again later"
    now = utcnow()
    assert sender.deliver(now=now)["retry"] == 1
    db.session.refresh(message)
    assert message.status == "queued" and "451" in message.last_error
    assert message.next_attempt_at == now + sender.backoff(1)
    smtp.handler.refuse = None
    assert sender.deliver(now=now + sender.backoff(1))["sent"] == 1
    assert len(smtp.to(user.email)) == 1


def test_crash_while_groups_are_in_flight_repeats_at_most_two_groups_with_the_same_message_id(app, make, smtp,
                                                                                              monkeypatch):
    """Marks are committed per group while the next group is sent: a crash while marking the second group
    leaves the first marked sent and the second and third claimed; after the lease they go again, once."""
    monkeypatch.setattr(sender, "MARK_EVERY", 5)
    users = [make.user() for _ in range(30)]
    for u in users:
        _queue(u, key=f"crash:{u.id}")
    real, calls = sender._record_sent, []

    def crash_on_second_group(messages):
        calls.append(len(messages))
        if len(calls) == 2:
            raise RuntimeError("the process dies")
        real(messages)

    monkeypatch.setattr(sender, "_record_sent", crash_on_second_group)
    now = utcnow()
    with pytest.raises(RuntimeError):
        sender.deliver(now=now)
    db.session.rollback()
    db.session.expire_all()
    statuses = db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)).all()
    assert statuses.count("sent") == 5 and statuses.count("sending") == 25
    repeats = len(smtp.messages) - 5
    assert 5 <= repeats <= 10  # the group being marked and the one sent meanwhile (the rest never left)
    monkeypatch.setattr(sender, "_record_sent", real)
    assert sender.deliver(now=now + sender.CLAIM_LEASE)["sent"] == 25
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status == "sent")) == 30
    for u in users:
        ids = {m["Message-ID"] for m in smtp.to(u.email)}
        assert len(ids) == 1 and 1 <= len(smtp.to(u.email)) <= 2
