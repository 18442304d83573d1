"""Shared plumbing: the db object, UTC datetimes, the local time zone, enum checks and the domain error."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import CheckConstraint, DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)


class DomainError(Exception):
    """A rule of the domain forbids the operation; `code` names the rule for the view's message."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# Everything is stored in UTC; what people mean by a day or a clock time is Copenhagen's. This is the
# one place that names the zone (settings, Babel, SQL and calendars take it from here).
LOCAL_ZONE_NAME = "Europe/Copenhagen"
LOCAL = ZoneInfo(LOCAL_ZONE_NAME)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL)


def from_local(wall: datetime) -> datetime:
    """A naive Copenhagen wall-clock time as UTC (a time skipped in March counts as the hour after)."""
    return wall.replace(tzinfo=LOCAL).astimezone(timezone.utc)


def local_day(moment: datetime) -> date:
    """The Copenhagen calendar day of a UTC moment (a 00:30 start in summer is that day, not the one before)."""
    return moment.astimezone(LOCAL).date()


class UTCDateTime(TypeDecorator):
    """Stores naive UTC in every database and hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def matching_text(parts) -> str:
    """The text the matching reads of a row: its non-empty parts, joined by spaces."""
    return " ".join(part for part in parts if part)


def one_of(column: str, values, name: str | None = None) -> CheckConstraint:
    """A check constraint that keeps a string column within a closed set of values."""
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or f"{column}_valid")


# No query takes an unbounded IN list (psycopg refuses more than 65,535 parameters; long lists are slow):
# callers split their ids into chunks of at most this many.
IN_CHUNK = 5_000


def chunks(values, size: int = IN_CHUNK):
    """`values` (any iterable) as lists of at most `size` items."""
    batch = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
