"""Only one scheduler acts at a time: a PostgreSQL advisory lock, or a lease row elsewhere (SQLite).

The advisory lock lives on a dedicated connection held for the life of the process, so it vanishes
the moment the process (or its connection) dies. SQLite has no such lock: the lease row names a
holder and an expiry, the holder renews it with every heartbeat, and a stand-by process takes over
only after the lease has run out. Either way the heartbeat is written to the same row, which is what
admins' "scheduler is quiet" warning reads.
"""
from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import insert, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from models import SchedulerLease, utcnow
from portal.scheduler.status import LEASE_NAME

log = logging.getLogger(__name__)

# pg_advisory_lock takes a bigint; this one is "Samskab scheduler" and nothing else uses it.
ADVISORY_KEY = 0x53616D736B6162
DEFAULT_LEASE = timedelta(seconds=60)

lease_table = SchedulerLease.__table__


class SingleRunner:
    """The right to run the scheduler: acquire it, renew it with each heartbeat, release it."""

    def __init__(self, engine: Engine, *, lease: timedelta = DEFAULT_LEASE, holder: str | None = None,
                 clock: Callable[[], datetime] = utcnow):
        self.engine = engine
        self.lease = lease
        self.clock = clock
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.postgres = engine.dialect.name == "postgresql"
        self._lock_conn: Connection | None = None
        self.held = False

    def try_acquire(self) -> bool:
        """Take the lock if it is free (never waits); True when this runner now holds it."""
        if self.held:
            return self.renew()
        if self.postgres:
            self.held = self._try_advisory_lock() and self._write_lease(take_over=True)
            if not self.held:
                self._drop_lock_connection()
        else:
            self.held = self._write_lease(take_over=False)
        return self.held

    def renew(self) -> bool:
        """The heartbeat: extend the lease; False means the lock was lost and the caller must stop."""
        if not self.held:
            return False
        if self.postgres and not self._lock_alive():
            self.held = False
            self._drop_lock_connection()
            return False
        self.held = self._write_lease(take_over=self.postgres)
        return self.held

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        try:
            with self.engine.begin() as conn:
                # Expire the lease so a stand-by takes over at once rather than after the lease.
                conn.execute(update(lease_table).where(lease_table.c.name == LEASE_NAME,
                                                       lease_table.c.holder == self.holder)
                             .values(expires_at=self.clock()))
        except DBAPIError:
            log.exception("Could not release the scheduler lease; it runs out by itself")
        if self.postgres and self._lock_conn is not None:
            try:
                self._lock_conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                self._lock_conn.commit()
            except DBAPIError:
                pass
            self._drop_lock_connection()

    # --- PostgreSQL ---------------------------------------------------------------------------

    def _try_advisory_lock(self) -> bool:
        self._lock_conn = self.engine.connect()
        got = self._lock_conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
        self._lock_conn.commit()
        return bool(got)

    def _lock_alive(self) -> bool:
        # Asks the server whether this very session holds the lock: a connection that broke and was
        # silently replaced by the pool holds nothing.
        try:
            held = self._lock_conn.execute(text(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND pid = pg_backend_pid() AND objsubid = 1"
                " AND ((classid::bigint << 32) | objid::bigint) = :key)"), {"key": ADVISORY_KEY}).scalar()
            self._lock_conn.commit()
            return bool(held)
        except (DBAPIError, AttributeError):
            return False

    def _drop_lock_connection(self) -> None:
        if self._lock_conn is not None:
            try:
                # Closing the session would return it to the pool with the lock; invalidate instead.
                self._lock_conn.invalidate()
                self._lock_conn.close()
            except DBAPIError:
                pass
            self._lock_conn = None

    # --- the lease row (the lock on SQLite, the heartbeat everywhere) ---------------------------

    def _write_lease(self, *, take_over: bool) -> bool:
        """Renew or take the lease row in one statement; `take_over` ignores another holder's lease."""
        now = self.clock()
        values = {"holder": self.holder, "expires_at": now + self.lease, "heartbeat_at": now}
        condition = lease_table.c.name == LEASE_NAME
        if not take_over:
            condition &= (lease_table.c.holder == self.holder) | (lease_table.c.expires_at < now)
        try:
            with self.engine.begin() as conn:
                if conn.execute(update(lease_table).where(condition).values(**values)).rowcount == 1:
                    return True
                conn.execute(insert(lease_table).values(name=LEASE_NAME, **values))
                return True
        except IntegrityError:
            return False  # the row exists and someone else holds an unexpired lease
        except DBAPIError:
            log.exception("Could not write the scheduler lease")
            return False
