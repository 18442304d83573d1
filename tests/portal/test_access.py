"""Walks every registered route for every role and checks the status against the matrix,
and checks the conventions: every route declares an access rule and state changes need CSRF."""
import re

import pytest

from models import Role, db, utcnow
from portal.access import rule_of
from tests.conftest import sign_in
from tests.portal.access_matrix import MATRIX, ROLES

ROLE_OF = {"citizen": Role.CITIZEN, "staff": Role.STAFF, "council": Role.COUNCIL,
           "coordinator": Role.COORDINATOR, "admin": Role.ADMIN}


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


@pytest.fixture
def world(app, make):
    """One user per role plus one object of each kind that routes take as parameters."""
    people = {name: make.user(role, email=f"{name}@example.dk") for name, role in ROLE_OF.items()}
    target = make.user(email="target@example.dk")
    inst = make.institution(staff=[people["staff"]])
    council = make.council(members=[people["council"]])
    failed_mail = make.outbox_message(target, status="failed", last_error="550 mailbox unavailable")
    target_profile = target.profile or make.profile(target)
    project = make.project(council)
    update = make.project_update(project, author=people["council"])
    comment = make.update_comment(update, target)
    event = make.event(council=council)
    open_task = make.task(inst)
    target_signup = make.signup_record(open_task.occurrences[0], target)
    idea = make.idea(target)
    co_creator = make.co_creator(idea, make.user(email="joiner@example.dk"))
    from models.budgets import BudgetProposal, CitizenBudget
    budget = CitizenBudget(council_id=council.id, title="Borgerbudget", pot_kr=1000, phase="result",
                           published_at=utcnow(), ballot_kind="knapsack", rule="greedy")
    db.session.add(budget)
    db.session.flush()
    proposal = BudgetProposal(budget_id=budget.id, title="Forslag", estimated_cost_kr=500, cost_kr=500,
                              status="feasible")
    db.session.add(proposal)
    from datetime import date

    from models.plans import DevelopmentPlan, DialogueMeeting, FollowUpItem, PlanVersion
    plan = DevelopmentPlan(council_id=council.id, vision="Vision", version=1)
    plan.versions.append(PlanVersion(version=1, content='{"vision": "Vision", "backers": "", "goals": []}'))
    dialogue_meeting = DialogueMeeting(title="Dialogmøde", starts_at=utcnow())
    dialogue_meeting.items.append(FollowUpItem(question="Spørgsmål", due_on=date.today()))
    db.session.add_all([plan, dialogue_meeting])
    # teams, networks, associations: led by someone who is none of the role users
    from models.association_operations import add_need
    from models.network_operations import plan_meeting, raise_item
    from models.team_operations import add_shift, sign_up_team
    from datetime import timedelta
    team = make.team(inst, staff=people["staff"], tovholder=target, task=open_task)
    shift = add_shift(team, actor=target, now=utcnow(), starts_at=utcnow() + timedelta(days=2),
                      ends_at=utcnow() + timedelta(days=2, hours=2))
    team_signup = sign_up_team(team, open_task.occurrences[0], actor=target, now=utcnow(), places=1)
    network = make.network(tovholder=target)
    meeting = plan_meeting(network, actor=target, now=utcnow(), starts_at=utcnow() + timedelta(days=3),
                           ends_at=utcnow() + timedelta(days=3, hours=1), place="", agenda="1. Velkommen")
    item = raise_item(network, actor=target, now=utcnow(), title="Et lokale", body="", answer_due_at=utcnow())
    board = make.user(email="board@example.dk")
    association = make.association(board=board)
    need = add_need(association, actor=board, now=utcnow(), title="En kasserer")
    db.session.commit()
    params = {"budget_id": budget.id, "proposal_id": proposal.id, "version": 1, "dialogue_meeting_id": dialogue_meeting.id,
              "dialogue_item_id": dialogue_meeting.items[0].id, "user_id": target.id, "institution_id": inst.id, "council_id": council.id, "token": "not-a-token",
              "message_id": failed_mail.id, "profile_id": target_profile.id,
              "project_id": project.id, "update_id": update.id, "comment_id": comment.id, "event_id": event.id,
              "task_id": open_task.id, "signup_id": target_signup.id, "occurrence_id": open_task.occurrences[0].id,
              "idea_id": idea.id, "co_creator_id": co_creator.id, "target_kind": "idea", "target_id": idea.id,
              "slug": "borger", "team_id": team.id, "shift_id": shift.id, "team_signup_id": team_signup.id,
              "network_id": network.id, "meeting_id": meeting.id, "item_id": item.id,
              "association_id": association.id, "need_id": need.id}
    return people, params


def fill(rule, params) -> str:
    def value(match):
        name = match.group(2)
        if rule.rule.startswith("/dialogmoeder") and f"dialogue_{name}" in params:
            name = f"dialogue_{name}"  # a dialogue meeting's ids, not a network meeting's
        if name not in params:
            raise AssertionError(f"No test value for <{name}> in {rule.rule}: add it to the world fixture")
        return str(params[name])
    return re.sub(r"<(?:([a-z]+):)?([a-z_]+)>", value, rule.rule)


def test_every_route_is_in_the_matrix(app):
    keys = {(rule.rule, method) for rule, method in routes(app)}
    missing = sorted(keys - set(MATRIX))
    stale = sorted(set(MATRIX) - keys)
    assert not missing, f"Routes without an entry in the role matrix: {missing}"
    assert not stale, f"Matrix entries for routes that do not exist: {stale}"


def test_role_matrix(app, world):
    people, params = world
    failures = []
    for role in ROLES:
        for rule, method in routes(app):
            client = app.test_client()  # a fresh session per request: logging out must not leak
            if role != "anonymous":
                sign_in(client, people[role])
            url = fill(rule, params)
            response = client.open(url, method=method, data={})
            expected = MATRIX[(rule.rule, method)][role]
            if response.status_code != expected:
                failures.append(f"{role:11} {method:4} {url}: {response.status_code}, expected {expected}")
            db.session.rollback()
    assert not failures, "\n".join(failures)


def test_every_view_declares_an_access_rule(app):
    missing = [rule.endpoint for rule, _m in routes(app) if rule_of(app.view_functions[rule.endpoint]) is None]
    assert not missing, f"Views without @access(...): {missing}"


# Routes that take POST without a CSRF token, each with the reason. Keep this list short.
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail programs POST without cookies, so no CSRF token can exist;
    # the signed, per-user token in the URL is the proof, and the only effect is turning mails off.
    ("/afmeld/<token>", "POST"),
}


def test_state_changing_routes_are_csrf_protected(make_app, make):
    app = make_app(WTF_CSRF_ENABLED=True)
    csrf = app.extensions["csrf"]
    with app.app_context():
        db.create_all()
        admin = make.user(*ROLE_OF.values(), email="all@example.dk")
        db.session.commit()
        client = app.test_client()
        sign_in(client, admin)
        for rule, method in routes(app):
            if method not in {"POST", "PUT", "PATCH", "DELETE"}:
                continue
            view = app.view_functions[rule.endpoint]
            if (rule.rule, method) in CSRF_EXEMPT:
                assert f"{view.__module__}.{view.__name__}" in csrf._exempt_views, rule.rule
                continue
            assert f"{view.__module__}.{view.__name__}" not in csrf._exempt_views, rule.rule
            url = re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "1", rule.rule)
            response = client.open(url, method=method, data={"anything": "x"})
            assert response.status_code == 400, f"{method} {rule.rule} accepted a request without a CSRF token"
