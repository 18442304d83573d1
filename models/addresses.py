"""One spelling of an e-mail address for every lookup, throttle key and the unique constraint."""
from __future__ import annotations

import unicodedata

# The column is this long; an address that normalises to more is not an address we can hold.
MAX_EMAIL_LENGTH = 254


def normalise_email(value: str | None) -> str | None:
    """NFKC, without format characters (category Cf: zero-width spaces, direction marks, soft hyphens,
    word joiners), trimmed and lower-cased; applied twice it changes nothing.

    "Borger@Samskab.dk\\u200b", "\\u200eborger@samskab.dk" and "ｂｏｒｇｅｒ@samskab.dk" are all
    "borger@samskab.dk": one person, one account, one throttle.
    """
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", value)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip().lower()
    # Lower-casing can leave a string that NFKC would still change (e.g. some Greek and Cherokee letters).
    return unicodedata.normalize("NFKC", text)
