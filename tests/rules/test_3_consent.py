"""Rule 3: consent scopes are explicit and decided in one place (models.consent). Being found by
coordinators and institutions does not show a person to other citizens: an idea's initiator sees how
many people fit and may ask the sparring agent to invite them; names appear only for people who joined
or who chose the separate consent to be shown to citizens."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import AuditEntry, DomainError, IdeaEventKind, OutboxMessage, VolunteerProfile, db, utcnow
from models.consent import Audience, findable_profiles, may_find
from models.idea_operations import invite_to_idea, join_idea
from portal import suggestions
from portal.scheduler import followups
from tests.factories import sign_up

HOMEWORK = dict(title="Lektiecafé i biblioteket", what="Lektiehjælp til børn i biblioteket efter skole")


@pytest.fixture
def idea_world(world):
    make = world.make
    world.initiator = make.user(name="Ida Initiativtager")
    world.idea = make.idea(world.initiator, agent_id=world.coordinator.id, **HOMEWORK)
    world.found = world.citizen("Frida Findes", skills="Lektiehjælp til børn", consent_to_be_found=True,
                                review_status="approved")
    world.unreviewed = world.citizen("Ulla Ukendt", skills="Lektiehjælp og børn", consent_to_be_found=True)
    world.hidden = world.citizen("Hans Hemmelig", skills="Lektiehjælp til børn i biblioteket")
    world.shown = world.citizen("Sofie Synlig", skills="Lektiehjælp for børn", consent_to_be_found=True,
                                consent_shown_to_citizens=True, review_status="approved")
    db.session.commit()
    return world


def _people_section(page: str) -> str:
    return page.split('id="suggest-heading"')[-1].split('<h3>', 2)[1] if 'id="suggest-heading"' in page else ""


def test_the_scope_function_is_the_one_every_finder_asks(app, idea_world):
    w = idea_world
    for audience in Audience.ALL:
        listed = set(db.session.scalars(findable_profiles(audience).with_only_columns(VolunteerProfile.user_id)))
        for person in (w.found, w.unreviewed, w.hidden, w.shown):
            assert may_find(person, audience) == (person.id in listed), (audience, person.name)
    assert not may_find(w.found, Audience.CITIZENS) and may_find(w.found, Audience.INSTITUTIONS)
    assert may_find(w.shown, Audience.CITIZENS) and not may_find(w.unreviewed, Audience.CITIZENS)
    assert not any(may_find(w.hidden, audience) for audience in Audience.ALL)
    suggestions.corpora()["profiles"].current()
    assert set(suggestions.corpora()["profiles"].seen) == {w.found.id, w.unreviewed.id, w.shown.id}


def test_citizen_path_the_initiator_sees_how_many_and_names_only_of_who_chose_it(app, idea_world):
    w = idea_world
    page = w.client_of(app, w.initiator).get(f"/ideer/{w.idea.id}").get_data(as_text=True)
    people = _people_section(page)
    assert "3 personer, hvis evner passer" in people
    assert "Sofie Synlig" in people
    for name in ("Frida Findes", "Ulla Ukendt", "Hans Hemmelig"):
        assert name not in page
    assert "Bed sparringsagenten invitere dem" in people
    # A stranger sees neither names nor the count.
    stranger = w.client_of(app, w.make.user(name="Sven Fremmed")).get(f"/ideer/{w.idea.id}").get_data(as_text=True)
    assert "hvis evner passer" not in stranger and "Sofie Synlig" not in stranger


def test_those_who_joined_are_named_to_the_initiator(app, idea_world):
    w = idea_world
    join_idea(w.idea, user=w.found, now=utcnow(), offer="Jeg kan hjælpe med matematik.")
    db.session.commit()
    page = w.client_of(app, w.initiator).get(f"/ideer/{w.idea.id}").get_data(as_text=True)
    assert "Frida Findes" in page.split('id="co-heading"')[1].split("</section>")[0]
    assert "Frida Findes" not in _people_section(page)


def test_the_initiator_asks_the_sparring_agent_who_sees_and_invites_them(app, idea_world):
    w = idea_world
    client = w.client_of(app, w.initiator)
    client.post(f"/ideer/{w.idea.id}/find-folk", data={})
    [asked] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "idea_people_asked"))
    assert asked.user_id == w.coordinator.id
    again = client.post(f"/ideer/{w.idea.id}/find-folk", data={}, follow_redirects=True)
    assert "allerede spurgt sparringsagenten" in again.get_data(as_text=True)
    agent = w.client_of(app, w.coordinator)
    people = _people_section(agent.get(f"/ideer/{w.idea.id}").get_data(as_text=True))
    assert "Frida Findes" in people and "Hans Hemmelig" not in people
    agent.post(f"/ideer/{w.idea.id}/inviter/{w.found.id}", data={})
    agent.post(f"/ideer/{w.idea.id}/inviter/{w.found.id}", data={})  # once per person and idea
    [invitation] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "idea_invitation"))
    assert invitation.user_id == w.found.id and HOMEWORK["title"] in invitation.body_text
    timeline = [e.kind for e in w.idea.events]
    assert IdeaEventKind.PEOPLE_ASKED in timeline and timeline.count(IdeaEventKind.INVITED) == 1
    public = w.client_of(app, w.initiator).get(f"/ideer/{w.idea.id}").get_data(as_text=True)
    assert "inviterede en, hvis evner passer" in public and "Frida Findes" not in public
    insight = w.client_of(app, w.found).get("/min-profil/indsigt").get_data(as_text=True)
    assert "Inviterede dig til at se på en idé" in insight and "Kirsten Koordinator" in insight
    with pytest.raises(DomainError):
        invite_to_idea(w.idea, w.hidden, actor=w.coordinator, now=utcnow())
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.subject_id == w.hidden.id)) is None


def test_staff_path_institutions_find_and_read_only_those_who_agreed(app, idea_world):
    w = idea_world
    task = w.make.task(w.school, title="Lektiehjælp til børn", description="Lektiehjælp til børn efter skole.")
    db.session.commit()
    found = {s.user.id for s in suggestions.volunteers_for(task)}
    assert w.hidden.id not in found and w.found.id in found
    sign_up(task.occurrences[0], volunteer=w.hidden)
    sign_up(task.occurrences[0], volunteer=w.found)
    db.session.commit()
    page = w.client_of(app, w.staff).get(f"/institution/opgaver/{task.id}").get_data(as_text=True)
    assert "Hans Hemmelig" in page  # he signed up: staff know him, but not what he wrote
    assert w.hidden.profile.skills not in page and w.found.profile.skills in page


def test_scheduler_path_the_under_filled_mail_suggests_only_those_who_agreed(app, idea_world):
    w = idea_world
    now = utcnow()
    task = w.make.task(w.school, title="Lektiehjælp til børn", description="Lektiehjælp til børn i biblioteket.",
                       starts_at=now + timedelta(days=2))
    db.session.commit()
    names = {s["name"] for s in followups.suggested_volunteers(task, task.occurrences[0], now=now)}
    assert "Hans Hemmelig" not in names and "Frida Findes" in names


def test_withdrawing_consent_takes_effect_on_the_next_page(app, idea_world):
    w = idea_world
    w.shown.profile.consent_shown_to_citizens = False
    db.session.commit()
    page = w.client_of(app, w.initiator).get(f"/ideer/{w.idea.id}").get_data(as_text=True)
    assert "Sofie Synlig" not in page and "3 personer, hvis evner passer" in page
