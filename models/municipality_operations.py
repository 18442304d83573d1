"""Use cases of the municipality's identity: an administrator sets name, contact details, colour and logo."""
from __future__ import annotations

from datetime import datetime

from models.audit import AuditAction, record
from models.base import DomainError, db
from models.municipality import (LOGO_MAX_BYTES, MunicipalitySettings, colour_passes_aa, logo_type,
                                 normalise_colour)

TEXT_FIELDS = ("name", "address", "phone", "email", "website")


def update_municipality(*, actor, now: datetime, name: str, address: str = "", phone: str = "", email: str = "",
                        website: str = "", primary_colour: str = "", logo: bytes | None = None,
                        remove_logo: bool = False) -> MunicipalitySettings:
    """Save the identity. Rules: a name; a colour, if given, is a hex colour with AA contrast on white
    (`colour_invalid`, `colour_contrast`); a logo is a PNG or JPEG of at most 200 kB (`logo_type`, `logo_size`)."""
    name = (name or "").strip()
    if not name:
        raise DomainError("name_missing")
    colour = None
    if (primary_colour or "").strip():
        colour = normalise_colour(primary_colour)
        if colour is None:
            raise DomainError("colour_invalid")
        if not colour_passes_aa(colour):
            raise DomainError("colour_contrast", colour=colour)
    mime = None
    if logo:
        if len(logo) > LOGO_MAX_BYTES:
            raise DomainError("logo_size")
        mime = logo_type(logo)
        if mime is None:
            raise DomainError("logo_type")
    row = MunicipalitySettings.get()
    if row is None:
        row = MunicipalitySettings(id=1, version=0)
        db.session.add(row)
    values = {"name": name, "address": (address or "").strip(), "phone": (phone or "").strip(),
              "email": (email or "").strip(), "website": (website or "").strip()}
    for field in TEXT_FIELDS:
        setattr(row, field, values[field] or None)
    row.primary_colour = colour
    if logo:
        row.logo, row.logo_type = logo, mime
    elif remove_logo:
        row.logo, row.logo_type = None, None
    row.version = (row.version or 0) + 1
    row.updated_at = now
    record(None, actor=actor, action=AuditAction.MUNICIPALITY_CHANGED, now=now,
           detail=f"name={name}; colour={colour or '-'}; logo={'new' if logo else ('removed' if remove_logo else 'kept')}")
    db.session.flush()
    return row
