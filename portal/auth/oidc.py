"""OpenID Connect clients (Authlib): MitID through a broker for citizens, the directory for staff.

Authorization code flow with PKCE (S256), `state` and `nonce`, discovery and JWKS from the issuer. The ID
token's signature, issuer, audience, expiry and nonce are checked; only asymmetric algorithms are
accepted ("none" and the HMAC family, whose key would be our own client secret, are refused before
Authlib looks at the token). Each configured provider is one Authlib client on the application.
"""
from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass

from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from flask import Flask, current_app

from portal.config import ConfigError
from portal.mail.outbox import external_url

log = logging.getLogger(__name__)

# The URL slug of each provider and its settings' key: /log-ind/oidc/borger/callback is fixed and
# documented, since it is registered at the provider.
SLUGS = {"borger": "citizen", "medarbejder": "staff"}
SETTINGS = {"citizen": "OIDC_CITIZEN", "staff": "OIDC_STAFF"}
ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"})
LEEWAY_SECONDS = 60
TIMEOUT_SECONDS = 10


class TokenRefused(Exception):
    """The provider's answer cannot be trusted; `reason` says why (for the log, not the person)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _alg(jwt: str) -> str | None:
    try:
        header = jwt.split(".", 1)[0]
        return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))).get("alg")
    except (ValueError, AttributeError):
        return None


class StrictOpenIDApp(FlaskOAuth2App):
    """Authlib's Flask client, with the ID token checks a log-in needs made explicit and strict."""

    def parse_id_token(self, token, nonce, claims_options=None, claims_cls=None, leeway=LEEWAY_SECONDS):
        alg = _alg(token.get("id_token", ""))
        if alg not in ASYMMETRIC:
            raise TokenRefused(f"ID token algorithm {alg!r} is not an asymmetric signature")
        metadata = self.load_server_metadata()
        # Authlib checks the audience only when told to, and would trust an algorithm list from the
        # provider: both are pinned here.
        metadata["id_token_signing_alg_values_supported"] = sorted(
            ASYMMETRIC & set(metadata.get("id_token_signing_alg_values_supported") or ["RS256"]))
        options = {"iss": {"essential": True, "value": metadata["issuer"]},
                   "aud": {"essential": True, "value": self.client_id},
                   "sub": {"essential": True}, "exp": {"essential": True}}
        return super().parse_id_token(token, nonce, claims_options=options, claims_cls=claims_cls, leeway=leeway)

    def load_server_metadata(self):
        metadata = super().load_server_metadata()
        expected = self._server_metadata_url.removesuffix("/.well-known/openid-configuration")
        if metadata.get("issuer", "").rstrip("/") != expected.rstrip("/"):
            raise TokenRefused(f"discovery names issuer {metadata.get('issuer')!r}, not {expected!r}")
        return metadata


@dataclass(frozen=True)
class ProviderSettings:
    key: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str


def configured(app: Flask | None = None) -> dict[str, ProviderSettings]:
    """The providers set up in this site's configuration (those with an issuer), by key ("citizen", "staff")."""
    config = (app or current_app).config
    return {key: ProviderSettings(key=key, **config[name]) for key, name in SETTINGS.items()
            if (config.get(name) or {}).get("issuer")}


STAFF_ROLE_TARGETS = ("coordinator", "admin", "staff")


def parse_role_map(value: str) -> dict[str, list[tuple[str, int | None]]]:
    """"group=coordinator; other=staff:12" -> {"group": [("coordinator", None)], "other": [("staff", 12)]}."""
    mapping: dict[str, list[tuple[str, int | None]]] = {}
    for entry in filter(None, (part.strip() for part in value.replace("\n", ";").split(";"))):
        group, sep, target = entry.rpartition("=")
        role, _colon, institution = target.strip().partition(":")
        if not sep or not group.strip() or role not in STAFF_ROLE_TARGETS or (role == "staff") != institution.isdecimal():
            raise ConfigError(f"OIDC_STAFF_ROLE_MAP: {entry!r} is not GROUP=coordinator, GROUP=admin or "
                              "GROUP=staff:INSTITUTION_ID")
        mapping.setdefault(group.strip(), []).append((role, int(institution) if institution else None))
    return mapping


def role_map() -> dict[str, list[tuple[str, int | None]]]:
    return parse_role_map(current_app.config.get("OIDC_STAFF_ROLE_MAP", ""))


def init_app(app: Flask) -> None:
    """Register the configured providers; a half-configured provider or a bad role map stops the start."""
    for key, name in SETTINGS.items():
        values = app.config.get(name) or {}
        if values.get("issuer") and not (values.get("client_id") and values.get("client_secret")):
            raise ConfigError(f"{name}_ISSUER is set, so {name}_CLIENT_ID and {name}_CLIENT_SECRET must be too")
    parse_role_map(app.config.get("OIDC_STAFF_ROLE_MAP", ""))
    oauth = OAuth(app)
    for key, settings in configured(app).items():
        oauth.register(key, client_cls=StrictOpenIDApp, client_id=settings.client_id,
                       client_secret=settings.client_secret,
                       server_metadata_url=f"{settings.issuer}/.well-known/openid-configuration",
                       client_kwargs={"scope": settings.scopes, "code_challenge_method": "S256",
                                      "timeout": TIMEOUT_SECONDS})
    app.extensions["samskab_oidc"] = oauth


def client(key: str) -> StrictOpenIDApp | None:
    if key not in configured():
        return None
    return current_app.extensions["samskab_oidc"].create_client(key)


def callback_url(slug: str) -> str:
    """The fixed callback address to register at the provider: BASE_URL + /log-ind/oidc/<slug>/callback."""
    return external_url("auth.oidc_callback", slug=slug)


def slug_of(key: str) -> str:
    return next(slug for slug, value in SLUGS.items() if value == key)
