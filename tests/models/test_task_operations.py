"""The task use cases: capacity, waitlist, screening, overlaps, cancellation and the task's life."""
from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from models import DomainError, Occurrence, Screening, Signup, db
from models.task_operations import (TaskPlan, accept_signup, cancel_signup, cancel_task, close_task, decline_signup,
                                    edit_task, follow_up_pending, holding_signups_of, promote_waitlist, publish_task,
                                    recheck_screening, record_attendance, sign_up as sign_up_as, sign_up_series)
from models.tasks import overlapping, waitlist_positions
from models.volunteer_operations import give_pledge
from tests.factories import aware, sign_up

NOW = aware(2026, 3, 2, 9, 0)


def waitlist_position(signup):
    return waitlist_positions([signup]).get(signup.id)


def set_capacity(task, capacity, *, actor, now):
    """Change only the places, through the editor's use case; returns who moved up."""
    fields = {"title": task.title}
    return edit_task(task, TaskPlan(fields=fields, capacity=capacity, kind=task.kind, recurrence=task.recurrence,
                                    schedule=[(o.starts_at, o.ends_at) for o in task.occurrences]),
                     actor=actor, now=now).promoted


@pytest.fixture
def world(app, make):
    staff = make.user("staff")
    inst = make.institution(staff=[staff])
    return staff, inst


def _task(make, inst, **fields):
    fields.setdefault("starts_at", NOW + timedelta(days=3))
    return make.task(inst, **fields)


def test_first_come_get_places_then_waitlist_in_order(world, make):
    _staff, inst = world
    task = _task(make, inst, capacity=2)
    occ = task.occurrences[0]
    people = [make.user() for _ in range(5)]
    results = [sign_up(occ, volunteer=p, now=NOW) for p in people]
    assert [r.status for r in results] == ["accepted", "accepted", "waitlisted", "waitlisted", "waitlisted"]
    assert [r.position for r in results] == [None, None, 1, 2, 3]
    db.session.refresh(occ)
    assert occ.accepted_count == 2 and occ.spots_left == 0


def test_cancel_promotes_exactly_the_first_on_the_waitlist(world, make):
    _staff, inst = world
    occ = _task(make, inst, capacity=1).occurrences[0]
    first, second, third = (make.user() for _ in range(3))
    accepted = sign_up(occ, volunteer=first, now=NOW).signup
    waiting = [sign_up(occ, volunteer=p, now=NOW).signup for p in (second, third)]
    promoted = cancel_signup(accepted, actor=first, now=NOW, reason="Syg")
    assert promoted is waiting[0] and promoted.status == "accepted"
    assert waiting[1].status == "waitlisted" and waitlist_position(waiting[1]) == 1
    assert accepted.status == "cancelled" and accepted.cancel_reason == "Syg"
    db.session.refresh(occ)
    assert occ.accepted_count == 1


def test_cancel_without_waitlist_frees_the_place(world, make):
    _staff, inst = world
    occ = _task(make, inst, capacity=3).occurrences[0]
    s = sign_up(occ, volunteer=make.user(), now=NOW).signup
    assert cancel_signup(s, actor=s.user, now=NOW) is None
    db.session.refresh(occ)
    assert occ.accepted_count == 0


def test_cancelling_a_waitlisted_signup_moves_others_up(world, make):
    _staff, inst = world
    occ = _task(make, inst, capacity=1).occurrences[0]
    sign_up(occ, volunteer=make.user(), now=NOW)
    w1, w2 = (sign_up(occ, volunteer=make.user(), now=NOW).signup for _ in range(2))
    assert cancel_signup(w1, actor=w1.user, now=NOW) is None
    assert waitlist_position(w2) == 1


def test_cancellation_allowed_up_to_the_start(world, make):
    _staff, inst = world
    occ = _task(make, inst).occurrences[0]
    s = sign_up(occ, volunteer=make.user(), now=NOW).signup
    with pytest.raises(DomainError) as err:
        cancel_signup(s, actor=s.user, now=occ.starts_at)
    assert err.value.code == "occurrence_started"
    assert cancel_signup(s, actor=s.user, now=occ.starts_at - timedelta(minutes=1)) is None


@pytest.mark.parametrize("status", ["closed", "cancelled", "draft"])
def test_closed_cancelled_or_draft_tasks_take_no_signups(world, make, status):
    _staff, inst = world
    task = _task(make, inst, status=status)
    with pytest.raises(DomainError) as err:
        sign_up(task.occurrences[0], volunteer=make.user(), now=NOW)
    assert err.value.code == "task_not_open"
    assert db.session.scalar(select(Signup.id)) is None


def test_cancelled_occurrence_and_past_occurrence(world, make):
    _staff, inst = world
    task = _task(make, inst, occurrences=2)
    task.occurrences[0].cancelled = True
    with pytest.raises(DomainError) as err:
        sign_up(task.occurrences[0], volunteer=make.user(), now=NOW)
    assert err.value.code == "occurrence_cancelled"
    with pytest.raises(DomainError) as err:
        sign_up(task.occurrences[1], volunteer=make.user(), now=task.occurrences[1].starts_at)
    assert err.value.code == "occurrence_past"


def test_double_signup_refused_but_signing_up_again_after_cancelling_queues_at_the_back(world, make):
    _staff, inst = world
    occ = _task(make, inst, capacity=1).occurrences[0]
    a, b = make.user(), make.user()
    first = sign_up(occ, volunteer=a, now=NOW).signup
    with pytest.raises(DomainError) as err:
        sign_up(occ, volunteer=a, now=NOW)
    assert err.value.code == "already_signed_up"
    sign_up(occ, volunteer=b, now=NOW)  # waitlisted
    cancel_signup(first, actor=a, now=NOW)  # b moves up
    again = sign_up(occ, volunteer=a, now=NOW + timedelta(minutes=5))
    assert again.status == "waitlisted" and again.position == 1
    assert db.session.scalar(select(Signup.status).where(Signup.user_id == b.id)) == "accepted"


def test_child_certificate_makes_pending_which_holds_a_place_until_screening(world, make):
    _staff, inst = world
    occ = _task(make, inst, capacity=1, requires_child_certificate=True).occurrences[0]
    volunteer = make.user()
    profile = make.profile(volunteer)
    result = sign_up(occ, volunteer=volunteer, now=NOW)
    assert result.status == "pending" and result.signup.holds_spot and result.signup.pending_since == NOW
    assert sign_up(occ, volunteer=make.user(), now=NOW).status == "waitlisted"
    # An expired certificate does not count, nor one that runs out the day before; a valid one releases it.
    profile.screening = Screening(child_certificate_status="received", child_certificate_valid_until=date(2026, 1, 1))
    db.session.flush()
    assert recheck_screening(holding_signups_of(volunteer), now=NOW) == ([], [])
    profile.screening.child_certificate_valid_until = occ.day - timedelta(days=1)
    assert recheck_screening(holding_signups_of(volunteer), now=NOW) == ([], [])
    profile.screening.child_certificate_valid_until = occ.day
    assert recheck_screening(holding_signups_of(volunteer), now=NOW) == ([result.signup], [])
    assert result.signup.status == "accepted" and result.signup.pending_since is None
    # A certificate corrected to run out before the day sends it back to waiting, its place kept.
    profile.screening.child_certificate_valid_until = occ.day - timedelta(days=1)
    assert recheck_screening(holding_signups_of(volunteer), now=NOW) == ([], [result.signup])
    assert result.signup.status == "pending" and result.signup.holds_spot


def test_pledge_accepted_on_the_spot_gives_an_accepted_signup(world, make):
    _staff, inst = world
    occ = _task(make, inst, requires_pledge=True).occurrences[0]
    volunteer = make.user()
    assert volunteer.profile is None
    screening = give_pledge(volunteer, now=NOW, how="online")
    assert screening.pledge_accepted_at == NOW
    assert give_pledge(volunteer, now=NOW + timedelta(days=1), how="online").pledge_accepted_at == NOW
    assert sign_up(occ, volunteer=volunteer, now=NOW).status == "accepted"
    assert sign_up(occ, volunteer=make.user(), now=NOW).status == "pending"
    assert sign_up(occ, volunteer=make.user(), now=NOW, pledge=True).status == "accepted"


def test_a_pledge_cannot_be_given_on_someone_elses_behalf(world, make):
    _staff, inst = world
    occ = _task(make, inst, requires_pledge=True).occurrences[0]
    coordinator, volunteer = make.user("coordinator"), make.user()
    with pytest.raises(DomainError) as err:
        sign_up_as(occ, volunteer=volunteer, actor=coordinator, now=NOW, pledge=True)
    assert err.value.code == "pledge_is_personal"


def test_institution_cannot_accept_without_screening_but_declines_with_reason(world, make):
    staff, inst = world
    occ = _task(make, inst, capacity=2, requires_pledge=True).occurrences[0]
    a, b, c = (sign_up(occ, volunteer=make.user(), now=NOW).signup for _ in range(3))
    assert [s.status for s in (a, b, c)] == ["pending", "pending", "waitlisted"]
    with pytest.raises(DomainError) as err:
        accept_signup(a, actor=staff, now=NOW)
    assert err.value.code == "screening_missing" and err.value.details["missing"] == ["pledge"]
    assert a.status == "pending" and a.holds_spot
    give_pledge(a.user, now=NOW, how="på papir hos institutionen", release=False)
    accept_signup(a, actor=staff, now=NOW)
    assert a.status == "accepted" and a.decided_at == NOW
    with pytest.raises(DomainError) as err:
        decline_signup(b, actor=staff, now=NOW, reason="  ")
    assert err.value.code == "reason_required"
    promoted = decline_signup(b, actor=staff, now=NOW, reason="Vi har nok hænder")
    assert b.status == "declined" and b.decline_reason == "Vi har nok hænder"
    assert promoted is c and c.status == "pending"  # still without the pledge
    with pytest.raises(DomainError):
        accept_signup(b, actor=staff, now=NOW)


def test_overlaps_are_half_open(world, make):
    _staff, inst = world
    nine = NOW + timedelta(days=3)
    morning = _task(make, inst, starts_at=nine, hours=3).occurrences[0]           # 9-12
    noon = _task(make, inst, starts_at=nine + timedelta(hours=3)).occurrences[0]  # 12-14
    eleven = _task(make, inst, starts_at=nine + timedelta(hours=2)).occurrences[0]  # 11-13
    volunteer = make.user()
    first = sign_up(morning, volunteer=volunteer, now=NOW)
    assert first.overlaps == []
    assert sign_up(noon, volunteer=volunteer, now=NOW).overlaps == []
    clash = sign_up(eleven, volunteer=volunteer, now=NOW)
    assert {s.occurrence_id for s in clash.overlaps} == {morning.id, noon.id}
    assert overlapping(volunteer.id, {0: (nine - timedelta(hours=1), nine)}) == {0: []}


def test_series_signup_skips_past_and_existing(world, make):
    _staff, inst = world
    task = _task(make, inst, occurrences=3)
    volunteer = make.user()
    sign_up(task.occurrences[1], volunteer=volunteer, now=NOW)
    later = task.occurrences[0].starts_at + timedelta(minutes=1)
    results = sign_up_series(task, volunteer=volunteer, actor=volunteer, now=later)
    assert [r.signup.occurrence_id for r in results] == [task.occurrences[2].id]
    with pytest.raises(DomainError) as err:
        sign_up_series(task, volunteer=volunteer, actor=volunteer, now=later)
    assert err.value.code == "nothing_to_sign_up"


def test_attendance_after_the_start_with_hours(world, make):
    staff, inst = world
    occ = _task(make, inst, hours=2).occurrences[0]
    s = sign_up(occ, volunteer=make.user(), now=NOW).signup
    with pytest.raises(DomainError) as err:
        record_attendance(s, actor=staff, now=NOW, attended=True, hours=None)
    assert err.value.code == "not_started"
    after = occ.ends_at + timedelta(hours=1)
    record_attendance(s, actor=staff, now=after, attended=True, hours=None)
    assert s.status == "attended" and s.hours == Decimal("2.00")
    with pytest.raises(DomainError) as err:
        record_attendance(s, actor=staff, now=after, attended=True, hours=Decimal("3"))
    assert err.value.code == "hours_invalid"
    record_attendance(s, actor=staff, now=after, attended=True, hours=Decimal("1.5"))
    assert s.hours == Decimal("1.5")
    record_attendance(s, actor=staff, now=after, attended=False, hours=None)
    assert s.status == "no_show" and s.hours is None
    record_attendance(s, actor=staff, now=after, attended=True, hours=None)  # a mistake corrected
    assert s.status == "attended"
    with pytest.raises(DomainError) as err:
        record_attendance(s, actor=make.user("staff"), now=after, attended=False, hours=None)
    assert err.value.code == "not_allowed"


def test_window_task_takes_signups_until_the_window_ends(world, make):
    staff, inst = world
    task = _task(make, inst, kind="window", hours=24 * 30, hours_estimate=Decimal("6"))
    occ = task.occurrences[0]
    midway = occ.starts_at + timedelta(days=10)
    s = sign_up(occ, volunteer=make.user(), now=midway).signup
    record_attendance(s, actor=staff, now=midway + timedelta(days=1), attended=True, hours=None)
    assert s.hours == Decimal("6")
    with pytest.raises(DomainError):
        sign_up(occ, volunteer=make.user(), now=occ.ends_at)


def test_publish_requires_frame_and_future_start(world, make):
    staff, inst = world
    task = _task(make, inst, status="draft", insurance_note="", compensation_note="Kørsel dækkes")
    with pytest.raises(DomainError) as err:
        publish_task(task, actor=staff, now=NOW)
    assert err.value.code == "frame_incomplete" and err.value.details["missing"] == ["insurance_note"]
    task.insurance_note = "Kommunens forsikring dækker."
    with pytest.raises(DomainError) as err:
        publish_task(task, actor=staff, now=task.occurrences[0].starts_at)
    assert err.value.code == "start_in_past"
    publish_task(task, actor=staff, now=NOW)
    assert task.status == "open" and task.published_at == NOW


def test_close_and_cancel_task(world, make):
    staff, inst = world
    task = _task(make, inst, capacity=1)
    occ = task.occurrences[0]
    a = sign_up(occ, volunteer=make.user(), now=NOW).signup
    w = sign_up(occ, volunteer=make.user(), now=NOW).signup
    close_task(task, actor=staff, now=NOW)
    assert task.status == "closed" and a.status == "accepted"
    with pytest.raises(DomainError):
        sign_up(occ, volunteer=make.user(), now=NOW)
    before = task.sequence
    with pytest.raises(DomainError):
        cancel_task(task, actor=staff, now=NOW, reason="")
    affected = cancel_task(task, actor=staff, now=NOW, reason="Vandskade i salen")
    assert set(affected) == {a, w} and task.status == "cancelled" and occ.cancelled
    assert task.sequence == before + 1


def test_raising_capacity_promotes_from_the_waitlist(world, make):
    staff, inst = world
    task = _task(make, inst, capacity=1)
    occ = task.occurrences[0]
    sign_up(occ, volunteer=make.user(), now=NOW)
    waiting = [sign_up(occ, volunteer=make.user(), now=NOW).signup for _ in range(3)]
    with pytest.raises(DomainError):
        set_capacity(task, 0, actor=staff, now=NOW)
    assert set_capacity(task, 3, actor=staff, now=NOW) == waiting[:2]
    assert waiting[2].status == "waitlisted" and waitlist_position(waiting[2]) == 1
    with pytest.raises(DomainError) as err:
        set_capacity(task, 2, actor=staff, now=NOW)
    assert err.value.code == "capacity_below_taken"


def test_promote_waitlist_does_nothing_when_full(world, make):
    _staff, inst = world
    occ = _task(make, inst, capacity=1).occurrences[0]
    sign_up(occ, volunteer=make.user(), now=NOW)
    sign_up(occ, volunteer=make.user(), now=NOW)
    assert promote_waitlist(occ, now=NOW) is None


def test_pending_nudged_after_three_days_and_closed_after_ten(world, make):
    _staff, inst = world
    make.user("coordinator")
    occ = _task(make, inst, capacity=1, requires_pledge=True, starts_at=NOW + timedelta(days=20)).occurrences[0]
    pending = sign_up(occ, volunteer=make.user(), now=NOW).signup
    waiting = sign_up(occ, volunteer=make.user(), now=NOW).signup
    assert follow_up_pending(now=NOW + timedelta(days=2, hours=23)).nudged == []
    assert follow_up_pending(now=NOW + timedelta(days=3)).nudged == [pending]
    assert follow_up_pending(now=NOW + timedelta(days=4)).nudged == []  # told once
    assert follow_up_pending(now=NOW + timedelta(days=9)).closed == []
    done = follow_up_pending(now=NOW + timedelta(days=10))
    assert done.closed == [pending]
    assert pending.status == "declined" and not pending.holds_spot
    assert waiting.status == "pending" and waiting.pending_since == NOW + timedelta(days=10)


# --- PostgreSQL: capacity under concurrency -------------------------------------------------------

@pytest.fixture
def roomy_app(make_app):
    """An app whose connection pool lets 30 threads hold a connection each at the same time."""
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 32, "max_overflow": 4})
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()


@pytest.mark.postgres
def test_thirty_concurrent_signups_for_five_places(roomy_app, make):
    app = roomy_app
    staff = make.user("staff")
    inst = make.institution(staff=[staff])
    task = make.task(inst, capacity=5, starts_at=NOW + timedelta(days=3))
    occ_id = task.occurrences[0].id
    volunteers = [make.user().id for _ in range(30)]
    db.session.commit()
    barrier = threading.Barrier(30)
    outcomes: dict[int, tuple[str, int | None]] = {}
    errors = []

    def attempt(user_id: int) -> None:
        from models import User
        with app.app_context():
            try:
                occurrence = db.session.get(Occurrence, occ_id)
                volunteer = db.session.get(User, user_id)
                barrier.wait(timeout=30)
                result = sign_up(occurrence, volunteer=volunteer, now=NOW)
                db.session.commit()
                outcomes[user_id] = (result.status, result.position)
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(uid,)) for uid in volunteers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    statuses = [status for status, _p in outcomes.values()]
    assert statuses.count("accepted") == 5 and statuses.count("waitlisted") == 25
    db.session.expire_all()
    occ = db.session.get(Occurrence, occ_id)
    assert occ.accepted_count == 5
    waiting = list(db.session.scalars(select(Signup).where(Signup.occurrence_id == occ_id,
                                                           Signup.status == "waitlisted").order_by(Signup.id)))
    # The place each was promised on signing up is the place they keep, in order of arrival.
    assert [outcomes[s.user_id][1] for s in waiting] == list(range(1, 26))
    assert [waitlist_position(s) for s in waiting] == list(range(1, 26))

    accepted = db.session.scalars(select(Signup).where(Signup.occurrence_id == occ_id,
                                                       Signup.status == "accepted")).first()
    promoted = cancel_signup(accepted, actor=accepted.user, now=NOW)
    db.session.commit()
    assert promoted.id == waiting[0].id
    counts = dict(db.session.execute(select(Signup.status, db.func.count()).where(Signup.occurrence_id == occ_id)
                                     .group_by(Signup.status)).all())
    assert counts == {"accepted": 5, "waitlisted": 24, "cancelled": 1}


@pytest.mark.postgres
def test_team_places_stay_consistent_under_concurrent_sign_ups(roomy_app, make):
    """Members using the team's places, outsiders taking the free ones and the tovholder changing the
    number, all at once: the places add up, and nobody outside the team gets a place it holds."""
    from models import TeamSignup, User
    from models.team_operations import sign_up_team
    app = roomy_app
    staff = make.user("staff")
    inst = make.institution(staff=[staff])
    task = make.task(inst, capacity=8, starts_at=NOW + timedelta(days=3))
    occ_id = task.occurrences[0].id
    tovholder = make.user()
    members = [make.user() for _ in range(5)]
    team = make.team(inst, staff=staff, tovholder=tovholder, task=task, members=members)
    sign_up_team(team, task.occurrences[0], actor=tovholder, now=NOW, places=4)
    outsiders = [make.user().id for _ in range(10)]
    member_ids, team_id, tovholder_id = [m.id for m in members], team.id, tovholder.id
    db.session.commit()
    barrier = threading.Barrier(len(member_ids) + len(outsiders) + 1)
    errors, refused = [], []

    def attempt(action) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                action()
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                refused.append(error.code)
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
            finally:
                db.session.remove()

    def signing_up(user_id):
        return lambda: sign_up(db.session.get(Occurrence, occ_id), volunteer=db.session.get(User, user_id), now=NOW)

    def changing_places():
        from models import Team
        sign_up_team(db.session.get(Team, team_id), db.session.get(Occurrence, occ_id),
                     actor=db.session.get(User, tovholder_id), now=NOW, places=5)

    actions = [signing_up(u) for u in member_ids + outsiders] + [changing_places]
    threads = [threading.Thread(target=attempt, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a sign-up is stuck (deadlock?)"
    assert errors == []
    assert set(refused) <= {"places_not_free"}
    db.session.expire_all()
    occ = db.session.get(Occurrence, occ_id)
    row = db.session.scalar(select(TeamSignup).where(TeamSignup.team_id == team_id))
    holding = list(db.session.scalars(select(Signup).where(Signup.occurrence_id == occ_id, Signup.holds_spot.is_(True))))
    assert occ.accepted_count == len(holding) + row.held <= occ.capacity
    members_in = sum(1 for s in holding if s.user_id in member_ids)
    # the team holds only what its members have not taken (a member may also take a free place beyond it)
    assert row.held <= max(row.places - members_in, 0)
    # every place the team asked for is held or used by a member: no outsider got one
    assert members_in + row.held >= row.places
    outsiders_in = sum(1 for s in holding if s.user_id in outsiders)
    assert outsiders_in <= occ.capacity - row.places
