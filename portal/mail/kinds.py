"""Every kind of e-mail Samskab sends: its tier, its default, whether the user may turn it off."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from models import Role

DIRECT = "direct"   # goes out at once, never folded into a digest
DIGEST = "digest"   # ambient news, collected into a daily or weekly digest


@dataclass(frozen=True)
class Kind:
    name: str
    tier: str
    default: bool
    optional: bool          # False: security and commitment mails, which the user cannot turn off
    label: object           # lazy string, shown on the settings page
    roles: tuple = ()       # shown on the settings page only to these roles (empty: to everyone)

    @property
    def is_digest(self) -> bool:
        return self.tier == DIGEST


_STAFF_WORK = (Role.STAFF, Role.COORDINATOR, Role.ADMIN)

KINDS: tuple[Kind, ...] = (
    # Account and security: always sent.
    Kind("verify", DIRECT, True, False, _l("Confirming your e-mail address")),
    Kind("reset", DIRECT, True, False, _l("Choosing a new password")),
    Kind("account_exists", DIRECT, True, False, _l("Someone tried to register with your e-mail address")),
    Kind("deletion_warning", DIRECT, True, False, _l("Warning before an inactive profile is deleted")),
    # Commitments: what changes where and when you are expected, always sent.
    Kind("waitlist_promoted", DIRECT, True, False, _l("You got a place from the waiting list")),
    Kind("task_cancelled", DIRECT, True, False, _l("A task you signed up for is cancelled")),
    Kind("task_changed", DIRECT, True, False, _l("A task you signed up for has changed")),
    Kind("signup_declined", DIRECT, True, False, _l("Your sign-up was declined")),
    Kind("pending_closed", DIRECT, True, False, _l("A sign-up that waited too long was closed")),
    Kind("task_message", DIRECT, True, False, _l("Messages from the institution about a task you signed up for")),
    Kind("profile_review", DIRECT, True, False, _l("The coordinators' answer on your volunteer profile")),
    # Volunteering: on unless turned off.
    Kind("signup_accepted", DIRECT, True, True, _l("Your sign-up is accepted")),
    Kind("shift_reminder", DIRECT, True, True, _l("Reminders the day before and two hours before a task")),
    Kind("invitation", DIRECT, True, True, _l("Personal invitations to a task")),
    Kind("certificate_expiring", DIRECT, True, True, _l("Your child certificate is about to expire")),
    Kind("inactive_nudge", DIRECT, True, True, _l("A note when you have not used Samskab for a long time")),
    # Ideas.
    Kind("idea_answer", DIRECT, True, True, _l("Answers to your ideas")),
    Kind("idea_activity", DIRECT, True, True, _l("Someone joins your idea")),
    Kind("idea_meeting", DIRECT, True, True, _l("Invitations to meetings about ideas you joined")),
    Kind("idea_invitation", DIRECT, True, True, _l("A sparring agent invites you to an idea your skills fit")),
    # Citizen budgets.
    Kind("budget_proposal", DIRECT, True, True, _l("The municipality's review of your citizen-budget proposal")),
    # Teams and networks.
    Kind("team_message", DIRECT, True, True, _l("Messages from the tovholder of a team you are in")),
    Kind("team_places_released", DIRECT, True, True,
         _l("Places your team held that no member confirmed went to others (for tovholders)")),
    Kind("network_item_answer", DIRECT, True, True, _l("The municipality's answer to an item you raised in a network")),
    # Councils' projects and the shared calendar. Whoever turns on the project digest gets updates
    # there instead of one mail each.
    Kind("project_update", DIRECT, True, True, _l("Updates from projects you follow")),
    Kind("project_invitation", DIRECT, True, True, _l("Invitations to follow a project you took part in")),
    Kind("event_signup", DIRECT, True, True, _l("Confirmation when you sign up for an event")),
    Kind("event_cancelled", DIRECT, True, False, _l("An event you signed up for is cancelled")),
    # Work mails for staff, coordinators and sparring agents.
    Kind("volunteer_cancelled", DIRECT, True, True, _l("A volunteer cancels a sign-up"), _STAFF_WORK),
    Kind("pending_nudge", DIRECT, True, True, _l("Sign-ups waiting for screening"), (Role.COORDINATOR,)),
    Kind("underfilled_task", DIRECT, True, True, _l("A task starts soon with free places"), _STAFF_WORK),
    Kind("idea_deadline", DIRECT, True, True, _l("Ideas waiting for an answer"), (Role.COORDINATOR,)),
    Kind("idea_people_asked", DIRECT, True, True, _l("An initiator asks you to invite people to an idea"),
         (Role.COORDINATOR,)),
    Kind("network_item_deadline", DIRECT, True, True, _l("Items from a network not answered by their date"),
         (Role.COORDINATOR,)),
    Kind("help_request", DIRECT, True, True, _l("Someone asks for help: a coordinator should call"),
         (Role.COORDINATOR,)),
    Kind("certificate_expiring_staff", DIRECT, True, True, _l("Volunteers' child certificates about to expire"),
         (Role.COORDINATOR,)),
    # Ambient news: off until the user turns it on.
    Kind("digest_tasks", DIGEST, False, True, _l("New tasks that match your profile")),
    Kind("digest_projects", DIGEST, False, True, _l("News from projects you follow")),
)

BY_NAME: dict[str, Kind] = {kind.name: kind for kind in KINDS}
DIGEST_KINDS: tuple[Kind, ...] = tuple(kind for kind in KINDS if kind.is_digest)
# The digest mail itself is filed under this kind; its unsubscribe link turns off the digest kinds it holds.
DIGEST_MESSAGE_KIND = "digest"


def get(name: str) -> Kind:
    """The kind called `name`; an unlisted kind is treated as a mail the user cannot turn off.

    Never swallowing an unknown kind is the safe side: tests/portal/mail/test_kinds.py fails for any
    kind queued in the code but missing here, so it gets listed with a label.
    """
    return BY_NAME.get(name) or Kind(name, DIRECT, True, False, name)


def frequency_labels() -> dict[str, object]:
    return {"off": _l("Off"), "daily": _l("Daily"), "weekly": _l("Weekly")}


def visible_to(user) -> list[Kind]:
    """The optional kinds this user may choose on the settings page."""
    return [k for k in KINDS if k.optional and (not k.roles or user.has_role(*k.roles))]
