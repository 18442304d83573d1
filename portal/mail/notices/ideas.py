"""Writers of the idea notices (models/idea_operations.py decides when each is given), each mail once."""
from __future__ import annotations

from flask_babel import gettext as _

from models import CoCreator, Idea, IdeaEvent, Role
from models.people import active_with_role
from portal.mail.outbox import external_url, queue_mail

JOINED_KIND = "idea_activity"
ANSWER_KIND = "idea_answer"
MEETING_KIND = "idea_meeting"
PEOPLE_ASKED_KIND = "idea_people_asked"
INVITATION_KIND = "idea_invitation"


def _idea_url(idea: Idea) -> str:
    return external_url("ideas.idea", idea_id=idea.id)


def someone_joined(idea: Idea, co_creator: CoCreator):
    """Tell the initiator at once that someone joined, and what they offer, so they can partner up."""
    if idea.initiator is None:
        return None
    return queue_mail(JOINED_KIND, dedup_key=f"idea_joined:{co_creator.id}", recipient=idea.initiator,
                      subject=lambda: _("%(name)s wants to join your idea", name=co_creator.user.name),
                      template="idea_joined",
                      context={"idea": idea, "co_creator": co_creator, "idea_url": _idea_url(idea)},
                      ref=None)


def made_co_owner(idea: Idea, co_creator: CoCreator):
    return queue_mail(JOINED_KIND, dedup_key=f"idea_co_owner:{co_creator.id}", recipient=co_creator.user,
                      subject=lambda: _("You are now co-owner of the idea \"%(title)s\"", title=idea.title),
                      template="idea_co_owner",
                      context={"idea": idea, "idea_url": _idea_url(idea)})


def answered(idea: Idea, event: IdeaEvent):
    """Send the sparring agent's answer to the initiator (one mail per timeline entry)."""
    if idea.initiator is None:
        return None
    return queue_mail(ANSWER_KIND, dedup_key=f"idea_answer:{event.id}", recipient=idea.initiator,
                      subject=lambda: _("An answer to your idea \"%(title)s\"", title=idea.title),
                      template="idea_answer",
                      context={"idea": idea, "event": event, "idea_url": _idea_url(idea)})


def meeting_called(idea: Idea, event: IdeaEvent, invitees: list[CoCreator]) -> list:
    return [queue_mail(MEETING_KIND, dedup_key=f"idea_meeting:{event.id}:{c.user_id}", recipient=c.user,
                       subject=lambda: _("Invitation to a meeting about \"%(title)s\"", title=idea.title),
                       template="idea_meeting",
                       context={"idea": idea, "event": event, "inviter": event.actor, "idea_url": _idea_url(idea)})
            for c in invitees]


def people_asked(idea: Idea, event: IdeaEvent) -> list:
    """To the idea's sparring agent (or every coordinator while there is none): invite people who fit."""
    agents = [idea.agent] if idea.agent is not None and idea.agent.is_active else active_with_role(Role.COORDINATOR)
    return [queue_mail(PEOPLE_ASKED_KIND, dedup_key=f"idea_people_asked:{event.id}:{agent.id}", recipient=agent,
                       subject=lambda: _("An initiator asks you to invite people to \"%(title)s\"", title=idea.title),
                       template="idea_people_asked", context={"idea": idea, "idea_url": _idea_url(idea)})
            for agent in agents]


def invitation(idea: Idea, person, agent):
    """To someone whose skills fit: a sparring agent's invitation to look at a citizen's idea (once per idea)."""
    return queue_mail(INVITATION_KIND, dedup_key=f"idea_invitation:{idea.id}:{person.id}", recipient=person,
                      subject=lambda: _("An idea that could use what you can: \"%(title)s\"", title=idea.title),
                      template="idea_invitation", context={"idea": idea, "agent": agent, "idea_url": _idea_url(idea)})
