"""Signed, expiring tokens for links in e-mails (verification, reset, settings, reminders)."""
from __future__ import annotations

from functools import lru_cache

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return _cached_serializer(current_app.config["SECRET_KEY"], purpose)


@lru_cache(maxsize=64)
def _cached_serializer(secret_key, purpose: str) -> URLSafeTimedSerializer:
    # A job signs three links in each of thousands of mails: build the serializer once per key and purpose.
    return URLSafeTimedSerializer(secret_key, salt=f"samskab-{purpose}")


def make(purpose: str, payload) -> str:
    return _serializer(purpose).dumps(payload)


def read(purpose: str, token: str, max_age: int):
    """Return the payload, or None when the token is forged, garbled or too old."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired, UnicodeDecodeError, ValueError, TypeError):
        return None
