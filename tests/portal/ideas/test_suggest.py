"""The idea page's suggestions come from the cached, incrementally updated indexes of portal.suggestions."""
import pytest
from sqlalchemy import select

from matching import TextIndex
from models import Idea, Role, User, db, utcnow
from models.consent import Audience
from models.audit import hide_content
from portal import suggestions
from portal.ideas import suggest
from portal.scheduler.jobs import BY_ID, execute

HOMEWORK = dict(title="Lektiecafé", what="Lektiehjælp til børn i biblioteket")


@pytest.fixture
def builds(monkeypatch):
    """Counts every TextIndex.build (a full fit) while the test runs."""
    calls = []
    original = TextIndex.build

    def counting(cls, docs):
        calls.append(1)
        return original(docs)

    monkeypatch.setattr(TextIndex, "build", classmethod(counting))
    return calls


@pytest.fixture
def world(app, make):
    initiator = make.user(Role.CITIZEN, name="Ida Initiativtager")
    coordinator = make.user(Role.COORDINATOR, name="Sanne Sparring")
    stranger = make.user(Role.CITIZEN, name="Sofus Fremmed")
    idea = make.idea(initiator, **HOMEWORK)
    helper = make.user(name="Hanne Hjælper")
    make.profile(helper, skills="Lektiehjælp og matematik", interests="Børn", consent_to_be_found=True)
    staff = make.user(Role.STAFF)
    task = make.task(make.institution(staff=[staff]), title="Lektiehjælp i klubben",
                     description="Giv børn lektiehjælp efter skole.", skills_wanted="Matematik")
    db.session.commit()
    return {"initiator": initiator, "coordinator": coordinator, "stranger": stranger, "idea": idea,
            "helper": helper, "task": task}


def _suggestions(page: str) -> str:
    return page.split('id="suggest-heading"')[-1] if 'id="suggest-heading"' in page else ""


def test_the_idea_page_does_not_build_an_index_per_request(client, login, make, world, builds):
    login(world["coordinator"])
    first = _suggestions(client.get(f"/ideer/{world['idea'].id}").get_data(as_text=True))
    assert "Hanne Hjælper" in first and "Lektiehjælp i klubben" in first
    assert len(builds) == 3  # the first use in this process builds each index once: profiles, ideas, tasks
    indexes = {name: corpus.index for name, corpus in suggestions.corpora().items()}
    for _ in range(3):
        assert client.get(f"/ideer/{world['idea'].id}").status_code == 200
    # New and changed rows are added incrementally: still no build, the same index objects.
    newcomer = make.user(name="Nanna Ny")
    make.profile(newcomer, skills="Lektiehjælp til børn", consent_to_be_found=True)
    make.idea(world["stranger"], title="Lektiehjælp på biblioteket", what="Frivillige hjælper børn med lektier")
    db.session.commit()
    page = _suggestions(client.get(f"/ideer/{world['idea'].id}").get_data(as_text=True))
    assert "Nanna Ny" in page and "Lektiehjælp på biblioteket" in page
    assert len(builds) == 3
    assert {name: corpus.index for name, corpus in suggestions.corpora().items()} == indexes
    # The scheduled job is what refits (one build per index), and the page uses its fit.
    execute(BY_ID["matching_refit"], now=utcnow(), deliver=False)
    assert len(builds) == 6
    assert client.get(f"/ideer/{world['idea'].id}").status_code == 200
    assert len(builds) == 6


def test_only_coordinators_see_who_fits_the_initiator_how_many(client, login, world):
    url = f"/ideer/{world['idea'].id}"
    assert "Hanne Hjælper" not in client.get(url).get_data(as_text=True)  # anonymous
    login(world["stranger"])
    page = client.get(url).get_data(as_text=True)
    assert "Hanne Hjælper" not in page and "Lektiehjælp i klubben" in _suggestions(page)
    assert "hvis evner passer" not in page
    login(world["initiator"])
    page = _suggestions(client.get(url).get_data(as_text=True))
    assert "Hanne Hjælper" not in page and "1 person, hvis evner passer" in page
    login(world["coordinator"])
    assert "Hanne Hjælper" in _suggestions(client.get(url).get_data(as_text=True))


def test_withdrawn_consent_and_deactivation_take_effect_at_once(client, login, make, world, builds):
    idea = world["idea"]
    other = make.user(name="Ole Anden")
    make.profile(other, skills="Lektiehjælp og matematik for børn", consent_to_be_found=True)
    db.session.commit()
    assert {s.item.name for s in suggest.people_for(idea, Audience.COORDINATORS)} == {"Hanne Hjælper", "Ole Anden"}
    world["helper"].profile.consent_to_be_found = False
    db.session.get(User, other.id).active = False
    db.session.commit()
    assert suggest.people_for(idea, Audience.COORDINATORS) == []
    login(world["coordinator"])
    page = client.get(f"/ideer/{idea.id}").get_data(as_text=True)
    assert "Hanne Hjælper" not in page and "Ole Anden" not in page
    assert len(builds) == 3


def test_people_offering_only_ideas_are_suggested_for_ideas_not_for_tasks(make, world):
    thinker = make.user(name="Tove Tænker")
    make.profile(thinker, skills="Lektiehjælp, børn og matematik", offers_time=False, offers_ideas=True,
                 consent_to_be_found=True)
    db.session.commit()
    assert "Tove Tænker" in {s.item.name for s in suggest.people_for(world["idea"], Audience.COORDINATORS)}
    assert "Tove Tænker" not in {s.user.name for s in suggestions.volunteers_for(world["task"])}
    assert "Hanne Hjælper" in {s.user.name for s in suggestions.volunteers_for(world["task"])}


def test_the_initiator_and_co_creators_are_not_suggested_to_themselves(make, world):
    idea = world["idea"]
    make.profile(world["initiator"], skills="Lektiehjælp til børn", consent_to_be_found=True)
    make.co_creator(idea, world["helper"])
    db.session.commit()
    assert suggest.people_for(idea, Audience.COORDINATORS) == []


def test_hidden_closed_and_own_ideas_are_not_similar(make, world):
    idea, stranger = world["idea"], world["stranger"]
    similar = make.idea(stranger, title="Lektiehjælp i klubhuset", what="Lektiehjælp til børn efter skole")
    closed = make.idea(stranger, title="Lektiecafé på skolen", what="Lektiehjælp til børn", status="closed")
    db.session.commit()
    assert [s.item.id for s in suggest.similar_ideas(idea)] == [similar.id]
    assert closed.id not in {s.item.id for s in suggest.similar_ideas(similar)}
    hide_content("idea", similar.id, actor=world["coordinator"], now=utcnow(), reason="Reklame")
    db.session.commit()
    assert suggest.similar_ideas(idea) == []
    assert db.session.scalar(select(Idea.hidden).where(Idea.id == similar.id)) is True


def test_tasks_without_a_free_future_place_are_not_suggested(make, world):
    task = world["task"]
    assert [s.item.id for s in suggest.similar_tasks(world["idea"])] == [task.id]
    task.status = "closed"
    db.session.commit()
    assert suggest.similar_tasks(world["idea"]) == []
