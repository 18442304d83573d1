"""Rule 6: the places a team signs up for are held for it. Nobody outside the team takes them, whichever
path a sign-up comes by. A member's sign-up uses one of them on every path: the team page, the ordinary
sign-up page, or a coordinator's assisted sign-up. A member's place given back goes back to the team:
by the member, through the mail link, by staff declining, by erasure, or by the scheduler closing a
wait. Places the team no longer asks for go to the waiting list."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import DomainError, Occurrence, Signup, SignupStatus, TeamSignup, db, utcnow
from models.task_operations import (PENDING_CLOSE_AFTER, TaskPlan, cancel_signup, cancel_task, edit_task,
                                    follow_up_pending)
from models.team_operations import confirm_team_place, join_team, sign_up_team
from portal import tokens
from portal.scheduler.reminders import SHIFT_TOKEN
from tests.factories import PASSWORD, sign_up


def _team_world(world, *, capacity=4, members=3, certificate=False, starts_at=None):
    make = world.make
    fields = {"capacity": capacity, "title": "Lektiecafé"}
    if starts_at is not None:
        fields["starts_at"] = starts_at
    task = world.certificate_task(**fields) if certificate else make.task(world.school, **fields)
    tovholder = world.citizen("Tove Tovholder")
    team = make.team(world.school, staff=world.staff, tovholder=tovholder, task=task, name="Lektieholdet")
    people = [world.citizen(f"Medlem {i}") for i in range(members)]
    for person in people:
        join_team(team, person=person, now=utcnow(), consent=True)
    db.session.commit()
    return task, task.occurrences[0], tovholder, team, people


def _counts(occurrence, team_signup=None):
    """(places taken on the time, places the team holds), read fresh from the database."""
    db.session.expire_all()
    taken = db.session.get(Occurrence, occurrence.id).accepted_count
    held = db.session.get(TeamSignup, team_signup.id).held if team_signup is not None else None
    return taken, held


def _status(signup):
    db.session.expire_all()
    return db.session.get(Signup, signup.id).status


def _team_signs_up(app, world, team, occurrence, tovholder, places):
    client = world.client_of(app, tovholder)
    response = client.post(f"/hold/{team.id}/tilmeld", data={"signup-occurrence": occurrence.id,
                                                             "signup-places": str(places)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(TeamSignup).where(TeamSignup.team_id == team.id))


def test_a_team_sign_up_holds_its_places_against_everyone_outside_it(app, world):
    task, occurrence, tovholder, team, people = _team_world(world, capacity=3)
    team_signup = _team_signs_up(app, world, team, occurrence, tovholder, places=2)
    assert _counts(occurrence, team_signup) == (2, 2)
    outsiders = [world.citizen(f"Udefra {i}") for i in range(2)]
    db.session.commit()
    for person in outsiders:  # the citizen's own sign-up page
        world.client_of(app, person).post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": str(occurrence.id)})
    first, second = (db.session.scalar(select(Signup).where(Signup.user_id == p.id)) for p in outsiders)
    assert (_status(first), _status(second)) == (SignupStatus.ACCEPTED, SignupStatus.WAITLISTED)
    # The public sees the time as full; the team and the staff see what the team holds.
    public = app.test_client().get(f"/opgaver/{task.id}").get_data(as_text=True)
    assert "Fuldt" in public and "ledig plads" not in public
    team_page = world.client_of(app, people[0]).get(f"/hold/{team.id}").get_data(as_text=True)
    assert "2 pladser er reserveret til holdet" in team_page
    staff_page = world.client_of(app, world.staff).get(f"/institution/opgaver/{task.id}").get_data(as_text=True)
    assert "Holdet Lektieholdet har 2 pladser reserveret, som intet medlem har bekræftet endnu." in staff_page
    # Asking for more than is free is refused with the most the team can have, and changes nothing.
    refused = world.client_of(app, tovholder).post(f"/hold/{team.id}/tilmeld", data={
        "signup-occurrence": occurrence.id, "signup-places": "3"})
    assert refused.status_code == 400 and "kun 2 ledige pladser" in refused.get_data(as_text=True)
    assert _counts(occurrence, team_signup) == (3, 2)


def test_a_members_sign_up_uses_a_held_place_on_every_path(app, world):
    task, occurrence, tovholder, team, people = _team_world(world, capacity=4, members=3)
    team_signup = _team_signs_up(app, world, team, occurrence, tovholder, places=3)
    outsider = world.citizen("Udefra")
    db.session.commit()
    sign_up(occurrence, volunteer=outsider)
    db.session.commit()
    assert _counts(occurrence, team_signup) == (4, 3)
    # the team page
    assert world.client_of(app, people[0]).post(f"/hold/tilmelding/{team_signup.id}/bekraeft").status_code == 302
    assert _counts(occurrence, team_signup) == (4, 2)
    # the ordinary sign-up page
    world.client_of(app, people[1]).post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": str(occurrence.id)})
    assert _counts(occurrence, team_signup) == (4, 1)
    # a coordinator's assisted sign-up
    response = world.client_of(app, world.coordinator).post(f"/koordinator/medbetjening/{people[2].id}",
                                                            data={"occurrence": str(occurrence.id)})
    assert response.status_code == 302
    assert _counts(occurrence, team_signup) == (4, 0)
    statuses = {_status(db.session.scalar(select(Signup).where(Signup.user_id == p.id))) for p in people}
    assert statuses == {SignupStatus.ACCEPTED}
    late = world.citizen("For sent")
    db.session.commit()
    assert sign_up(occurrence, volunteer=late).status == SignupStatus.WAITLISTED


def test_a_waiting_member_confirming_takes_the_held_place(app, world):
    task, occurrence, tovholder, team, people = _team_world(world, capacity=2, members=2)
    team_signup = sign_up_team(team, occurrence, actor=tovholder, now=utcnow(), places=1)
    outsider = world.citizen("Udefra")
    db.session.commit()
    sign_up(occurrence, volunteer=outsider)
    db.session.commit()
    # A member who joined the team while waiting: simulate the waiting sign-up made before joining.
    newcomer = world.citizen("Ny i holdet")
    db.session.commit()
    waiting = sign_up(occurrence, volunteer=newcomer).signup
    db.session.commit()
    assert waiting.status == SignupStatus.WAITLISTED
    join_team(team, person=newcomer, now=utcnow(), consent=True)
    db.session.commit()
    result = confirm_team_place(team_signup, person=newcomer, now=utcnow())
    db.session.commit()
    assert result.signup.id == waiting.id and _status(waiting) == SignupStatus.ACCEPTED
    assert _counts(occurrence, team_signup) == (2, 0)


def _full_with_a_waiting_outsider(app, world, **options):
    task, occurrence, tovholder, team, people = _team_world(world, capacity=2, members=2, **options)
    team_signup = _team_signs_up(app, world, team, occurrence, tovholder, places=2)
    member = people[0]
    place = sign_up(occurrence, volunteer=member).signup
    outsider = world.citizen("Venter")
    db.session.commit()
    waiting = sign_up(occurrence, volunteer=outsider).signup
    db.session.commit()
    assert _counts(occurrence, team_signup) == (2, 1) and waiting.status == SignupStatus.WAITLISTED
    return task, occurrence, team_signup, member, place, waiting


def _returned_to_team(occurrence, team_signup, place, waiting, status=SignupStatus.CANCELLED):
    assert _status(place) == status
    assert _counts(occurrence, team_signup) == (2, 2)  # back with the team, still taken
    assert _status(waiting) == SignupStatus.WAITLISTED  # the outsider does not take it


def test_member_cancelling_gives_the_place_back_to_the_team(app, world):
    task, occurrence, team_signup, member, place, waiting = _full_with_a_waiting_outsider(app, world)
    response = world.client_of(app, member).post(f"/mine-opgaver/{place.id}/afmeld", data={"reason": "Syg"})
    assert response.status_code == 302
    _returned_to_team(occurrence, team_signup, place, waiting)


def test_mail_link_cancelling_gives_the_place_back_to_the_team(app, world):
    task, occurrence, team_signup, member, place, waiting = _full_with_a_waiting_outsider(app, world)
    token = tokens.make(SHIFT_TOKEN, {"sid": place.id, "uid": member.id})
    assert app.test_client().post(f"/vagt/{token}/afbud", data={"reason": "Syg"}).status_code == 302
    _returned_to_team(occurrence, team_signup, place, waiting)


def test_erasure_gives_the_place_back_to_the_team(app, world):
    task, occurrence, team_signup, member, place, waiting = _full_with_a_waiting_outsider(app, world)
    assert world.client_of(app, member).post("/mig/slet", data={"password": PASSWORD, "confirm": "y"}).status_code == 302
    _returned_to_team(occurrence, team_signup, place, waiting)


def test_staff_declining_and_the_scheduler_closing_give_the_place_back_to_the_team(app, world):
    later = utcnow().replace(microsecond=0) + PENDING_CLOSE_AFTER + timedelta(days=5)  # still ahead when it closes
    task, occurrence, team_signup, member, place, waiting = _full_with_a_waiting_outsider(app, world, certificate=True,
                                                                                           starts_at=later)
    assert _status(place) == SignupStatus.PENDING  # no child certificate yet
    client = world.client_of(app, world.staff)
    assert client.post(f"/institution/tilmeldinger/{place.id}/afvis",
                       data={"reason": "Vi mangler din børneattest."}).status_code == 302
    _returned_to_team(occurrence, team_signup, place, waiting, status=SignupStatus.DECLINED)
    # the scheduler: another member's wait for screening closes after PENDING_CLOSE_AFTER
    other = next(m.user for m in team_signup.team.members if m.user_id not in (member.id, team_signup.team.tovholder_id))
    second = sign_up(occurrence, volunteer=other).signup
    db.session.commit()
    assert _status(second) == SignupStatus.PENDING and _counts(occurrence, team_signup) == (2, 1)
    follow_up_pending(now=utcnow() + PENDING_CLOSE_AFTER + timedelta(hours=1))
    db.session.commit()
    _returned_to_team(occurrence, team_signup, second, waiting, status=SignupStatus.DECLINED)


def test_asking_for_fewer_places_gives_them_to_the_waiting_list_in_order(app, world):
    task, occurrence, tovholder, team, people = _team_world(world, capacity=3, members=3)
    team_signup = _team_signs_up(app, world, team, occurrence, tovholder, places=3)
    sign_up(occurrence, volunteer=people[0])
    first, second = world.citizen("Først"), world.citizen("Anden")
    db.session.commit()
    waiting = [sign_up(occurrence, volunteer=p).signup for p in (first, second)]
    db.session.commit()
    assert _counts(occurrence, team_signup) == (3, 2)
    _team_signs_up(app, world, team, occurrence, tovholder, places=2)
    assert _counts(occurrence, team_signup) == (3, 1)
    assert [_status(s) for s in waiting] == [SignupStatus.ACCEPTED, SignupStatus.WAITLISTED]
    sign_up(occurrence, volunteer=people[1])
    db.session.commit()
    assert _counts(occurrence, team_signup) == (3, 0)
    # never fewer places than the members who hold one, with the reason and nothing changed
    refused = world.client_of(app, tovholder).post(f"/hold/{team.id}/tilmeld", data={
        "signup-occurrence": occurrence.id, "signup-places": "1"})
    assert refused.status_code == 400 and "2 medlemmer har allerede bekræftet" in refused.get_data(as_text=True)
    assert _counts(occurrence, team_signup) == (3, 0) and team_signup.places == 2


def test_staff_cannot_lower_the_places_below_what_a_team_holds(app, world):
    task, occurrence, tovholder, team, people = _team_world(world, capacity=4, members=3)
    _team_signs_up(app, world, team, occurrence, tovholder, places=3)
    plan = TaskPlan(fields={"title": task.title}, capacity=2, kind=task.kind, recurrence=task.recurrence,
                    schedule=[(o.starts_at, o.ends_at) for o in task.occurrences])
    with pytest.raises(DomainError) as refused:
        edit_task(task, plan, actor=world.staff, now=utcnow())
    assert refused.value.code == "capacity_below_taken" and refused.value.details["taken"] == 3


def test_a_member_who_gets_a_place_another_way_frees_the_place_the_team_held(app, world):
    task, occurrence, tovholder, team, people = _team_world(world, capacity=3, members=1)
    team_signup = sign_up_team(team, occurrence, actor=tovholder, now=utcnow(), places=1)
    holder, outsider, newcomer, last = (world.citizen(n) for n in ("Har plads", "Udefra", "Nykommer", "Sidst"))
    db.session.commit()
    sign_up(occurrence, volunteer=holder)
    sign_up(occurrence, volunteer=outsider)
    waiting = [sign_up(occurrence, volunteer=p).signup for p in (newcomer, last)]
    db.session.commit()
    assert _counts(occurrence, team_signup) == (3, 1)
    # Someone who already holds a place joins: the team need not hold one for them as well.
    join_team(team, person=holder, now=utcnow(), consent=True)
    db.session.commit()
    assert _counts(occurrence, team_signup) == (3, 0)
    assert [_status(s) for s in waiting] == [SignupStatus.ACCEPTED, SignupStatus.WAITLISTED]


def test_a_waiting_member_moved_up_by_the_list_frees_the_place_the_team_held(app, world):
    task, occurrence, tovholder, team, people = _team_world(world, capacity=2, members=1)
    team_signup = sign_up_team(team, occurrence, actor=tovholder, now=utcnow(), places=1)
    outsider, newcomer, last = (world.citizen(n) for n in ("Udefra", "Nykommer", "Sidst"))
    db.session.commit()
    place = sign_up(occurrence, volunteer=outsider).signup
    waiting = [sign_up(occurrence, volunteer=p).signup for p in (newcomer, last)]
    join_team(team, person=newcomer, now=utcnow(), consent=True)  # on the list, holds no place
    db.session.commit()
    assert _counts(occurrence, team_signup) == (2, 1)
    world.client_of(app, outsider).post(f"/mine-opgaver/{place.id}/afmeld", data={"reason": "Syg"})
    # The newcomer moves up into the freed place; the team's held place is then not needed and goes on.
    assert [_status(s) for s in waiting] == [SignupStatus.ACCEPTED, SignupStatus.ACCEPTED]
    assert _counts(occurrence, team_signup) == (2, 0)


def test_a_cancelled_task_holds_nothing_for_teams(app, world):
    task, occurrence, tovholder, team, people = _team_world(world, capacity=3, members=2)
    team_signup = _team_signs_up(app, world, team, occurrence, tovholder, places=2)
    assert _counts(occurrence, team_signup) == (2, 2)
    cancel_task(task, actor=world.staff, now=utcnow(), reason="Vandskade")
    db.session.commit()
    assert _counts(occurrence, team_signup) == (0, 0)
    with pytest.raises(DomainError) as refused:
        confirm_team_place(team_signup, person=people[0], now=utcnow())
    assert refused.value.code == "task_not_open"


def test_a_member_sees_the_place_their_team_holds_where_others_see_a_full_time(app, world):
    task, occurrence, tovholder, team, people = _team_world(world, capacity=2, members=2)
    _team_signs_up(app, world, team, occurrence, tovholder, places=1)
    outsider, stranger = world.citizen("Udefra"), world.citizen("Fremmed")
    db.session.commit()
    sign_up(occurrence, volunteer=outsider)
    db.session.commit()
    member = world.client_of(app, people[0])
    page = member.get(f"/opgaver/{task.id}").get_data(as_text=True)
    assert "Dit hold har en plads til dig" in page and "ventelisten" not in page
    assert f'occurrence={occurrence.id}">Tilmeld dig<span class="visually-hidden">' in page
    confirm = member.get(f"/opgaver/{task.id}/tilmeld?occurrence={occurrence.id}").get_data(as_text=True)
    assert "Dit hold har en plads til dig" in confirm and "ventelisten" not in confirm
    other = world.client_of(app, stranger).get(f"/opgaver/{task.id}").get_data(as_text=True)
    assert "Dit hold har en plads til dig" not in other and "ventelisten" in other
    member.post(f"/opgaver/{task.id}/tilmeld", data={"occurrence": str(occurrence.id)})
    assert _status(db.session.scalar(select(Signup).where(Signup.user_id == people[0].id))) == SignupStatus.ACCEPTED


def test_the_scheduler_gives_unconfirmed_places_to_others_a_day_before_the_start_once(app, world):
    from models import OutboxMessage
    from portal.scheduler import jobs
    start = utcnow().replace(microsecond=0) + timedelta(days=3)
    task, occurrence, tovholder, team, people = _team_world(world, capacity=3, members=2, starts_at=start)
    team_signup = _team_signs_up(app, world, team, occurrence, tovholder, places=2)
    sign_up(occurrence, volunteer=people[0])
    first, second = world.citizen("Udefra"), world.citizen("Venter")
    db.session.commit()
    sign_up(occurrence, volunteer=first)
    waiting = sign_up(occurrence, volunteer=second).signup
    db.session.commit()
    assert _counts(occurrence, team_signup) == (3, 1) and waiting.status == SignupStatus.WAITLISTED

    def released_mails():
        return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "team_places_released")))

    jobs.execute(jobs.BY_ID["team_places"], now=start - timedelta(hours=25), deliver=False)
    assert _counts(occurrence, team_signup) == (3, 1) and released_mails() == []
    jobs.execute(jobs.BY_ID["team_places"], now=start - timedelta(hours=23), deliver=False)
    assert _counts(occurrence, team_signup) == (3, 0)
    assert _status(waiting) == SignupStatus.ACCEPTED  # the waiting list moved up into it
    [mail] = released_mails()
    assert mail.user_id == tovholder.id and "1 plads reserveret til Lektiecafé" in mail.body_text
    # Within the day before the start the team holds nothing more: a member's place given back goes to
    # the waiting list, a team sign-up is refused, and the job finds nothing to give or to tell again.
    later = start - timedelta(hours=22)
    third = world.citizen("Tredje")
    db.session.commit()
    last = sign_up(occurrence, volunteer=third, now=later).signup
    member_place = db.session.scalar(select(Signup).where(Signup.user_id == people[0].id))
    cancel_signup(member_place, actor=people[0], now=later)
    db.session.commit()
    assert _counts(occurrence, team_signup) == (3, 0) and _status(last) == SignupStatus.ACCEPTED
    assert jobs.execute(jobs.BY_ID["team_places"], now=later, deliver=False) == 0
    assert len(released_mails()) == 1
    with pytest.raises(DomainError) as refused:
        sign_up_team(team, occurrence, actor=tovholder, now=later, places=2)
    assert refused.value.code == "team_places_closed"


def test_a_window_task_keeps_its_team_places_until_members_take_them(app, world):
    from portal.scheduler import jobs
    from models import TaskKind
    start = utcnow().replace(microsecond=0) + timedelta(hours=2)
    task, occurrence, tovholder, team, people = _team_world(world, capacity=3, members=2, starts_at=start)
    task.kind = TaskKind.WINDOW
    occurrence.ends_at = start + timedelta(days=14)
    db.session.commit()
    team_signup = sign_up_team(team, occurrence, actor=tovholder, now=utcnow(), places=2)
    db.session.commit()
    jobs.execute(jobs.BY_ID["team_places"], now=start + timedelta(hours=1), deliver=False)
    assert _counts(occurrence, team_signup) == (2, 2)  # no start to prepare for: nothing given on


def test_a_member_of_two_teams_takes_one_place_and_the_other_team_frees_its_own(app, world):
    task, occurrence, tovholder, team, people = _team_world(world, capacity=4, members=1)
    other_lead = world.citizen("Anden tovholder")
    both = people[0]
    other = world.make.team(world.school, staff=world.staff, tovholder=other_lead, task=task, name="Læseholdet")
    join_team(other, person=both, now=utcnow(), consent=True)
    first = sign_up_team(team, occurrence, actor=tovholder, now=utcnow(), places=1)
    second = sign_up_team(other, occurrence, actor=other_lead, now=utcnow(), places=1)
    outsider, waiting_one = world.citizen("Udefra"), world.citizen("Venter")
    db.session.commit()
    sign_up(occurrence, volunteer=outsider)
    sign_up(occurrence, volunteer=world.citizen("Fylder"))
    db.session.commit()
    waiting = sign_up(occurrence, volunteer=waiting_one).signup
    db.session.commit()
    assert waiting.status == SignupStatus.WAITLISTED
    confirm_team_place(second, person=both, now=utcnow())  # confirms for the second team: its place is used
    db.session.commit()
    assert _counts(occurrence, second) == (4, 0)
    # The first team held its place for the same person, who now has one: it goes to the waiting list.
    assert _counts(occurrence, first) == (4, 0) and _status(waiting) == SignupStatus.ACCEPTED
