"""Labels for audit-log actions, sign-up states and consents, shared by the coordinators' pages and the
citizen's insight page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from models import SignupStatus
from models.audit import AuditAction as A
from models.volunteer_operations import ConsentKind


def action_labels() -> dict:
    return {A.VIEWED_PROFILE: _l("Looked at the profile"), A.VIEWED_SCREENING: _l("Looked at screening facts"),
            A.REVIEWED: _l("Decided on the profile"), A.NOTE_CHANGED: _l("Changed the internal note"),
            A.SCREENING_RECORDED: _l("Recorded screening facts"),
            A.ASSISTED_CREATED: _l("Created the profile on your behalf"),
            A.CONSENT_RECORDED: _l("Recorded your consent"), A.ASSISTED_SIGNUP: _l("Signed you up for a task"),
            A.PHONE_LIST: _l("Listed your phone number to call you about a task"),
            A.SIGNUP_ACCEPTED: _l("Accepted your sign-up"), A.SIGNUP_DECLINED: _l("Declined your sign-up"),
            A.SIGNUP_CANCELLED: _l("Cancelled a sign-up on your behalf"),
            A.PLACES_RELEASED: _l("Gave back your places in coming tasks"),
            A.ATTENDANCE_RECORDED: _l("Recorded whether you came"),
            A.INVITED: _l("Invited you to a task"), A.IDEA_INVITED: _l("Invited you to look at an idea"),
            A.ROLE_GRANTED: _l("Gave a role"), A.MUNICIPALITY_CHANGED: _l("Changed the municipality's name, contact details or colour"), A.ROLE_REMOVED: _l("Removed a role"),
            A.MEMBERSHIP_ADDED: _l("Added a membership"), A.MEMBERSHIP_REMOVED: _l("Removed a membership"),
            A.TEAM_JOINED: _l("Joined a team and agreed to share name and phone with its members"),
            A.TEAM_LEFT: _l("Left a team"),
            A.ACTIVATED: _l("Reactivated the account"), A.DEACTIVATED: _l("Deactivated the account"),
            A.CONTENT_HIDDEN: _l("Hid something you wrote"), A.CONTENT_SHOWN: _l("Showed something you wrote again"),
            A.CONTENT_KEPT: _l("Kept something you wrote after a report")}


def detail_labels() -> dict:
    """Details worth saying in words: the review decisions."""
    from models import ReviewStatus
    return {ReviewStatus.APPROVED: _l("approved"), ReviewStatus.CHANGES_REQUESTED: _l("asked you for a change"),
            ReviewStatus.DECLINED: _l("declined")}


def signup_status_labels() -> dict:
    return {SignupStatus.PENDING: _l("Waiting for screening"), SignupStatus.ACCEPTED: _l("Accepted"),
            SignupStatus.WAITLISTED: _l("On the waiting list"), SignupStatus.CANCELLED: _l("Sign-up cancelled"),
            SignupStatus.DECLINED: _l("Declined"), SignupStatus.ATTENDED: _l("Attended"),
            SignupStatus.NO_SHOW: _l("Did not come")}


def consent_labels() -> dict:
    return {ConsentKind.PROFILE: _l("Keeping the profile and contact details"),
            ConsentKind.CONTACT: _l("Being contacted about tasks"),
            ConsentKind.BE_FOUND: _l("Being found by coordinators and institutions"),
            ConsentKind.SHOWN_TO_CITIZENS: _l("Being shown by name to citizens with an idea"),
            ConsentKind.PLEDGE: _l("Confidentiality pledge")}
