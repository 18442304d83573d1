"""A year of demo history, whenever the demo is loaded: weekly past shifts at plausible Copenhagen hours
with attendance and hours, returning and one-time volunteers, so the overview, certificates and
suggestions show real numbers. Danish public holidays (the maintained `holidays` package) are skipped.

Everything goes through the use cases (create, publish, sign up, record attendance, close) with `now` set
to the moment it happened, so the history is as the live code would have left it.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from models import Institution, Task, User
from models.base import LOCAL
from models.task_operations import (TaskPlan, close_task, create_task, publish_task, record_attendance, sign_up)
from models.tasks import Recurrence, TaskKind, unmet_requirements
from portal.holidays_dk import danish_holidays

# (title, what the volunteer does, weekday 0=Monday, local start hour, hours): daytime and early evening only.
HISTORY = (
    ("Lektiecafé om eftermiddagen", "Hjælper elever i 4.–7. klasse med lektierne.", 1, 15, 2),
    ("Gåtur med beboerne", "Går en tur i nærområdet med to-tre beboere.", 3, 10, 2),
    ("Brætspilsaften i klubben", "Spiller brætspil og snakker med de unge.", 2, 18, 2),
)
WEEKS = 52


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL).astimezone(timezone.utc)


def add_history(rng: random.Random, now: datetime, institutions: list[Institution], hosts: dict[int, User],
                citizens: list[User]) -> dict[str, int]:
    """Past weekly tasks over the last year, closed, with sign-ups and recorded attendance."""
    today = now.astimezone(LOCAL).date()
    regulars, one_timers = citizens[1:9], citizens[9:45]
    closed = today - timedelta(days=WEEKS * 7)
    free = danish_holidays(range(closed.year, today.year + 1))
    counts = {"history tasks": 0, "history times": 0, "history attendances": 0}
    for n, (title, does, weekday, hour, hours) in enumerate(HISTORY):
        inst = institutions[n % len(institutions)]
        host = hosts[inst.id]
        first = closed + timedelta(days=(weekday - closed.weekday()) % 7)
        days = [first + timedelta(weeks=w) for w in range(WEEKS)]
        days = [d for d in days if d < today - timedelta(days=1) and d not in free]
        schedule = [(_at(d, hour), _at(d, hour + hours)) for d in days]
        fields = dict(title=title, description=f"{does} En fast ugentlig opgave gennem det seneste år.",
                      skills_wanted="", volunteers_do=does,
                      volunteers_do_not="Ingen personlig pleje eller medicin, og du indgår aldrig i normeringen.",
                      place=inst.address, postcode=inst.postcode, contact_name="Pia Friis", contact_email=inst.email,
                      contact_phone="45 97 35 00", hours_estimate=Decimal(hours), requires_child_certificate=False,
                      requires_pledge=False, compensation_note="Ingen godtgørelse.",
                      insurance_note="Kommunen har en forsikring, der dækker frivillige under opgaven.",
                      good_first_task=n == 1, no_danish_needed=n == 2)
        created = _at(first - timedelta(days=21), 10)
        plan = TaskPlan(fields=fields, capacity=4, kind=TaskKind.FIXED, recurrence=Recurrence.WEEKLY,
                        schedule=schedule)
        task: Task = create_task(inst, plan, actor=host, now=created)
        publish_task(task, actor=host, now=created + timedelta(days=1))
        counts["history tasks"] += 1
        for occurrence in task.occurrences:
            counts["history times"] += 1
            people = rng.sample(regulars, 2) + ([rng.choice(one_timers)] if rng.random() < 0.35 else [])
            for person in people:
                if any(s.user_id == person.id for s in occurrence.signups):
                    continue
                if unmet_requirements(task, person, occurrence.day):
                    continue
                signed = sign_up(occurrence, volunteer=person, actor=person,
                                 now=occurrence.starts_at - timedelta(days=3, hours=2)).signup
                came = rng.random() > 0.08
                given = Decimal(hours) - (Decimal("0.5") if rng.random() < 0.2 else 0)
                record_attendance(signed, actor=host, now=occurrence.ends_at + timedelta(hours=1), attended=came,
                                  hours=given if came else None)
                counts["history attendances"] += int(came)
        close_task(task, actor=host, now=schedule[-1][1] + timedelta(days=1))
    return counts
