"""Local councils' pages: projects, updates, events; the shared calendar."""


def blueprint():
    """The room's blueprint with the project pages and the calendar's pages."""
    from portal.councils import calendar_views, views
    from portal.routes import blueprint as make
    return make("councils", __name__, [views.routes, calendar_views.routes])
