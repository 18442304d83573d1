"""Short-lived, per-process caches for the public pages (the task list's results, related tasks).

An entry is valid while two things hold:
- the write generation of this process is unchanged: any INSERT/UPDATE/DELETE this process sends, and
  the commit of a connection that wrote, starts a new generation, so this process never shows its own
  changes late (a sign-up, a new task, a changed title);
- the shared version in Redis is unchanged: every process that commits a write increments it
  (`samskab:cache-version` under RATELIMIT_KEY_PREFIX, on the Redis of RATELIMIT_STORAGE_URI), so
  gunicorn workers on every host see each other's writes at their next page view;
- its time bucket has not passed: what changes with time alone (a start that passed), and writes by
  other processes while Redis is unreachable (or not configured), are seen after at most `seconds`.

The caller reads the generation *before* reading the database and stores under it, so a write that
commits while a page is being built invalidates that page's entry.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC", "MERGE ")  # and text() writes
log = logging.getLogger(__name__)


class SharedVersion:
    """A counter in Redis that every process increments after committing a write.

    Redis being away never fails a request: reads and increments give up within 200 ms, and for 5 s
    after a failure no call is tried (the caches then fall back to their time bucket)."""

    PAUSE = 5.0

    def __init__(self, url: str, key: str) -> None:
        import redis
        self.errors = (redis.RedisError, OSError)
        self.client = redis.Redis.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2)
        self.key = key
        self.down_until = 0.0

    def _usable(self) -> bool:
        return time.monotonic() >= self.down_until

    def _failed(self, error) -> None:
        log.warning("Shared cache version unavailable: %s", type(error).__name__)
        self.down_until = time.monotonic() + self.PAUSE

    def bump(self) -> None:
        if not self._usable():
            return
        try:
            self.client.incr(self.key)
        except self.errors as error:
            self._failed(error)

    def read(self) -> int | None:
        if not self._usable():
            return None
        try:
            return int(self.client.get(self.key) or 0)
        except self.errors as error:
            self._failed(error)
            return None


class _Generation:
    value = 0


def generation() -> int:
    return _Generation.value


def _bump() -> None:
    _Generation.value += 1


def install(engine: Engine, shared: SharedVersion | None = None) -> None:
    """Watch an engine's writes, commits and rollbacks (the factory calls this for the app's engine);
    with `shared`, a committed write also increments the version every process reads."""
    event.listen(engine, "after_cursor_execute", _after_execute)
    event.listen(engine, "rollback", _after_rollback)
    if shared is None:
        event.listen(engine, "commit", _after_commit)
        return

    def after_commit_shared(conn):
        if _wrote(conn):
            _bump()
            conn.info["samskab_share"] = True

    def after_checkin(_dbapi_conn, record):
        # The "commit" event comes before the COMMIT; the connection goes back to the pool after it, so
        # whoever sees the new version also sees the new rows.
        if record is not None and record.info.pop("samskab_share", False):
            shared.bump()

    event.listen(engine, "commit", after_commit_shared)
    event.listen(engine, "checkin", after_checkin)


def _after_execute(conn, _cursor, statement, _parameters, context, _executemany):
    compiled_write = context is not None and (context.isinsert or context.isupdate or context.isdelete)
    if compiled_write or statement.lstrip()[:6].upper() in _WRITES:
        conn.info["samskab_wrote"] = True
        _bump()


def _wrote(conn) -> bool:
    """Take the connection's write mark. A lost (invalidated) connection cannot be asked (its info went
    with it, and asking raises PendingRollbackError): count it as a write, so no cache keeps a page
    from before whatever it did."""
    if conn.invalidated:
        return True
    return conn.info.pop("samskab_wrote", False)


def _after_commit(conn):
    if _wrote(conn):
        _bump()


def _after_rollback(conn):
    if _wrote(conn):
        _bump()


class TimedCache:
    """A small LRU of values keyed by (key, generation, time bucket)."""

    def __init__(self, size: int = 512, shared: SharedVersion | None = None) -> None:
        self.size = size
        self.shared = shared
        self.entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], Any], *, now: datetime, seconds: float) -> Any:
        if seconds <= 0:
            return make()
        gen = generation()
        version = self.shared.read() if self.shared is not None else None
        full_key = (key, gen, version, int(now.timestamp() // seconds))
        with self.lock:
            if full_key in self.entries:
                self.entries.move_to_end(full_key)
                return self.entries[full_key]
        value = make()
        if generation() == gen:  # nothing was written meanwhile by this process
            with self.lock:
                self.entries[full_key] = value
                while len(self.entries) > self.size:
                    self.entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


# Rendered into a page that is reused for every anonymous visitor, where each visitor's CSRF token goes
# (letters and digits only, so autoescaping leaves it as it is; no page text contains it).
CSRF_STAND_IN = "samskabCsrfStandIn7f3c9e21"


def for_app(app, name: str) -> TimedCache:
    """The cache `name` of this application (tests build many apps; they never share entries)."""
    store = app.extensions.setdefault("samskab_public_cache", {})
    if name not in store:
        store[name] = TimedCache(shared=app.extensions.get("samskab_shared_version"))
    return store[name]


def shared_version_for(config) -> SharedVersion | None:
    """The shared version on the rate limiter's Redis (RATELIMIT_STORAGE_URI), or None without Redis."""
    uri = config.get("RATELIMIT_STORAGE_URI") or ""
    if not uri.startswith(("redis://", "rediss://")):
        return None
    return SharedVersion(uri, f"{config.get('RATELIMIT_KEY_PREFIX') or 'samskab'}:cache-version")
