"""`flask --app app suggestions report`: how many open tasks have enough suggested volunteers.

For every open task that takes sign-ups, "Foreslåede frivillige" is computed exactly as the institution's
page computes it (portal.suggestions.volunteers_for); the report prints the share of open tasks with at
least MINIMUM suggestions, and for the others what stands in the way (portal.obstacles), counted by cause.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from models import Task, TaskStatus, db, utcnow
from portal import obstacles, suggestions

MINIMUM = 3


@dataclass
class Coverage:
    open_tasks: int
    with_minimum: int
    with_any: int
    minimum: int = MINIMUM
    share: float = 0.0
    short: list[dict] = field(default_factory=list)  # the tasks below the minimum: id, title, found, obstacle
    causes: dict[str, int] = field(default_factory=dict)  # obstacle code → tasks with no suggestion at all


def coverage(*, now: datetime | None = None, minimum: int = MINIMUM) -> Coverage:
    """The share of open tasks with at least `minimum` suggested volunteers."""
    now = now or utcnow()
    tasks = db.session.scalars(select(Task).where(Task.status == TaskStatus.OPEN).order_by(Task.id)).all()
    counted, short, causes = 0, [], Counter()
    with_any = 0
    with current_app.test_request_context():  # the obstacles' links need a request context
        for task in tasks:
            found = len(suggestions.volunteers_for(task, now=now, k=minimum))
            counted += found >= minimum
            with_any += found > 0
            if found < minimum:
                obstacle = obstacles.for_task(task, now=now) if found == 0 else None
                if obstacle is not None:
                    causes[obstacle.code] += 1
                short.append({"id": task.id, "title": task.title, "found": found,
                              "obstacle": obstacle.code if obstacle else None})
    share = counted / len(tasks) if tasks else 0.0
    return Coverage(len(tasks), counted, with_any, minimum, round(share, 3), short, dict(causes))


suggestions_command = AppGroup("suggestions", help="Figures about the suggestions.")


@suggestions_command.command("report")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--minimum", default=MINIMUM, show_default=True, help="Suggested volunteers a task should have.")
def report_command(as_json: bool, minimum: int):
    """Print the share of open tasks with at least three suggested volunteers."""
    result = coverage(minimum=minimum)
    if as_json:
        click.echo(json.dumps(asdict(result), ensure_ascii=False, indent=2))
        return
    click.echo(f"Open tasks: {result.open_tasks}")
    click.echo(f"With at least {result.minimum} suggested volunteers: {result.with_minimum} "
               f"({result.share:.0%})")
    click.echo(f"With at least one: {result.with_any}")
    for item in result.short:
        cause = f" – {item['obstacle']}" if item["obstacle"] else ""
        click.echo(f"  {item['found']}  #{item['id']} {item['title']}{cause}")
