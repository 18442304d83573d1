"""The overview's figures on a constructed data set, on SQLite and PostgreSQL, and the page itself."""
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from models import Idea, Role, db
from portal.coordinators import overview as figures
from tests.factories import aware

NOW = aware(2026, 6, 20, 10)
PERIOD = figures.Period(date(2026, 1, 1), date(2026, 5, 31))


def build_world(make):
    """Three volunteers take part in the period (one twice); one more only signed up and cancelled."""
    home = make.institution(name="Åbrinken Plejecenter", kind="elder_centre")
    library = make.institution(name="Lyngby Bibliotek", kind="library")
    v1 = make.user(name="Vibeke")
    v2 = make.user(name="Bent")
    v3 = make.user(name="Kim")
    v4 = make.user(name="Outsider")
    make.profile(v1, birth_year=1990, gender="female", postcode="2800", created_at=aware(2026, 1, 15, 12))
    make.profile(v2, birth_year=1950, gender="male", postcode="2830", created_at=aware(2026, 1, 20, 12))
    make.profile(v3, postcode="2800", created_at=aware(2026, 3, 10, 12))
    make.profile(v4, postcode="2800", created_at=aware(2025, 6, 1, 12))
    feb = make.task(home, starts_at=aware(2026, 2, 10, 9), status="closed").occurrences[0]
    mar = make.task(home, starts_at=aware(2026, 3, 12, 9), status="closed").occurrences[0]
    lib = make.task(library, starts_at=aware(2026, 3, 15, 9), status="closed").occurrences[0]
    make.signup_record(feb, v1, status="attended", hours=Decimal("2.5"))
    make.signup_record(mar, v1, status="attended", hours=Decimal("3"))
    make.signup_record(lib, v2, status="attended", hours=Decimal("1.5"))
    make.signup_record(lib, v3, status="accepted")
    make.signup_record(feb, v4, status="cancelled")
    # Now: three open tasks, two under-filled, one within 7 days with a free place.
    soon = make.task(home, starts_at=NOW + timedelta(days=2), capacity=4, title="Kørestolsværksted")
    make.signup_record(soon.occurrences[0], v2)
    full = make.task(library, starts_at=NOW + timedelta(days=3), capacity=2)
    make.signup_record(full.occurrences[0], v1)
    make.signup_record(full.occurrences[0], v3)
    make.task(library, starts_at=NOW + timedelta(days=20), capacity=4)
    make.task(library, starts_at=NOW + timedelta(days=1), status="draft")
    db.session.add_all([
        Idea(title="Bænke ved søen", what="Flere bænke", answer_due_at=NOW - timedelta(days=1)),
        Idea(title="Besvaret", what="x", answer_due_at=NOW - timedelta(days=1), first_answer_at=NOW - timedelta(days=2)),
        Idea(title="Ikke endnu", what="x", answer_due_at=NOW + timedelta(days=1)),
    ])
    # Forankring: Vibeke is in a team (and a network), Bent only in a network, Kim alone; the outsider's
    # memberships do not count, as he took no part in the period.
    make.team(home, tovholder=v1, members=[v4])
    make.network(members=[v1, v2, v4])
    db.session.commit()


def check_figures(view):
    assert view.open_tasks == 3
    assert view.underfilled_tasks == 2
    assert [(r.title, r.free) for r in view.soon_with_spots] == [("Kørestolsværksted", 3)]
    assert view.ideas_overdue == 1 and [i.title for i in view.overdue_ideas] == ["Bænke ved søen"]
    assert view.new_volunteers == [("2026-01", 2), ("2026-02", 0), ("2026-03", 1), ("2026-04", 0), ("2026-05", 0)]
    assert view.hours_by_month == [("2026-01", 0.0), ("2026-02", 2.5), ("2026-03", 4.5), ("2026-04", 0.0),
                                   ("2026-05", 0.0)]
    assert view.hours_by_institution == [("Lyngby Bibliotek", {"2026-03": 1.5}, 1.5),
                                         ("Åbrinken Plejecenter", {"2026-02": 2.5, "2026-03": 3.0}, 5.5)]
    assert view.total_hours == 7.0
    assert (view.participants, view.signups, view.returning, view.one_time) == (3, 4, 1, 2)
    assert dict(view.age_bands) == {"under 18": 0, "18-29": 0, "30-49": 1, "50-66": 0, "67+": 1, "unknown": 1}
    assert dict(view.genders) == {"female": 1, "male": 1, "other": 0, "unknown": 1}
    assert view.areas == [("2800", 2), ("2830", 1)]
    assert (view.in_teams, view.in_networks_only, view.alone) == (1, 1, 1)


def test_overview_figures_on_a_constructed_data_set(app, make):
    build_world(make)
    check_figures(figures.build(PERIOD, now=NOW))


@pytest.mark.postgres
def test_overview_figures_on_postgresql(app, make):
    build_world(make)
    check_figures(figures.build(PERIOD, now=NOW))


def test_the_period_limits_the_figures(app, make):
    build_world(make)
    view = figures.build(figures.Period(date(2026, 3, 1), date(2026, 3, 31)), now=NOW)
    assert view.new_volunteers == [("2026-03", 1)]
    assert (view.participants, view.returning, view.one_time, view.total_hours) == (3, 0, 3, 4.5)


def test_default_period_runs_from_the_day_after_frivillig_fredag():
    assert figures.default_period(date(2026, 11, 25)) == figures.Period(date(2026, 9, 26), date(2026, 11, 25))
    assert figures.default_period(date(2026, 5, 1)).first == date(2025, 9, 27)


def test_the_overview_page_shows_charts_with_tables(client, login, make):
    build_world(make)
    coordinator = make.user(Role.COORDINATOR)
    db.session.commit()
    login(coordinator)
    page = client.get("/koordinator/overblik?first=2026-01-01&last=2026-05-31").get_data(as_text=True)
    assert page.count("<svg xmlns") == 6 and page.count('role="img"') == 6  # charts (the icons are not)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page) and "style=" not in page  # DKFDS's scripts are files
    assert "Åbrinken Plejecenter" in page and "Frivillige efter alder" in page
    # months in Danish, in the charts and the tables; each table once, behind "Vis tal"
    assert '<th scope="row">marts 2026</th><td>4,5</td>' in page and "2026-03" not in page
    assert ">marts 2026</text>" in page and '<th scope="col">februar 2026</th>' in page
    assert page.count('<details class="details show-figures">') == 6 and page.count(">Vis tal<") == 6
    for chart in re.findall(r'<figure>(.*?)</figure>', page, re.S):
        assert "<table" not in chart
    assert 'font-size="16"' in page  # large enough to read
    bad = client.get("/koordinator/overblik?first=2026-05-01&last=2026-01-01")
    assert bad.status_code == 200 and "Slutdatoen må ikke ligge før startdatoen." in bad.get_data(as_text=True)


def build_month_edge(make):
    """Just after local midnight on 1 March, which is still 28 February in UTC."""
    home = make.institution(name="Åbrinken Plejecenter")
    volunteer = make.user(name="Vibeke")
    edge = aware(2026, 2, 28, 23, 30)
    make.profile(volunteer, created_at=edge)
    occurrence = make.task(home, starts_at=edge, status="closed").occurrences[0]
    make.signup_record(occurrence, volunteer, status="attended", hours=Decimal("2"))
    db.session.commit()


def check_month_edge():
    view = figures.build(figures.Period(date(2026, 3, 1), date(2026, 3, 31)), now=NOW)
    assert view.new_volunteers == [("2026-03", 1)]
    assert view.hours_by_month == [("2026-03", 2.0)]
    assert view.hours_by_institution == [("Åbrinken Plejecenter", {"2026-03": 2.0}, 2.0)]


def test_months_are_copenhagen_months(app, make):
    build_month_edge(make)
    check_month_edge()


@pytest.mark.postgres
def test_months_are_copenhagen_months_on_postgresql(app, make):
    build_month_edge(make)
    check_month_edge()


def test_a_chart_describes_its_values_for_screen_readers():
    from portal.coordinators.charts import bar_chart
    svg = str(bar_chart([("2026-02", 2.5), ("<Marts>", 4)], title="Timer", chart_id="c1"))
    assert 'aria-labelledby="c1-title" aria-describedby="c1-desc"' in svg
    assert '<desc id="c1-desc">2026-02: 2,5; &lt;Marts&gt;: 4</desc>' in svg
