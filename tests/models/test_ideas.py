"""Ideas: ownership, the answer states and who may move between them, co-creators, moderation."""
from datetime import timedelta

import pytest

from models import AuditEntry, ContentReport, DomainError, Role, db
from models.audit import dismiss_reports, hide_content, report_content, show_content
from models.idea_operations import (answer_idea, assign_sparring_agent, close_idea, edit_idea, invite_co_owner,
                                    invite_to_meeting, join_idea, set_agent_themes, submit_idea)


@pytest.fixture
def now(make):
    return make.aware(2026, 3, 2, 9, 0)


@pytest.fixture
def people(app, make):
    return {
        "initiator": make.user(Role.CITIZEN, name="Ida Initiativtager"),
        "other": make.user(Role.CITIZEN, name="Ole Anden"),
        "agent": make.user(Role.COORDINATOR, name="Sanne Sparring"),
        "staff": make.user(Role.STAFF),
    }


def new_idea(people, now, **fields):
    fields.setdefault("title", "Fælles drivhus")
    fields.setdefault("what", "Et drivhus i gården, hvor naboer dyrker grøntsager sammen.")
    return submit_idea(initiator=people["initiator"], now=now, answer_due_at=now + timedelta(days=7), **fields)


def kinds(idea):
    return [e.kind for e in idea.events]


# --- submitting and assigning ------------------------------------------------------------------

def test_submit_puts_the_idea_on_its_timeline_and_assigns_an_agent(people, now):
    idea = new_idea(people, now, area="Lyngby", theme="nature")
    assert idea.status == "received" and idea.initiator_id == people["initiator"].id
    assert idea.agent_id == people["agent"].id
    assert kinds(idea) == ["created", "assigned"]
    assert idea.events[1].next_who == "Sanne Sparring"
    assert idea.answer_due_at == now + timedelta(days=7) and idea.first_answer_at is None


def test_submit_needs_a_title_and_what(people, now):
    with pytest.raises(DomainError) as err:
        new_idea(people, now, what="  ")
    assert err.value.code == "idea_incomplete"


def test_agents_by_theme_else_in_turn(people, now, make):
    second = make.user(Role.COORDINATOR, name="Bo Borgerrådgiver")
    third = make.user(Role.COORDINATOR, name="Cai Culture")
    set_agent_themes(third, ["culture"], actor=third, now=now)
    # No agent takes "nature": all coordinators in turn, whoever got an idea longest ago (never first).
    given = [new_idea(people, now, theme="nature").agent_id for _ in range(4)]
    assert given == [people["agent"].id, second.id, third.id, people["agent"].id]
    # "culture" always goes to the agent who takes it.
    assert {new_idea(people, now, theme="culture").agent_id for _ in range(3)} == {third.id}


def test_a_coordinator_can_hand_an_idea_to_a_colleague_but_not_to_a_citizen(people, now, make):
    colleague = make.user(Role.COORDINATOR)
    idea = new_idea(people, now)
    assign_sparring_agent(idea, actor=people["agent"], now=now, agent=colleague)
    assert idea.agent_id == colleague.id and kinds(idea)[-1] == "assigned"
    for actor, agent in ((people["agent"], people["other"]), (people["initiator"], colleague)):
        with pytest.raises(DomainError) as err:
            assign_sparring_agent(idea, actor=actor, now=now, agent=agent)
        assert err.value.code == "not_sparring_agent"


# --- ownership -----------------------------------------------------------------------------------

def test_only_the_initiator_and_co_owners_edit_the_text(people, now):
    idea = new_idea(people, now)
    assert edit_idea(idea, actor=people["initiator"], now=now, what="Et større drivhus", area="Virum") == ["what", "area"]
    assert idea.what == "Et større drivhus" and kinds(idea)[-1] == "edited"
    assert idea.events[-1].message == "what, area"
    helper = join_idea(idea, user=people["other"], now=now, offer="Jeg har værktøj")
    for actor in (people["agent"], people["other"], people["staff"]):  # a coordinator cannot rewrite it (principle 5)
        with pytest.raises(DomainError) as err:
            edit_idea(idea, actor=actor, now=now, what="Kommunens version")
        assert err.value.code == "not_idea_owner"
    assert idea.what == "Et større drivhus"
    invite_co_owner(idea, helper, actor=people["initiator"], now=now)
    edit_idea(idea, actor=people["other"], now=now, title="Drivhus for alle")
    assert idea.title == "Drivhus for alle"


def test_only_the_initiator_shares_ownership(people, now, make):
    idea = new_idea(people, now)
    helper = join_idea(idea, user=people["other"], now=now, offer="Jeg kan vande")
    another = join_idea(idea, user=make.user(), now=now, offer="Jeg kan bygge")
    invite_co_owner(idea, helper, actor=people["initiator"], now=now)
    for actor in (people["other"], people["agent"]):  # a co-owner or a coordinator cannot appoint co-owners
        with pytest.raises(DomainError) as err:
            invite_co_owner(idea, another, actor=actor, now=now)
        assert err.value.code == "not_initiator"
    assert not another.co_owner


def test_nobody_edits_a_closed_idea(people, now):
    idea = new_idea(people, now)
    close_idea(idea, actor=people["initiator"], now=now)
    with pytest.raises(DomainError) as err:
        edit_idea(idea, actor=people["initiator"], now=now, title="Nyt navn")
    assert err.value.code == "idea_closed"


# --- the answer states ---------------------------------------------------------------------------

ANSWER = {"message": "Lad os tale sammen", "next_step": "Møde på rådhuset", "next_who": "Sanne",
          "next_when": "Tirsdag i uge 12"}


def move(idea, people, who, to):
    if who == "agent" and to in ("in_dialogue", "can_go_ahead", "cannot_engage"):
        return answer_idea(idea, actor=people["agent"], now=idea.created_at, status=to, **ANSWER)
    if who in ("initiator", "agent", "other") and to in ("realised", "closed"):
        return close_idea(idea, actor=people[who], now=idea.created_at, status=to)
    return answer_idea(idea, actor=people[who], now=idea.created_at, status=to, **ANSWER)


def reach(idea, people, state):
    path = {"received": [], "in_dialogue": ["in_dialogue"], "can_go_ahead": ["can_go_ahead"],
            "cannot_engage": ["cannot_engage"], "realised": ["can_go_ahead", "realised"], "closed": ["closed"]}[state]
    for step in path:
        move(idea, people, "initiator" if step in ("realised", "closed") else "agent", step)
    assert idea.status == state


ALLOWED = [  # (from, to, who)
    ("received", "in_dialogue", "agent"), ("received", "can_go_ahead", "agent"), ("received", "cannot_engage", "agent"),
    ("in_dialogue", "in_dialogue", "agent"), ("in_dialogue", "can_go_ahead", "agent"),
    ("in_dialogue", "cannot_engage", "agent"), ("can_go_ahead", "in_dialogue", "agent"),
    ("cannot_engage", "in_dialogue", "agent"),
    ("can_go_ahead", "realised", "initiator"), ("received", "closed", "initiator"), ("in_dialogue", "closed", "initiator"),
    ("can_go_ahead", "closed", "initiator"), ("cannot_engage", "closed", "initiator"),
]


@pytest.mark.parametrize("start,to,who", ALLOWED)
def test_allowed_transitions(people, now, start, to, who):
    idea = new_idea(people, now)
    reach(idea, people, start)
    before = len(idea.events)
    event = move(idea, people, who, to)
    assert idea.status == to
    assert idea.events[-1] is event and len(idea.events) == before + 1
    assert (event.from_status, event.to_status) == (start, to)
    assert event.actor_id == people[who].id


FORBIDDEN = [  # (from, to, who, error)
    ("received", "in_dialogue", "initiator", "not_sparring_agent"),   # the initiator does not answer themselves
    ("received", "can_go_ahead", "other", "not_sparring_agent"),
    ("received", "cannot_engage", "staff", "not_sparring_agent"),
    ("received", "realised", "initiator", "transition_not_allowed"),  # realised only after "can go ahead"
    ("can_go_ahead", "realised", "agent", "not_idea_owner"),          # the municipality does not declare it done
    ("in_dialogue", "closed", "agent", "not_idea_owner"),             # nor close it
    ("received", "closed", "other", "not_idea_owner"),
    ("can_go_ahead", "cannot_engage", "agent", "transition_not_allowed"),
    ("cannot_engage", "can_go_ahead", "agent", "transition_not_allowed"),
    ("realised", "in_dialogue", "agent", "transition_not_allowed"),
    ("closed", "in_dialogue", "agent", "transition_not_allowed"),
    ("closed", "closed", "initiator", "transition_not_allowed"),
    ("realised", "closed", "initiator", "transition_not_allowed"),
]


@pytest.mark.parametrize("start,to,who,code", FORBIDDEN)
def test_forbidden_transitions(people, now, start, to, who, code):
    idea = new_idea(people, now)
    reach(idea, people, start)
    before = len(idea.events)
    with pytest.raises(DomainError) as err:
        move(idea, people, who, to)
    assert err.value.code == code
    assert idea.status == start and len(idea.events) == before


def test_cannot_engage_needs_a_reason(people, now):
    idea = new_idea(people, now)
    with pytest.raises(DomainError) as err:
        answer_idea(idea, actor=people["agent"], now=now, status="cannot_engage", message="   ")
    assert err.value.code == "reason_required"
    assert idea.status == "received" and idea.first_answer_at is None
    answer_idea(idea, actor=people["agent"], now=now, status="cannot_engage", message="Det kræver en lokalplan.")
    assert idea.status == "cannot_engage" and idea.events[-1].message == "Det kræver en lokalplan."


@pytest.mark.parametrize("missing", ["next_step", "next_who", "next_when"])
def test_can_go_ahead_needs_next_step_who_and_when(people, now, missing):
    idea = new_idea(people, now)
    with pytest.raises(DomainError) as err:
        answer_idea(idea, actor=people["agent"], now=now, status="can_go_ahead", **{**ANSWER, missing: ""})
    assert err.value.code == "next_step_required" and idea.status == "received"


def test_the_first_answer_is_stamped_once(people, now):
    idea = new_idea(people, now)
    idea.agent_id = None
    answer_idea(idea, actor=people["agent"], now=now + timedelta(days=1), status="in_dialogue", message="Hej Ida")
    answer_idea(idea, actor=people["agent"], now=now + timedelta(days=3), status="in_dialogue", message="Mere")
    answer_idea(idea, actor=people["agent"], now=now + timedelta(days=5), status="can_go_ahead", **ANSWER)
    assert idea.first_answer_at == now + timedelta(days=1)
    assert idea.agent_id == people["agent"].id  # whoever answers an unassigned idea becomes its agent
    assert kinds(idea)[-3:] == ["status", "answer", "status"]


# --- co-creators ---------------------------------------------------------------------------------

def test_joining_says_what_one_offers(people, now):
    idea = new_idea(people, now)
    with pytest.raises(DomainError) as err:
        join_idea(idea, user=people["other"], now=now, offer=" ")
    assert err.value.code == "offer_required"
    c = join_idea(idea, user=people["other"], now=now, offer="Jeg kan bage til indvielsen")
    assert c.offer == "Jeg kan bage til indvielsen" and not c.co_owner and kinds(idea)[-1] == "joined"
    for user, code in ((people["other"], "already_joined"), (people["initiator"], "own_idea")):
        with pytest.raises(DomainError) as err:
            join_idea(idea, user=user, now=now, offer="igen")
        assert err.value.code == code


def test_no_joining_closed_or_hidden_ideas(people, now):
    closed = new_idea(people, now)
    close_idea(closed, actor=people["initiator"], now=now)
    hidden = new_idea(people, now)
    hide_content("idea", hidden.id, actor=people["agent"], now=now, reason="Personoplysninger")
    for idea, code in ((closed, "idea_closed"), (hidden, "idea_hidden")):
        with pytest.raises(DomainError) as err:
            join_idea(idea, user=people["other"], now=now, offer="Jeg vil være med")
        assert err.value.code == code


def test_meetings_invite_the_co_creators(people, now, make):
    idea = new_idea(people, now)
    with pytest.raises(DomainError) as err:
        invite_to_meeting(idea, actor=people["initiator"], now=now, when="Tirsdag kl. 19", where="Medborgerhuset")
    assert err.value.code == "no_co_creators"
    a = join_idea(idea, user=people["other"], now=now, offer="Jeg kan bage")
    b = join_idea(idea, user=make.user(), now=now, offer="Jeg kan grave")
    with pytest.raises(DomainError) as err:
        invite_to_meeting(idea, actor=people["agent"], now=now, when="Tirsdag", where="Rådhuset")
    assert err.value.code == "not_idea_owner"
    event, invitees = invite_to_meeting(idea, actor=people["initiator"], now=now, when="Tirsdag kl. 19",
                                        where="Medborgerhuset", message="Tag gerne kaffe med")
    assert invitees == [a, b] and event.kind == "meeting" and event.next_when == "Tirsdag kl. 19"


# --- moderation ----------------------------------------------------------------------------------

def test_hiding_needs_a_coordinator_and_a_reason_and_deletes_nothing(people, now):
    idea = new_idea(people, now)
    report = report_content("idea", idea.id, reporter=people["other"], now=now, reason="Stødende sprog")
    for actor, reason, code in ((people["other"], "Nej", "not_moderator"), (people["agent"], " ", "reason_required")):
        with pytest.raises(DomainError) as err:
            hide_content("idea", idea.id, actor=actor, now=now, reason=reason)
        assert err.value.code == code
    assert not idea.hidden
    hide_content("idea", idea.id, actor=people["agent"], now=now, reason="Stødende sprog i titlen")
    assert idea.hidden and idea.hidden_reason == "Stødende sprog i titlen"
    assert kinds(idea)[-1] == "hidden" and idea.events[-1].message == "Stødende sprog i titlen"
    assert report.resolved_at == now and report.resolved_by_id == people["agent"].id
    entry = db.session.query(AuditEntry).filter_by(action="content_hidden").one()
    assert entry.subject_id == people["initiator"].id and "Stødende sprog i titlen" in entry.detail
    show_content("idea", idea.id, actor=people["agent"], now=now)
    assert not idea.hidden and idea.hidden_reason is None and kinds(idea)[-2:] == ["hidden", "shown"]


def test_moderating_comments_and_updates_and_keeping_content(people, now, make):
    council = make.council(members=[people["staff"]])
    update = make.project_update(make.project(council), author=people["staff"])
    comment = make.update_comment(update, people["other"])
    hide_content("comment", comment.id, actor=people["agent"], now=now, reason="Reklame")
    assert comment.hidden and comment.hidden_reason == "Reklame"
    report_content("update", update.id, reporter=people["other"], now=now, reason="Forkert")
    assert dismiss_reports("update", update.id, actor=people["agent"], now=now) == 1
    assert not update.hidden
    assert db.session.query(ContentReport).filter(ContentReport.resolved_at.is_(None)).count() == 0


@pytest.mark.postgres
def test_turns_and_transitions_on_postgresql(people, now, make):
    second = make.user(Role.COORDINATOR)
    first, other = new_idea(people, now), new_idea(people, now)
    assert [first.agent_id, other.agent_id] == [people["agent"].id, second.id]
    answer_idea(first, actor=second, now=now, status="can_go_ahead", **ANSWER)
    join_idea(first, user=people["other"], now=now, offer="Jeg kan bage")
    close_idea(first, actor=people["initiator"], now=now, status="realised")
    db.session.commit()
    db.session.expire_all()
    assert [e.kind for e in first.events] == ["created", "assigned", "status", "joined", "status"]
    assert first.status == "realised" and first.first_answer_at == now
