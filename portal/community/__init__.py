"""Working together: volunteer teams, thematic networks, associations and the organisations' public pages."""


def blueprint():
    """The room's blueprint with every page of its modules (no URL prefix: /hold, /netvaerk, /foreninger, …)."""
    from portal.community import networks, organisations, teams
    from portal.routes import blueprint as make
    return make("community", __name__, [networks.routes, organisations.routes, teams.routes])
