"""Accounts: register, verify e-mail, log in and out (also with OpenID Connect), the second factor, passwords."""


def blueprint():
    """The room's blueprint with every page of its modules (no common prefix: /log-ind, /registrer, …)."""
    from portal.auth import oidc_views, second_factor, views
    from portal.routes import blueprint as make
    return make("auth", __name__, [views.routes, second_factor.routes, oidc_views.routes])
