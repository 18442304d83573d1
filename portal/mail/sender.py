"""Delivers the outbox through SMTP: claim, send, mark; retries with exponential backoff.

Guarantee: at-least-once delivery with deduplication. A message is claimed (status "sending" with a
lease) in its own commit before SMTP is spoken; if the process dies after the server accepted it but
before it was marked "sent" (marks are committed for every MARK_EVERY mails, while the next
MARK_EVERY are being sent), the lease
runs out and it is sent again with the same Message-ID, which is derived from the outbox key so that
receiving systems can drop the repeat.
"""
from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import random
import socket
import sys
import threading
from functools import lru_cache
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime, timedelta
from email import base64mime
from email.header import Header
from email.message import Message
from email.policy import Compat32
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr

from flask import current_app
from sqlalchemy import inspect, select, update
from sqlalchemy.orm.attributes import set_committed_value

from models import OutboxMessage, OutboxStatus, db, utcnow
from portal.mail import checks, outbox

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
CLAIM_LEASE = timedelta(minutes=5)
MARK_EVERY = 50


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): retrying will not help."""


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


# A header that is one line of printable ASCII words, each one space apart, and fits on a line.
_PLAIN_HEADER = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")


class _Compat32(Compat32):
    """compat32 with a quick way through its most common case.

    compat32 folds every header through email.header.Header, which costs most of the time it takes to
    turn a mail into bytes. A header that is one line of plain ASCII words and fits on a line is
    written as it is, which is exactly what Header gives for it (tests/portal/mail/test_delivery.py
    compares the two); everything else (the encoded Subject, long or unusual values) still goes through
    Header.
    """

    def _fold(self, name, value, sanitize):
        if (type(value) is str and len(name) + len(value) + 2 < (self.max_line_length or 78)
                and _PLAIN_HEADER.fullmatch(value)):
            return f"{name}: {value}{self.linesep}"
        if type(value) is _Utf8Header:
            # Everyone on one shift gets the same subject: encode it once.
            return _fold_utf8(self.linesep, self.max_line_length, name, value.text)
        return super()._fold(name, value, sanitize)


class _Utf8Header(Header):
    def __init__(self, text: str):
        super().__init__(text, "utf-8")
        self.text = text


@lru_cache(maxsize=1024)
def _fold_utf8(linesep: str, max_line_length: int | None, name: str, text: str) -> str:
    policy = Compat32(linesep=linesep, max_line_length=max_line_length)
    return policy._fold(name, Header(text, "utf-8"), True)


# Header lines up to RFC 5322's limit: a long List-Unsubscribe address stays on one line.
POLICY = _Compat32(max_line_length=998)


def _header(value: str) -> str | Header:
    return value if value.isascii() else _Utf8Header(value)


_RANDOM = random.Random()  # like the generator's: a boundary is no secret (os.urandom costs a system call)


def _boundary() -> str:
    # The generator's own form of boundary. The generator would also compile a regular expression for
    # each new boundary to look for it in the parts; every part here is base64 (MIMEText in UTF-8), whose
    # alphabet has no run of fifteen "=", so the boundary cannot occur in them.
    return "=" * 15 + f"{_RANDOM.randrange(sys.maxsize):019d}" + "=="


def _text_part(text: str, subtype: str) -> Message:
    """MIMEText(text, subtype, "utf-8") without its parameter parsing: the same headers, the same base64."""
    part = Message(policy=POLICY)
    part["Content-Type"] = f'text/{subtype}; charset="utf-8"'
    part["MIME-Version"] = "1.0"
    part["Content-Transfer-Encoding"] = "base64"
    part.set_payload(base64mime.body_encode(text.encode("utf-8")))
    return part


@lru_cache(maxsize=16)
def _from_header(sender: str) -> str:
    name, address = parseaddr(sender)
    return formataddr((name, address), charset="utf-8")


def build_email(message: OutboxMessage, sender: str, domain: str) -> Message:
    """Plain text and HTML alternatives (and a calendar file), built with the fast compat32 classes."""
    body = MIMEMultipart("alternative", boundary=_boundary(), policy=POLICY)
    body.attach(_text_part(message.body_text, "plain"))
    if message.body_html:
        body.attach(_text_part(message.body_html, "html"))
    email = body
    if message.ics:
        email = MIMEMultipart("mixed", boundary=_boundary(), policy=POLICY)
        email.attach(body)
        calendar = MIMEText(message.ics, "calendar", "utf-8", policy=POLICY)
        # The MIME method must match the file's METHOD (a cancellation is CANCEL, RFC 6047).
        method = re.search(r"^METHOD:(\w+)", message.ics, re.MULTILINE)
        calendar.set_param("method", method.group(1).upper() if method else "PUBLISH")
        calendar.add_header("Content-Disposition", "attachment", filename="invitation.ics")
        email.attach(calendar)
    email["From"] = _from_header(sender)
    email["To"] = message.recipient
    email["Subject"] = _header(message.subject)
    email["Date"] = formatdate(localtime=False)
    digest = hashlib.sha256(message.dedup_key.encode()).hexdigest()[:32]
    email["Message-ID"] = f"<{digest}@{domain}>"
    email["Auto-Submitted"] = "auto-generated"
    if message.unsubscribe_url:
        # RFC 8058 one-click: mail programs POST "List-Unsubscribe=One-Click" to this address.
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return email


class SmtpTransport:
    """One SMTP connection for a batch of messages."""

    def __init__(self, config):
        self.config = config
        self.conn: smtplib.SMTP | None = None
        # Once the server cannot be reached, the rest of the batch waits for the retry without
        # paying a connection timeout each.
        self.unreachable: str | None = None

    def open(self) -> None:
        cfg = self.config
        if self.unreachable:
            raise ConnectionError(self.unreachable)
        try:
            self.conn = smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=cfg["SMTP_TIMEOUT"])
        except (OSError, smtplib.SMTPException) as exc:
            self.unreachable = f"{type(exc).__name__}: {exc}"
            raise
        if cfg["SMTP_STARTTLS"]:
            self.conn.starttls()
        if cfg["SMTP_USER"]:
            self.conn.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])

    def send(self, email: Message) -> None:
        if self.conn is None:
            self.open()
        try:
            self.conn.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _msg in exc.recipients.values()]
            if all(500 <= c < 600 for c in codes):
                raise PermanentFailure(str(exc)) from exc
            raise
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600 and not isinstance(exc, smtplib.SMTPServerDisconnected):
                raise PermanentFailure(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
            raise

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.conn = None


def _claim(ids: list[int], now: datetime) -> list[int]:
    """Atomically move due messages to "sending" in one statement; only rows it changed are ours."""
    if not ids:
        return []
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status.in_(OutboxStatus.DUE),
               OutboxMessage.next_attempt_at <= now)
        .values(status=OutboxStatus.SENDING, next_attempt_at=now + CLAIM_LEASE)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False))
    claimed = sorted(result.scalars())
    db.session.commit()
    return claimed


def deliver(*, now: datetime | None = None, limit: int = 500, ids: list[int] | None = None) -> dict:
    """Send due messages (or just `ids`); returns counts of sent, retried, failed and dropped."""
    now = now or utcnow()
    query = select(OutboxMessage.id).where(
        OutboxMessage.status.in_(OutboxStatus.DUE), OutboxMessage.next_attempt_at <= now)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    due = list(db.session.scalars(query.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)))
    claimed = _claim(due, now)
    counts = {"sent": 0, "retry": 0, "failed": 0, "dropped": 0}
    if not claimed:
        return counts
    cfg = current_app.config
    domain = cfg["BASE_URL"].split("//")[-1].split("/")[0].split(":")[0] or "samskab.local"
    messages = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(claimed))
                                       .order_by(OutboxMessage.id)))
    dropped = checks.stale(messages, now)
    lanes = _Lanes(cfg)
    session = db.session()
    # The batch is ours (claimed); re-reading every row after each group's commit would only cost.
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        with ThreadPoolExecutor(lanes.count, thread_name_prefix="smtp") as pool:
            in_flight = None
            for start in range(0, len(messages), MARK_EVERY):
                group = messages[start:start + MARK_EVERY]
                for message in group:
                    if message.id in dropped:
                        message.status, message.last_error = OutboxStatus.DROPPED, dropped[message.id]
                        counts["dropped"] += 1
                outgoing = [(m, build_email(m, cfg["MAIL_FROM"], domain)) for m in group if m.id not in dropped]
                # Only SMTP happens in the lanes; the database is written here, in this thread. While the
                # lanes send this group, the previous one is marked and committed.
                sending = [pool.submit(lanes.send, outgoing[i::lanes.count]) for i in range(lanes.count)]
                if in_flight is not None:
                    _mark(in_flight, counts, now)
                in_flight = sending
            if in_flight is not None:
                _mark(in_flight, counts, now)
    finally:
        session.expire_on_commit = expire_on_commit
        lanes.close()
    return counts


def _mark(sending, counts: dict, now: datetime) -> None:
    """Wait for one group's lanes and commit its marks (a commit per mail would cap the rate at the disk's
    sync rate): a crash repeats at most this group and the one sent meanwhile, each with the same Message-ID."""
    accepted = []
    for lane in as_completed(sending):
        for message, error in lane.result():
            if error is None:
                accepted.append(message)
            else:
                counts[_record(message, error, now)] += 1
    _record_sent(accepted)
    counts["sent"] += len(accepted)
    db.session.commit()


def _record_sent(messages: list[OutboxMessage]) -> None:
    """`_record` for the mails the server accepted, in one statement for the group instead of one per mail."""
    if not messages:
        return
    at = utcnow()
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_([m.id for m in messages]))
                       .values(status=OutboxStatus.SENT, sent_at=at, last_error=None,
                               attempts=OutboxMessage.attempts + 1)
                       .execution_options(synchronize_session=False))
    for message in messages:  # the rows in the session say what the database now says
        for name, value in (("status", OutboxStatus.SENT), ("sent_at", at), ("last_error", None),
                            ("attempts", message.attempts + 1)):
            set_committed_value(message, name, value)


class _Lanes:
    """SMTP_CONNECTIONS connections, one per sending thread, each kept open for the whole batch."""

    def __init__(self, config):
        self.config = config
        self.count = max(1, int(config["SMTP_CONNECTIONS"]))
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[SmtpTransport] = []

    def send(self, items):
        transport = getattr(self._local, "transport", None)
        if transport is None:
            transport = self._local.transport = SmtpTransport(self.config)
            with self._lock:
                self._open.append(transport)
        return _send_lane(transport, items)

    def close(self) -> None:
        with self._lock:
            for transport in self._open:
                transport.close()


def _send_lane(transport: SmtpTransport, items) -> list[tuple[OutboxMessage, Exception | None]]:
    """Send over one connection; returns each message with the error it met (None when accepted)."""
    results = []
    for message, email in items:
        try:
            transport.send(email)
        except PermanentFailure as exc:
            results.append((message, exc))
        except (smtplib.SMTPException, OSError, socket.timeout) as exc:
            transport.close()
            results.append((message, exc))
        except Exception as exc:  # noqa: BLE001 - e.g. a non-ASCII address smtplib cannot send
            # One message that can never be sent must not hold up the rest of the batch forever.
            transport.close()
            results.append((message, PermanentFailure(f"{type(exc).__name__}: {exc}")))
        else:
            results.append((message, None))
    return results


def deliver_all(*, now: datetime | None = None, batch: int = 2_000) -> dict:
    """Deliver everything due now, batch after batch, until nothing due is left.

    Each batch is claimed in one statement (an IN list of at most `batch` ids) and held in memory; the lanes
    keep their connections through a batch and wait for each other at its end, so a batch is not small.
    """
    totals = {"sent": 0, "retry": 0, "failed": 0, "dropped": 0}
    while True:
        counts = deliver(now=now, limit=batch)
        for key, value in counts.items():
            totals[key] += value
        if not any(counts.values()):
            return totals


def _record(message: OutboxMessage, error: Exception | None, now: datetime) -> str:
    """Mark one attempt: sent, failed for good (a 5xx refusal or too many tries), or queued for a retry."""
    message.attempts += 1
    if error is None:
        message.status, message.sent_at, message.last_error = OutboxStatus.SENT, utcnow(), None
        return "sent"
    if isinstance(error, PermanentFailure):
        message.status, message.last_error = OutboxStatus.FAILED, str(error)[:2000]
        return "failed"
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
        return "failed"
    message.status, message.next_attempt_at = OutboxStatus.QUEUED, now + backoff(message.attempts)
    if message.attempts == 1 and not current_app.config["PRODUCTION"] and not current_app.testing:
        # In development the console shows a queued mail once (its links are the point), not on each retry.
        log.warning("Mail to %s not delivered (%s); queued for retry.\n%s\n%s",
                    message.recipient, message.last_error, message.subject, message.body_text)
    return "retry"


def deliver_soon(messages) -> None:
    """Try the given freshly committed messages at once; failures stay queued for the scheduler.

    Ids are read from the identity map, not the rows: a message erased meanwhile (its person left) is
    simply not found.
    """
    ids = [inspect(m).identity[0] for m in messages if m is not None and inspect(m).identity]
    if ids and current_app.config["MAIL_SEND_IMMEDIATELY"]:
        try:
            deliver(ids=ids)
        except Exception:  # noqa: BLE001 - the outbox keeps the message; the scheduler retries
            db.session.rollback()
            log.exception("Immediate delivery failed; the scheduler will retry")


def requeue(message: OutboxMessage, *, now: datetime) -> bool:
    """Queue a failed message again, from the first attempt; False when it had not failed."""
    if message.status != OutboxStatus.FAILED:
        return False
    message.status, message.attempts, message.next_attempt_at = OutboxStatus.QUEUED, 0, now
    return True


def deliver_committed() -> None:
    """Try at once what this request's (or job's) committed transactions queued (MAIL_SEND_IMMEDIATELY)."""
    deliver_soon(outbox.take_committed())
