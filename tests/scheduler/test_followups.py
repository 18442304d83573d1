"""Jobs (2)–(6) end to end against aiosmtpd: ideas without an answer, half-empty tasks, expiring child
certificates, inactive accounts (GDPR retention) and the opt-in digest."""
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from models import Idea, OutboxMessage, Role, Screening, User, db
from portal.mail import preferences, sender
from portal.scheduler import jobs, retention
from portal.scheduler.timing import LOCAL

UTC = timezone.utc


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL).astimezone(UTC)


def run(job_id: str, now: datetime) -> dict:
    """Run one job at `now` and deliver what is due; returns the delivery counts."""
    jobs.execute(jobs.BY_ID[job_id], now=now, deliver=False)
    return sender.deliver_all(now=now)


def _idea(make, agent, created_at):
    idea = Idea(title="Bænke langs søen", what="Flere bænke, så ældre kan gå en tur.", initiator_id=make.user().id,
                agent_id=agent.id, created_at=created_at)
    db.session.add(idea)
    db.session.commit()
    return idea


def test_idea_waiting_5_working_days_tells_the_agent_and_10_the_coordinators(app, make, smtp):
    agent = make.user(Role.COORDINATOR, email="agent@kommune.dk")
    coordinator = make.user(Role.COORDINATOR, email="koordinator@kommune.dk")
    idea = _idea(make, agent, local(2026, 3, 2, 10))  # a Monday
    assert run("idea_deadlines", local(2026, 3, 9, 9, 59))["sent"] == 0
    assert run("idea_deadlines", local(2026, 3, 9, 10))["sent"] == 1  # 5 working days: the agent
    assert run("idea_deadlines", local(2026, 3, 10, 10))["sent"] == 0  # once
    [mail] = smtp.messages
    assert mail["To"] == agent.email and idea.title in smtp.text_of(mail)
    assert run("idea_deadlines", local(2026, 3, 16, 9, 59))["sent"] == 0
    assert run("idea_deadlines", local(2026, 3, 16, 10))["sent"] == 1  # 10 working days: the coordinator
    assert [m["To"] for m in smtp.messages] == [agent.email, coordinator.email]


def test_working_days_skip_easter(app, make, smtp):
    agent = make.user(Role.COORDINATOR)
    _idea(make, agent, local(2026, 4, 1, 10))  # Wednesday before Easter
    # 2, 3 and 6 April are holidays: the fifth working day is Monday 13 April.
    assert run("idea_deadlines", local(2026, 4, 10, 12))["sent"] == 0
    assert run("idea_deadlines", local(2026, 4, 13, 10))["sent"] == 1


def test_an_idea_answered_meanwhile_is_not_chased(app, make, smtp):
    agent = make.user(Role.COORDINATOR)
    idea = _idea(make, agent, local(2026, 3, 2, 10))
    smtp.stop()
    assert run("idea_deadlines", local(2026, 3, 9, 10))["retry"] == 1
    idea.first_answer_at, idea.status = local(2026, 3, 9, 11), "in_dialogue"
    db.session.commit()
    smtp.start()
    assert run("idea_deadlines", local(2026, 3, 9, 12)) == {"sent": 0, "retry": 0, "failed": 0, "dropped": 1}


def test_underfilled_task_tells_the_contact_person_3_days_before_with_suggestions(app, make, smtp):
    now = datetime.now(UTC).replace(microsecond=0)
    task = make.task(make.institution(), starts_at=now + timedelta(days=3, hours=1), capacity=4,
                     title="Lektiehjælp i lektiecaféen", skills_wanted="lektiehjælp matematik",
                     contact_email="leder@skolen.dk")
    make.signup_record(task.occurrences[0], make.user())
    helper = make.user(name="Karen Lektiehjælper")
    make.profile(helper, skills="lektiehjælp og matematik", consent_to_be_found=True)
    hidden = make.user(name="Ole Skjult")
    make.profile(hidden, skills="lektiehjælp og matematik", consent_to_be_found=False)
    full = make.task(make.institution(), starts_at=now + timedelta(days=2), capacity=1, contact_email="fuld@skolen.dk")
    make.signup_record(full.occurrences[0], make.user())
    db.session.commit()

    assert run("underfilled_tasks", now)["sent"] == 0  # more than three days before
    assert run("underfilled_tasks", now + timedelta(hours=2))["sent"] == 1
    assert run("underfilled_tasks", now + timedelta(hours=3))["sent"] == 0
    [mail] = smtp.messages
    text = smtp.text_of(mail)
    assert mail["To"] == "leder@skolen.dk" and "3" in text
    assert "Karen Lektiehjælper" in text and "Ole Skjult" not in text


def test_underfilled_task_suggestions_follow_the_suggestion_rules(app, make, smtp):
    """The mail suggests whom portal.suggestions would: nobody away that day or outside their travel area."""
    from models import AwayPeriod
    from portal import suggestions
    now = datetime.now(UTC).replace(microsecond=0)
    task = make.task(make.institution(postcode="2800"), starts_at=now + timedelta(days=3, hours=1), capacity=3,
                     title="Lektiehjælp i lektiecaféen", skills_wanted="lektiehjælp matematik",
                     contact_email="leder@skolen.dk")
    occurrence = task.occurrences[0]
    for name, postcode in (("Karen Lektiehjælper", "2800"), ("Bo Bortrejst", "2800"), ("Frede Fjern", "9000")):
        make.profile(make.user(name=name), skills="lektiehjælp og matematik", consent_to_be_found=True,
                     postcode=postcode, travel_km=5)
    away = db.session.scalar(select(User).where(User.name == "Bo Bortrejst")).profile
    start_day = occurrence.starts_at.astimezone(LOCAL).date()
    db.session.add(AwayPeriod(profile_id=away.id, starts_on=start_day - timedelta(days=1),
                              ends_on=start_day + timedelta(days=1)))
    db.session.commit()
    later = now + timedelta(hours=2)
    expected = {s.user.name for s in suggestions.volunteers_for(task, now=later, occurrence_id=occurrence.id)}
    assert expected == {"Karen Lektiehjælper"}
    assert run("underfilled_tasks", later)["sent"] == 1
    [mail] = smtp.messages
    text = smtp.text_of(mail)
    assert "Karen Lektiehjælper" in text
    assert "Bo Bortrejst" not in text and "Frede Fjern" not in text


def _certificate(make, valid_until: date, recorded_by=None):
    volunteer = make.user()
    profile = make.profile(volunteer)
    screening = Screening(profile_id=profile.id, child_certificate_status="received",
                          child_certificate_valid_until=valid_until,
                          recorded_by_id=recorded_by.id if recorded_by else None)
    db.session.add(screening)
    db.session.commit()
    return volunteer, screening


def test_child_certificate_expiring_within_30_days(app, make, smtp):
    coordinator = make.user(Role.COORDINATOR)
    today = datetime.now(LOCAL).date()
    soon, screening = _certificate(make, today + timedelta(days=20), recorded_by=coordinator)
    later, _s = _certificate(make, today + timedelta(days=45))
    renewed, renewed_screening = _certificate(make, today + timedelta(days=10))
    smtp.stop()
    now = datetime.now(UTC)
    run("certificates_expiring", now)
    renewed_screening.child_certificate_valid_until = today + timedelta(days=900)  # a new one was recorded
    db.session.commit()
    smtp.start()
    counts = run("certificates_expiring", now + timedelta(minutes=2))
    assert counts["sent"] == 2 and counts["dropped"] == 2  # the renewed one: volunteer and staff mail
    assert sorted(m["To"] for m in smtp.messages) == sorted([soon.email, coordinator.email])
    assert run("certificates_expiring", now + timedelta(days=1))["sent"] == 0
    assert later.email not in [m["To"] for m in smtp.messages]


def test_inactive_accounts_get_a_nudge_then_a_deletion_warning(app, make, smtp):
    now = datetime.now(UTC).replace(microsecond=0)
    nudged = make.user(last_seen_at=now - timedelta(days=400))
    warned = make.user(last_seen_at=now - timedelta(days=715))
    active = make.user(last_seen_at=now - timedelta(days=30))
    quiet = make.user(last_seen_at=now - timedelta(days=400))
    preferences.save(quiet, {"inactive_nudge": preferences.Choice(False, None)})
    preferences.save(warned, {"inactive_nudge": preferences.Choice(False, None)})  # the warning still comes
    db.session.commit()

    assert run("inactive_accounts", now)["sent"] == 2
    assert run("inactive_accounts", now + timedelta(days=1))["sent"] == 0
    kinds = {m.recipient: m.kind for m in db.session.scalars(select(OutboxMessage))}
    assert kinds == {nudged.email: "inactive_nudge", warned.email: "deletion_warning"}
    assert active.email not in [m["To"] for m in smtp.messages]

    # Deletion only after the warning was delivered 30 days earlier, and only if still away.
    assert retention.deletion_candidates(now + timedelta(days=29)) == []
    assert retention.deletion_candidates(now + timedelta(days=31)) == [warned]
    warned.last_seen_at = now + timedelta(days=5)
    db.session.commit()
    assert retention.deletion_candidates(now + timedelta(days=31)) == []


def test_weekly_digest_is_opt_in_and_only_for_people_with_news(app, make, smtp):
    now = datetime.now(UTC).replace(microsecond=0)
    fan, other_fan, not_subscribed = make.user(), make.user(), make.user()
    make.profile(fan, skills="lektiehjælp matematik", interests="skole")
    make.profile(other_fan, skills="havearbejde beskæring", interests="natur")
    make.profile(not_subscribed, skills="lektiehjælp matematik", interests="skole")
    for person in (fan, other_fan):
        preferences.save(person, {"digest_tasks": preferences.Choice(True, "weekly")})
    place = make.institution()
    older = make.task(place, starts_at=now + timedelta(days=10), title="Lektiehjælp i matematik",
                      skills_wanted="lektiehjælp matematik")
    newer = make.task(place, starts_at=now + timedelta(days=12), title="Lektiecafé: lektiehjælp for 5. klasse",
                      skills_wanted="lektiehjælp")
    older.published_at, newer.published_at = now - timedelta(hours=5), now - timedelta(hours=1)
    db.session.commit()

    assert run("digest_weekly", now)["sent"] == 1
    assert run("digest_weekly", now + timedelta(hours=1))["sent"] == 0
    [mail] = smtp.messages
    assert mail["To"] == fan.email and mail["List-Unsubscribe"]
    text = smtp.text_of(mail)
    assert text.index(newer.title) < text.index(older.title)  # newest first
    assert run("digest_daily", now)["sent"] == 0  # nobody chose daily


def test_a_network_item_not_answered_by_its_date_reaches_every_coordinator_once(app, make, smtp):
    from models.network_operations import answer_item, raise_item
    first = make.user(Role.COORDINATOR, email="k1@kommune.dk")
    second = make.user(Role.COORDINATOR, email="k2@kommune.dk")
    tovholder = make.user(name="Tove Tovholder")
    network = make.network(tovholder=tovholder, name="Læsenetværket")
    raised = local(2026, 3, 2, 10)
    due = local(2026, 3, 9, 10)
    overdue = raise_item(network, actor=tovholder, now=raised, title="Et fælles lokale", body="Vi mangler et sted",
                         answer_due_at=due)
    answered = raise_item(network, actor=tovholder, now=raised, title="Nøgler", body="", answer_due_at=due)
    db.session.commit()

    assert run("network_item_deadlines", local(2026, 3, 9, 9, 59))["sent"] == 0   # before the date
    answer_item(answered, actor=first, now=local(2026, 3, 9, 9), answer="I får nøgler fredag")
    db.session.commit()
    assert sender.deliver_all(now=datetime.now(UTC))["sent"] == 1                   # the answer's own mail
    sent_before = len(smtp.messages)
    coordinators = sorted(u.email for u in db.session.scalars(select(User)) if u.has_role(Role.COORDINATOR))
    assert len(coordinators) == 3                                                    # the factory's own, too
    assert run("network_item_deadlines", local(2026, 3, 9, 10))["sent"] == 3      # each coordinator
    assert run("network_item_deadlines", local(2026, 3, 10, 10))["sent"] == 0     # once
    mails = smtp.messages[sent_before:]
    assert sorted(m["To"] for m in mails) == coordinators
    text = smtp.text_of(mails[0])
    assert "Et fælles lokale" in text and "Læsenetværket" in text and "Nøgler" not in text
    assert "/koordinator/netvaerk" in text

    # Answered after the reminder: nothing more, and a new overdue item is told on its own.
    answer_item(overdue, actor=second, now=local(2026, 3, 10, 11), answer="Brug biblioteket")
    db.session.commit()
    sender.deliver_all(now=datetime.now(UTC))
    assert run("network_item_deadlines", local(2026, 3, 11, 10))["sent"] == 0
