"""The matching suggests teams and networks to citizens with reasons, the way it suggests tasks; the
coordinators' overview counts volunteers in teams and networks beside those who come alone."""
from __future__ import annotations

from models import Role, db
from portal import suggestions
from tests.conftest import sign_in


def _world(make):
    staff = make.user(Role.STAFF)
    school = make.institution(name="Lindegårdsskolen", staff=[staff], postcode="2800")
    homework = make.team(school, staff=staff, tovholder=make.user(), name="Lektieholdet",
                         members=[make.user()])
    homework.purpose = "Vi giver lektiehjælp til elever i matematik og dansk."
    garden = make.team(school, staff=staff, tovholder=make.user(), name="Haveholdet")
    garden.purpose = "Vi passer skolehaven, planter og luger."
    network = make.network(name="Lektiehjælp i Lyngby")
    network.purpose = "Netværk for alle, der laver lektiehjælp og læser med børn."
    db.session.flush()
    return school, homework, garden, network


def test_a_citizen_gets_fitting_teams_and_networks_with_reasons(app, make):
    school, homework, garden, network = _world(make)
    citizen = make.user()
    make.profile(citizen, skills="Lektiehjælp i matematik", interests="Børn", postcode="2800")
    db.session.commit()
    with app.test_request_context():
        found = suggestions.community_for(citizen)
    names = [item.row.name for item in found]
    assert "Lektieholdet" in names and "Lektiehjælp i Lyngby" in names and "Haveholdet" not in names
    team = next(item for item in found if item.row.name == "Lektieholdet")
    assert any("lektiehjælp" in reason.lower() for reason in team.reasons)
    assert "Near where you live" in team.reasons or "I nærheden af, hvor du bor" in team.reasons


def test_teams_one_is_in_and_declined_profiles_get_nothing(app, make):
    school, homework, garden, network = _world(make)
    member = make.user()
    make.profile(member, skills="Lektiehjælp i matematik")
    from models.team_operations import join_team
    from models import utcnow
    join_team(homework, person=member, now=utcnow(), consent=True)
    declined = make.user()
    make.profile(declined, skills="Lektiehjælp i matematik", review_status="declined")
    db.session.commit()
    with app.test_request_context():
        assert "Lektieholdet" not in [i.row.name for i in suggestions.community_for(member)]
        assert suggestions.community_for(declined) == []


def test_my_page_shows_them(client, make):
    _world(make)
    citizen = make.user()
    make.profile(citizen, skills="Lektiehjælp i matematik")
    db.session.commit()
    sign_in(client, citizen)
    page = client.get("/mig/").get_data(as_text=True)
    assert "Lektieholdet" in page and "/hold/" in page


def test_the_overview_page_shows_volunteers_in_teams_networks_and_alone(client, make):
    coordinator = make.user(Role.COORDINATOR)
    db.session.commit()
    sign_in(client, coordinator)
    page = client.get("/koordinator/overblik").get_data(as_text=True)
    assert 'id="together-teams"' in page and 'id="together-alone"' in page


def test_my_page_lists_my_teams_and_networks(client, make):
    school, homework, garden, network = _world(make)
    citizen = make.user()
    make.profile(citizen, skills="Strikning")
    from models import utcnow
    from models.network_operations import join_network
    from models.team_operations import join_team
    join_team(garden, person=citizen, now=utcnow(), consent=True)
    join_network(network, person=citizen, now=utcnow())
    db.session.commit()
    sign_in(client, citizen)
    page = client.get("/mig/").get_data(as_text=True)
    assert "Dine hold og netværk" in page
    assert f'href="/hold/{garden.id}"' in page and f'href="/netvaerk/{network.id}"' in page
