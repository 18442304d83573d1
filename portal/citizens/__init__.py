"""Citizens' pages: my page, profile, my tasks, sign-ups, insight into who looked at my data."""


def blueprint():
    """The room's blueprint with every page of its modules (no common prefix: /mig/, /min-profil, …)."""
    from portal.citizens import commitments, insight, profile, signups, views
    from portal.routes import blueprint as make
    return make("citizens", __name__, [views.routes, commitments.routes, profile.routes, signups.routes,
                                       insight.routes])
