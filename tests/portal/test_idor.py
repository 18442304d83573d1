"""Object-level access (IDOR): a user who puts someone else's id in a URL or a form reaches nothing.

For every object kind a route takes by id, an attacker with the right *role* but not the right
*relation* (another citizen, staff of another institution, a member of another council) tries every
route. Each attempt must be refused (302/403/404), write nothing anywhere in the database, and show
none of the victim's private text; for pages, the owner reaching the same URL proves the id is right.
A completeness check makes sure a new route taking an id is either covered here or listed as
intentionally shared, so object kinds that land later inherit the check.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed, NotFound

from models import (CoCreator, Event, EventSignup, Idea, Occurrence, Project, ProjectUpdate, Role, db, utcnow)
from tests.conftest import sign_in

SECRET_NAME = "Alice Hemmeligsen"
SECRET_NOTE = "NOTE-HEMMELIG-4711"
SECRET_EMAIL = "alice.hemmelig@example.dk"
REFUSED = {302, 403, 404}
AUDIT_TABLES = {"audit_entry", "apscheduler_jobs", "scheduler_lock", "scheduler_heartbeat"}


@pytest.fixture
def world(app, make):
    now = utcnow()
    alice = make.user(email=SECRET_EMAIL, name=SECRET_NAME, phone="11223344")
    make.profile(alice, skills="Hemmelige evner")
    mallory = make.user(email="mallory@example.dk", name="Mallory")
    staff_a, staff_b = make.user(Role.STAFF, email="staff-a@example.dk"), make.user(Role.STAFF, email="staff-b@example.dk")
    inst_a, _inst_b = make.institution(staff=[staff_a]), make.institution(staff=[staff_b])
    task_a = make.task(inst_a, title="Læsehjælp i skolen")
    draft_a = make.task(inst_a, status="draft", title="Kladde")
    occ_a = task_a.occurrences[0]
    signup = make.signup_record(occ_a, alice, note=SECRET_NOTE)
    council_user_a = make.user(Role.COUNCIL, email="raad-a@example.dk")
    council_user_b = make.user(Role.COUNCIL, email="raad-b@example.dk")
    council_a, _council_b = make.council(members=[council_user_a]), make.council(members=[council_user_b])
    project_a = Project(council_id=council_a.id, title="Grønt torv", goal="Et torv med træer",
                        created_by_id=council_user_a.id)
    db.session.add(project_a)
    db.session.flush()
    update_a = ProjectUpdate(project_id=project_a.id, author_id=council_user_a.id, body="Vi er i gang")
    event_a = Event(council_id=council_a.id, title="Borgermøde", starts_at=now + timedelta(days=4),
                    ends_at=now + timedelta(days=4, hours=2), created_by_id=council_user_a.id, capacity=20,
                    attendee_count=1)
    idea = Idea(initiator_id=alice.id, title="Bogbytte", what="En reol med bøger")
    db.session.add_all([update_a, event_a, idea])
    db.session.flush()
    bob = make.user(email="bob@example.dk", name="Bob")
    co_bob = CoCreator(idea_id=idea.id, user_id=bob.id, offer="Jeg bygger reolen")
    db.session.add_all([co_bob, EventSignup(event_id=event_a.id, user_id=alice.id)])
    from models.budgets import BudgetProposal, CitizenBudget
    from models.plans import DevelopmentPlan
    budget_a = CitizenBudget(council_id=council_a.id, title="Borgerbudget A", pot_kr=1000, phase="review",
                             ballot_kind="knapsack", rule="greedy")
    db.session.add(budget_a)
    db.session.flush()
    proposals = [BudgetProposal(budget_id=budget_a.id, title=f"Forslag {n}", estimated_cost_kr=100, author_id=bob.id)
                 for n in range(2)]
    db.session.add_all(proposals + [DevelopmentPlan(council_id=council_a.id, vision="Vores vision", version=0)])
    # teams, networks and associations (issue 17): led by Tove at institution A, Alice a member
    from models.association_operations import add_need
    from models.network_operations import plan_meeting
    from models.team_operations import add_shift, join_team, sign_up_team
    tove = make.user(email="tove@example.dk", name="Tove")
    team_a = make.team(inst_a, staff=staff_a, tovholder=tove, task=task_a)
    join_team(team_a, person=alice, now=now, consent=True)
    shift_a = add_shift(team_a, actor=tove, now=now, starts_at=now + timedelta(days=2),
                        ends_at=now + timedelta(days=2, hours=2))
    team_signup_a = sign_up_team(team_a, occ_a, actor=tove, now=now, places=1)
    network_a = make.network(tovholder=tove, members=[alice])
    meeting_a = plan_meeting(network_a, actor=tove, now=now, starts_at=now + timedelta(days=5),
                             ends_at=now + timedelta(days=5, hours=1), place="", agenda="1. Velkommen")
    board_a = make.user(email="board-a@example.dk")
    association_a = make.association(board=board_a)
    need_a = add_need(association_a, actor=board_a, now=now, title="Kasserer")
    db.session.commit()
    people = {"alice": alice, "mallory": mallory, "staff_a": staff_a, "staff_b": staff_b,
              "council_a": council_user_a, "council_b": council_user_b}
    ids = {"signup": signup.id, "task": task_a.id, "draft": draft_a.id, "occ": occ_a.id, "idea": idea.id,
           "co": co_bob.id, "project": project_a.id, "update": update_a.id, "event": event_a.id,
           "alice": alice.id, "mallory": mallory.id, "budget": budget_a.id, "proposal": proposals[0].id,
           "proposal2": proposals[1].id, "council": council_a.id,
           "inst": inst_a.id, "team": team_a.id, "shift": shift_a.id,
           "team_signup": team_signup_a.id, "network": network_a.id, "meeting": meeting_a.id,
           "association": association_a.id, "need": need_a.id}
    return people, ids


# (attacker, owner for a positive control or None, method, URL, form data)
CASES = [
    # sign-ups: another citizen's
    ("mallory", None, "GET", "/mine-opgaver/{signup}/afmeld", None),
    ("mallory", None, "POST", "/mine-opgaver/{signup}/afmeld", {"reason": "hacket"}),
    ("mallory", None, "GET", "/mine-opgaver/tilmeldt/{task}", None),
    ("mallory", None, "GET", "/mine-opgaver/{task}.ics", None),
    # tasks, occurrences and sign-ups: another institution's
    ("staff_b", "staff_a", "GET", "/institution/opgaver/{task}", None),
    ("staff_b", "staff_a", "GET", "/institution/opgaver/{task}/rediger", None),
    ("staff_b", None, "POST", "/institution/opgaver/{task}/rediger", {"title": "Hacket"}),
    ("staff_b", "staff_a", "GET", "/institution/opgaver/{task}/aflys", None),
    ("staff_b", None, "POST", "/institution/opgaver/{task}/aflys", {"reason": "hacket"}),
    ("staff_b", None, "POST", "/institution/opgaver/{task}/luk", {}),
    ("staff_b", None, "POST", "/institution/opgaver/{draft}/offentliggoer", {}),
    ("staff_b", "staff_a", "GET", "/institution/opgaver/{task}/besked", None),
    ("staff_b", None, "POST", "/institution/opgaver/{task}/besked", {"subject": "Hej", "body": "Hacket"}),
    ("staff_b", "staff_a", "GET", "/institution/opgaver/{task}/forslag", None),
    ("staff_b", None, "POST", "/institution/opgaver/{task}/inviter/{mallory}", {}),
    ("staff_b", "staff_a", "GET", "/institution/gange/{occ}/fremmoede", None),
    ("staff_b", None, "POST", "/institution/gange/{occ}/fremmoede", {"attended-{signup}": "y"}),
    ("staff_b", None, "POST", "/institution/tilmeldinger/{signup}/accepter", {}),
    ("staff_b", None, "GET", "/institution/tilmeldinger/{signup}/afvis", None),
    ("staff_b", None, "POST", "/institution/tilmeldinger/{signup}/afvis", {"reason": "hacket"}),
    # ideas: another citizen's
    ("mallory", "alice", "GET", "/ideer/{idea}/rediger", None),
    ("mallory", None, "POST", "/ideer/{idea}/rediger", {"title": "Hacket", "what": "Hacket"}),
    ("mallory", None, "POST", "/ideer/{idea}/afslut", {}),
    ("mallory", None, "POST", "/ideer/{idea}/medejer/{co}", {}),
    ("mallory", None, "POST", "/ideer/{idea}/moede", {"message": "Hacket"}),
    ("mallory", None, "POST", "/ideer/{idea}/svar", {"answer": "Hacket", "status": "rejected"}),
    ("mallory", None, "POST", "/ideer/{idea}/find-folk", {}),
    # projects and events: another council's
    ("council_b", "council_a", "GET", "/lokalraad/projekter/{project}", None),
    ("council_b", None, "POST", "/lokalraad/projekter/{project}", {"title": "Hacket", "goal": "Hacket"}),
    ("council_b", None, "POST", "/lokalraad/projekter/{project}/opdatering", {"body": "Hacket"}),
    ("council_b", None, "POST", "/lokalraad/projekter/{project}/kobl", {"kind": "idea", "item_id": "{idea}"}),
    ("council_b", None, "POST", "/lokalraad/projekter/{project}/fjern", {"kind": "event", "item_id": "{event}"}),
    ("council_b", None, "POST", "/lokalraad/projekter/{project}/inviter", {}),
    ("council_b", "council_a", "GET", "/kalender/{event}/rediger", None),
    ("council_b", None, "POST", "/kalender/{event}/rediger", {"title": "Hacket"}),
    ("council_b", None, "POST", "/kalender/{event}/aflys", {}),
    ("council_b", "council_a", "GET", "/kalender/{event}/deltagere", None),
    ("mallory", None, "GET", "/kalender/{event}/deltagere", None),
    # citizen budgets and development plans: another council's
    ("council_b", "council_a", "GET", "/borgerbudgetter/{budget}/styr", None),
    ("council_b", None, "POST", "/borgerbudgetter/{budget}/fase", {}),
    ("council_b", None, "POST", "/borgerbudgetter/forslag/{proposal}/vurder",
     {"p{proposal}-decision": "not_feasible", "p{proposal}-reason": "Hacket"}),
    ("council_b", None, "POST", "/borgerbudgetter/forslag/{proposal}/flet", {"into": "{proposal2}"}),
    ("council_b", None, "POST", "/borgerbudgetter/{budget}/lever", {}),
    ("council_b", None, "POST", "/borgerbudgetter/forslag/{proposal}/forbrug", {"s{proposal}-spent_kr": "5"}),
    ("mallory", None, "POST", "/borgerbudgetter/{budget}/medbetjening", {"email": "bob@example.dk"}),
    ("council_b", "council_a", "GET", "/udviklingsplaner/{council}/rediger", None),
    ("council_b", None, "POST", "/udviklingsplaner/{council}/rediger", {"vision": "Hacket"}),
    # event sign-ups: cancelling someone else's
    ("mallory", None, "POST", "/kalender/{event}/afmeld", {}),
    # organisations' pages and teams: another institution's staff, a citizen outside the team
    ("staff_b", "staff_a", "GET", "/institutioner/{inst}/profil", None),
    ("staff_b", None, "POST", "/institutioner/{inst}/profil", {"story": "Hacket"}),
    ("staff_b", "staff_a", "GET", "/institutioner/{inst}/hold/ny", None),
    ("staff_b", None, "POST", "/institutioner/{inst}/hold/ny", {"name": "Hacket", "task": "0"}),
    ("staff_b", None, "POST", "/hold/{team}/vagter", {"shift-needed": "1", "shift-starts": "10:00"}),
    ("mallory", None, "POST", "/hold/{team}/vagter", {"shift-needed": "1", "shift-starts": "10:00"}),
    ("staff_b", None, "POST", "/hold/{team}/besked", {"message-body": "Hacket"}),
    ("mallory", None, "POST", "/hold/{team}/moede", {"meeting-place": "Hacket"}),
    ("staff_b", None, "POST", "/hold/{team}/tilmeld", {"signup-occurrence": "{occ}", "signup-places": "1"}),
    ("mallory", None, "POST", "/hold/vagter/{shift}/svar", {"coming": "1"}),
    ("mallory", None, "POST", "/hold/vagter/{shift}/spoerg", {"member": "{mallory}"}),
    ("mallory", None, "POST", "/hold/tilmelding/{team_signup}/bekraeft", {}),
    # networks: someone who is not the tovholder nor a member
    ("mallory", None, "POST", "/netvaerk/{network}/moeder", {"meeting-agenda": "Hacket"}),
    ("mallory", None, "POST", "/netvaerk/moeder/{meeting}/referat", {"minutes": "Hacket"}),
    ("mallory", None, "POST", "/netvaerk/{network}/punkter", {"item-title": "Hacket"}),
    # associations: staff who are not on this association's board
    ("staff_b", None, "POST", "/foreninger/{association}/behov", {"need-title": "Hacket"}),
    ("staff_b", None, "POST", "/foreninger/behov/{need}/daekket", {}),
]

# Routes that take an id but are shared on purpose (public pages, or every holder of the role may
# act on every object), each with the reason. The role matrix covers who has the role.
SHARED = {
    "/opgaver/<int:task_id>": "published tasks are public",
    "/opgaver/<int:task_id>/tilmeld": "any citizen may sign up for a published task (form IDOR tested below)",
    "/ideer/<int:idea_id>": "ideas are public",
    "/ideer/<int:idea_id>/vaer-med": "any citizen may join an idea",
    "/ideer/<int:idea_id>/sparringsagent": "coordinators assign agents to any idea",
    "/ideer/<int:idea_id>/inviter/<int:user_id>": "sparring agents invite people who fit to any idea (consent "
                                                   "checked by models.consent, tested in tests/rules)",
    "/ideer/anmeld/<target_kind>/<int:target_id>": "anyone logged in may report public content",
    "/ideer/moderering/<target_kind>/<int:target_id>": "coordinators moderate all content",
    "/projekter/<int:project_id>": "projects are public",
    "/projekter/<int:project_id>/foelg": "anyone may follow a project",
    "/projekter/<int:project_id>/stop": "acts on the caller's own follow only",
    "/projekter/opdateringer/<int:update_id>/kommentar": "anyone logged in may comment on a public update",
    "/kalender/<int:event_id>": "events are public",
    "/kalender/<int:event_id>/arrangement.ics": "events are public",
    "/kalender/<int:event_id>/tilmeld": "any citizen may sign up for an event",
    "/kalender/raad/<int:council_id>.ics": "councils' calendars are public",
    "/admin/raad/<int:council_id>": "administrators manage every council",
    "/admin/institutioner/<int:institution_id>": "administrators manage every institution",
    "/admin/brugere/<int:user_id>": "administrators manage every user",
    "/admin/brugere/<int:user_id>/status": "administrators manage every user",
    "/admin/brugere/<int:user_id>/andet-trin": "administrators manage every user",
    "/beskeder/<int:message_id>/igen": "administrators and coordinators see the whole outbox",
    "/koordinator/medbetjening/<int:user_id>": "coordinators assist every citizen",
    "/borgerbudgetter/<int:budget_id>": "citizen budgets are public",
    "/borgerbudgetter/<int:budget_id>/resultat": "published results are public (404 before)",
    "/borgerbudgetter/<int:budget_id>/resultat.json": "published results are public (404 before)",
    "/borgerbudgetter/<int:budget_id>/resultat.csv": "published results are public (404 before)",
    "/borgerbudgetter/<int:budget_id>/stem": "acts on the caller's own ballot only (secrecy tested in "
                                             "tests/portal/budgets/test_voting.py)",
    "/borgerbudgetter/<int:budget_id>/forslag": "any citizen may propose in the proposal phase",
    "/borgerbudgetter/forslag/<int:proposal_id>/deltag": "any citizen may join a proposal",
    "/borgerbudgetter/<int:budget_id>/medbetjening": "coordinators assist every citizen (audited)",
    "/udviklingsplaner/<int:council_id>": "development plans are public",
    "/udviklingsplaner/<int:council_id>/versioner/<int:version>": "development plans are public",
    "/dialogmoeder/<int:meeting_id>": "dialogue meetings are public",
    "/dialogmoeder/<int:meeting_id>/referat": "the administration keeps every dialogue meeting",
    "/dialogmoeder/<int:meeting_id>/opfoelgning": "the administration keeps every dialogue meeting",
    "/dialogmoeder/opfoelgning/<int:item_id>/svar": "the administration answers every follow-up item",
    "/koordinator/profiler/<int:profile_id>": "coordinators review every profile (audited)",
    "/koordinator/profiler/<int:profile_id>/afgoerelse": "coordinators review every profile (audited)",
    "/koordinator/profiler/<int:profile_id>/log": "coordinators review every profile (audited)",
    "/koordinator/profiler/<int:profile_id>/note": "coordinators review every profile (audited)",
    "/koordinator/profiler/<int:profile_id>/screening": "coordinators review every profile (audited)",
    "/institutioner/<int:institution_id>": "organisations' pages are public",
    "/foreninger/<int:association_id>": "associations' pages are public",
    "/foreninger/behov/<int:need_id>/tilbyd": "anyone logged in may offer to fill a need (once)",
    "/hold/<int:team_id>": "team pages are public; members' names and phones only to members "
                           "(tests/portal/community/test_teams.py)",
    "/hold/<int:team_id>/bliv-medlem": "any citizen may join a team, by the consent",
    "/hold/<int:team_id>/forlad": "acts on the caller's own membership only",
    "/netvaerk/<int:network_id>": "network pages are public; minutes and items only to members",
    "/netvaerk/<int:network_id>/deltag": "anyone logged in may join a network",
    "/netvaerk/<int:network_id>/forlad": "acts on the caller's own membership only",
    "/netvaerk/punkter/<int:item_id>/svar": "coordinators answer every network's items",
}


def _fill(template: str, ids: dict) -> str:
    return re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), template)


def _exists(app, url: str, method: str) -> bool:
    try:
        app.url_map.bind("localhost").match(url.split("?")[0], method=method)
        return True
    except (NotFound, MethodNotAllowed):
        return False


def _fingerprint() -> dict:
    """Every row of every table except logs: any write by the attacker changes it."""
    out = {}
    for table in db.metadata.sorted_tables:
        if table.name in AUDIT_TABLES:
            continue
        out[table.name] = [tuple(row) for row in db.session.execute(select(table).order_by(*table.primary_key.columns))]
    return out


def _rules_with_ids(app):
    for rule in app.url_map.iter_rules():
        if re.search(r"<(?:int:)?\w*_id>", rule.rule):
            yield rule.rule


def _case_rule(app, url: str, method: str) -> str:
    return app.url_map.bind("localhost").match(url, method=method, return_rule=True)[0].rule


def test_every_route_taking_an_id_is_covered_or_shared_on_purpose(app, world):
    _people, ids = world
    covered = {_case_rule(app, _fill(url, ids), method) for _a, _o, method, url, _d in CASES
               if _exists(app, _fill(url, ids), method)}
    missing = sorted(set(_rules_with_ids(app)) - covered - set(SHARED))
    assert not missing, f"Routes taking an id with no IDOR case (add one to CASES or SHARED with a reason): {missing}"
    stale = sorted(set(SHARED) - {rule.rule for rule in app.url_map.iter_rules()})
    assert not stale, f"SHARED names routes that do not exist (remove them): {stale}"


def test_nobody_reaches_what_is_not_theirs(app, world):
    people, ids = world
    failures, ran = [], 0
    for attacker, owner, method, template, data in CASES:
        url = _fill(template, ids)
        assert _exists(app, url, method), f"{method} {template} is in CASES but no such route exists"
        ran += 1
        form = {_fill(k, ids): _fill(v, ids) for k, v in (data or {}).items()}
        before = _fingerprint()
        client = sign_in(app.test_client(), people[attacker])
        response = client.open(url, method=method, data=form if method != "GET" else None)
        db.session.rollback()
        body = response.get_data(as_text=True)
        where = f"{attacker} {method} {url}"
        if response.status_code not in REFUSED:
            failures.append(f"{where}: status {response.status_code}")
        for secret in (SECRET_NOTE, SECRET_EMAIL, SECRET_NAME):
            if secret in body:
                failures.append(f"{where}: shows {secret!r}")
        if _fingerprint() != before:
            failures.append(f"{where}: changed the database")
        if owner is not None:
            own = sign_in(app.test_client(), people[owner]).get(url)
            db.session.rollback()
            if own.status_code != 200:
                failures.append(f"{where}: owner {owner} got {own.status_code} (positive control)")
    assert ran >= 4, "too few routes exist to check"
    assert not failures, "\n".join(failures)


def test_sign_up_form_cannot_smuggle_another_tasks_time(app, world, make):
    """The form's `gang` (occurrence id) must belong to the task in the URL."""
    people, ids = world
    before = _fingerprint()
    client = sign_in(app.test_client(), people["mallory"])
    hidden_occ = db.session.scalar(select(Occurrence.id).where(Occurrence.task_id == ids["draft"]))
    response = client.post(f"/opgaver/{ids['task']}/tilmeld", data={"occurrence": str(hidden_occ)})
    db.session.rollback()
    assert response.status_code in REFUSED | {200}
    assert _fingerprint()["signup"] == before["signup"], "signed up for a time of another (unpublished) task"


def test_event_sign_up_of_another_user_stays(app, world):
    people, ids = world
    client = sign_in(app.test_client(), people["mallory"])
    client.post(f"/kalender/{ids['event']}/afmeld", data={"user_id": ids["alice"]})
    db.session.rollback()
    assert db.session.scalar(select(EventSignup).where(EventSignup.user_id == ids["alice"])) is not None
