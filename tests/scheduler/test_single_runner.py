"""Only one scheduler acts at a time: the lock itself, and two real `flask scheduler` processes at once."""
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from models import OutboxMessage, SchedulerLease, db
from portal.scheduler import status
from portal.scheduler.lock import SingleRunner
from tests.mailserver import MailServer

ROOT = Path(__file__).resolve().parents[2]
UTC = timezone.utc


class Clock:
    def __init__(self):
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self):
        return self.now


def _engine(app):
    return create_engine(app.config["SQLALCHEMY_DATABASE_URI"])


def _runners(app, clock=None, lease=timedelta(seconds=60)):
    kwargs = {"lease": lease, **({"clock": clock} if clock else {})}
    return (SingleRunner(_engine(app), holder="first", **kwargs),
            SingleRunner(_engine(app), holder="second", **kwargs))


def _check_exclusive(app):
    first, second = _runners(app)
    try:
        assert first.try_acquire() is True
        assert second.try_acquire() is False
        assert first.renew() is True and second.renew() is False
        assert db.session.get(SchedulerLease, status.LEASE_NAME).holder == "first"
        first.release()
        assert second.try_acquire() is True
        assert first.try_acquire() is False
    finally:
        second.release()
        first.release()
        first.engine.dispose()
        second.engine.dispose()


def test_one_holder_at_a_time_on_sqlite(app):
    _check_exclusive(app)


@pytest.mark.postgres
def test_one_holder_at_a_time_on_postgresql(app):
    _check_exclusive(app)


@pytest.mark.postgres
def test_advisory_lock_goes_with_a_dead_connection(app):
    first, second = _runners(app)
    try:
        assert first.try_acquire() is True
        assert second.try_acquire() is False
        first._lock_conn.invalidate()  # the process holding it died
        assert first.renew() is False
        assert second.try_acquire() is True
    finally:
        second.release()
        first.release()
        first.engine.dispose()
        second.engine.dispose()


def test_sqlite_lease_is_taken_over_only_after_it_runs_out(app):
    clock = Clock()
    first, second = _runners(app, clock=clock)
    try:
        assert first.try_acquire()
        clock.now += timedelta(seconds=59)
        assert not second.try_acquire()
        clock.now += timedelta(seconds=2)  # the holder froze and did not renew in time
        assert second.try_acquire()
        assert first.renew() is False  # it notices and stands down
    finally:
        first.engine.dispose()
        second.engine.dispose()


def test_heartbeat_is_what_staff_see(app):
    clock = Clock()
    first, _second = _runners(app, clock=clock)
    assert status.is_quiet()
    first.try_acquire()
    db.session.expire_all()
    assert not status.is_quiet(clock.now + timedelta(minutes=9))
    assert status.is_quiet(clock.now + timedelta(minutes=11))
    first.engine.dispose()


# --- two real processes -------------------------------------------------------------------------

def _seed_shifts(make, volunteers: int) -> list[str]:
    start = (datetime.now(UTC) + timedelta(hours=20)).replace(microsecond=0)
    task = make.task(make.institution(), starts_at=start, capacity=volunteers)
    people = [make.user() for _ in range(volunteers)]
    for person in people:
        make.signup_record(task.occurrences[0], person)
    db.session.commit()
    return [p.email for p in people]


def _start(url: str, smtp: MailServer, tmp_path: Path, name: str):
    env = {**os.environ, "DATABASE_URL": url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port),
           "SECRET_KEY": "test-secret-key", "SAMSKAB_INSTANCE": str(tmp_path / "instance"),
           "BASE_URL": "http://samskab.test", "SCHEDULER_HEARTBEAT_SECONDS": "1",
           "SCHEDULER_LEASE_SECONDS": "5", "PYTHONUNBUFFERED": "1"}
    log = open(tmp_path / f"{name}.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "scheduler"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    return process, log, tmp_path / f"{name}.log"


def _wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def _two_processes_send_nothing_twice(app, make, tmp_path):
    emails = _seed_shifts(make, volunteers=6)
    smtp = MailServer()
    smtp.start()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    started = [_start(url, smtp, tmp_path, name) for name in ("one", "two")]
    try:
        assert _wait_for(lambda: len(smtp.messages) >= len(emails), 60), "no reminders within a minute"
        time.sleep(4)  # both processes keep running: room for a double send to show
        logs = {name: path.read_text() for name, (_p, _l, path) in zip(("one", "two"), started)}
        active = [name for name, text in logs.items() if "is active" in text]
        assert len(active) == 1, logs
        assert sorted(m["To"] for m in smtp.messages) == sorted(emails)

        # Stop the active one: the stand-by takes over (at once, since the lease is released).
        index = ("one", "two").index(active[0])
        standby_log = started[1 - index][2]
        started[index][0].send_signal(signal.SIGTERM)
        assert started[index][0].wait(30) == 0
        assert _wait_for(lambda: "is active" in standby_log.read_text(), 20), standby_log.read_text()
        time.sleep(2)
        assert len(smtp.messages) == len(emails)
    finally:
        for process, log, _path in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(10)  # reap it, so no zombie outlives the test
            log.close()
        smtp.stop()
    db.session.expire_all()
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert statuses.count("sent") == len(emails)


def test_two_scheduler_processes_send_nothing_twice_on_sqlite(app, make, tmp_path):
    _two_processes_send_nothing_twice(app, make, tmp_path)


@pytest.mark.postgres
def test_two_scheduler_processes_send_nothing_twice_on_postgresql(app, make, tmp_path):
    _two_processes_send_nothing_twice(app, make, tmp_path)
