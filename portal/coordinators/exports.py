"""CSV exports for a period: UTF-8 with a byte-order mark and semicolons, as Danish Excel expects.

Rows are streamed from the database in batches, so a large export never sits whole in memory.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from typing import Iterable, Iterator

from flask import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Institution, Occurrence, Signup, SignupStatus, Task, TaskStatus, User, db
from models.base import LOCAL
from portal.coordinators.overview import Period, month_of

BOM = "\ufeff"
BATCH = 1000


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (Decimal, float)):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, bool):
        return "ja" if value else "nej"
    text = str(value)
    # A cell starting with = + - @ (or a tab or carriage return before one) would run as a formula in a
    # spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# States are stored as codes; a download names them in Danish, like its header.
TASK_STATUS_WORDS = {TaskStatus.DRAFT: "kladde", TaskStatus.OPEN: "åben", TaskStatus.CLOSED: "lukket",
                     TaskStatus.CANCELLED: "aflyst"}
SIGNUP_STATUS_WORDS = {SignupStatus.PENDING: "venter på screening", SignupStatus.ACCEPTED: "godkendt",
                       SignupStatus.WAITLISTED: "på venteliste", SignupStatus.CANCELLED: "meldt afbud",
                       SignupStatus.DECLINED: "afvist", SignupStatus.ATTENDED: "mødt",
                       SignupStatus.NO_SHOW: "ikke mødt"}


def csv_lines(header: list[str], rows: Iterable, words: dict[int, dict] | None = None) -> Iterator[str]:
    """The CSV text in chunks: the BOM and header first, then one chunk per batch of rows.

    `words` maps a column's position to the Danish word for each stored code in it.
    """
    words = words or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(rows, 1):
        writer.writerow([_cell(words[i].get(v, v) if i in words else v) for i, v in enumerate(row)])
        if n % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(filename: str, header: list[str], *, query=None, rows: Iterable = (),
                 words: dict[int, dict] | None = None) -> Response:
    """A streamed CSV download of a query's rows (or of ready rows).

    The query runs in the generator on its own short-lived session bound to the engine, so rows stream
    after the view has returned, and a response nobody reads never starts one.
    """
    engine = db.engine

    def generate():
        if query is None:
            yield from csv_lines(header, rows, words)
            return
        with Session(engine) as session:
            yield from csv_lines(header, session.execute(query.execution_options(yield_per=BATCH)), words)

    response = Response(generate(), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def task_query(period: Period):
    """One row per task with an occurrence in the period."""
    in_period = (Occurrence.starts_at >= period.starts_at) & (Occurrence.starts_at < period.ends_at)
    return (select(Task.id, Task.title, Institution.name, Task.status, func.min(Occurrence.starts_at),
                   func.count(Occurrence.id), func.sum(Occurrence.capacity), func.sum(Occurrence.accepted_count),
                   Task.requires_child_certificate)
            .join(Occurrence, Occurrence.task_id == Task.id).join(Institution, Task.institution_id == Institution.id)
            .where(in_period).group_by(Task.id, Task.title, Institution.name, Task.status,
                                       Task.requires_child_certificate)
            .order_by(func.min(Occurrence.starts_at), Task.id))


TASK_WORDS = {3: TASK_STATUS_WORDS}
TASK_HEADER = ["opgave_id", "titel", "institution", "status", "første_start", "antal_gange", "pladser",
               "optagne_pladser", "kræver_børneattest"]


def signup_query(period: Period):
    """One row per sign-up on an occurrence in the period, oldest start first."""
    return (select(Signup.id, Task.title, Institution.name, Occurrence.starts_at, User.name, Signup.status,
                   Signup.hours, Signup.assisted_by_id.is_not(None), Signup.created_at)
            .join(Occurrence, Signup.occurrence_id == Occurrence.id).join(Task, Occurrence.task_id == Task.id)
            .join(Institution, Task.institution_id == Institution.id).join(User, Signup.user_id == User.id)
            .where(Occurrence.starts_at >= period.starts_at, Occurrence.starts_at < period.ends_at)
            .order_by(Occurrence.starts_at, Signup.id))


SIGNUP_WORDS = {5: SIGNUP_STATUS_WORDS}
SIGNUP_HEADER = ["tilmelding_id", "opgave", "institution", "start", "frivillig", "status", "timer",
                 "medbetjent", "tilmeldt"]


def hour_query(period: Period):
    """Hours given per institution and month (attended sign-ups)."""
    month = month_of(Occurrence.starts_at).label("month")
    return (select(Institution.name, month, func.count(Signup.id), func.coalesce(func.sum(Signup.hours), 0))
            .select_from(Signup).join(Occurrence, Signup.occurrence_id == Occurrence.id)
            .join(Task, Occurrence.task_id == Task.id).join(Institution, Task.institution_id == Institution.id)
            .where(Signup.status == SignupStatus.ATTENDED, Occurrence.starts_at >= period.starts_at,
                   Occurrence.starts_at < period.ends_at)
            .group_by(Institution.name, month).order_by(Institution.name, month))


HOUR_HEADER = ["institution", "måned", "fremmødte", "timer"]
OVERVIEW_HEADER = ["afsnit", "nøgle", "værdi"]
