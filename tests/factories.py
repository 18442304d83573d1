"""Factories for test data: small functions with sensible defaults, no fixture files."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from werkzeug.security import generate_password_hash

from models import (Council, CouncilMember, Institution, InstitutionMember, Occurrence, Role, Task, User,
                    VolunteerProfile, db, utcnow)

PASSWORD = "Korrekt-hest-batteri-42"
_seq = itertools.count(1)


@lru_cache(maxsize=1)
def _hash() -> str:
    return generate_password_hash(PASSWORD, method="scrypt")


def user(*roles: Role | str, email: str | None = None, name: str | None = None, verified: bool = True,
         **fields) -> User:
    n = next(_seq)
    u = User(email=email or f"person{n}@example.dk", name=name or f"Person {n}", password_hash=_hash(),
             email_verified_at=utcnow() if verified else None, **fields)
    for role in roles or (Role.CITIZEN,):
        u.grant(role)
    db.session.add(u)
    db.session.flush()
    return u


def institution(name: str | None = None, kind: str = "school", staff: list[User] | None = None, **fields):
    inst = Institution(name=name or f"Institution {next(_seq)}", kind=kind, postcode=fields.pop("postcode", "2800"),
                       **fields)
    db.session.add(inst)
    db.session.flush()
    for member in staff or []:
        db.session.add(InstitutionMember(institution_id=inst.id, user_id=member.id))
    db.session.flush()
    return inst


def council(name: str | None = None, members: list[User] | None = None, **fields) -> Council:
    c = Council(name=name or f"Lokalråd {next(_seq)}", **fields)
    db.session.add(c)
    db.session.flush()
    for member in members or []:
        db.session.add(CouncilMember(council_id=c.id, user_id=member.id))
    db.session.flush()
    return c


def task(inst: Institution, *, starts_at: datetime | None = None, hours: int = 2, capacity: int = 5,
         status: str = "open", occurrences: int = 1, **fields) -> Task:
    start = starts_at or (utcnow() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    t = Task(institution_id=inst.id, title=fields.pop("title", f"Opgave {next(_seq)}"),
             description=fields.pop("description", "Vi søger en frivillig til en konkret opgave."),
             volunteers_do=fields.pop("volunteers_do", "Læser højt for børnene."),
             volunteers_do_not=fields.pop("volunteers_do_not", "Ingen personlig pleje, ingen fortrolige oplysninger."),
             place=fields.pop("place", "Biblioteket"), contact_name=fields.pop("contact_name", "Kontakt Person"),
             contact_email=fields.pop("contact_email", "kontakt@example.dk"), capacity=capacity, status=status,
             published_at=utcnow() if status != "draft" else None, **fields)
    for i in range(occurrences):
        begin = start + timedelta(weeks=i)
        t.occurrences.append(Occurrence(starts_at=begin, ends_at=begin + timedelta(hours=hours), capacity=capacity))
    db.session.add(t)
    db.session.flush()
    return t


def profile(owner: User, **fields) -> VolunteerProfile:
    p = VolunteerProfile(user_id=owner.id, skills=fields.pop("skills", "Lektiehjælp og højtlæsning"),
                         interests=fields.pop("interests", "Børn og bøger"), postcode=fields.pop("postcode", "2800"),
                         **fields)
    db.session.add(p)
    db.session.flush()
    return p


def aware(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def outbox_message(recipient: User, *, kind: str = "signup_accepted", status: str = "queued", **fields):
    """A message in the outbox, as queue_mail would have written it."""
    from models import OutboxMessage
    n = next(_seq)
    m = OutboxMessage(dedup_key=fields.pop("dedup_key", f"test:{n}"), kind=kind, user_id=recipient.id,
                      recipient=recipient.email, subject=fields.pop("subject", f"Besked {n}"),
                      body_text=fields.pop("body_text", "Hej"), body_html=fields.pop("body_html", "<p>Hej</p>"),
                      status=status, **fields)
    db.session.add(m)
    db.session.flush()
    return m


def signup_record(occurrence: Occurrence, volunteer: User, *, status: str = "accepted", **fields):
    """A sign-up row as the sign-up operations leave it (accepted ones hold a place)."""
    from models import Signup
    holds = status in ("accepted", "pending")
    s = Signup(occurrence_id=occurrence.id, user_id=volunteer.id, status=status, holds_spot=holds, **fields)
    if holds:
        occurrence.accepted_count += 1
    db.session.add(s)
    db.session.flush()
    return s


def project(council: Council, *, author: User | None = None, **fields):
    """A council's project as create_project leaves it."""
    from models import Project
    p = Project(council_id=council.id, title=fields.pop("title", f"Projekt {next(_seq)}"),
                goal=fields.pop("goal", "Et grønnere torv, som borgerne selv planter og passer."),
                area=fields.pop("area", "Lyngby"), status=fields.pop("status", "active"),
                progress=fields.pop("progress", 20), created_by_id=author.id if author else None, **fields)
    db.session.add(p)
    db.session.flush()
    return p


def project_update(proj, *, author: User | None = None, body: str = "Vi har plantet de første træer.", **fields):
    from models import ProjectUpdate
    u = ProjectUpdate(project_id=proj.id, author_id=author.id if author else None, body=body, **fields)
    db.session.add(u)
    db.session.flush()
    return u


def update_comment(update, author: User, *, body: str = "Flot arbejde!", **fields):
    from models import UpdateComment
    c = UpdateComment(update_id=update.id, author_id=author.id, body=body, **fields)
    db.session.add(c)
    db.session.flush()
    return c


def event(*, council: Council | None = None, institution: Institution | None = None, starts_at: datetime | None = None,
          hours: int = 2, capacity: int | None = 20, **fields):
    """An event in the shared calendar, three days ahead unless told otherwise."""
    from models import Event
    start = starts_at or (utcnow() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    e = Event(council_id=council.id if council else None, institution_id=institution.id if institution else None,
              title=fields.pop("title", f"Temamøde {next(_seq)}"), place=fields.pop("place", "Rådhuset, Lyngby"),
              kind=fields.pop("kind", "theme_meeting"), starts_at=start, ends_at=start + timedelta(hours=hours),
              capacity=capacity, **fields)
    db.session.add(e)
    db.session.flush()
    return e


def idea(initiator: User, *, status: str = "received", **fields):
    """An idea row as submit_idea leaves it (with its "created" timeline entry), without an agent."""
    from models import Idea, IdeaEvent
    created = fields.pop("created_at", utcnow())
    i = Idea(initiator_id=initiator.id, title=fields.pop("title", f"Idé {next(_seq)}"),
             what=fields.pop("what", "Et fælles drivhus i gården, hvor naboer dyrker grøntsager sammen."),
             status=status, created_at=created, updated_at=created, **fields)
    i.events.append(IdeaEvent(kind="created", actor_id=initiator.id, to_status="received", created_at=created))
    db.session.add(i)
    db.session.flush()
    return i


def co_creator(idea_row, person: User, *, offer: str = "Jeg kan snedkerere.", co_owner: bool = False):
    from models import CoCreator
    c = CoCreator(idea_id=idea_row.id, user_id=person.id, offer=offer, co_owner=co_owner)
    db.session.add(c)
    db.session.flush()
    return c


def sign_up(occurrence, *, volunteer, now=None, **options):
    """The volunteer signs up themselves, through the use case (the assisted path has its own tests)."""
    from models.task_operations import sign_up as sign_up_as
    return sign_up_as(occurrence, volunteer=volunteer, actor=volunteer, now=now or utcnow(), **options)


# --- teams, networks, associations (through their use cases where one exists) ------------------------

def team(inst: Institution, *, staff: User | None = None, tovholder: User | None = None, task=None,
         name: str | None = None, members=()):
    """A team at `inst`; `staff` (a member of the institution, made one if needed) creates it."""
    from models.team_operations import create_team, join_team
    creator = staff or user(Role.STAFF)
    if not db.session.query(InstitutionMember).filter_by(institution_id=inst.id, user_id=creator.id).count():
        db.session.add(InstitutionMember(institution_id=inst.id, user_id=creator.id))
        db.session.flush()
    t = create_team(inst, actor=creator, now=utcnow(), name=name or f"Hold {next(_seq)}", purpose="Vi hjælper sammen.",
                    tovholder=tovholder, task=task)
    for person in members:
        join_team(t, person=person, now=utcnow(), consent=True)
    return t


def network(*, tovholder: User | None = None, name: str | None = None, members=()):
    from models.network_operations import create_network, join_network
    coordinator = user(Role.COORDINATOR)
    n = create_network(actor=coordinator, now=utcnow(), name=name or f"Netværk {next(_seq)}",
                       purpose="Vi deler erfaringer.", tovholder=tovholder)
    for person in members:
        join_network(n, person=person, now=utcnow())
    return n


def association(*, board: User | None = None, name: str | None = None, **fields):
    from models.association_operations import register_association
    return register_association(actor=board or user(Role.CITIZEN), now=utcnow(),
                                name=name or f"Forening {next(_seq)}", **fields)
