"""Calendar operations: hosts publish, capacity held by the database, cancelling gives places back."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import DomainError, Event, EventSignup, db
from models.calendar import (cancel_event, cancel_event_signup, create_event, edit_event, events_between,
                             sign_up_for_event)
from tests.factories import aware
from tests.models.test_task_operations import roomy_app  # noqa: F401  (a pool for many threads)

NOW = aware(2026, 3, 2, 9, 0)


@pytest.fixture
def world(app, make):
    member, staff = make.user("council"), make.user("staff")
    council = make.council(members=[member])
    inst = make.institution(staff=[staff])
    return member, staff, council, inst


def _fields(**extra):
    start = NOW + timedelta(days=5)
    return {"title": "Temamøde om trafik", "place": "Rådhuset", "starts_at": start,
            "ends_at": start + timedelta(hours=2), "kind": "theme_meeting", **extra}


def test_hosts_publish_for_their_own_council_or_institution(world, make):
    member, staff, council, inst = world
    event = create_event(actor=member, now=NOW, council_id=council.id, **_fields(capacity=10))
    assert event.council_id == council.id and event.created_by_id == member.id
    assert create_event(actor=staff, now=NOW, institution_id=inst.id, **_fields()).institution_id == inst.id
    for actor, host in ((staff, {"council_id": council.id}), (member, {"institution_id": inst.id})):
        with pytest.raises(DomainError) as caught:
            create_event(actor=actor, now=NOW, **host, **_fields())
        assert caught.value.code == "not_host_member"


@pytest.mark.parametrize("extra, code", [
    ({"starts_at": NOW - timedelta(hours=1), "ends_at": NOW + timedelta(hours=1)}, "event_in_past"),
    ({"ends_at": NOW + timedelta(days=4)}, "ends_before_start"),
    ({"kind": "party"}, "invalid_kind"),
])
def test_event_rules(world, extra, code):
    member, _s, council, _i = world
    with pytest.raises(DomainError) as caught:
        create_event(actor=member, now=NOW, council_id=council.id, **_fields(**extra))
    assert caught.value.code == code


def test_capacity_signup_full_double_and_cancel(world, make):
    member, _s, council, _i = world
    event = make.event(council=council, starts_at=NOW + timedelta(days=2), capacity=2)
    a, b, c = make.user(), make.user(), make.user()
    sign_up_for_event(event, user=a, now=NOW)
    with pytest.raises(DomainError) as caught:
        sign_up_for_event(event, user=a, now=NOW)
    assert caught.value.code == "already_signed_up"
    sign_up_for_event(event, user=b, now=NOW)
    assert event.attendee_count == 2 and event.spots_left == 0
    with pytest.raises(DomainError) as caught:
        sign_up_for_event(event, user=c, now=NOW)
    assert caught.value.code == "event_full"
    signup_a = db.session.scalar(select(EventSignup).where(EventSignup.user_id == a.id))
    with pytest.raises(DomainError):
        cancel_event_signup(signup_a, actor=c, now=NOW)  # not theirs
    cancel_event_signup(signup_a, actor=a, now=NOW)
    assert event.attendee_count == 1
    sign_up_for_event(event, user=c, now=NOW)
    # signing up again after cancelling reuses the row and needs a free place like anyone else
    with pytest.raises(DomainError):
        sign_up_for_event(event, user=a, now=NOW)
    cancel_event_signup(db.session.scalar(select(EventSignup).where(EventSignup.user_id == c.id)),
                        actor=member, now=NOW)  # the host may take someone off
    again = sign_up_for_event(event, user=a, now=NOW)
    assert again.id == signup_a.id and not again.cancelled and event.attendee_count == 2


def test_no_signups_for_past_or_cancelled_events_and_unlimited_capacity(world, make):
    member, _s, council, _i = world
    past = make.event(council=council, starts_at=NOW - timedelta(hours=1))
    with pytest.raises(DomainError) as caught:
        sign_up_for_event(past, user=make.user(), now=NOW)
    assert caught.value.code == "event_past"
    open_event = make.event(council=council, starts_at=NOW + timedelta(days=1), capacity=None)
    people = [make.user() for _ in range(5)]
    for person in people:
        sign_up_for_event(open_event, user=person, now=NOW)
    assert open_event.attendee_count == 5
    told = cancel_event(open_event, actor=member, now=NOW)
    assert {s.user_id for s in told} == {p.id for p in people}
    assert open_event.cancelled and open_event.sequence == 1
    with pytest.raises(DomainError) as caught:
        sign_up_for_event(open_event, user=make.user(), now=NOW)
    assert caught.value.code == "event_cancelled"


def test_edit_raises_sequence_and_keeps_capacity_above_attendees(world, make):
    member, staff, council, _i = world
    event = make.event(council=council, starts_at=NOW + timedelta(days=2), capacity=5)
    for _ in range(3):
        sign_up_for_event(event, user=make.user(), now=NOW)
    with pytest.raises(DomainError) as caught:
        edit_event(event, actor=member, now=NOW, capacity=2)
    assert caught.value.code == "capacity_below_attendees"
    with pytest.raises(DomainError):
        edit_event(event, actor=staff, now=NOW, title="Ikke din")
    edit_event(event, actor=member, now=NOW, capacity=3, title="Nyt navn")
    assert event.sequence == 1 and event.capacity == 3 and event.title == "Nyt navn"


def test_events_between_filters_by_council_and_area(world, make):
    _m, _s, council, inst = world
    other = make.council()
    start = NOW + timedelta(days=1)
    mine = make.event(council=council, starts_at=start, area="Virum")
    make.event(council=other, starts_at=start, area="Lyngby")
    make.event(institution=inst, starts_at=start + timedelta(days=40))
    window = (NOW, NOW + timedelta(days=30))
    assert [e.id for e in events_between(*window, council_id=council.id)] == [mine.id]
    assert [e.id for e in events_between(*window, area="Virum")] == [mine.id]
    assert len(events_between(*window)) == 2


@pytest.mark.postgres
def test_twenty_concurrent_signups_for_four_places(roomy_app, make):  # noqa: F811
    app = roomy_app
    council = make.council()
    event_id = make.event(council=council, starts_at=NOW + timedelta(days=2), capacity=4).id
    people = [make.user().id for _ in range(20)]
    db.session.commit()
    barrier = threading.Barrier(len(people))
    outcomes: dict[int, str] = {}
    errors = []

    def attempt(user_id: int) -> None:
        from models import User
        with app.app_context():
            try:
                event = db.session.get(Event, event_id)
                person = db.session.get(User, user_id)
                barrier.wait(timeout=30)
                try:
                    sign_up_for_event(event, user=person, now=NOW)
                    db.session.commit()
                    outcomes[user_id] = "in"
                except DomainError as error:
                    db.session.rollback()
                    outcomes[user_id] = error.code
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(uid,)) for uid in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(outcomes.values()).count("in") == 4
    assert list(outcomes.values()).count("event_full") == 16
    db.session.expire_all()
    assert db.session.get(Event, event_id).attendee_count == 4
    assert db.session.scalar(select(func.count()).select_from(EventSignup)
                             .where(EventSignup.cancelled.is_(False))) == 4


def test_an_event_belongs_only_to_a_project_of_its_own_council(world, make):
    member, _s, council, _i = world
    own = make.project(council)
    foreign = make.project(make.council())
    event = create_event(actor=member, now=NOW, council_id=council.id, **_fields(project_id=own.id))
    assert event.project_id == own.id
    with pytest.raises(DomainError) as caught:
        edit_event(event, actor=member, now=NOW, project_id=foreign.id)
    assert caught.value.code == "project_of_other_host"
