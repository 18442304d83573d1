"""The data model and the domain operations of Samskab, free of HTTP.

One module per aggregate holds its rows, its states and the queries that state a rule
(`tasks`, `people`, `ideas`, …); beside it, `<aggregate>_operations` holds its use cases, the one door
every caller goes through (`task_operations`, `volunteer_operations`, `idea_operations`). Operations
check every rule, write, audit and tell (`notices`) in the caller's transaction; they flush, never
commit: the caller (a request, a job, a CLI command) commits once.
"""
from models.base import db, utcnow, DomainError  # noqa: F401
from models.people import (  # noqa: F401
    User, UserRole, Role, VolunteerProfile, AvailabilitySlot, AwayPeriod, Screening, ConsentRecord, ReviewStatus,
    CertificateStatus,
)
from models.organisations import Institution, InstitutionMember, Council, CouncilMember  # noqa: F401
from models.tasks import Task, Occurrence, Signup, TaskStatus, TaskKind, SignupStatus  # noqa: F401
from models.ideas import Idea, IdeaEvent, CoCreator, IdeaStatus, IdeaEventKind  # noqa: F401
from models.projects import Project, ProjectUpdate, ProjectFollower, UpdateComment  # noqa: F401
from models.calendar import Event, EventSignup  # noqa: F401
from models.messages import OutboxMessage, OutboxStatus, NotificationPreference, SchedulerLease  # noqa: F401
from models.audit import AuditEntry, ContentReport  # noqa: F401
from models.accounts import AccountMailRequest, ExternalIdentity, RecoveryCode  # noqa: F401
from models.budgets import CitizenBudget, BudgetProposal, ProposalCoCreator, BudgetVoter, Ballot  # noqa: F401
from models.plans import DevelopmentPlan, PlanGoal, PlanVersion, DialogueMeeting, FollowUpItem  # noqa: F401
from models.teams import Team, TeamMember, TeamShift, TeamShiftAnswer, TeamMessage, TeamSignup, ShiftAnswer  # noqa: F401
from models.networks import Network, NetworkMember, NetworkMeeting, NetworkItem  # noqa: F401
from models.associations import AssociationNeed, NeedOffer, MunicipalOffer  # noqa: F401
from models.selfservice import FlowCount, HelpRequest, Flow, HelpStatus  # noqa: F401
from models.municipality import MunicipalitySettings  # noqa: F401
