"""Writers of the self-service notices (models/selfservice_operations.py)."""
from __future__ import annotations

from flask_babel import gettext as _

from models import Role
from models.people import active_with_role
from models.selfservice import HelpRequest
from portal.mail.outbox import external_url, queue_mail

HELP_REQUEST_KIND = "help_request"


def help_requested(request: HelpRequest) -> list:
    """To every active coordinator: someone asked to be called. The mail names the flow and links to the
    queue; the name and phone number stay there (deleted when called), not in the outbox."""
    from portal.selfservice import flow_labels
    url = external_url("coordinators.assisted")
    return [queue_mail(HELP_REQUEST_KIND, dedup_key=f"help_request:{request.id}:{coordinator.id}",
                       recipient=coordinator, ref=f"help_request:{request.id}",
                       subject=lambda: _("Someone asks for help and waits for a call"), template="help_request",
                       context={"flow": flow_labels()[request.flow], "help_request": request, "queue_url": url})
            for coordinator in active_with_role(Role.COORDINATOR)]
