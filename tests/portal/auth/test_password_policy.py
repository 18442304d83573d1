"""New passwords: the long common list, and the site's and municipality's own words (issue 13, item 8)."""
import pytest
from sqlalchemy import func, select

from models import User, db
from portal.auth import password_policy
from portal.auth.password_policy import refusal

FORM = {"name": "Nora", "email": "nora@example.dk", "accept": "y"}


def _register(client, password):
    response = client.post("/registrer", data={**FORM, "password": password, "confirm": password})
    return response.get_data(as_text=True)


@pytest.mark.parametrize("password", ["Lyngby2026", "Samskab-demo-2026", "samskab2026!", "SAMSKAB 1234 5678",
                                      "Lyngby-Taarbæk-2026", "lyngbytaarbaek26", "Kommunen2026!!",
                                      "Samskab.Lyngby.1", "2026-taarbæk-2026"])
def test_the_site_and_municipality_words_with_digits_are_refused(client, password):
    html = _register(client, password)
    assert "kommunens egne ord" in html, password
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize("password", ["Password2026!", "iloveyou1234", "Qwertyuiop12", "dragon-2026!!",
                                      "sunshine!!2026"])
def test_common_passwords_dressed_with_digits_are_refused(client, password):
    assert "for almindelig" in _register(client, password)


@pytest.mark.parametrize("password", ["Cykel-under-kastanjen-7", "8302-ax91-7745-kq", "Lynggaard paa Fyn er rød",
                                      "Korrekt-hest-batteri-42"])
def test_good_passwords_are_kept(client, password):
    _register(client, password)
    assert db.session.scalar(select(User.email)) == "nora@example.dk"


def test_another_municipality_refuses_its_own_name(make_app):
    app = make_app(MUNICIPALITY_NAME="Aarhus Kommune", BASE_URL="https://frivillig.aarhus.dk")
    with app.app_context():
        assert refusal("Aarhus2026!!") == "own_words"
        assert refusal("Frivillig.Aarhus.26") == "own_words"
        assert refusal("Lyngby2026!!") is None  # not this site's words any more
        assert refusal("Samskab-demo-2026") == "own_words"  # the published demo password, everywhere


def test_the_common_list_is_the_long_offline_one():
    words = password_policy.common_passwords()
    assert len(words) >= 30_000
    assert {"password", "iloveyou", "adgangskode", "sommer2026"} - words <= {"sommer2026"}
    assert (password_policy.HERE / "data" / "LICENSE.zxcvbn.txt").read_text().startswith("MIT License")


def test_the_password_may_not_be_the_address_with_digits(client):
    html = _register(client, "nora@example.dk")
    assert "må ikke være din e-mailadresse" in html
