"""Why a message was not sent, in plain words for the message log; the technical detail stays beside it."""
from __future__ import annotations

import re

from flask_babel import gettext as _

# Errors of the connection itself: the mail server could not be reached or did not answer in time.
_CONNECTION = ("ConnectionRefusedError", "ConnectionResetError", "ConnectionAbortedError", "TimeoutError",
               "timeout", "gaierror", "OSError", "SMTPServerDisconnected", "SMTPConnectError")


def describe(error: str | None) -> str:
    """A Danish sentence for a stored `last_error` (empty when there is none)."""
    if not error:
        return ""
    if error.startswith("stale"):
        return _("Not sent: the moment it was about has passed.")
    if error.startswith("no longer true"):
        return _("Not sent: what it was about is no longer true.")
    if error.split(":", 1)[0].strip() in _CONNECTION:
        return _("The mail server could not be reached. We try again by ourselves.")
    if re.match(r"^5\d\d\b", error):
        return _("The mail server refused the message, for instance because the address does not exist.")
    if re.match(r"^4\d\d\b", error) or error.startswith("SMTP"):
        return _("The mail server could not take the message right now. We try again by ourselves.")
    return _("The message could not be sent.")
