"""Every kind of mail Samskab sends is rendered through the code that really sends it, and every link in it
leads to a real page for its recipient (an unknown endpoint would already have raised while queuing)."""
from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from werkzeug.routing import BuildError

from models import OutboxMessage, Role, User, db, utcnow
from models import idea_operations as ideas
from models import task_operations as tasks
from models import volunteer_operations as volunteers
from models.calendar import cancel_event, sign_up_for_event
from models.projects import follow_project, post_update
from portal.councils.notifications import confirm_event_signup, invite_participants, notify_followers, \
    tell_event_cancelled
from portal.mail import kinds, preferences
from portal.mail.outbox import external_url
from portal.scheduler import digests, followups, reminders, retention
from tests.conftest import sign_in
from tests.factories import PASSWORD, sign_up

LINK = re.compile(r"https?://samskab\.test(/[^\s\"'<>]*)")
NOT_FOUND = "Vi kunne ikke finde den side"


def _trigger_every_kind(app, make) -> None:
    now = utcnow().replace(microsecond=0)
    coordinator = make.user(Role.COORDINATOR, name="Kirsten Koordinator")
    staff = make.user(Role.STAFF, name="Lars Leder", email="leder@skolen.dk")
    school = make.institution(name="Lindegårdsskolen", staff=[staff])
    anna, bo, carl, dorte = (make.user(name=name) for name in ("Anna", "Bo", "Carl", "Dorte"))
    for person in (anna, bo, carl, dorte):
        make.profile(person, skills="Lektiehjælp og højtlæsning for børn", consent_to_be_found=True)

    # A shift tomorrow: accepted, reminded, cancelled (the waiting list moves up), changed, written to, cancelled.
    shift = make.task(school, title="Kagebord", capacity=1, starts_at=now + timedelta(hours=20),
                      contact_email=staff.email)
    first = sign_up(shift.occurrences[0], volunteer=anna).signup                        # signup_accepted
    sign_up(shift.occurrences[0], volunteer=bo)
    reminders.queue_due(now)                                                           # shift_reminder
    tasks.cancel_signup(first, actor=anna, now=now, reason="Syg")                      # volunteer_cancelled,
    plan = tasks.TaskPlan(fields={"title": "Kagebord til skolefesten"}, capacity=1,    # waitlist_promoted
                          schedule=[(o.starts_at, o.ends_at) for o in shift.occurrences])
    tasks.edit_task(shift, plan, actor=staff, now=now)                                 # task_changed
    tasks.write_to_volunteers(shift, actor=staff, now=now, subject="Husk", body="Kom i god tid")  # task_message
    # Screening: a new sign-up waits (the coordinators hear), is nudged, then closed; one is declined.
    screened = make.task(school, title="Lektiecafé", requires_child_certificate=True, contact_email=staff.email,
                         starts_at=now + timedelta(days=30))
    waiting = sign_up(screened.occurrences[0], volunteer=carl, now=now).signup         # pending_nudge (new)
    tasks.follow_up_pending(now=now + timedelta(days=3))                               # pending_nudge (3 days)
    tasks.follow_up_pending(now=now + timedelta(days=10))                              # pending_closed
    assert waiting.status == "declined"
    pledged = make.task(school, title="Besøgsven", requires_pledge=True, contact_email=staff.email)
    tasks.decline_signup(sign_up(pledged.occurrences[0], volunteer=dorte).signup, actor=staff, now=now,
                         reason="Vi har nok hænder")                                  # signup_declined
    tasks.invite_volunteer(pledged, carl, actor=staff, now=now)                        # invitation
    soon = make.task(school, title="Højtlæsning for børn", starts_at=now + timedelta(days=2),
                     contact_email=staff.email)
    followups.underfilled_tasks(now)                                                   # underfilled_task
    tasks.cancel_task(shift, actor=staff, now=now, reason="Regnvejr")                  # task_cancelled
    volunteers.review_profile(anna.profile, actor=coordinator, now=now, decision="approved")  # profile_review
    volunteers.record_screening(bo.profile, volunteers.ScreeningFacts(
        "received", date.today() - timedelta(days=300), date.today() - timedelta(days=290),
        date.today() + timedelta(days=10)), actor=coordinator, now=now)
    followups.certificates_expiring(now)                              # certificate_expiring (+ _staff)

    # Ideas: joined, co-owner, answered, a meeting, people asked for and invited, a deadline passed.
    idea = ideas.submit_idea(initiator=anna, now=now, title="Lektiecafé", what="Lektiehjælp til børn i biblioteket")
    co_creator = ideas.join_idea(idea, user=bo, now=now, offer="Jeg kan matematik")      # idea_activity
    ideas.invite_co_owner(idea, co_creator, actor=anna, now=now)                          # idea_activity
    ideas.answer_idea(idea, actor=coordinator, now=now, status="in_dialogue", message="Lad os tale")  # idea_answer
    ideas.invite_to_meeting(idea, actor=anna, now=now, when="Tirsdag kl. 17", where="Biblioteket")  # idea_meeting
    ideas.ask_for_people(idea, actor=anna, now=now)                                       # idea_people_asked
    ideas.invite_to_idea(idea, dorte, actor=coordinator, now=now)                         # idea_invitation
    make.idea(carl, title="Bytte-reol", created_at=now - timedelta(days=20))
    followups.idea_deadlines(now)                                                         # idea_deadline

    # Councils: a project update to followers, an invitation to follow, an event signed up for and cancelled.
    council = make.council(members=[staff])
    project = make.project(council, author=staff)
    follow_project(project, user=carl, now=now)
    notify_followers(post_update(project, actor=staff, now=now, body="Nyt fra projektet"), now=now)  # project_update
    invite_participants(project, [dorte], inviter=staff, now=now)                         # project_invitation
    event = make.event(council=council)
    confirm_event_signup(sign_up_for_event(event, user=dorte, now=now), now=now)          # event_signup
    tell_event_cancelled(event, cancel_event(event, actor=staff, now=now), now=now)       # event_cancelled

    # Citizen budgets: a proposal reviewed, two merged.
    from models import budget_operations as budgets
    pot = budgets.create_budget(actor=coordinator, now=now, council=council, title="Borgerbudget", pot_kr=100000,
                                ballot_kind="knapsack", rule="greedy")
    proposals = [budgets.propose_project(pot, actor=person, now=now, title=f"Forslag {n}", estimated_cost_kr=1000)
                 for n, person in enumerate((anna, bo, carl))]
    budgets.advance_phase(pot, actor=coordinator, now=now)
    budgets.review_proposal(proposals[0], actor=coordinator, now=now, feasible=False, reason="Fredet")  # budget_proposal
    budgets.merge_proposals(proposals[1], into=proposals[2], actor=coordinator, now=now)             # budget_proposal
    # Teams and networks: the tovholder writes to the team; a coordinator answers a network's item.
    from models.network_operations import answer_item, raise_item
    from models.team_operations import join_team, write_to_team
    team = make.team(school, staff=staff, tovholder=anna)
    join_team(team, person=bo, now=now, consent=True)
    write_to_team(team, actor=anna, now=now, body="Husk vagterne")                        # team_message
    from models.team_operations import sign_up_team
    tonight = make.task(school, title="Aftenlektier", starts_at=now + timedelta(hours=12), capacity=3)
    sign_up_team(team, tonight.occurrences[0], actor=anna, now=now - timedelta(days=2), places=2)
    followups.team_places(now)                                                            # team_places_released
    network = make.network(tovholder=carl)
    item = raise_item(network, actor=carl, now=now, title="Et lokale", body="", answer_due_at=now + timedelta(days=7))
    answer_item(item, actor=coordinator, now=now, answer="I får lokale 2")                # network_item_answer
    raise_item(network, actor=carl, now=now - timedelta(days=9), title="Nøgler", body="",
               answer_due_at=now - timedelta(days=2))
    followups.network_item_deadlines(now)                                                 # network_item_deadline
    # Self-service: "Få hjælp" tells the coordinators that someone waits for a call.
    from models.selfservice_operations import ask_for_help
    ask_for_help("signup", name="Erik", phone="20 30 40 50", now=now)                     # help_request

    # Retention: a nudge after a year away, a warning before deletion.
    make.user(name="Ingrid Inaktiv", last_seen_at=now - timedelta(days=400))
    make.user(name="Villy Væk", last_seen_at=now - timedelta(days=715))
    retention.inactive_accounts(now)                                                      # inactive_nudge, deletion_warning
    # The digest: new matching tasks for someone who chose it.
    preferences.save(carl, {"digest_tasks": preferences.Choice(True, "daily"),
                            "digest_projects": preferences.Choice(True, "daily")})
    soon.published_at = now - timedelta(hours=2)
    digests.build("daily", now)                                                            # digest
    db.session.commit()

    # Accounts: registering, registering again with a known address, a forgotten password.
    client = app.test_client()
    form = {"name": "Nina Ny", "email": "nina@example.dk", "password": PASSWORD, "confirm": PASSWORD, "accept": "y"}
    client.post("/registrer", data=form)                                                   # verify
    client.post("/registrer", data={**form, "email": anna.email})                          # account_exists
    client.post("/glemt-adgangskode", data={"email": bo.email})                            # reset


@pytest.fixture
def every_mail(app, make):
    _trigger_every_kind(app, make)
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_every_kind_of_mail_is_sent_by_the_real_code(every_mail):
    sent = {m.kind for m in every_mail}
    expected = {k.name for k in kinds.KINDS if not k.is_digest} | {kinds.DIGEST_MESSAGE_KIND}
    assert expected - sent == set(), "kinds no code path sent in this test"


def test_every_link_in_every_mail_leads_to_a_real_page_for_its_recipient(app, every_mail):
    checked = 0
    for message in every_mail:
        recipient = db.session.get(User, message.user_id) if message.user_id else None
        for path in sorted({html.unescape(p) for p in LINK.findall(message.body_text + message.body_html)}):
            client = app.test_client()
            if recipient is not None and recipient.is_active:
                sign_in(client, recipient)
            response = client.get(path, follow_redirects=True)
            db.session.rollback()
            page = response.get_data(as_text=True)
            assert response.status_code == 200 and NOT_FOUND not in page, f"{message.kind}: {path}"
            checked += 1
    assert checked >= 2 * len(every_mail)  # besides the footer, most mails link to a page


def test_a_link_to_a_page_that_does_not_exist_raises(app):
    with pytest.raises(BuildError):
        external_url("coordinators.volunteer", user_id=1)
