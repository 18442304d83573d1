"""Citizens' views."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from models import Role, utcnow
from models.networks import networks_of_member
from models.teams import teams_of_member
from portal import suggestions
from portal.access import access
from portal.citizens.overview import overview_of
from portal.councils.forms import project_status_choices
from portal.ideas.forms import status_labels

from portal.routes import RouteTable

routes = RouteTable()


@routes.route("/mig/")
@access(Role.CITIZEN)
def index():
    """The citizen's own page: coming tasks and events, ideas, followed projects and suggestions."""
    now = utcnow()
    return render_template("citizens/index.html", user=current_user, now=now,
                           overview=overview_of(current_user, now=now), idea_statuses=status_labels(), project_statuses=dict(project_status_choices()),
                           **suggestions.tasks_and_obstacle(current_user, now=now),
                           community=suggestions.community_for(current_user, now=now),
                           my_teams=teams_of_member(current_user), my_networks=networks_of_member(current_user))
