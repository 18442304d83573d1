"""The door's way out: an operation names who must be told, inside its own transaction.

Every use case (models/*_operations.py) decides its notices itself, so no caller can forget one or
choose another: `tell(Notice.SIGNUP_ACCEPTED, signup=signup)`. models/ imports nothing from portal/,
so the writing is done by the writers the application factory installs (portal/mail/notices/): each
writes its mails to the outbox in the caller's session, to be sent after the commit. A notice without
an installed writer raises, and `quiet()` is the one, explicit way to load data without telling anyone
(the demo data).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app

EXTENSION = "samskab.notices"
_quiet: ContextVar[bool] = ContextVar("samskab_notices_quiet", default=False)


class Notice:
    """Every notice an operation can give; portal/mail/notices/ has one writer for each."""

    # sign-ups and tasks
    SIGNUP_ACCEPTED = "signup_accepted"          # signup
    SCREENING_NEEDED = "screening_needed"        # signups (of one volunteer and task), actor
    SCREENING_WAITING = "screening_waiting"      # signup: has waited PENDING_NUDGE_AFTER for screening
    PENDING_CLOSED = "pending_closed"            # signup
    WAITLIST_PROMOTED = "waitlist_promoted"      # signup
    SIGNUP_DECLINED = "signup_declined"          # signup
    VOLUNTEER_CANCELLED = "volunteer_cancelled"  # signup, promoted
    TASK_CHANGED = "task_changed"                # task, signups
    TASK_CANCELLED = "task_cancelled"            # task, signups
    TASK_MESSAGE = "task_message"                # task, signups, subject, body, sender, sent_at
    INVITATION = "invitation"                    # task, volunteer, inviter
    # volunteers
    PROFILE_REVIEWED = "profile_reviewed"        # profile, decision, message, released
    # ideas
    IDEA_JOINED = "idea_joined"                  # idea, co_creator
    IDEA_CO_OWNER = "idea_co_owner"              # idea, co_creator
    IDEA_ANSWERED = "idea_answered"              # idea, event
    IDEA_MEETING = "idea_meeting"                # idea, event, invitees
    IDEA_PEOPLE_ASKED = "idea_people_asked"      # idea, event
    IDEA_INVITATION = "idea_invitation"          # idea, person, agent
    # citizen budgets
    PROPOSAL_REVIEWED = "proposal_reviewed"      # proposal
    PROPOSALS_MERGED = "proposals_merged"        # source, into
    # teams and networks
    TEAM_MESSAGE = "team_message"                # message, recipients
    NETWORK_ITEM_ANSWERED = "network_item_answered"  # item
    # self-service
    HELP_REQUESTED = "help_requested"            # request: someone asks a coordinator to call

    ALL = (SIGNUP_ACCEPTED, SCREENING_NEEDED, SCREENING_WAITING, PENDING_CLOSED, WAITLIST_PROMOTED,
           SIGNUP_DECLINED, VOLUNTEER_CANCELLED, TASK_CHANGED, TASK_CANCELLED, TASK_MESSAGE, INVITATION,
           PROFILE_REVIEWED, IDEA_JOINED, IDEA_CO_OWNER, IDEA_ANSWERED, IDEA_MEETING, IDEA_PEOPLE_ASKED,
           IDEA_INVITATION, PROPOSAL_REVIEWED, PROPOSALS_MERGED,
           TEAM_MESSAGE, NETWORK_ITEM_ANSWERED, HELP_REQUESTED)


class NoWriter(LookupError):
    """A notice was given but the application has no writer for it (never dropped silently)."""


def install(app, writers: Mapping[str, Callable]) -> None:
    """Give the application its writers, one per notice (the factory calls this once)."""
    missing = set(Notice.ALL) - set(writers)
    if missing:
        raise NoWriter(f"no writer for the notices {sorted(missing)}")
    app.extensions[EXTENSION] = dict(writers)


def tell(notice: str, **objects) -> list:
    """Write the notice's mails in the current transaction; returns the outbox rows queued."""
    writers = current_app.extensions.get(EXTENSION)
    if writers is None or notice not in writers:
        raise NoWriter(notice)
    if _quiet.get():
        return []
    written = writers[notice](**objects)
    rows = written if isinstance(written, list) else [written]
    return [row for row in rows if row is not None]


@contextmanager
def quiet():
    """Within the block no notice is written (loading demo data); nothing else may use this."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)
