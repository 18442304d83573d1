"""Citizen budgets (borgerbudgetter): phases, proposals, secret ballots, results and open data."""


def blueprint():
    from portal.budgets import plan_views, views
    from portal.routes import blueprint as make
    return make("budgets", __name__, [views.routes, plan_views.routes])
