"""Which new passwords are refused: too short, common, or made of the site's and municipality's own words.

An attacker guessing passwords for Samskab tries the common ones first, then "Samskab2026",
"Lyngby2026!" and the demo password: words from the site, the municipality and the year with a few
digits and signs around them. A password whose letters are only such words (in any case, with digits
or signs between and around them) is refused, and so is one whose letters alone are a common password
("Password2026!" is "password"). The common list is 30,000 passwords (data/common_passwords_30k.txt)
plus our own Danish ones (portal/common_passwords.txt).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, has_app_context

HERE = Path(__file__).resolve().parent
LISTS = (HERE / "data" / "common_passwords_30k.txt", HERE.parent / "common_passwords.txt")
MIN_LENGTH = 10
MAX_LENGTH = 256
# The published demo password stays refused even after a municipality renames everything else.
DEMO_PASSWORD = "Samskab-demo-2026"
# Words of the site and of any municipality's site, which guessers try first.
SITE_WORDS = ("samskab", "samskabe", "demo", "kommune", "kommunen", "kommunes", "frivillig", "frivillige",
              "velkommen", "adgangskode", "kodeord", "password", "borger", "login", "logind", "danmark")
FOLDS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u", "ö": "oe", "ä": "ae"})


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    words = set()
    for path in LISTS:
        words.update(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))
    return frozenset(words)


def _letters(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if ch.isalpha())


def _folded(text: str) -> str:
    return text.translate(FOLDS)


def own_words(municipality: str = "", base_url: str = "") -> frozenset[str]:
    """The site's words, the municipality's name in parts, and the labels of the site's host name."""
    words = set(SITE_WORDS)
    host = urlsplit(base_url).hostname or ""
    for part in re.split(r"[^\w]+", f"{municipality} {host.replace('.', ' ')}".lower()):
        letters = _letters(part)
        if len(letters) >= 3 and letters not in {"www", "com", "net", "org", "local", "test"}:
            words.update({letters, _folded(letters)})
    return frozenset(words)


def _made_of(letters: str, words: frozenset[str]) -> bool:
    """True when `letters` is one or more of `words` joined together ("samskabdemo", "lyngbytaarbaek")."""
    reachable = [True] + [False] * len(letters)
    for end in range(1, len(letters) + 1):
        reachable[end] = any(reachable[start] and letters[start:end] in words for start in range(end))
    return reachable[-1]


def _configured_words() -> frozenset[str]:
    if not has_app_context():
        return own_words()
    config = current_app.config
    return own_words(config.get("MUNICIPALITY_NAME", ""), config.get("BASE_URL", ""))


def refusal(password: str, *, email: str | None = None) -> str | None:
    """Why this new password is refused ("short", "long", "common", "own_words", "email"), or None."""
    if len(password) < MIN_LENGTH:
        return "short"
    if len(password) > MAX_LENGTH:
        return "long"
    lowered = password.lower()
    letters = _letters(password)
    common = common_passwords()
    # Letters alone: "Password2026!" is "password"; three letters or fewer say little (mostly digits).
    if lowered in common or len(set(password)) < 4 or (len(letters) >= 4 and letters in common):
        return "common"
    if password.casefold() == DEMO_PASSWORD.casefold():
        return "own_words"
    if letters and (_made_of(letters, _configured_words()) or _made_of(_folded(letters), _configured_words())):
        return "own_words"
    if email and (lowered == email.lower() or (letters and letters == _letters(email.split("@")[0]))):
        return "email"
    return None
