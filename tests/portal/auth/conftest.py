"""Two real OpenID Providers (a MitID broker's and the municipality's directory) for the OIDC tests."""
import pytest

from tests.oidc_provider import Provider

BASE = "http://samskab.test"
SECRET = "a-client-secret-long-enough-for-hs256-keys"


def _client(client_id: str, slug: str, base: str = BASE) -> dict:
    return {"client_id": client_id, "client_secret": SECRET,
            "redirect_uris": [f"{base}/log-ind/oidc/{slug}/callback"], "post_logout_redirect_uris": [f"{base}/"]}


@pytest.fixture(scope="session")
def providers():
    citizen = Provider([_client("samskab-borger", "borger")])
    staff = Provider([_client("samskab-medarbejder", "medarbejder")])
    yield {"citizen": citizen, "staff": staff}
    citizen.stop()
    staff.stop()


def oidc_settings(providers, **extra) -> dict:
    return {"OIDC_CITIZEN": {"issuer": providers["citizen"].issuer, "client_id": "samskab-borger",
                             "client_secret": SECRET, "scopes": "openid profile"},
            "OIDC_STAFF": {"issuer": providers["staff"].issuer, "client_id": "samskab-medarbejder",
                           "client_secret": SECRET, "scopes": "openid profile email groups"},
            "OIDC_STAFF_ROLES_CLAIM": "groups", **extra}


@pytest.fixture
def oidc_app(make_app, providers, make):
    """The app with both providers configured, and an institution the directory's groups can name."""
    from models import db
    app = make_app(**oidc_settings(providers))
    with app.app_context():
        db.create_all()
        school = make.institution(name="Lyngby Skole")
        db.session.commit()
        app.config["OIDC_STAFF_ROLE_MAP"] = f"koordinatorer=coordinator; it-admin=admin; skole-personale=staff:{school.id}"
        for provider in providers.values():
            provider.tamper(None)
        yield app
