"""Self-service measured against 75 % (issue 15, part B 6): daily counters with no person behind them, the
completion rates on the overview, and "Få hjælp" landing in the assisted-service queue."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import AuditEntry, DomainError, FlowCount, HelpRequest, Role, db, utcnow
from models.base import LOCAL
from models.selfservice_operations import ask_for_help, close_help_request, completion, count_step
from tests.conftest import sign_in


def _counts() -> dict:
    rows = db.session.execute(select(FlowCount.flow, FlowCount.step, func.sum(FlowCount.count))
                              .group_by(FlowCount.flow, FlowCount.step)).all()
    return {(flow, step): int(n) for flow, step, n in rows}


def test_the_counters_hold_no_person():
    columns = {c.name for c in FlowCount.__table__.columns}
    assert columns == {"id", "day", "flow", "step", "count"}
    assert not FlowCount.__table__.foreign_keys


def test_registration_is_counted_when_shown_and_when_done(client):
    client.get("/registrer")
    client.get("/registrer")
    response = client.post("/registrer", data={"name": "Ny Borger", "email": "ny@example.dk",
                                                "password": "en lang og god adgangssætning 42", "accept": "y",
                                                "confirm": "en lang og god adgangssætning 42"})
    assert response.status_code == 200
    counts = _counts()
    assert counts[("registration", "start")] == 2, counts
    assert counts.get(("registration", "finish")) == 1, response.get_data(as_text=True)[:3000]


def test_profile_sign_up_and_idea_are_counted(client, make):
    citizen = make.user(Role.CITIZEN)
    task = make.task(make.institution())
    db.session.commit()
    sign_in(client, citizen)
    client.get("/min-profil")
    client.post("/min-profil", data={"offers": "time", "skills": "Strikning"})
    client.post("/min-profil", data={"offers": "nonsense"})  # refused: no finish
    url = f"/opgaver/{task.id}/tilmeld?occurrence={task.occurrences[0].id}"
    client.get(url)
    assert client.post(url, data={"occurrence": str(task.occurrences[0].id)}).status_code == 302
    client.get("/ideer/ny")
    counts = _counts()
    assert counts[("profile", "start")] == 1 and counts[("profile", "finish")] == 1
    assert counts[("signup", "start")] == 1 and counts[("signup", "finish")] == 1
    assert counts[("idea", "start")] == 1 and ("idea", "finish") not in counts


def test_an_idea_is_counted_when_posted(client, make):
    citizen = make.user(Role.CITIZEN)
    db.session.commit()
    sign_in(client, citizen)
    page = client.get("/ideer/ny").get_data(as_text=True)
    assert "/hjaelp?flow=idea" in page
    data = {"title": "Bænke ved søen", "what": "Flere bænke ved søen, så ældre kan hvile sig.",
            "why": "Mange går tur der.", "area": "Søen"}
    response = client.post("/ideer/ny", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert _counts()[("idea", "finish")] == 1


def test_a_failing_counter_never_stops_the_citizen(client, make, monkeypatch):
    from portal import selfservice

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(selfservice, "count_step", broken)
    assert client.get("/registrer").status_code == 200


def test_counting_is_per_local_day_and_refuses_unknown_flows(app):
    late = (utcnow().astimezone(LOCAL).replace(hour=23, minute=30)).astimezone(LOCAL)
    count_step("signup", "start", now=late)
    count_step("signup", "start", now=late + timedelta(hours=1))  # the next local day
    count_step("signup", "finish", now=late)
    rows = db.session.scalars(select(FlowCount).where(FlowCount.flow == "signup", FlowCount.step == "start")).all()
    assert sorted(r.count for r in rows) == [1, 1] and len({r.day for r in rows}) == 2
    with pytest.raises(DomainError):
        count_step("shopping", "start", now=late)
    result = {flow: rest for flow, *rest in completion(late.date(), late.date() + timedelta(days=1))}
    assert result["signup"] == [2, 1, 0.5, False] and result["idea"] == [0, 0, None, False]


def test_the_overview_shows_each_rate_against_75_per_cent(client, make):
    coordinator = make.user(Role.COORDINATOR)
    now = utcnow()
    for _ in range(4):
        count_step("profile", "start", now=now)
    for _ in range(3):
        count_step("profile", "finish", now=now)
    count_step("idea", "start", now=now)
    count_step("idea", "start", now=now)
    count_step("idea", "finish", now=now)
    db.session.commit()
    sign_in(client, coordinator)
    page = client.get("/koordinator/overblik").get_data(as_text=True)
    table = page.split('id="self-service"')[1].split("</table>")[0]
    assert "målet på 75 %" in page
    rows = {row.split("</th>")[0].split(">")[-1]: row for row in table.split("<tr>")[2:]}
    assert "75 %" in rows["Skrive en profil"] and "målet er nået" in rows["Skrive en profil"]
    assert "50 %" in rows["Sende en idé"] and "under målet" in rows["Sende en idé"]
    assert "Ingen har startet endnu" in rows["Oprette en profil"]


@pytest.mark.parametrize("url, flow", [("/registrer", "registration"), ("/min-profil", "profile"),
                                       ("/ideer/ny", "idea"), (None, "signup")])
def test_every_flow_offers_help(client, make, url, flow):
    citizen = make.user(Role.CITIZEN)
    task = make.task(make.institution())
    db.session.commit()
    if url != "/registrer":
        sign_in(client, citizen)
    url = url or f"/opgaver/{task.id}/tilmeld?occurrence={task.occurrences[0].id}"
    assert f"/hjaelp?flow={flow}" in client.get(url).get_data(as_text=True)


def test_help_lands_in_the_assisted_service_queue_and_goes_when_called(client, make):
    page = client.get("/hjaelp?flow=signup").get_data(as_text=True)
    assert "tilmelde sig en opgave" in page
    response = client.post("/hjaelp?flow=signup", data={"name": "Åse", "phone": "12", "note": "Svært"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "mindst 8 cifre" in page and 'value="Åse"' in page
    assert db.session.scalar(select(func.count(HelpRequest.id))) == 0
    response = client.post("/hjaelp?flow=signup", data={"name": "Åse", "phone": "45 87 12 34", "note": "Svært"})
    assert "Vi ringer til dig" in response.get_data(as_text=True)
    coordinator = make.user(Role.COORDINATOR)
    db.session.commit()
    sign_in(client, coordinator)
    queue = client.get("/koordinator/medbetjening").get_data(as_text=True)
    table = queue.split('id="help-requests"')[1].split("</table>")[0]
    assert "Åse" in table and "45 87 12 34" in table and "Tilmelde sig en opgave" in table and "Svært" in table
    request_id = db.session.scalar(select(HelpRequest.id))
    assert client.post("/koordinator/hjaelp", data={"request_id": str(request_id)}).status_code == 302
    assert db.session.scalar(select(func.count(HelpRequest.id))) == 0
    assert client.post("/koordinator/hjaelp", data={"request_id": str(request_id)}).status_code == 302


def test_a_logged_in_person_gets_their_details_filled_in_and_the_help_is_audited(client, make):
    citizen = make.user(Role.CITIZEN, name="Bent Borger", phone="20304050")
    db.session.commit()
    sign_in(client, citizen)
    page = client.get("/hjaelp?flow=profile").get_data(as_text=True)
    assert 'value="Bent Borger"' in page and 'value="20304050"' in page
    client.post("/hjaelp?flow=profile", data={"name": "Bent Borger", "phone": "20304050"})
    help_request = db.session.scalar(select(HelpRequest))
    assert help_request.user_id == citizen.id and help_request.flow == "profile"
    coordinator = make.user(Role.COORDINATOR)
    close_help_request(help_request, actor=coordinator, now=utcnow())
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.subject_id == citizen.id))
    assert entry.action == "help_given" and entry.on_behalf


def test_the_operations_check_their_rules(app, make):
    with pytest.raises(DomainError):
        ask_for_help("profile", name="", phone="20304050", now=utcnow())
    with pytest.raises(DomainError):
        ask_for_help("profile", name="Bo", phone="2030", now=utcnow())
    with pytest.raises(DomainError):
        ask_for_help("nope", name="Bo", phone="20304050", now=utcnow())
    request = ask_for_help("idea", name="Bo", phone="20304050", now=utcnow())
    with pytest.raises(DomainError):
        close_help_request(request, actor=make.user(Role.CITIZEN), now=utcnow())


def test_a_help_request_tells_every_coordinator_without_the_phone_number(app, client, make):
    """The request lands in the queue and each active coordinator gets a mail linking to it; the mail holds
    neither the name nor the number, and is dropped unsent once a colleague has called."""
    from models import OutboxMessage
    from portal.mail import checks
    first, second = make.user(Role.COORDINATOR, name="Kirsten"), make.user(Role.COORDINATOR, name="Karl")
    gone = make.user(Role.COORDINATOR, name="Gitte")
    gone.active = False
    make.user(Role.CITIZEN)
    db.session.commit()
    answer = client.post("/hjaelp?flow=signup", data={"name": "Erik Eriksen", "phone": "20 30 40 50",
                                                      "note": "Jeg kan ikke finde knappen"})
    assert answer.status_code == 200
    help_request = db.session.scalar(select(HelpRequest))
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "help_request")).all()
    assert sorted(m.user_id for m in mails) == sorted([first.id, second.id])
    mail = mails[0]
    assert mail.subject == "En borger beder om hjælp og venter på et opkald"
    assert "tilmelde sig en opgave" in mail.body_text and "/koordinator/medbetjening" in mail.body_text
    for secret in ("Erik", "20 30 40 50", "20304050", "knappen"):
        assert secret not in mail.body_text + mail.body_html + mail.subject
    sign_in(client, first)
    queue = client.get("/koordinator/medbetjening").get_data(as_text=True)
    assert "Erik Eriksen" in queue and "20 30 40 50" in queue
    # Still true while the request waits; once someone has called, a mail still in the outbox is dropped.
    assert checks.stale(mails, utcnow()) == {}
    close_help_request(help_request, actor=second, now=utcnow())
    db.session.commit()
    assert set(checks.stale(mails, utcnow())) == {m.id for m in mails}


def test_an_invalid_help_request_tells_nobody(client, make):
    from models import OutboxMessage
    make.user(Role.COORDINATOR)
    db.session.commit()
    page = client.post("/hjaelp?flow=idea", data={"name": "Bo", "phone": "2030"}).get_data(as_text=True)
    assert 'value="Bo"' in page
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    assert db.session.scalar(select(func.count(HelpRequest.id))) == 0
