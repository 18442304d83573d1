"""The use cases of citizens' ideas: submit, edit, answer, join, co-own, meet, close, ask for and invite people.

Like every *_operations module, each function checks every rule of its use case, writes the idea's
public timeline entry (and the audit entry where a person's data is used) and tells who must be told,
in the caller's transaction; it flushes, never commits. The municipality answers and supports but
never rewrites an idea (principle 5): only the initiator and the co-owners they invite edit its text.
Who may be shown to whom is decided by models.consent: an initiator can ask the sparring agent to
invite people whose skills fit; the agent sees them and invites them.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from models.audit import AuditAction, record as audit
from models.base import DomainError, db
from models.ideas import (ANSWERS, EDITABLE_FIELDS, IDEA_THEMES, OWNER_MOVES, REQUIRED_FIELDS, AgentTheme, CoCreator,
                          Idea, IdeaEvent, IdeaEventKind, IdeaStatus)
from models.notices import Notice, tell
from models.people import Role, User, UserRole


def _event(idea: Idea, kind: str, *, actor: User | None, now: datetime, **fields) -> IdeaEvent:
    event = IdeaEvent(kind=kind, actor_id=actor.id if actor else None, created_at=now, **fields)
    idea.events.append(event)
    return event


def _is_agent(user: User | None) -> bool:
    return user is not None and user.has_role(Role.COORDINATOR)


def _clean(fields: dict) -> dict:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    values = {name: (value or "").strip() for name, value in fields.items()}
    if values.get("theme") and values["theme"] not in IDEA_THEMES:
        raise DomainError("unknown_theme", theme=values["theme"])
    return values


def submit_idea(*, initiator: User, now: datetime, answer_due_at: datetime | None = None, **fields) -> Idea:
    """Create a citizen's idea in state "received", put it on its timeline and assign a sparring agent.

    `fields` are the idea's texts (EDITABLE_FIELDS); title and what are required. `answer_due_at`
    is when the first answer is due (the caller counts the working days). Raises DomainError
    "idea_incomplete" or "unknown_theme".
    """
    values = _clean(fields)
    if any(not values.get(name) for name in REQUIRED_FIELDS):
        raise DomainError("idea_incomplete")
    idea = Idea(initiator_id=initiator.id, status=IdeaStatus.RECEIVED, answer_due_at=answer_due_at, created_at=now,
                updated_at=now, hidden=False, **values)
    db.session.add(idea)
    _event(idea, IdeaEventKind.CREATED, actor=initiator, now=now, to_status=IdeaStatus.RECEIVED)
    db.session.flush()
    assign_sparring_agent(idea, actor=None, now=now)
    return idea


def edit_idea(idea: Idea, *, actor: User, now: datetime, **fields) -> list[str]:
    """Change the idea's texts; only the initiator and co-owners may (a coordinator cannot: principle 5).

    Returns the names of the fields that changed (an "edited" timeline entry lists them). Raises
    DomainError "not_idea_owner", "idea_closed", "idea_incomplete" or "unknown_theme".
    """
    if not idea.is_owner(actor):
        raise DomainError("not_idea_owner")
    if idea.is_final:
        raise DomainError("idea_closed")
    values = _clean(fields)
    if any(name in values and not values[name] for name in REQUIRED_FIELDS):
        raise DomainError("idea_incomplete")
    changed = [name for name, value in values.items() if getattr(idea, name) != value]
    for name in changed:
        setattr(idea, name, values[name])
    if changed:
        idea.updated_at = now
        _event(idea, IdeaEventKind.EDITED, actor=actor, now=now, message=", ".join(changed))
        db.session.flush()
    return changed


def _active_agents(theme: str | None):
    query = (select(User).join(UserRole, UserRole.user_id == User.id)
             .where(UserRole.role == Role.COORDINATOR.value, User.active.is_(True), User.deleted_at.is_(None)))
    if theme:
        query = query.join(AgentTheme, AgentTheme.user_id == User.id).where(AgentTheme.theme == theme)
    return query


def next_sparring_agent(idea: Idea) -> User | None:
    """The agent for the idea's theme, else any coordinator; among several, whoever got an idea longest ago."""
    last_given = (select(Idea.agent_id, func.max(Idea.id).label("last_id"))
                  .where(Idea.agent_id.is_not(None), Idea.id != idea.id).group_by(Idea.agent_id).subquery())
    for theme in ([idea.theme] if idea.theme else []) + [None]:
        query = (_active_agents(theme).outerjoin(last_given, last_given.c.agent_id == User.id)
                 .order_by(last_given.c.last_id.asc().nulls_first(), User.id).limit(1))
        agent = db.session.scalar(query)
        if agent is not None:
            return agent
    return None


def assign_sparring_agent(idea: Idea, *, actor: User | None, now: datetime, agent: User | None = None) -> User | None:
    """Give the idea a sparring agent: `agent` when a coordinator chooses one, else by theme / in turn.

    Returns the agent (None when there is no coordinator at all). Raises DomainError
    "not_sparring_agent" when the actor or the chosen agent is not a coordinator.
    """
    if agent is not None:
        if not _is_agent(actor) or not _is_agent(agent):
            raise DomainError("not_sparring_agent")
    else:
        agent = next_sparring_agent(idea)
    if agent is None or agent.id == idea.agent_id:
        return agent
    idea.agent_id = agent.id
    idea.agent = agent
    _event(idea, IdeaEventKind.ASSIGNED, actor=actor, now=now, next_who=agent.name)
    db.session.flush()
    return agent


def answer_idea(idea: Idea, *, actor: User, now: datetime, status: str, message: str = "", next_step: str = "",
                next_who: str = "", next_when: str = "") -> IdeaEvent:
    """The municipality's answer: in dialogue, can go ahead (next step, who, when) or cannot engage (why).

    Only a sparring agent (coordinator) answers; the first answer stamps `first_answer_at` and, if
    nobody was assigned, makes the answerer the agent. A further message while in dialogue is an
    "answer" entry without a change of state. Raises DomainError "not_sparring_agent",
    "transition_not_allowed", "message_required", "next_step_required" or "reason_required".
    """
    if not _is_agent(actor):
        raise DomainError("not_sparring_agent")
    if status not in ANSWERS.get(idea.status, ()):
        raise DomainError("transition_not_allowed", from_status=idea.status, to_status=status)
    message, next_step, next_who, next_when = (s.strip() for s in (message, next_step, next_who, next_when))
    if status == IdeaStatus.CANNOT_ENGAGE and not message:
        raise DomainError("reason_required")
    if status == IdeaStatus.CAN_GO_AHEAD and not (next_step and next_who and next_when):
        raise DomainError("next_step_required")
    if status == IdeaStatus.IN_DIALOGUE and not message:
        raise DomainError("message_required")
    if status != IdeaStatus.CAN_GO_AHEAD:
        next_step = next_who = next_when = ""
    if idea.first_answer_at is None:
        idea.first_answer_at = now
    if idea.agent_id is None:
        idea.agent_id = actor.id
    kind = IdeaEventKind.ANSWER if status == idea.status else IdeaEventKind.STATUS
    event = _event(idea, kind, actor=actor, now=now, from_status=idea.status, to_status=status, message=message,
                   next_step=next_step, next_who=next_who, next_when=next_when)
    idea.status = status
    idea.updated_at = now
    db.session.flush()
    tell(Notice.IDEA_ANSWERED, idea=idea, event=event)
    return event


def close_idea(idea: Idea, *, actor: User, now: datetime, status: str = IdeaStatus.CLOSED,
               message: str = "") -> IdeaEvent:
    """The initiator (or a co-owner) marks the idea realised or closes it; the municipality cannot.

    Raises DomainError "not_idea_owner" or "transition_not_allowed".
    """
    if not idea.is_owner(actor):
        raise DomainError("not_idea_owner")
    if status not in OWNER_MOVES.get(idea.status, ()):
        raise DomainError("transition_not_allowed", from_status=idea.status, to_status=status)
    event = _event(idea, IdeaEventKind.STATUS, actor=actor, now=now, from_status=idea.status, to_status=status,
                   message=message.strip())
    idea.status = status
    idea.updated_at = now
    db.session.flush()
    return event


def join_idea(idea: Idea, *, user: User, now: datetime, offer: str) -> CoCreator:
    """Join an idea as a co-creator, saying what one offers ("Jeg vil være med: …"); the initiator is told.

    Raises DomainError "offer_required", "own_idea", "already_joined", "idea_closed" or "idea_hidden".
    """
    offer = (offer or "").strip()
    if not offer:
        raise DomainError("offer_required")
    if idea.hidden:
        raise DomainError("idea_hidden")
    if idea.is_final:
        raise DomainError("idea_closed")
    if idea.initiator_id == user.id:
        raise DomainError("own_idea")
    if idea.co_creator_of(user) is not None:
        raise DomainError("already_joined")
    co_creator = CoCreator(user_id=user.id, user=user, offer=offer, co_owner=False, created_at=now)
    idea.co_creators.append(co_creator)
    _event(idea, IdeaEventKind.JOINED, actor=user, now=now)
    db.session.flush()
    tell(Notice.IDEA_JOINED, idea=idea, co_creator=co_creator)
    return co_creator


def invite_co_owner(idea: Idea, co_creator: CoCreator, *, actor: User, now: datetime) -> CoCreator:
    """The initiator makes a co-creator a co-owner, who may then edit the idea with them.

    Raises DomainError "not_initiator" (only the initiator shares ownership) or "not_co_creator".
    """
    if idea.initiator_id is None or actor.id != idea.initiator_id:
        raise DomainError("not_initiator")
    if co_creator.idea_id != idea.id:
        raise DomainError("not_co_creator")
    if not co_creator.co_owner:
        co_creator.co_owner = True
        _event(idea, IdeaEventKind.CO_OWNER, actor=actor, now=now)
        db.session.flush()
        tell(Notice.IDEA_CO_OWNER, idea=idea, co_creator=co_creator)
    return co_creator


def invite_to_meeting(idea: Idea, *, actor: User, now: datetime, when: str, where: str,
                      message: str = "") -> tuple[IdeaEvent, list[CoCreator]]:
    """The initiator (or a co-owner) invites the co-creators to a meeting; returns the entry and invitees.

    The timeline shows that a meeting was called and when; the place and the message go only to the
    invitees, by mail. Raises DomainError "not_idea_owner", "meeting_incomplete" or
    "no_co_creators".
    """
    if not idea.is_owner(actor):
        raise DomainError("not_idea_owner")
    when, where = (when or "").strip(), (where or "").strip()
    if not when or not where:
        raise DomainError("meeting_incomplete")
    invitees = [c for c in idea.co_creators if c.user_id != actor.id]
    if not invitees:
        raise DomainError("no_co_creators")
    event = _event(idea, IdeaEventKind.MEETING, actor=actor, now=now, next_when=when, next_step=where,
                   message=(message or "").strip())
    db.session.flush()
    tell(Notice.IDEA_MEETING, idea=idea, event=event, invitees=invitees)
    return event, invitees


def set_agent_themes(agent: User, themes, *, actor: User, now: datetime) -> list[str]:
    """Choose the themes a sparring agent takes (a coordinator sets their own or a colleague's)."""
    if not _is_agent(actor) or not _is_agent(agent):
        raise DomainError("not_sparring_agent")
    wanted = sorted(set(themes))
    if any(theme not in IDEA_THEMES for theme in wanted):
        raise DomainError("unknown_theme")
    current = {row.theme: row for row in db.session.scalars(select(AgentTheme).where(AgentTheme.user_id == agent.id))}
    for theme, row in current.items():
        if theme not in wanted:
            db.session.delete(row)
    for theme in wanted:
        if theme not in current:
            db.session.add(AgentTheme(user_id=agent.id, theme=theme))
    db.session.flush()
    return wanted


def themes_of(agent: User) -> list[str]:
    return sorted(db.session.scalars(select(AgentTheme.theme).where(AgentTheme.user_id == agent.id)))


def hide_idea(idea: Idea, *, actor: User, now: datetime, reason: str) -> IdeaEvent:
    """A coordinator hides an idea with a reason the initiator sees; nothing is deleted.

    Raises DomainError "not_sparring_agent" or "reason_required".
    """
    if not _is_agent(actor):
        raise DomainError("not_sparring_agent")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required")
    idea.hidden = True
    idea.hidden_reason = reason
    event = _event(idea, IdeaEventKind.HIDDEN, actor=actor, now=now, message=reason)
    db.session.flush()
    return event


def show_idea(idea: Idea, *, actor: User, now: datetime, reason: str = "") -> IdeaEvent:
    """A coordinator shows a hidden idea again (the timeline keeps that it was hidden, and why)."""
    if not _is_agent(actor):
        raise DomainError("not_sparring_agent")
    idea.hidden = False
    idea.hidden_reason = None
    event = _event(idea, IdeaEventKind.SHOWN, actor=actor, now=now, message=(reason or "").strip())
    db.session.flush()
    return event


# --- people whose skills fit: the initiator asks, the sparring agent invites ----------------------

def _open_for_people(idea: Idea) -> None:
    if idea.hidden:
        raise DomainError("idea_hidden")
    if idea.is_final:
        raise DomainError("idea_closed")


def ask_for_people(idea: Idea, *, actor: User, now: datetime) -> IdeaEvent:
    """The initiator (or a co-owner) asks the sparring agent to invite people whose skills fit.

    The initiator never learns who they are (models.consent); the agent, who may see them, is told.
    Asking again before the agent has invited anyone is refused. Raises DomainError
    "not_idea_owner", "idea_hidden", "idea_closed" or "already_asked".
    """
    if not idea.is_owner(actor):
        raise DomainError("not_idea_owner")
    _open_for_people(idea)
    asked = [e for e in idea.events if e.kind == IdeaEventKind.PEOPLE_ASKED]
    invited = [e for e in idea.events if e.kind == IdeaEventKind.INVITED]
    if asked and (not invited or invited[-1].created_at < asked[-1].created_at):
        raise DomainError("already_asked")
    event = _event(idea, IdeaEventKind.PEOPLE_ASKED, actor=actor, now=now)
    db.session.flush()
    tell(Notice.IDEA_PEOPLE_ASKED, idea=idea, event=event)
    return event


def invite_to_idea(idea: Idea, person: User, *, actor: User, now: datetime) -> bool:
    """A sparring agent invites someone whose skills fit to have a look at a citizen's idea.

    Only people coordinators may find (models.consent) are invited, each once per idea; the public
    timeline says someone was invited without naming them, and the audit log the person sees says
    who used their profile. Returns False when the person was invited before. Raises DomainError
    "not_sparring_agent", "idea_hidden", "idea_closed" or "cannot_invite".
    """
    from models.consent import Audience, may_find
    if not _is_agent(actor):
        raise DomainError("not_sparring_agent")
    _open_for_people(idea)
    if person.id == idea.initiator_id or idea.co_creator_of(person) is not None \
            or not may_find(person, Audience.COORDINATORS):
        raise DomainError("cannot_invite")
    if not tell(Notice.IDEA_INVITATION, idea=idea, person=person, agent=actor):
        return False
    _event(idea, IdeaEventKind.INVITED, actor=actor, now=now)
    db.session.flush()
    audit(person, actor=actor, action=AuditAction.IDEA_INVITED, now=now, detail=idea.title)
    return True
