"""Password hashing with the same work whether or not there is an account to check against."""
from __future__ import annotations

import secrets
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

METHOD = "scrypt"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=METHOD)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # A hash of nothing anyone knows, made with today's parameters, so checking it costs what a real
    # check costs.
    return hash_password(secrets.token_urlsafe(32))


def check_password(stored: str | None, password: str) -> bool:
    """True when `password` matches `stored`; with no stored hash the same work is done and False returned."""
    if not stored:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(stored, password)


def spend_hash_work(password: str) -> None:
    """Do the work of hashing a new password without keeping it (the answer for an address that exists)."""
    hash_password(password)


def warm_up() -> None:
    """Make the dummy hash now, so the first unknown address is not slower than the rest."""
    _dummy_hash()
