"""Use cases of self-service: count a step of a flow, ask for help, and close a help request."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from models.audit import AuditAction, record as audit
from models.base import LOCAL, DomainError, db
from models.notices import Notice, tell
from models.people import Role
from models.selfservice import GOAL, Flow, FlowCount, HelpRequest, Step


def count_step(flow: str, step: str, *, now: datetime, session=None) -> None:
    """Add one to today's counter of `flow` and `step` (local day). No person is recorded.

    `session` defaults to the caller's; the portal counts in a session of its own, so a count never
    commits (or rolls back) the request's work. Raises DomainError "unknown_flow". Concurrent first counts
    of a day meet the unique constraint; the loser adds to the winner's row.
    """
    if flow not in Flow.ALL or step not in Step.ALL:
        raise DomainError("unknown_flow")
    session = session if session is not None else db.session
    day = now.astimezone(LOCAL).date()
    where = (FlowCount.day == day, FlowCount.flow == flow, FlowCount.step == step)
    if session.execute(update(FlowCount).where(*where).values(count=FlowCount.count + 1)).rowcount:
        return
    try:
        with session.begin_nested():
            session.add(FlowCount(day=day, flow=flow, step=step, count=1))
    except IntegrityError:
        session.execute(update(FlowCount).where(*where).values(count=FlowCount.count + 1))


def completion(first: date, last: date) -> list[tuple[str, int, int, float | None, bool]]:
    """Per flow over local days [first, last]: (flow, started, finished, rate or None, goal met)."""
    rows = db.session.execute(
        select(FlowCount.flow, FlowCount.step, func.sum(FlowCount.count))
        .where(FlowCount.day >= first, FlowCount.day <= last).group_by(FlowCount.flow, FlowCount.step)).all()
    sums = {(flow, step): int(n or 0) for flow, step, n in rows}
    result = []
    for flow in Flow.ALL:
        started, finished = sums.get((flow, Step.START), 0), sums.get((flow, Step.FINISH), 0)
        # A flow may be finished without its form being counted as shown (a link straight to the POST),
        # so the rate is capped at 100 %.
        rate = min(finished / started, 1.0) if started else None
        result.append((flow, started, finished, rate, rate is not None and rate >= GOAL))
    return result


def ask_for_help(flow: str, *, name: str, phone: str, note: str = "", user=None, now: datetime) -> HelpRequest:
    """Someone asks a coordinator to call them about `flow`; it lands in the assisted-service queue and
    the coordinators are told (without the name or number: those stay in the queue, deleted once called).

    Raises DomainError "unknown_flow", "name_required" or "phone_required".
    """
    if flow not in Flow.ALL:
        raise DomainError("unknown_flow")
    name, phone = (name or "").strip(), (phone or "").strip()
    if not name:
        raise DomainError("name_required")
    if sum(ch.isdigit() for ch in phone) < 8:
        raise DomainError("phone_required")
    request = HelpRequest(flow=flow, name=name[:120], phone=phone[:40], note=(note or "").strip()[:1000],
                          user_id=user.id if user is not None else None, created_at=now)
    db.session.add(request)
    db.session.flush()
    tell(Notice.HELP_REQUESTED, request=request)
    return request


def close_help_request(request: HelpRequest, *, actor, now: datetime) -> None:
    """A coordinator has called: the request, with its name and phone number, is deleted (the person's
    own audit trail keeps that they were helped, when they had an account). Raises "not_allowed"."""
    if actor is None or not actor.has_role(Role.COORDINATOR):
        raise DomainError("not_allowed")
    if request.user is not None:
        audit(request.user, actor=actor, action=AuditAction.HELP_GIVEN, now=now, detail=request.flow,
              on_behalf=True)
    db.session.delete(request)
    db.session.flush()
