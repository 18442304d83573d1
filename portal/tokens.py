"""Signed, expiring tokens for links in e-mails (verification, reset, settings, reminders)."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"samskab-{purpose}")


def make(purpose: str, payload) -> str:
    return _serializer(purpose).dumps(payload)


def read(purpose: str, token: str, max_age: int):
    """Return the payload, or None when the token is forged, garbled or too old."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired, UnicodeDecodeError, ValueError, TypeError):
        return None
