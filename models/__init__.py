"""The data model and the domain operations of Samskab, free of HTTP.

Operations flush, never commit: the caller (a request, a job, a CLI command) commits once.
"""
from models.base import db, utcnow, DomainError  # noqa: F401
from models.people import (  # noqa: F401
    User, UserRole, Role, VolunteerProfile, AvailabilitySlot, AwayPeriod, Screening, ConsentRecord,
)
from models.organisations import Institution, InstitutionMember, Council, CouncilMember  # noqa: F401
from models.tasks import Task, Occurrence, Signup  # noqa: F401
from models.ideas import Idea, IdeaEvent, CoCreator  # noqa: F401
from models.projects import Project, ProjectUpdate, ProjectFollower, UpdateComment  # noqa: F401
from models.calendar import Event, EventSignup  # noqa: F401
from models.messages import OutboxMessage, NotificationPreference, SchedulerLease  # noqa: F401
from models.audit import AuditEntry, ContentReport  # noqa: F401
