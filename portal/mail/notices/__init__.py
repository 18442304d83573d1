"""The writers of the operations' notices (models.notices): each turns one notice into outbox mails.

One module per aggregate mirrors its operations module (models/task_operations.py → tasks.py,
models/volunteer_operations.py → volunteers.py, models/idea_operations.py → ideas.py). A writer only
writes: whether and to whom to tell was decided by the operation. The factory installs `WRITERS`.
"""
from __future__ import annotations

from models.notices import Notice, install
from portal.mail.notices import budgets, community, ideas, selfservice, tasks, volunteers

WRITERS = {
    Notice.SIGNUP_ACCEPTED: tasks.signup_accepted,
    Notice.SCREENING_NEEDED: tasks.screening_needed,
    Notice.SCREENING_WAITING: tasks.screening_waiting,
    Notice.PENDING_CLOSED: tasks.pending_closed,
    Notice.WAITLIST_PROMOTED: tasks.waitlist_promoted,
    Notice.SIGNUP_DECLINED: tasks.signup_declined,
    Notice.VOLUNTEER_CANCELLED: tasks.volunteer_cancelled,
    Notice.TASK_CHANGED: tasks.task_changed,
    Notice.TASK_CANCELLED: tasks.task_cancelled,
    Notice.TASK_MESSAGE: tasks.task_message,
    Notice.INVITATION: tasks.invitation,
    Notice.PROFILE_REVIEWED: volunteers.profile_reviewed,
    Notice.IDEA_JOINED: ideas.someone_joined,
    Notice.IDEA_CO_OWNER: ideas.made_co_owner,
    Notice.IDEA_ANSWERED: ideas.answered,
    Notice.IDEA_MEETING: ideas.meeting_called,
    Notice.IDEA_PEOPLE_ASKED: ideas.people_asked,
    Notice.IDEA_INVITATION: ideas.invitation,
    Notice.PROPOSAL_REVIEWED: budgets.proposal_reviewed,
    Notice.PROPOSALS_MERGED: budgets.proposals_merged,
    Notice.TEAM_MESSAGE: community.team_message,
    Notice.NETWORK_ITEM_ANSWERED: community.item_answered,
    Notice.HELP_REQUESTED: selfservice.help_requested,
}


def init_app(app) -> None:
    install(app, WRITERS)
