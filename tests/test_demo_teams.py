"""The contract for checks on a fresh demo instance: networks name their tovholders and counts, joining
twice adds one member, associations link their open tasks, institutions show their teams."""
import re

from sqlalchemy import func, select

from models import Institution, Network, NetworkMember, Task, TaskStatus, Team, User, db, utcnow
from models.organisations import ASSOCIATION
from portal.demo import load_demo_data
from tests.conftest import sign_in


def test_the_contract_on_a_fresh_demo(app, client):
    load_demo_data(db.session, now=utcnow())
    db.session.commit()

    listing = client.get("/netvaerk").get_data(as_text=True)
    network_ids = [int(n) for n in re.findall(r'href="/netvaerk/(\d+)"', listing)]
    assert len(set(network_ids)) >= 2
    for network_id in set(network_ids):
        page = client.get(f"/netvaerk/{network_id}").get_data(as_text=True)
        network = db.session.get(Network, network_id)
        assert network.tovholder.name in page
        assert re.search(r"\d+ deltagere", page)

    network_id = network_ids[0]
    members = lambda: db.session.scalar(select(func.count()).select_from(NetworkMember)  # noqa: E731
                                        .where(NetworkMember.network_id == network_id))
    before = members()
    citizen = db.session.scalar(select(User).where(User.email == "borger@samskab.dk"))
    sign_in(client, citizen)
    client.post(f"/netvaerk/{network_id}/deltag")
    client.post(f"/netvaerk/{network_id}/deltag")
    assert members() == before + 1
    assert f"{before + 1} deltagere" in client.get(f"/netvaerk/{network_id}").get_data(as_text=True)

    directory = client.get("/foreninger").get_data(as_text=True)
    association_ids = {int(n) for n in re.findall(r'href="/foreninger/(\d+)"', directory)}
    assert len(association_ids) >= 3
    for association_id in association_ids:
        assert db.session.get(Institution, association_id).kind == ASSOCIATION
        page = client.get(f"/foreninger/{association_id}").get_data(as_text=True)
        open_ids = set(db.session.scalars(select(Task.id).where(Task.institution_id == association_id,
                                                                Task.status == TaskStatus.OPEN)))
        assert open_ids and {int(n) for n in re.findall(r'href="/opgaver/(\d+)"', page)} == open_ids

    institutions_with_teams = set(db.session.scalars(select(Team.institution_id)))
    assert len(institutions_with_teams) >= 2
    for institution_id in institutions_with_teams:
        page = client.get(f"/institutioner/{institution_id}").get_data(as_text=True)
        for team in db.session.scalars(select(Team).where(Team.institution_id == institution_id)):
            assert team.name in page and team.tovholder is not None and team.tovholder.name in page
