"""Writers of the teams' and networks' notices (models/team_operations.py, models/network_operations.py)."""
from __future__ import annotations

from flask_babel import gettext as _

from models import NetworkItem, TeamMessage
from portal.mail.outbox import external_url, queue_mail

TEAM_MESSAGE_KIND = "team_message"
ITEM_ANSWER_KIND = "network_item_answer"


def team_message(message: TeamMessage, recipients) -> list:
    """The tovholder's message to each member of the team (once per message and member)."""
    team = message.team
    url = external_url("community.team", team_id=team.id)
    return [queue_mail(TEAM_MESSAGE_KIND, dedup_key=f"team_message:{message.id}:{person.id}", recipient=person,
                       subject=lambda: _("A message to the team \"%(name)s\"", name=team.name),
                       template="team_message", context={"team": team, "message": message, "team_url": url})
            for person in recipients]


def item_answered(item: NetworkItem):
    """The municipality's answer to whoever raised the item (one mail per answer given)."""
    if item.raised_by is None:
        return None
    return queue_mail(ITEM_ANSWER_KIND, dedup_key=f"network_item_answer:{item.id}:{item.answered_at.isoformat()}",
                      recipient=item.raised_by,
                      subject=lambda: _("The municipality has answered \"%(title)s\"", title=item.title),
                      template="network_item_answer",
                      context={"item": item, "network_url": external_url("community.network",
                                                                         network_id=item.network_id)})
