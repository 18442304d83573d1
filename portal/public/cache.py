"""Short-lived, per-process caches for the public pages (the task list's results, related tasks).

An entry is valid while two things hold:
- the write generation of this process is unchanged: any INSERT/UPDATE/DELETE this process sends, and
  the commit of a connection that wrote, starts a new generation, so this process never shows its own
  changes late (a sign-up, a new task, a changed title);
- its time bucket has not passed: writes by other processes (other gunicorn workers, the scheduler)
  are therefore seen after at most `seconds`.

The caller reads the generation *before* reading the database and stores under it, so a write that
commits while a page is being built invalidates that page's entry.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC", "MERGE ")  # and text() writes


class _Generation:
    value = 0


def generation() -> int:
    return _Generation.value


def _bump() -> None:
    _Generation.value += 1


def install(engine: Engine) -> None:
    """Watch an engine's writes, commits and rollbacks (the factory calls this for the app's engine)."""
    event.listen(engine, "after_cursor_execute", _after_execute)
    event.listen(engine, "commit", _after_commit)
    event.listen(engine, "rollback", _after_rollback)


def _after_execute(conn, _cursor, statement, _parameters, context, _executemany):
    compiled_write = context is not None and (context.isinsert or context.isupdate or context.isdelete)
    if compiled_write or statement.lstrip()[:6].upper() in _WRITES:
        conn.info["samskab_wrote"] = True
        _bump()


def _after_commit(conn):
    if conn.info.pop("samskab_wrote", False):
        _bump()


def _after_rollback(conn):
    if conn.info.pop("samskab_wrote", False):
        _bump()


class TimedCache:
    """A small LRU of values keyed by (key, generation, time bucket)."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], Any], *, now: datetime, seconds: float) -> Any:
        if seconds <= 0:
            return make()
        gen = generation()
        full_key = (key, gen, int(now.timestamp() // seconds))
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


def for_app(app, name: str) -> TimedCache:
    """The cache `name` of this application (tests build many apps; they never share entries)."""
    store = app.extensions.setdefault("samskab_public_cache", {})
    if name not in store:
        store[name] = TimedCache()
    return store[name]
