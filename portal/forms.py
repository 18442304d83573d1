"""Shared form pieces: trimmed text fields, password rules and Danish-friendly validators."""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import ValidationError

COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")
MIN_PASSWORD_LENGTH = 10


def clean_text(value):
    """Normalise to NFC, drop control characters and trim: what people paste is kept, minus junk."""
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value)
    value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return value.strip()


class BaseForm(FlaskForm):
    """Every form trims and cleans its text input before validation."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", ())
            if unbound_field.field_class.__name__ in {"StringField", "TextAreaField", "EmailField",
                                                        "SearchField", "TelField"}:
                options["filters"] = (clean_text, *filters)
            return unbound_field.bind(form=form, **options)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    return frozenset(line.strip().lower() for line in COMMON_PASSWORDS.read_text().splitlines()
                     if line.strip() and not line.startswith("#"))


def password_rules(form, field):
    password = field.data or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(_l("The password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH))
    if len(password) > 256:
        raise ValidationError(_l("The password is too long."))
    if password.lower() in common_passwords() or len(set(password)) < 4:
        raise ValidationError(_l("That password is too common. Choose one that is harder to guess."))
    email = getattr(getattr(form, "email", None), "data", None)
    if email and password.lower() == email.lower():
        raise ValidationError(_l("The password must not be your e-mail address."))
