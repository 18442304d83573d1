"""Log-in with OpenID Connect against real providers on loopback (issue 18): MitID via a broker, and staff."""
import pytest
from sqlalchemy import func, inspect, select, text

from models import AuditEntry, ExternalIdentity, InstitutionMember, Role, User, db
from tests.conftest import sign_in
from tests.factories import PASSWORD
from tests.oidc_provider import log_in_at
from tests.portal.auth.conftest import BASE

pytestmark = pytest.mark.oidc
CPR = "0101701234"


def _through(client, providers, key, sub, path=None, **claims):
    """Start at Samskab, log in at the provider as `sub` with `claims`, and follow it back to the callback."""
    providers[key].account(sub, **claims)
    start = client.get(path or f"/log-ind/oidc/{'borger' if key == 'citizen' else 'medarbejder'}")
    assert start.status_code == 302 and start.headers["Location"].startswith(providers[key].issuer)
    back = log_in_at(providers[key], start.headers["Location"], sub, BASE)
    return client.get(back.removeprefix(BASE))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _logged_in(client) -> bool:
    return client.get("/indstillinger/sikkerhed").status_code == 200


def test_the_authorization_request_uses_pkce_state_and_nonce(oidc_app, providers):
    location = oidc_app.test_client().get("/log-ind/oidc/borger").headers["Location"]
    for part in ("code_challenge_method=S256", "code_challenge=", "state=", "nonce=", "response_type=code",
                 "redirect_uri=http%3A%2F%2Fsamskab.test%2Flog-ind%2Foidc%2Fborger%2Fcallback"):
        assert part in location


def test_first_mitid_log_in_creates_the_account_and_the_second_finds_it(oidc_app, providers):
    client = oidc_app.test_client()
    response = _through(client, providers, "citizen", "mitid-sub-1", name="Mette Jensen", cpr=CPR)
    assert response.status_code == 302 and response.headers["Location"] == "/log-ind/oidc/borger/velkommen"
    page = client.get("/log-ind/oidc/borger/velkommen").get_data(as_text=True)
    assert "Mette Jensen" in page and 'name="name"' not in page  # MitID gave the name: not asked again
    created = client.post("/log-ind/oidc/borger/velkommen", data={"email": ""})
    assert created.status_code == 302 and created.headers["Location"] == "/mig/"
    user = db.session.scalar(select(User).where(User.name == "Mette Jensen"))
    assert user.has_role(Role.CITIZEN) and user.email is None and user.password_hash is None
    assert user.identity_verified_at is not None
    assert _logged_in(client)
    again = oidc_app.test_client()
    response = _through(again, providers, "citizen", "mitid-sub-1", name="Mette Jensen", cpr=CPR)
    assert response.status_code == 302 and response.headers["Location"] == "/mig/"
    assert _count(User) == 1 and _count(ExternalIdentity) == 1
    _no_cpr_anywhere()


def _no_cpr_anywhere():
    with db.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                assert CPR not in " ".join(map(str, row)), table


def test_a_missing_name_is_asked_for_and_an_email_gets_a_confirmation(oidc_app, providers):
    client = oidc_app.test_client()
    _through(client, providers, "citizen", "mitid-sub-2")
    page = client.get("/log-ind/oidc/borger/velkommen").get_data(as_text=True)
    assert 'name="name"' in page
    refused = client.post("/log-ind/oidc/borger/velkommen", data={"name": "", "email": "ikke en adresse"})
    assert refused.status_code == 200 and _count(ExternalIdentity) == 0
    created = client.post("/log-ind/oidc/borger/velkommen", data={"name": "Ali Hansen", "email": "Ali@Example.dk"})
    assert created.status_code == 302
    user = User.by_email("ali@example.dk")
    assert user.name == "Ali Hansen" and user.email_verified_at is None
    from models import OutboxMessage
    assert db.session.scalar(select(OutboxMessage.kind).where(OutboxMessage.recipient == "ali@example.dk")) == "verify"


def test_a_password_account_is_linked_once_after_logging_in_with_both(oidc_app, providers, make):
    make.user(email="borger@example.dk", name="Bo Borger")
    db.session.commit()
    client = oidc_app.test_client()
    assert client.post("/log-ind", data={"email": "borger@example.dk", "password": PASSWORD}).status_code == 302
    response = _through(client, providers, "citizen", "mitid-bo", path="/log-ind/oidc/borger?forbind=1",
                        name="Bo Borger")
    assert response.status_code == 302 and response.headers["Location"] == "/indstillinger/sikkerhed"
    user = User.by_email("borger@example.dk")
    assert user.identity_verified_at is not None
    link = db.session.scalar(select(ExternalIdentity))
    assert (link.user_id, link.provider, link.subject) == (user.id, "citizen", "mitid-bo")
    # Linked once: another MitID cannot be added to the same profile.
    refused = _through(client, providers, "citizen", "mitid-other", path="/log-ind/oidc/borger?forbind=1")
    assert refused.status_code == 302
    assert "allerede forbundet" in client.get("/indstillinger/sikkerhed").get_data(as_text=True)
    assert _count(ExternalIdentity) == 1
    # From now on MitID alone finds the profile.
    other = oidc_app.test_client()
    assert _through(other, providers, "citizen", "mitid-bo").headers["Location"] == "/mig/"


def test_a_first_mitid_log_in_can_be_linked_by_logging_in_with_the_password(oidc_app, providers, make):
    make.user(email="eva@example.dk", name="Eva")
    db.session.commit()
    client = oidc_app.test_client()
    _through(client, providers, "citizen", "mitid-eva", name="Eva Eriksen")
    page = client.get("/log-ind").get_data(as_text=True)
    assert "forbundet med dit MitID" in page
    assert client.post("/log-ind", data={"email": "eva@example.dk", "password": PASSWORD}).status_code == 302
    assert db.session.scalar(select(ExternalIdentity.user_id)) == User.by_email("eva@example.dk").id
    assert _count(User) == 1  # nothing new created


def test_the_coordinators_screening_page_shows_the_mitid_confirmation(oidc_app, providers, make):
    citizen = make.user(email="c@example.dk")
    profile = make.profile(citizen)
    coordinator = make.user(Role.COORDINATOR)
    db.session.commit()
    client = oidc_app.test_client()
    client.post("/log-ind", data={"email": "c@example.dk", "password": PASSWORD})
    _through(client, providers, "citizen", "mitid-c", path="/log-ind/oidc/borger?forbind=1")
    page = sign_in(oidc_app.test_client(), coordinator).get(f"/koordinator/profiler/{profile.id}")
    assert "Identitet bekræftet med MitID" in page.get_data(as_text=True)


def test_staff_get_their_roles_from_the_directory_at_every_log_in(oidc_app, providers):
    first = oidc_app.test_client()
    response = _through(first, providers, "staff", "entra-oid-1", name="Karin Koordinator",
                        email="karin@kommune.dk", groups=["koordinatorer", "skole-personale", "kantine"])
    assert response.status_code == 302 and response.headers["Location"] == "/koordinator/"
    karin = User.by_email("karin@kommune.dk")
    assert karin.holds_role(Role.COORDINATOR, Role.STAFF) and not karin.holds_role(Role.ADMIN)
    assert _count(InstitutionMember) == 1
    # The directory's own factors count: no second factor is asked of a directory log-in.
    assert first.get("/koordinator/").status_code == 200
    # Removed from the coordinators' group: the next log-in takes the role and ends the earlier sessions.
    second = oidc_app.test_client()
    response = _through(second, providers, "staff", "entra-oid-1", name="Karin Koordinator",
                        email="karin@kommune.dk", groups=["skole-personale"])
    assert response.headers["Location"] == "/institution/"
    karin = db.session.get(User, karin.id)
    assert not karin.holds_role(Role.COORDINATOR) and karin.holds_role(Role.STAFF)
    assert first.get("/koordinator/").status_code == 302
    assert second.get("/koordinator/").status_code == 403
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == karin.id)).all()
    assert "role_removed" in actions
    # Out of every mapped group: no role left, no log-in.
    third = oidc_app.test_client()
    response = _through(third, providers, "staff", "entra-oid-1", email="karin@kommune.dk", groups=[])
    assert response.headers["Location"] == "/log-ind" and not _logged_in(third) and not _logged_in(second)
    assert _count(InstitutionMember) == 0


def test_someone_the_directory_gives_no_role_gets_no_account(oidc_app, providers):
    client = oidc_app.test_client()
    response = _through(client, providers, "staff", "entra-oid-2", email="x@kommune.dk", groups=["kantine"])
    assert response.headers["Location"] == "/log-ind"
    assert "giver ikke adgang" in client.get("/log-ind").get_data(as_text=True)
    assert User.by_email("x@kommune.dk") is None


@pytest.mark.parametrize("mode", ["wrong_nonce", "wrong_audience", "wrong_issuer", "expired", "unknown_key",
                                  "alg_none", "hs256"])
def test_a_bad_id_token_is_refused_with_a_danish_message_and_nothing_written(oidc_app, providers, mode):
    before = (_count(User), _count(ExternalIdentity), _count(AuditEntry))
    client = oidc_app.test_client()
    providers["staff"].tamper(mode)
    try:
        response = _through(client, providers, "staff", f"entra-{mode}", email=f"{mode}@kommune.dk",
                            groups=["it-admin"])
    finally:
        providers["staff"].tamper(None)
    assert response.status_code == 302 and response.headers["Location"] == "/log-ind"
    assert "kunne ikke godkendes" in client.get("/log-ind").get_data(as_text=True)
    assert (_count(User), _count(ExternalIdentity), _count(AuditEntry)) == before
    assert not _logged_in(client)


def test_a_tampered_state_is_refused(oidc_app, providers):
    client = oidc_app.test_client()
    providers["citizen"].account("mitid-state", name="Sofie")
    start = client.get("/log-ind/oidc/borger")
    back = log_in_at(providers["citizen"], start.headers["Location"], "mitid-state", BASE)
    forged = back.replace("state=", "state=x")
    response = client.get(forged.removeprefix(BASE))
    assert response.status_code == 302 and response.headers["Location"] == "/log-ind"
    assert "ikke startet her" in client.get("/log-ind").get_data(as_text=True)
    assert client.get("/log-ind/oidc/borger/velkommen").status_code == 302 and _count(ExternalIdentity) == 0


def test_log_out_ends_the_session_here_and_at_the_provider(oidc_app, providers):
    client = oidc_app.test_client()
    _through(client, providers, "staff", "entra-oid-3", email="lo@kommune.dk", groups=["it-admin"])
    assert _logged_in(client)
    response = client.post("/log-ud")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(providers["staff"].issuer) and "id_token_hint=" in location
    assert "post_logout_redirect_uri=http%3A%2F%2Fsamskab.test%2F" in location
    assert not _logged_in(client)


def test_without_configuration_nothing_changes_for_password_users(client, make):
    make.user(email="p@example.dk")
    db.session.commit()
    page = client.get("/log-ind").get_data(as_text=True)
    assert "MitID" not in page and "arbejdskonto" not in page
    assert client.get("/log-ind/oidc/borger").status_code == 404
    assert client.post("/log-ind", data={"email": "p@example.dk", "password": PASSWORD}).status_code == 302


def test_the_log_out_form_may_lead_to_the_configured_providers_and_nowhere_else(oidc_app, providers, client):
    csp = oidc_app.test_client().get("/").headers["Content-Security-Policy"]
    form_action = next(part for part in csp.split(";") if part.strip().startswith("form-action")).split()[1:]
    assert form_action == ["'self'", *sorted(p.issuer for p in providers.values())]
    assert "form-action 'self';" in client.get("/").headers["Content-Security-Policy"]  # none configured
