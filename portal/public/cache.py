"""Short-lived, per-process caches for the public pages (the task list's results, related tasks).

Writes come in two kinds, told apart by the table (and, for an occurrence, the columns) they change:
- *places*: a sign-up taken, moved or given back (`signup` rows, an occurrence's `accepted_count`, the
  places a team holds: `team_signup` rows, shown on no public page);
- *content*: everything else that a public page could show (a task's text, a new time, a closed task);
and some writes are *quiet*: the outbox, the usage counters, the audit log and the scheduler's lease
never show on a cached page, so they change nothing here.

An entry is valid while these hold:
- the generation of this process is unchanged: any write of that kind this process sends, and the
  commit of a connection that wrote, starts a new generation, so this process never shows its own
  changes late;
- the shared version in Redis is unchanged: every process that commits a write increments the
  kind's counter (`samskab:cache-version` for content, `samskab:cache-version:places` for places,
  under RATELIMIT_KEY_PREFIX, on the Redis of RATELIMIT_STORAGE_URI), so gunicorn workers on every
  host see each other's writes at their next page view;
- its time bucket has not passed: what changes with time alone (a start that passed), and writes by
  other processes where Redis is not configured, are seen after at most `seconds`.

While a configured Redis is unreachable nothing is reused: the pages are made afresh, so a write made
meanwhile in another process is never hidden by an entry made before it.

An entry says whether it depends on places. One that does not (the task list sorted by time, whose
free places are filled in afresh when they changed; the related tasks' ranking, whose full tasks are
dropped when read) survives the sign-ups that would otherwise make every busy page new.

The caller reads the versions *before* reading the database and stores under them, so a write that
commits while a page is being built invalidates that page's entry.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, NamedTuple

from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC", "MERGE ")  # and text() writes
log = logging.getLogger(__name__)

CONTENT, PLACES = "content", "places"
# Written in the course of ordinary use, never read by a cached page.
QUIET_TABLES = frozenset({"outbox_message", "flow_count", "audit_entry", "scheduler_lease", "account_mail_request"})
PLACES_TABLES = frozenset({"signup", "team_signup"})
# An update that sets only these columns of the table changes places, not content.
PLACES_COLUMNS = {"occurrence": frozenset({"accepted_count"})}
_TARGET = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.I)
_SET = re.compile(r'\bSET\s+(.*?)\s+(?:WHERE|RETURNING)\b', re.I | re.S)
_ASSIGNED = re.compile(r'(?:^|,)\s*"?(\w+)"?\s*=')


def kind_of_write(statement: str) -> str | None:
    """CONTENT, PLACES or None (quiet) for a write statement; anything not recognised is content."""
    target = _TARGET.match(statement)
    if target is None:
        return CONTENT
    table = target.group(1).lower()
    if table in QUIET_TABLES:
        return None
    if table in PLACES_TABLES:
        return PLACES
    columns = PLACES_COLUMNS.get(table)
    if columns and statement.lstrip()[:6].upper() == "UPDATE":
        assigned = _SET.search(statement)
        # (A subquery in the SET clause could hide its end: such a statement is content.)
        clause = assigned.group(1) if assigned and "select" not in assigned.group(1).lower() else ""
        names = set(_ASSIGNED.findall(clause))
        if names and {n.lower() for n in names} <= columns:
            return PLACES
    return CONTENT


class SharedVersion:
    """Two counters in Redis (content and places) that every process increments after committing a
    write of that kind.

    Redis being away never fails a request: reads and increments give up within 200 ms, and for 5 s
    after a failure no call is tried (the caches then fall back to their time bucket)."""

    PAUSE = 5.0

    def __init__(self, url: str, key: str) -> None:
        import redis
        self.errors = (redis.RedisError, OSError)
        self.client = redis.Redis.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2)
        self.key = key
        self.keys = {CONTENT: key, PLACES: f"{key}:places"}
        self.down_until = 0.0

    def _usable(self) -> bool:
        return time.monotonic() >= self.down_until

    def _failed(self, error) -> None:
        log.warning("Shared cache version unavailable: %s", type(error).__name__)
        self.down_until = time.monotonic() + self.PAUSE

    def bump(self, kinds=(CONTENT,)) -> None:
        if not self._usable() or not kinds:
            return
        try:
            pipe = self.client.pipeline(transaction=False)  # one round trip for one kind or both
            for kind in sorted(kinds):
                pipe.incr(self.keys[kind])
            pipe.execute()
        except self.errors as error:
            self._failed(error)

    def read(self) -> tuple[int, int] | None:
        """(content, places), or None while Redis is away."""
        if not self._usable():
            return None
        try:
            content, places = self.client.mget(self.keys[CONTENT], self.keys[PLACES])
            return int(content or 0), int(places or 0)
        except self.errors as error:
            self._failed(error)
            return None


class _Generation:
    value = {CONTENT: 0, PLACES: 0}


def generation() -> int:
    """This process's content generation."""
    return _Generation.value[CONTENT]


def places_generation() -> int:
    return _Generation.value[PLACES]


def _bump(kinds=(CONTENT, PLACES)) -> None:
    for kind in kinds:
        _Generation.value[kind] += 1


def install(engine: Engine, shared: SharedVersion | None = None) -> None:
    """Watch an engine's writes, commits and rollbacks (the factory calls this for the app's engine);
    with `shared`, a committed write also increments the version every process reads."""
    event.listen(engine, "after_cursor_execute", _after_execute)
    event.listen(engine, "rollback", _after_rollback)
    if shared is None:
        event.listen(engine, "commit", _after_commit)
        return

    def after_commit_shared(conn):
        kinds = _wrote(conn)
        if kinds:
            _bump(kinds)
            # A connection may commit twice before it goes back to the pool: share every kind it wrote.
            conn.info["samskab_share"] = conn.info.get("samskab_share", frozenset()) | kinds

    def after_checkin(_dbapi_conn, record):
        # The "commit" event comes before the COMMIT; the connection goes back to the pool after it, so
        # whoever sees the new version also sees the new rows.
        if record is not None:
            kinds = record.info.pop("samskab_share", None)
            if kinds:
                shared.bump(kinds)

    event.listen(engine, "commit", after_commit_shared)
    event.listen(engine, "checkin", after_checkin)


def _after_execute(conn, _cursor, statement, _parameters, context, _executemany):
    compiled_write = context is not None and (context.isinsert or context.isupdate or context.isdelete)
    if compiled_write or statement.lstrip()[:6].upper() in _WRITES:
        kind = kind_of_write(statement)
        if kind is None:
            return
        conn.info.setdefault("samskab_wrote", set()).add(kind)
        _bump((kind,))


def _wrote(conn) -> frozenset:
    """Take the connection's write marks (the kinds written). A lost (invalidated) connection cannot be
    asked (its info went with it, and asking raises PendingRollbackError): count it as every kind of
    write, so no cache keeps a page from before whatever it did."""
    if conn.invalidated:
        return frozenset((CONTENT, PLACES))
    return frozenset(conn.info.pop("samskab_wrote", ()))


def _after_commit(conn):
    kinds = _wrote(conn)
    if kinds:
        _bump(kinds)


def _after_rollback(conn):
    kinds = _wrote(conn)
    if kinds:
        _bump(kinds)


class Versions(NamedTuple):
    """What an entry is valid for: the content part, and the places part (generation, shared version)."""
    content: tuple
    places: tuple


_UNREAD = object()


def versions(shared: SharedVersion | None) -> Versions:
    """Read the generations, then the shared versions: one Redis round trip per request, however many
    caches the page asks (what other processes wrote after the request began is seen at the next one;
    this process's own writes move its generations at once)."""
    content_gen, places_gen = generation(), places_generation()
    read = None
    if shared is not None:
        if has_request_context():
            read = g.get("_samskab_shared_versions", _UNREAD)
            if read is _UNREAD:
                read = g._samskab_shared_versions = shared.read()
        else:
            read = shared.read()
    content_ver, places_ver = read if read is not None else (None, None)
    return Versions((content_gen, content_ver), (places_gen, places_ver))


class TimedCache:
    """A small LRU of values keyed by (key, versions, time bucket)."""

    def __init__(self, size: int = 512, shared: SharedVersion | None = None) -> None:
        self.size = size
        self.shared = shared
        self.entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()

    def versions(self) -> Versions:
        return versions(self.shared)

    def get_or_make(self, key: Hashable, make: Callable[[], Any], *, now: datetime, seconds: float,
                    places: bool = True, seen: Versions | None = None) -> Any:
        """The value for `key`, made anew when a write it depends on happened (content always; places
        unless `places` is False). `seen`: versions the caller read already (before reading the database)."""
        if seconds <= 0:
            return make()
        seen = seen or self.versions()
        if self.shared is not None and seen.content[1] is None:
            # Redis is away: another process's write could not be told, so nothing is reused until it is
            # back (slower for those seconds, never stale). Without Redis at all (one process, as in
            # development) the time bucket bounds what other processes' writes could leave stale.
            return make()
        # Each key's window starts at its own moment (its hash, which differs between processes too), so
        # the entries of every worker do not all run out in the same second and get made at once.
        offset = (hash(key) % 1024) / 1024 * seconds
        full_key = (key, seen.content, seen.places if places else None, int((now.timestamp() + offset) // seconds))
        with self.lock:
            if full_key in self.entries:
                self.entries.move_to_end(full_key)
                return self.entries[full_key]
        value = make()
        # Nothing it depends on was written meanwhile by this process.
        if generation() == seen.content[0] and (not places or places_generation() == seen.places[0]):
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
# Where the reused list page takes its results: markup that no escaped text can contain (a raw "<").
CONTENT_STAND_IN = "<!--samskab:content-->"


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
