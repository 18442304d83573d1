"""The role-aware main navigation."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from models import Role

# (endpoint, label, roles that see it; None = everyone)
ITEMS = [
    ("public.home", _l("Front page"), None),
    ("public.tasks", _l("Find a task"), None),
    ("ideas.index", _l("Ideas"), None),
    ("councils.calendar", _l("Calendar"), None),
    ("councils.projects", _l("Projects"), None),
    ("budgets.index", _l("Citizen budgets"), None),
    ("community.networks", _l("Networks"), None),
    ("community.associations", _l("Associations"), None),
    ("citizens.index", _l("My page"), (Role.CITIZEN,)),
    ("citizens.my_tasks", _l("My tasks"), (Role.CITIZEN,)),
    ("institutions.index", _l("Our institution"), (Role.STAFF,)),
    ("councils.index", _l("Our council"), (Role.COUNCIL,)),
    ("coordinators.index", _l("Coordination"), (Role.COORDINATOR,)),
    ("admin.index", _l("Administration"), (Role.ADMIN,)),
    ("mail.log", _l("Messages"), (Role.ADMIN, Role.COORDINATOR)),
]


def navigation() -> list[dict]:
    items = []
    for endpoint, label, roles in ITEMS:
        if roles is not None and not (current_user.is_authenticated and current_user.has_role(*roles)):
            continue
        items.append({"endpoint": endpoint, "label": label, "url": url_for(endpoint)})
    return items
