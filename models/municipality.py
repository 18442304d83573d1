"""The municipality's own identity: its name, logo, contact details and colour (one row, set by an administrator).

Configuration (MUNICIPALITY_NAME, MUNICIPALITY_ADDRESS, MUNICIPALITY_PHONE, MUNICIPALITY_EMAIL,
MUNICIPALITY_WEBSITE, MUNICIPALITY_COLOUR) gives the defaults; what the administrator saves wins.
The colour is Det Fælles Designsystem's primary colour; it carries white text (buttons) and is the colour
of links and focus on white, so it must reach WCAG 2.1 AA contrast (4.5:1) against white.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import UTCDateTime, db

DKFDS_PRIMARY = "#44831E"           # the borger.dk theme's primary colour, DKFDS's own default
AA_NORMAL_TEXT = 4.5                # WCAG 2.1 SC 1.4.3
HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
LOGO_TYPES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
LOGO_MAX_BYTES = 200_000


class MunicipalitySettings(db.Model):
    """The one row of what an administrator set; empty fields fall back to configuration."""
    __tablename__ = "municipality_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(300))
    primary_colour: Mapped[str | None] = mapped_column(String(7))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at = mapped_column(UTCDateTime())

    @classmethod
    def get(cls) -> "MunicipalitySettings | None":
        return db.session.get(cls, 1)


# --- colour and contrast ---------------------------------------------------------------------------------

def normalise_colour(value: str) -> str | None:
    """'#abc', 'ABC' or '#aabbcc' -> '#AABBCC'; None if it is not a hex colour."""
    match = HEX.match((value or "").strip())
    if not match:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return "#" + digits.upper()


def _channel(c: int) -> float:
    s = c / 255
    return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of '#RRGGBB'."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def darken(colour: str, share: float) -> str:
    """Mix with black: DKFDS's darker shades for hover and pressed states."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c * (1 - share)):02X}" for c in (r, g, b))


def colour_passes_aa(colour: str) -> bool:
    """White text on the colour and the colour as text on white both need 4.5:1 (the same ratio)."""
    return contrast_ratio(colour, "#FFFFFF") >= AA_NORMAL_TEXT


def logo_type(data: bytes) -> str | None:
    """The logo's type from its first bytes (PNG or JPEG only: an SVG could carry script)."""
    for mime, magic in LOGO_TYPES.items():
        if data.startswith(magic):
            return mime
    return None


# --- what pages show --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Identity:
    name: str
    address: str
    phone: str
    email: str
    website: str
    primary_colour: str
    has_logo: bool
    version: int

    @property
    def primary_dark(self) -> str:
        return darken(self.primary_colour, 0.3)

    @property
    def primary_darker(self) -> str:
        return darken(self.primary_colour, 0.5)


def identity(config) -> Identity:
    """The identity pages show: the administrator's settings over configuration over DKFDS's defaults."""
    row = MunicipalitySettings.get()

    def pick(field: str, key: str, default: str = "") -> str:
        value = getattr(row, field, None) if row is not None else None
        return value or config.get(key) or default

    colour = normalise_colour(pick("primary_colour", "MUNICIPALITY_COLOUR", DKFDS_PRIMARY))
    if colour is None or not colour_passes_aa(colour):
        colour = DKFDS_PRIMARY  # a bad configured colour never reaches a page
    return Identity(name=pick("name", "MUNICIPALITY_NAME", "Samskab Kommune"), address=pick("address", "MUNICIPALITY_ADDRESS"),
                    phone=pick("phone", "MUNICIPALITY_PHONE"), email=pick("email", "MUNICIPALITY_EMAIL"),
                    website=pick("website", "MUNICIPALITY_WEBSITE"), primary_colour=colour,
                    has_logo=bool(row is not None and row.logo), version=row.version if row is not None else 0)
