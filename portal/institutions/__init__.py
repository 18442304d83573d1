"""Institution staff's pages: task editor, sign-ups, attendance and hours, suggested volunteers."""


def blueprint():
    """The room's blueprint with every page of its modules, under /institution."""
    from portal.institutions import suggested, views
    from portal.routes import blueprint as make
    return make("institutions", __name__, [views.routes, suggested.routes], url_prefix="/institution")
