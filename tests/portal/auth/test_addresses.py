"""One normalisation of an address for lookups, throttle keys and the unique constraint (issue 13, item 1)."""
import pytest
from hypothesis import given, strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from models import OutboxMessage, User, db
from models.addresses import normalise_email
from portal.auth.views import LOGIN_LIMIT_PER_ACCOUNT, MAIL_LIMIT_PER_ACCOUNT
from tests.factories import PASSWORD

ADDRESS = "borger@samskab.dk"
DRESSED_UP = [ADDRESS + "\u200b", "\u200e" + ADDRESS, "borger\u2060@samskab.dk", "bor\u00adger@samskab.dk",
              "BORGER@SAMSKAB.DK", ADDRESS + "\u200b\u200b\u200b", " ＢＯＲＧＥＲ@samskab.dk\ufeff"]


@pytest.mark.parametrize("spelling", DRESSED_UP)
def test_every_dressed_up_spelling_is_the_same_address(spelling):
    assert normalise_email(spelling) == ADDRESS


@given(st.text(max_size=40))
def test_normalising_twice_changes_nothing(text):
    once = normalise_email(text)
    assert normalise_email(once) == once


def _throttled(make_app, make):
    app = make_app(RATELIMIT_ENABLED=True)
    app.app_context().push()
    db.create_all()
    make.user(email=ADDRESS)
    db.session.commit()
    return app


def test_after_429_every_dressed_up_spelling_meets_the_same_limit(make_app, make):
    client = _throttled(make_app, make).test_client()
    per_minute = int(LOGIN_LIMIT_PER_ACCOUNT.split()[0])
    codes = [client.post("/log-ind", data={"email": ADDRESS, "password": "forkert-kodeord"},
                         environ_base={"REMOTE_ADDR": f"10.3.0.{i}"}).status_code for i in range(per_minute + 1)]
    assert codes[:per_minute] == [200] * per_minute and codes[-1] == 429
    for n, spelling in enumerate(DRESSED_UP):
        # From fresh IP addresses, with the right password: still the account's limit, no log-in.
        response = client.post("/log-ind", data={"email": spelling, "password": PASSWORD},
                               environ_base={"REMOTE_ADDR": f"10.4.0.{n}"})
        assert response.status_code == 429, repr(spelling)
        assert "For mange forsøg" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_reset_mails_to_one_address_are_capped_across_spellings(make_app, make):
    client = _throttled(make_app, make).test_client()
    cap = int(MAIL_LIMIT_PER_ACCOUNT.split()[0])
    codes = [client.post("/glemt-adgangskode", data={"email": spelling},
                         environ_base={"REMOTE_ADDR": f"10.5.0.{n}"}).status_code
             for n, spelling in enumerate(DRESSED_UP)]
    assert codes[:cap] == [200] * cap and set(codes[cap:]) == {429}
    queued = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "reset"))
    assert 1 <= queued <= cap  # links asked for within one second are one and the same link


def test_lookups_find_the_account_under_any_spelling(app, make):
    user = make.user(email=ADDRESS)
    db.session.commit()
    assert all(User.by_email(spelling) is user for spelling in DRESSED_UP)
    assert User.by_email("") is None and User.by_email(None) is None


def test_a_dressed_up_twin_cannot_be_stored(app, make):
    make.user(email=ADDRESS)
    db.session.commit()
    twin = User(email="Borger@Samskab.dk\u200b", name="Tvilling")
    assert twin.email == ADDRESS
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_registering_a_dressed_up_existing_address_creates_no_second_account(client, make):
    make.user(email=ADDRESS)
    db.session.commit()
    response = client.post("/registrer", data={"name": "Tvilling", "email": "\u200e" + ADDRESS.upper(),
                                               "password": "Et-helt-nyt-kodeord-9", "confirm": "Et-helt-nyt-kodeord-9",
                                               "accept": "y"})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.scalar(select(OutboxMessage.kind)) == "account_exists"
