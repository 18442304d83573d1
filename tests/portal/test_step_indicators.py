"""Step indicators (DKFDS) on multi-step flows: an ordered list with the current step marked
aria-current="step", in Danish (issue 15, "step indicators for multi-step flows")."""
from __future__ import annotations

import re

from sqlalchemy import select

from models import OutboxMessage, User, db

PASSWORD = "Mit-gode-kodeord-2026"


def _steps(html: str) -> list[tuple[str, bool, str]]:
    """(title, is current, screen-reader status) of each step, or [] when the page has no indicator."""
    block = re.search(r'<ol class="step-indicator" aria-label="([^"]+)">(.*?)</ol>', html, re.S)
    if block is None:
        return []
    assert block.group(1) == "Trin til at blive frivillig"
    items = re.findall(r"<li class=\"(\w+)\"( aria-current=\"step\")?>(.*?)</li>", block.group(2), re.S)
    return [(re.search(r'class="step-title">([^<]+)<', body).group(1), bool(current),
             " ".join(re.search(r'class="visually-hidden">(.*?)</span>', body, re.S).group(1).split()))
            for _cls, current, body in items]


def _current(html: str) -> str:
    marked = [title for title, current, _sr in _steps(html) if current]
    assert len(marked) == 1, _steps(html)
    return marked[0]


def test_registration_shows_where_you_are_from_account_to_profile(client):
    page = client.get("/registrer").get_data(as_text=True)
    assert [t for t, _c, _s in _steps(page)] == ["Opret konto", "Bekræft e-mail", "Udfyld profil"]
    assert _current(page) == "Opret konto"
    assert _steps(page)[0][2] == "Trin 1 af 3, du er her" and _steps(page)[2][2] == "Trin 3 af 3"

    page = client.post("/registrer", data={"name": "Nina Nielsen", "email": "ny@example.dk", "password": PASSWORD,
                                           "confirm": PASSWORD, "accept": "y"}).get_data(as_text=True)
    assert _current(page) == "Bekræft e-mail"
    assert _steps(page)[0][2] == "Trin 1 af 3, gennemført"

    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "verify"))
    link = re.search(r"http://samskab\.test(/\S+)", mail.body_text).group(1)
    login = client.get(link).headers["Location"]
    answer = client.post(login, data={"email": "ny@example.dk", "password": PASSWORD})
    assert answer.headers["Location"] == "/min-profil"
    page = client.get("/min-profil").get_data(as_text=True)
    assert _current(page) == "Udfyld profil"
    assert [s for _t, _c, s in _steps(page)][:2] == ["Trin 1 af 3, gennemført", "Trin 2 af 3, gennemført"]

    # Once the profile is saved, the flow is over: the page is just "Min profil".
    saved = client.post("/min-profil", data={"offers": "time"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    user = db.session.scalar(select(User).where(User.email == "ny@example.dk"))
    assert user.profile is not None
    assert _steps(client.get("/min-profil").get_data(as_text=True)) == []


def test_a_returning_citizen_and_a_password_reset_see_no_registration_steps(client, make):
    from models import Role
    from tests.conftest import sign_in
    citizen = make.user(Role.CITIZEN)
    db.session.commit()
    page = client.post("/glemt-adgangskode", data={"email": citizen.email}, follow_redirects=True).get_data(as_text=True)
    assert "<h1>Se din e-mail</h1>" in page and _steps(page) == []
    make.profile(citizen)
    db.session.commit()
    sign_in(client, citizen)
    page = client.get("/min-profil").get_data(as_text=True)
    assert "Min profil" in page and _steps(page) == []

