"""Finding published tasks: one statement for a page of tasks with their upcoming occurrences' figures.

A list page costs the same statements whatever its size: the figures (next time, times ahead, free
spots) come from one pass over the tasks and their upcoming occurrences grouped by task (the task
filters applied in the same pass), the total from a window count, and institutions are joined in.
Weekday, part of day and month are judged in Copenhagen time in both databases (SQLite gets Python
helpers).
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, String, and_, event, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import contains_eager
from sqlalchemy.sql.functions import FunctionElement

from models import Institution, Occurrence, Task, TaskStatus, db
from models.tasks import Recurrence, joinable
from models.base import LOCAL, LOCAL_ZONE_NAME

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Local hours that start each part of the day (as on the citizen's availability grid).
PART_STARTS = {"morning": 0, "afternoon": 12, "evening": 17}
PART_ENDS = {"morning": 12, "afternoon": 17, "evening": 24}
SORTS = ("soonest", "newest", "spots", "title")


# --- local weekday and hour of a UTC column, in both databases -----------------------------------------

class local_weekday(FunctionElement):
    """Monday = 0 … Sunday = 6 of a UTC timestamp, seen in Copenhagen."""
    type = Integer()
    inherit_cache = True


class local_hour(FunctionElement):
    """The hour (0–23) of a UTC timestamp, seen in Copenhagen."""
    type = Integer()
    inherit_cache = True


def _pg_local(compiler, element, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"((({column}) AT TIME ZONE 'UTC') AT TIME ZONE '{LOCAL_ZONE_NAME}')"


@compiles(local_weekday, "postgresql")
def _pg_weekday(element, compiler, **kw):
    return f"(CAST(EXTRACT(ISODOW FROM {_pg_local(compiler, element, **kw)}) AS INTEGER) - 1)"


@compiles(local_hour, "postgresql")
def _pg_hour(element, compiler, **kw):
    return f"CAST(EXTRACT(HOUR FROM {_pg_local(compiler, element, **kw)}) AS INTEGER)"


class local_month(FunctionElement):
    """The calendar month 'YYYY-MM' of a UTC timestamp, seen in Copenhagen."""
    type = String()
    inherit_cache = True


@compiles(local_month, "postgresql")
def _pg_month(element, compiler, **kw):
    return f"to_char({_pg_local(compiler, element, **kw)}, 'YYYY-MM')"


@compiles(local_month)
def _sqlite_month(element, compiler, **kw):
    return f"samskab_local_month({compiler.process(element.clauses, **kw)})"


@compiles(local_weekday)
def _sqlite_weekday(element, compiler, **kw):
    return f"samskab_local_weekday({compiler.process(element.clauses, **kw)})"


@compiles(local_hour)
def _sqlite_hour(element, compiler, **kw):
    return f"samskab_local_hour({compiler.process(element.clauses, **kw)})"


@lru_cache(maxsize=8192)
def _local_parts(value) -> tuple[int, int] | None:
    """(weekday, hour) in Copenhagen of a stored UTC timestamp; cached, as tasks mostly start on the hour."""
    if value is None:
        return None
    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    local = stamp.replace(tzinfo=ZoneInfo("UTC")).astimezone(LOCAL)
    return local.weekday(), local.hour


@lru_cache(maxsize=8192)
def _local_month(value) -> str | None:
    if value is None:
        return None
    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return stamp.replace(tzinfo=ZoneInfo("UTC")).astimezone(LOCAL).strftime("%Y-%m")


def install_sqlite_functions(engine: Engine) -> None:
    """Teach a SQLite engine's connections the local weekday, hour and month (the factory calls this)."""
    event.listen(engine, "connect", _sqlite_functions)


def _sqlite_functions(dbapi_conn, _record):
    # SQLite knows no time zones; Python tells it the local weekday and hour.
    if not isinstance(dbapi_conn, sqlite3.Connection):
        return
    dbapi_conn.create_function("samskab_local_weekday", 1, lambda v: None if v is None else _local_parts(v)[0],
                               deterministic=True)
    dbapi_conn.create_function("samskab_local_month", 1, _local_month, deterministic=True)
    dbapi_conn.create_function("samskab_local_hour", 1, lambda v: None if v is None else _local_parts(v)[1],
                               deterministic=True)


# --- the search ---------------------------------------------------------------------------------------

@dataclass
class Criteria:
    """What the visitor asked for; every field optional."""

    q: str = ""
    kind: str = ""                 # institution kind
    area: str = ""                 # a postcode or its first digits
    date_from: date | None = None
    date_to: date | None = None
    weekdays: list[int] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    recurrence: str = ""           # "" | "once" | "recurring"
    no_certificate: bool = False
    no_pledge: bool = False
    spots_left: bool = False
    breadth: list[str] = field(default_factory=list)  # models.tasks.BREADTH_FLAGS the task must carry
    sort: str = "soonest"


@dataclass
class Row:
    task: Task
    next_start: datetime | None
    next_end: datetime | None
    occurrences: int
    spots_left: int


@dataclass
class Page:
    rows: list[Row]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL).astimezone(ZoneInfo("UTC"))


def _occurrence_filters(criteria: Criteria, now: datetime) -> list:
    conditions = [joinable(now)]
    if criteria.date_from:
        start = _local_midnight_utc(criteria.date_from)
        conditions.append(or_(Occurrence.starts_at >= start, Occurrence.ends_at.is_(None), Occurrence.ends_at > start))
    if criteria.date_to:
        conditions.append(Occurrence.starts_at < _local_midnight_utc(criteria.date_to + timedelta(days=1)))
    if criteria.weekdays:
        conditions.append(local_weekday(Occurrence.starts_at).in_(criteria.weekdays))
    if criteria.parts:
        hour = local_hour(Occurrence.starts_at)
        conditions.append(or_(*[and_(hour >= PART_STARTS[p], hour < PART_ENDS[p]) for p in criteria.parts]))
    return conditions


def contains_folded(column, word: str):
    """`column` contains `word`, ignoring case, Danish letters included, in both databases."""
    needle = word.lower()
    text = func.lower(column)
    # lower() folds only ASCII in SQLite (and in PostgreSQL under the C locale): fold the word's
    # other letters ("Æ" for "æ") with native replace() too.
    for letter in sorted({ch for ch in needle if not ch.isascii()}):
        if len(letter.upper()) == 1 and letter.upper() != letter:
            text = func.replace(text, letter.upper(), letter)
    return text.contains(needle, autoescape=True)


def _task_filters(criteria: Criteria) -> list:
    conditions = [Task.status == TaskStatus.OPEN]
    words = criteria.q.split()[:8]
    if words:
        # One haystack per task, so a word costs one comparison per row.
        haystack = (Task.title + " " + Task.description + " " + func.coalesce(Task.skills_wanted, "") + " "
                    + Task.volunteers_do + " " + Task.place + " " + Institution.name)
        conditions += [contains_folded(haystack, word) for word in words]
    if criteria.kind:
        conditions.append(Institution.kind == criteria.kind)
    if criteria.area:
        conditions.append(func.coalesce(Task.postcode, Institution.postcode).startswith(criteria.area,
                                                                                         autoescape=True))
    if criteria.recurrence == "once":
        conditions.append(Task.recurrence == Recurrence.NONE)
    elif criteria.recurrence == "recurring":
        conditions.append(Task.recurrence != Recurrence.NONE)
    if criteria.no_certificate:
        conditions.append(Task.requires_child_certificate.is_(False))
    if criteria.no_pledge:
        conditions.append(Task.requires_pledge.is_(False))
    from models.tasks import BREADTH_FLAGS
    conditions += [getattr(Task, flag).is_(True) for flag in criteria.breadth if flag in BREADTH_FLAGS]
    return conditions


def find_tasks(criteria: Criteria, *, now: datetime, page: int = 1, per_page: int = PAGE_SIZE) -> Page:
    """A page of published tasks matching `criteria`, each with its next occurrence and free spots."""
    per_page = min(max(per_page, 1), MAX_PAGE_SIZE)
    # One grouped pass over the published tasks and their upcoming occurrences gives the figures; the
    # institution is joined only when a filter looks at it.
    next_start = func.min(Occurrence.starts_at)
    spots = _free_spots()
    matching = (select(Task.id, next_start.label("next_start"), func.count(Occurrence.id).label("occurrences"),
                       spots.label("spots_left"))
                .join(Occurrence, Occurrence.task_id == Task.id))
    if criteria.q.strip() or criteria.kind or criteria.area:
        matching = matching.join(Institution, Institution.id == Task.institution_id)
    matching = matching.where(*_task_filters(criteria), *_occurrence_filters(criteria, now)).group_by(Task.id)
    if criteria.spots_left:
        matching = matching.having(spots > 0)
    # Sort keys as (expression, descending); the page is cut on them, then re-sorted on the same keys.
    keys = {
        "soonest": ((next_start, False), (Task.id, False)),
        "newest": ((Task.published_at, True), (Task.id, True)),
        "spots": ((spots, True), (next_start, False), (Task.id, False)),
        "title": ((Task.title, False), (Task.id, False)),
    }[criteria.sort if criteria.sort in SORTS else "soonest"]

    def ordered(columns):
        return [c.desc() if descending else c.asc() for c, (_expr, descending) in zip(columns, keys)]

    def fetch(page_no: int):
        # Narrow rows are sorted and cut to the page first (the total comes along as a window count);
        # only the page's tasks and institutions are then read in full.
        chosen = (matching.add_columns(func.count().over().label("total"),
                                       *[expr.label(f"key{i}") for i, (expr, _d) in enumerate(keys)])
                  .order_by(*ordered([expr for expr, _d in keys]))
                  .offset((page_no - 1) * per_page).limit(per_page).subquery("chosen"))
        next_end = (select(Occurrence.ends_at)
                    .where(Occurrence.task_id == chosen.c.id, Occurrence.starts_at == chosen.c.next_start)
                    .limit(1).scalar_subquery())
        query = (select(Task, chosen.c.next_start, next_end, chosen.c.occurrences, chosen.c.spots_left,
                        chosen.c.total)
                 .join(chosen, chosen.c.id == Task.id)
                 .join(Institution, Institution.id == Task.institution_id)
                 .options(contains_eager(Task.institution))
                 .order_by(*ordered([chosen.c[f"key{i}"] for i in range(len(keys))])))
        return db.session.execute(query).all()

    page = max(page, 1)
    found = fetch(page)
    if found:
        total = found[0].total
    else:
        # Past the last page (or nothing found): count, then show the last page.
        total = db.session.scalar(select(func.count()).select_from(matching.subquery())) or 0
        last = max((total + per_page - 1) // per_page, 1)
        if total and page > last:
            page, found = last, fetch(last)
        else:
            page = min(page, last)
    rows = [Row(task=t, next_start=start, next_end=end, occurrences=n or 0, spots_left=max(int(s or 0), 0))
            for t, start, end, n, s, _total in found]
    return Page(rows=rows, total=total, page=page, per_page=per_page)


def _free_spots():
    """SQL: a task's free spots over its occurrences in the query (grouped by task)."""
    return func.sum(Occurrence.capacity - Occurrence.accepted_count)


def spots_left(criteria: Criteria, task_ids: list[int], *, now: datetime) -> dict[int, int]:
    """The free spots of these tasks, as find_tasks counts them (the same coming occurrences), in one
    statement: what a reused list page fills in afresh after sign-ups."""
    if not task_ids:
        return {}
    rows = db.session.execute(
        select(Task.id, _free_spots())
        .join(Occurrence, Occurrence.task_id == Task.id)
        .where(Task.id.in_(task_ids), *_occurrence_filters(criteria, now)).group_by(Task.id))
    return {task_id: max(int(spots or 0), 0) for task_id, spots in rows}
