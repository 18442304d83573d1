"""Hard filters, breadth re-ranking and consent over plain data (matching.ranking)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from matching import Match, TextIndex
from matching import ranking as r

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)  # a Wednesday


def opening(days: float, *, hours: float = 2, spots: int = 3, oid: str = "o", cancelled: bool = False,
            hour: int = 14) -> r.Opening:
    start = (NOW + timedelta(days=days)).replace(hour=hour - 1)  # UTC; Copenhagen is UTC+1 in winter
    return r.Opening(oid, start, start + timedelta(hours=hours), spots, cancelled)


def task(*openings: r.Opening, **kw) -> r.TaskFacts:
    return r.TaskFacts(kw.pop("id", "t"), tuple(openings) or (opening(10),), **kw)


def volunteer(**kw) -> r.VolunteerFacts:
    kw.setdefault("consent_to_be_found", True)
    return r.VolunteerFacts(kw.pop("id", "v"), **kw)


def test_consent_is_required():
    assert r.fit(task(), volunteer(), now=NOW) is not None
    assert r.fit(task(), volunteer(consent_to_be_found=False), now=NOW) is None


@pytest.mark.parametrize("bad", [
    opening(-1),                      # in the past
    opening(5, spots=0),              # full
    opening(5, cancelled=True),       # cancelled
])
def test_only_future_open_occurrences_with_spots(bad):
    assert r.fit(task(bad), volunteer(), now=NOW) is None
    assert r.fit(task(bad, opening(6, oid="ok")), volunteer(), now=NOW).openings[0].id == "ok"


def test_closed_task_is_never_suggested():
    assert r.fit(task(is_open=False), volunteer(), now=NOW) is None


def test_availability_overlap_in_copenhagen_time():
    thursday_afternoon = opening(1, hour=14)  # 2026-11-26 14:00 local
    assert r.fit(task(thursday_afternoon), volunteer(availability=frozenset({(3, "afternoon")})), now=NOW)
    assert r.fit(task(thursday_afternoon), volunteer(availability=frozenset({(3, "morning")})), now=NOW) is None
    assert r.fit(task(thursday_afternoon), volunteer(availability=frozenset({(4, "afternoon")})), now=NOW) is None
    # an occurrence from 11 to 13 touches both the morning and the afternoon
    late_morning = opening(1, hour=11)
    assert r.fit(task(late_morning), volunteer(availability=frozenset({(3, "afternoon")})), now=NOW)
    # no stated availability: not a reason to exclude anyone
    fit = r.fit(task(thursday_afternoon), volunteer(), now=NOW)
    assert fit is not None and r.AVAILABLE not in fit.reasons


def test_away_and_already_signed_up():
    o = opening(3)
    day = o.starts_at.date()
    assert r.fit(task(o), volunteer(away=((day - timedelta(days=1), day),)), now=NOW) is None
    assert r.fit(task(o), volunteer(busy_openings=frozenset({o.id})), now=NOW) is None


@pytest.mark.parametrize("km, task_postcode, ok", [
    (3, "2800", True), (3, "2830", False), (20, "2830", True), (20, "3000", False),
    (60, "2100", True), (60, "5000", False), (200, "5000", True), (None, "2830", True), (None, "4000", False),
])
def test_travel_area_by_postcode(km, task_postcode, ok):
    v = volunteer(postcode="2800", travel_km=km)
    assert (r.fit(task(postcode=task_postcode), v, now=NOW) is not None) is ok


def test_unknown_postcodes_do_not_exclude():
    assert r.fit(task(postcode=None), volunteer(postcode="2800", travel_km=1), now=NOW)
    assert r.fit(task(postcode="9000"), volunteer(postcode=None), now=NOW)


def test_requirements_met_or_meetable():
    t = task(needs_child_certificate=True, needs_pledge=True)
    met = volunteer(child_certificate_until=date(2030, 1, 1), pledge_given=True)
    assert r.fit(t, met, now=NOW).reasons == ()
    meetable = r.fit(t, volunteer(), now=NOW)
    assert meetable is not None and r.SCREENING_NEEDED in meetable.reasons
    assert r.fit(t, volunteer(can_be_screened=False), now=NOW) is None
    expired = volunteer(child_certificate_until=date(2026, 11, 26), pledge_given=True, can_be_screened=False)
    assert r.fit(t, expired, now=NOW) is None


def test_breadth_demotes_busy_volunteers():
    facts = {"busy": volunteer(id="busy", upcoming=8), "free": volunteer(id="free", upcoming=0)}
    matches = [Match("busy", 0.60, ("skak",)), Match("free", 0.45, ("skak",))]
    ranked = r.rank_volunteers(matches, facts, task(), now=NOW, k=5)
    assert [s.id for s in ranked] == ["free", "busy"]
    assert ranked[0].text_score == 0.45 and r.FEW_COMMITMENTS in ranked[0].reasons
    # a much better text match still wins over a small load difference
    facts["busy"] = volunteer(id="busy", upcoming=1)
    assert [s.id for s in r.rank_volunteers(matches, facts, task(), now=NOW)] == ["busy", "free"]


def test_breadth_lifts_tasks_starting_soon_with_spots():
    tasks = {"soon": task(opening(2), id="soon"), "later": task(opening(40), id="later")}
    matches = [Match("later", 0.50, ("have",)), Match("soon", 0.45, ("have",))]
    ranked = r.rank_tasks(matches, tasks, volunteer(), now=NOW)
    assert [s.id for s in ranked] == ["soon", "later"]
    assert r.STARTS_SOON in ranked[0].reasons and r.STARTS_SOON not in ranked[1].reasons
    assert all(0.0 <= s.score <= 1.0 for s in ranked)


def test_urgency_falls_off_linearly():
    assert r.urgency(opening(1), now=NOW) == 1.0
    assert r.urgency(opening(14), now=NOW) == pytest.approx(0.5, abs=0.02)
    assert r.urgency(opening(30), now=NOW) == 0.0
    assert r.urgency(opening(1, spots=0), now=NOW) == 0.0


def test_ranking_drops_unfit_and_unknown_and_is_deterministic():
    tasks = {"a": task(id="a"), "b": task(opening(-2), id="b")}
    matches = [Match("a", 0.3, ()), Match("b", 0.9, ()), Match("zzz", 0.8, ())]
    assert [s.id for s in r.rank_tasks(matches, tasks, volunteer(), now=NOW)] == ["a"]
    tied = {i: task(id=i) for i in "cab"}
    once = r.rank_tasks([Match(i, 0.5, ()) for i in "cab"], tied, volunteer(), now=NOW)
    assert [s.id for s in once] == ["a", "b", "c"]


def test_filters_before_ranking_never_cost_a_slot():
    texts = {f"t{i}": "Lektiehjælp i matematik" for i in range(20)} | {"open": "Lektiehjælp i dansk"}
    facts = {i: task(opening(-1 if i != "open" else 5), id=i) for i in texts}
    index = TextIndex.build(texts)
    v = volunteer()
    allowed = r.eligible(facts, lambda i: r.fit(facts[i], v, now=NOW))
    matches = index.search("lektiehjælp matematik", k=3, allowed_ids=allowed)
    assert [s.id for s in r.rank_tasks(matches, facts, v, now=NOW)] == ["open"]
