"""Labels for audit-log actions, shared by the coordinators' log and the citizen's insight page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from models import screening as ops


def action_labels() -> dict:
    return {ops.VIEWED_PROFILE: _l("Looked at the profile"), ops.VIEWED_SCREENING: _l("Looked at screening facts"),
            ops.REVIEWED: _l("Reviewed the profile"), ops.NOTE_CHANGED: _l("Changed the internal note"),
            ops.SCREENING_RECORDED: _l("Recorded screening facts"),
            ops.ASSISTED_CREATED: _l("Created the profile on your behalf"),
            ops.CONSENT_RECORDED: _l("Recorded your consent"), ops.ASSISTED_SIGNUP: _l("Signed you up for a task"),
            ops.PHONE_LIST: _l("Listed your phone number to call you about a task"),
            "role_granted": _l("Gave a role"), "role_removed": _l("Removed a role"),
            "membership_add": _l("Added a membership"), "membership_remove": _l("Removed a membership"),
            "activated": _l("Reactivated the account"), "deactivated": _l("Deactivated the account")}


def signup_status_labels() -> dict:
    return {"pending": _l("Waiting for screening"), "accepted": _l("Accepted"), "waitlisted": _l("On the waiting list"),
            "cancelled": _l("Sign-up cancelled"), "declined": _l("Declined"), "attended": _l("Attended")}


def consent_labels() -> dict:
    return {"profile": _l("Keeping the profile and contact details"),
            "contact": _l("Being contacted about tasks"),
            "be_found": _l("Being found by coordinators and institutions"),
            "confidentiality_pledge": _l("Confidentiality pledge")}
