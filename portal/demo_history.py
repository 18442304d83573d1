"""A year of demo history, whenever the demo is loaded: weekly past shifts at plausible Copenhagen hours
with attendance and hours, returning and one-time volunteers, so the overview, certificates and
suggestions show real numbers; ideas answered by their sparring agents (answer times) and updates on
council projects over the year. Danish public holidays (the maintained `holidays` package) are skipped.

Everything goes through the use cases (create, publish, sign up, record attendance, close) with `now` set
to the moment it happened, so the history is as the live code would have left it.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from models import Institution, Task, User
from models.base import LOCAL
from models.idea_operations import answer_idea, close_idea, submit_idea
from models.ideas import IdeaStatus
from models.projects import post_update
from models.task_operations import (TaskPlan, close_task, create_task, publish_task, record_attendance, sign_up)
from models.tasks import Recurrence, TaskKind, unmet_requirements
from portal.holidays_dk import danish_holidays
from portal.scheduler.timing import add_working_days, is_working_day

# (title, what the volunteer does, weekday 0=Monday, local start hour, hours): daytime and early evening only.
HISTORY = (
    ("Lektiecafé om eftermiddagen", "Hjælper elever i 4.–7. klasse med lektierne.", 1, 15, 2),
    ("Gåtur med beboerne", "Går en tur i nærområdet med to-tre beboere.", 3, 10, 2),
    ("Brætspilsaften i klubben", "Spiller brætspil og snakker med de unge.", 2, 18, 2),
)
WEEKS = 52


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL).astimezone(timezone.utc)


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


# --- answered ideas over the year ------------------------------------------------------------------
# (title, what, theme, outcome): the outcome after the first answer, "no" always with a reason.
IDEAS = (
    ("Fælles drivhus ved skolen", "Et lille drivhus som elever og naboer passer sammen.", "nature", "go"),
    ("Strikkeklub på biblioteket", "En ugentlig strikkeklub for alle aldre.", "community", "realised"),
    ("Bænke langs stien til stationen", "Flere bænke så ældre kan hvile undervejs.", "elderly", "no"),
    ("Gåfodbold for seniorer", "Fodbold i gåtempo for dem over 60.", "sport", "go"),
    ("Fortælleaften om lokalhistorie", "Ældre borgere fortæller om byen, som den var.", "culture", "dialogue"),
    ("Skraldeindsamling hver måned", "Vi samler affald i parken den første søndag i måneden.", "environment",
     "realised"),
    ("Legeplads ved boldbanen", "En ny legeplads til de mindste ved boldbanen.", "children", "no"),
    ("Madklub for nye i byen", "Fællesspisning hvor nytilflyttere møder naboerne.", "inclusion", "go"),
    ("Cykelværksted for unge", "Unge lærer at reparere cykler af frivillige mekanikere.", "community", "closed"),
    ("Sangaften på plejecentret", "Fællessang én gang om måneden med beboerne.", "elderly", "realised"),
    ("Naturvandring for familier", "Guidede ture i skoven med en naturvejleder.", "nature", "dialogue"),
    ("Lektiehjælp over telefon", "Frivillige hjælper elever over telefon om aftenen.", "children", "go"),
    ("Løbeklub for begyndere", "Et løbehold for dem, der aldrig har løbet.", "health", "go"),
    ("Byttemarked for børnetøj", "Et marked to gange om året hvor forældre bytter tøj.", "community", "realised"),
    ("Kunst på transformerstationer", "Unge maler de grå transformerstationer.", "culture", "no"),
    ("Besøgsven til ensomme", "Frivillige besøger ældre, der sidder alene.", "elderly", "go"),
)
NO_REASONS = (
    "Vi kan desværre ikke indgå: stien ligger på privat grund, og ejeren ønsker ingen bænke.",
    "Vi kan desværre ikke indgå: der er allerede planlagt en ny legeplads 300 meter derfra.",
    "Vi kan desværre ikke indgå: forsyningsselskabet tillader ikke maling af stationerne.",
)
FIRST_ANSWER = "Tak for idéen! Jeg ringer dig op, så vi kan tale om, hvordan den kan blive til noget."
GO_AHEAD = "Kommunen kan hjælpe med lokale og materialer."
IDEA_ROUNDS = 2  # each idea is submitted twice over the year (by different citizens), so periods have figures


def _workday_at(day: date, hour: int, minute: int = 0) -> datetime:
    """`hour` on `day`, or on the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL).astimezone(timezone.utc)


def _first_answer(rng: random.Random, submitted: datetime) -> datetime:
    """A sparring agent's first answer: a few hours later on a working day, or one to four working days on,
    always inside office hours (08–16 Copenhagen time)."""
    local = submitted.astimezone(LOCAL)
    if is_working_day(local.date()) and local.hour <= 13 and rng.random() < 0.35:
        return _at(local.date(), rng.randint(local.hour + 1, 15)) + timedelta(minutes=rng.randrange(0, 60, 5))
    days = rng.choice((1, 1, 2, 2, 3, 4))
    answer = add_working_days(_at(local.date(), 12), days).astimezone(LOCAL).date()
    return _workday_at(answer, rng.randint(8, 15), rng.randrange(0, 60, 5))


def add_answered_ideas(rng: random.Random, now: datetime, citizens: list[User]) -> dict[str, int]:
    """Ideas submitted over the past year at the hours citizens write (mornings, evenings), each answered by
    its sparring agent through the idea use cases, hours to a few working days later; some end in "no"
    with a reason, some go ahead and are realised or closed by the initiator."""
    today = now.astimezone(LOCAL).date()
    count = 0
    for round_ in range(IDEA_ROUNDS):
        for n, (title, what, theme, outcome) in enumerate(IDEAS):
            age = 30 + (n * IDEA_ROUNDS + round_) * 330 // (len(IDEAS) * IDEA_ROUNDS)
            day = today - timedelta(days=age)
            submitted = _at(day, rng.choice((8, 9, 12, 16, 17, 19, 20, 21)), rng.randrange(0, 50, 5))
            initiator = citizens[(10 + n + round_ * 17) % len(citizens)]
            idea = submit_idea(initiator=initiator, now=submitted, answer_due_at=add_working_days(submitted, 5),
                               title=title, what=what, why="Det giver nye fællesskaber i området.",
                               for_whom="Borgere i nærområdet", own_contribution="Jeg kan stå for det praktiske.",
                               needs_from_municipality="Hjælp til at finde et sted og at komme i gang.",
                               area="Kongens Lyngby", theme=theme)
            agent = idea.agent
            answered = _first_answer(rng, submitted)
            count += 1
            if outcome == "no" and rng.random() < 0.5:
                answer_idea(idea, actor=agent, now=answered, status=IdeaStatus.CANNOT_ENGAGE,
                            message=NO_REASONS[n % len(NO_REASONS)])
                continue
            answer_idea(idea, actor=agent, now=answered, status=IdeaStatus.IN_DIALOGUE,
                        message=FIRST_ANSWER)
            if outcome == "dialogue":
                continue
            later = _workday_at(answered.astimezone(LOCAL).date() + timedelta(days=rng.randint(5, 12)),
                                rng.randint(9, 15))
            if outcome == "no":
                answer_idea(idea, actor=agent, now=later, status=IdeaStatus.CANNOT_ENGAGE,
                            message=NO_REASONS[n % len(NO_REASONS)])
                continue
            answer_idea(idea, actor=agent, now=later, status=IdeaStatus.CAN_GO_AHEAD,
                        message=GO_AHEAD, next_step="Møde om planen",
                        next_who=agent.name, next_when="Inden for tre uger")
            if outcome in ("realised", "closed"):
                ended = _at(later.astimezone(LOCAL).date() + timedelta(days=rng.randint(14, 20)), 19)
                close_idea(idea, actor=initiator, now=min(ended, _at(today - timedelta(days=1), 19)),
                           status=IdeaStatus.REALISED if outcome == "realised" else IdeaStatus.CLOSED)
    return {"history ideas": count}


# --- project updates spread over the year ----------------------------------------------------------
PROJECT_STEPS = (
    "Vi har holdt det første møde med kommunen og fået en tovholder.",
    "Planen er på plads, og vi har søgt om de sidste penge.",
    "Arbejdet er gået i gang. Tak til alle, der mødte op på arbejdsdagen.",
    "Vi er over halvvejs og har fået gode ønsker fra borgermødet med.",
    "Det sidste mangler nu, og vi forventer at være færdige til tiden.",
)


def add_project_updates(now: datetime, project, member: User, progress: int) -> int:
    """Past updates on a council project, one every two months or so, rising towards `progress`
    (the caller posts the latest update). Only for projects under way or done."""
    if not progress:
        return 0
    rng = random.Random(project.title)  # its own, so the rest of the demo draws as before
    today = now.astimezone(LOCAL).date()
    steps = len(PROJECT_STEPS)
    for n, body in enumerate(PROJECT_STEPS):
        day = today - timedelta(days=320 - n * 60 + rng.randint(0, 6))
        post_update(project, actor=member, now=_workday_at(day, rng.randint(9, 19)), body=body,
                    progress=progress * (n + 1) // (steps + 1))
    return steps
