"""Writers of the volunteer notices (models/volunteer_operations.py decides when each is given)."""
from __future__ import annotations

from flask_babel import gettext as _

from models import ReviewStatus, VolunteerProfile
from portal.mail.outbox import external_url, queue_mail

REVIEW_KIND = "profile_review"


def profile_reviewed(profile: VolunteerProfile, decision: str, message: str, released: list):
    """To the citizen: the coordinators' decision, their message, and any places given back (kindly)."""
    subjects = {ReviewStatus.APPROVED: lambda: _("Your volunteer profile is approved"),
                ReviewStatus.CHANGES_REQUESTED: lambda: _("Please change your volunteer profile"),
                ReviewStatus.DECLINED: lambda: _("Your volunteer profile was not approved")}
    return queue_mail(REVIEW_KIND, dedup_key=f"{REVIEW_KIND}:{profile.id}:{decision}:{profile.reviewed_at.isoformat()}",
                      recipient=profile.user, subject=subjects[decision], template="profile_review",
                      context={"decision": decision, "message": message, "released": released,
                               "profile_url": external_url("citizens.profile")})
