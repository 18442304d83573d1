"""The use cases of thematic networks: one function each, the door every caller goes through.

Rules held here: coordinators create a network and name its tovholder; anyone logged in joins (twice
changes nothing) and leaves; the tovholder (or a coordinator) plans meetings with an agenda and publishes
the minutes to the members; members raise items for the municipality, which get an answer deadline
(counted by the caller in working days, as for ideas) and are answered by a coordinator.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from models.base import DomainError, db
from models.notices import Notice, tell
from models.networks import Network, NetworkItem, NetworkMeeting, NetworkMember, is_network_member
from models.people import Role

NAME_MAX = 120


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _is_coordinator(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.has_role(Role.COORDINATOR)


def may_lead_network(actor, network: Network) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return network.tovholder_id == actor.id or _is_coordinator(actor)


def create_network(*, actor, now: datetime, name: str, purpose: str, tovholder=None) -> Network:
    """Raises DomainError "not_allowed", "name_required" or "name_taken"."""
    if not _is_coordinator(actor):
        raise DomainError("not_allowed")
    name = _clean(name)[:NAME_MAX]
    if not name:
        raise DomainError("name_required")
    if db.session.scalar(select(Network.id).where(Network.name == name)):
        raise DomainError("name_taken")
    network = Network(name=name, purpose=_clean(purpose), created_at=now,
                      tovholder_id=tovholder.id if tovholder is not None else None)
    db.session.add(network)
    db.session.flush()
    if tovholder is not None:
        join_network(network, person=tovholder, now=now)
    return network


def join_network(network: Network, *, person, now: datetime) -> NetworkMember:
    """Join the network; joining twice changes nothing (the same membership is returned)."""
    existing = db.session.scalar(select(NetworkMember).where(NetworkMember.network_id == network.id,
                                                             NetworkMember.user_id == person.id))
    if existing is not None:
        return existing
    if not person.is_active:
        raise DomainError("not_allowed")
    member = NetworkMember(network_id=network.id, user_id=person.id, joined_at=now)
    db.session.add(member)
    db.session.flush()
    return member


def leave_network(network: Network, *, person, now: datetime) -> bool:
    existing = db.session.scalar(select(NetworkMember).where(NetworkMember.network_id == network.id,
                                                             NetworkMember.user_id == person.id))
    if existing is None:
        return False
    if network.tovholder_id == person.id:
        raise DomainError("tovholder_cannot_leave")
    db.session.delete(existing)
    db.session.flush()
    return True


def plan_meeting(network: Network, *, actor, now: datetime, starts_at: datetime, ends_at: datetime, place: str,
                 agenda: str) -> NetworkMeeting:
    """Raises "not_allowed", "ends_before_start", "start_in_past" or "agenda_required"."""
    if not may_lead_network(actor, network):
        raise DomainError("not_allowed")
    if ends_at <= starts_at:
        raise DomainError("ends_before_start")
    if starts_at <= now:
        raise DomainError("start_in_past")
    if not _clean(agenda):
        raise DomainError("agenda_required")
    meeting = NetworkMeeting(network_id=network.id, starts_at=starts_at, ends_at=ends_at, place=_clean(place)[:200],
                             agenda=_clean(agenda))
    db.session.add(meeting)
    db.session.flush()
    return meeting


def publish_minutes(meeting: NetworkMeeting, *, actor, now: datetime, minutes: str) -> NetworkMeeting:
    """Raises "not_allowed", "minutes_required" or "meeting_not_held"."""
    if not may_lead_network(actor, meeting.network):
        raise DomainError("not_allowed")
    if not _clean(minutes):
        raise DomainError("minutes_required")
    if meeting.starts_at > now:
        raise DomainError("meeting_not_held")
    meeting.minutes = _clean(minutes)
    meeting.minutes_published_at = now
    db.session.flush()
    return meeting


def raise_item(network: Network, *, actor, now: datetime, title: str, body: str, answer_due_at: datetime) -> NetworkItem:
    """A member raises an item for the municipality. Raises "not_a_member" or "title_required"."""
    if not (is_network_member(network.id, actor) or may_lead_network(actor, network)):
        raise DomainError("not_a_member")
    title = _clean(title)[:160]
    if not title:
        raise DomainError("title_required")
    item = NetworkItem(network_id=network.id, title=title, body=_clean(body), raised_by_id=actor.id, raised_at=now,
                       answer_due_at=answer_due_at)
    db.session.add(item)
    db.session.flush()
    return item


def answer_item(item: NetworkItem, *, actor, now: datetime, answer: str) -> NetworkItem:
    """A coordinator answers an item (again: replaces the answer); whoever raised it is told. Raises "not_allowed" or "answer_required"."""
    if not _is_coordinator(actor):
        raise DomainError("not_allowed")
    if not _clean(answer):
        raise DomainError("answer_required")
    item.answer, item.answered_by_id, item.answered_at = _clean(answer), actor.id, now
    db.session.flush()
    tell(Notice.NETWORK_ITEM_ANSWERED, item=item)
    return item
