"""People: users and their roles, volunteer profiles, availability, screening and consent."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from models import passwords
from models.addresses import normalise_email
from models.base import UTCDateTime, db, one_of, utcnow


class Role(str, enum.Enum):
    CITIZEN = "citizen"
    STAFF = "staff"            # institution staff
    COUNCIL = "council"        # local council member
    COORDINATOR = "coordinator"  # volunteer coordinator or sparring agent
    ADMIN = "admin"


ROLE_VALUES = [r.value for r in Role]
WEEKDAYS = range(7)
PARTS_OF_DAY = ("morning", "afternoon", "evening")
MOTIVATIONS = ("citizenship", "difference", "community", "responsibility", "time", "skills", "network")
GENDERS = ("female", "male", "other")


class ReviewStatus:
    """The coordinators' decision on a volunteer profile; portal code and templates name it through this class."""

    NEW = "new"                               # not reviewed yet, or changed since the last decision
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"   # returned to the citizen with a message
    DECLINED = "declined"                     # holds no place, is not suggested nor invited
    RESUBMITTED = "resubmitted"               # declined, then changed by the citizen: back in the queue,
    #                                           and still holding no place until a coordinator decides
    ALL = (NEW, APPROVED, CHANGES_REQUESTED, DECLINED, RESUBMITTED)
    QUEUE = (NEW, RESUBMITTED)                # waiting for a coordinator's look
    BARRED = (DECLINED, RESUBMITTED)          # hold no place, are not suggested nor invited


class CertificateStatus:
    """Where a volunteer's child certificate stands (the certificate itself is never stored)."""

    NONE = "none"
    REQUESTED = "requested"   # the coordinator has asked for it
    RECEIVED = "received"     # seen, with the dates it is valid
    ALL = (NONE, REQUESTED, RECEIVED)


class User(db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(5), default="da")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when a coordinator created the account on the citizen's behalf (medbetjening).
    assisted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    ical_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session's id: raising it ends all of this person's sessions at their next request.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The second factor (TOTP) of coordinators and administrators who log in with a password; the time
    # step of the last code used, so a code works once (see models.accounts).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # When the person last proved who they are with MitID (through the municipality's broker); the
    # coordinator's screening page shows it. No CPR number is ever stored.
    identity_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin")
    profile: Mapped[VolunteerProfile | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", uselist=False,
        foreign_keys="VolunteerProfile.user_id")

    __table_args__ = (one_of("locale", ("da", "en")),)

    @validates("email")
    def _normalise_email(self, _key, value: str | None) -> str | None:
        # The unique constraint holds on the normalised spelling, so dressed-up twins cannot coexist.
        return normalise_email(value) or None

    @classmethod
    def by_email(cls, email: str | None) -> User | None:
        """The account with this address, however it was spelt (see models.addresses)."""
        address = normalise_email(email)
        if not address:
            return None
        return db.session.scalar(select(cls).where(cls.email == address))

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.active and self.deleted_at is None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation or 0}"

    def end_sessions(self) -> None:
        """End every open session of this person (log-out, new password, a role taken, deactivation)."""
        self.session_generation = (self.session_generation or 0) + 1

    def set_password(self, password: str) -> None:
        """A new password ends every session; the caller starts the current one again if it should go on."""
        self.password_hash = passwords.hash_password(password)
        self.password_changed_at = utcnow()
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        # An account without a password (assisted sign-up) costs the same check as one with.
        return passwords.check_password(self.password_hash, password)

    # Roles this session may not use yet: a coordinator or administrator who logged in with a password
    # and has not shown the second factor (set on the logged-in user by portal.auth.sessions).
    withheld_roles = frozenset()

    def has_role(self, *roles: Role | str) -> bool:
        """Whether this person may act in one of these roles now (see `withheld_roles`)."""
        mine = {r.role for r in self.roles} - self.withheld_roles
        return any((r.value if isinstance(r, Role) else r) in mine for r in roles)

    def holds_role(self, *roles: Role | str) -> bool:
        """Whether one of these roles is granted, usable in this session or not."""
        mine = {r.role for r in self.roles}
        return any((r.value if isinstance(r, Role) else r) in mine for r in roles)

    def revoke(self, role: Role | str) -> bool:
        """Take a role away; the person's sessions end, so no open page keeps what the role allowed."""
        value = role.value if isinstance(role, Role) else role
        rows = [row for row in self.roles if row.role == value]
        for row in rows:
            self.roles.remove(row)
        if rows:
            self.end_sessions()
        return bool(rows)

    @property
    def role_names(self) -> list[str]:
        return sorted(r.role for r in self.roles)

    def grant(self, role: Role | str) -> None:
        value = role.value if isinstance(role, Role) else role
        if not self.holds_role(value):
            self.roles.append(UserRole(role=value))


def active_with_role(role: Role) -> list[User]:
    """Active people with `role` and an e-mail address, oldest account first (whom work mails go to)."""
    from sqlalchemy import select
    return list(db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role.value, User.active.is_(True), User.deleted_at.is_(None),
               User.email.is_not(None)).order_by(User.id)))


class UserRole(db.Model):
    __tablename__ = "user_role"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")

    __table_args__ = (UniqueConstraint("user_id", "role"), one_of("role", ROLE_VALUES))


class VolunteerProfile(db.Model):
    """What a citizen offers: skills, interests, availability, area and consent to be found."""

    __tablename__ = "volunteer_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    skills: Mapped[str] = mapped_column(Text, default="")
    interests: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(Text, default="")  # comma-separated suggested tags
    postcode: Mapped[str | None] = mapped_column(String(4), index=True)
    travel_km: Mapped[int | None] = mapped_column(Integer)
    languages: Mapped[str] = mapped_column(String(200), default="dansk")
    offers_time: Mapped[bool] = mapped_column(Boolean, default=True)
    offers_ideas: Mapped[bool] = mapped_column(Boolean, default=False)
    motivations: Mapped[str] = mapped_column(String(200), default="")  # comma-separated MOTIVATIONS
    # Consent scopes (models.consent): coordinators and institutions may find and invite the person;
    # citizens with an idea may also see their name and what they offer (a separate, explicit consent).
    consent_to_be_found: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_shown_to_citizens: Mapped[bool] = mapped_column(Boolean, default=False)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    gender: Mapped[str | None] = mapped_column(String(10))
    review_status: Mapped[str] = mapped_column(String(20), default=ReviewStatus.NEW, index=True)
    review_message: Mapped[str | None] = mapped_column(Text)
    coordinator_note: Mapped[str | None] = mapped_column(Text)  # internal, coordinators only
    # The last decision; a profile changed after it goes back to the queue and shows as changed.
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="profile", foreign_keys=[user_id])
    availability: Mapped[list[AvailabilitySlot]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", lazy="selectin")
    away: Mapped[list[AwayPeriod]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", lazy="selectin")
    screening: Mapped[Screening | None] = relationship(
        back_populates="profile", cascade="all, delete-orphan", uselist=False)

    __table_args__ = (
        one_of("review_status", ReviewStatus.ALL),
        CheckConstraint("travel_km IS NULL OR (travel_km >= 0 AND travel_km <= 500)", name="travel_km_range"),
        CheckConstraint("gender IS NULL OR gender IN ('female', 'male', 'other')", name="gender_valid"),
        CheckConstraint("birth_year IS NULL OR (birth_year >= 1900 AND birth_year <= 2100)",
                        name="birth_year_range"),
    )

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]

    @property
    def motivation_list(self) -> list[str]:
        return [m for m in self.motivations.split(",") if m]

    @property
    def matching_text(self) -> str:
        return " ".join(filter(None, [self.skills, self.interests, self.tags.replace(",", " ")]))


class AvailabilitySlot(db.Model):
    __tablename__ = "availability_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("volunteer_profile.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    part: Mapped[str] = mapped_column(String(10))

    profile: Mapped[VolunteerProfile] = relationship(back_populates="availability")

    __table_args__ = (
        UniqueConstraint("profile_id", "weekday", "part"),
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        one_of("part", PARTS_OF_DAY),
    )


class AwayPeriod(db.Model):
    __tablename__ = "away_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("volunteer_profile.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    profile: Mapped[VolunteerProfile] = relationship(back_populates="away")

    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)


class Screening(db.Model):
    """Facts and dates of screening; the certificate document itself is never stored."""

    __tablename__ = "screening"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("volunteer_profile.id", ondelete="CASCADE"), unique=True)
    child_certificate_status: Mapped[str] = mapped_column(String(10), default=CertificateStatus.NONE)
    child_certificate_requested_on: Mapped[date | None] = mapped_column(Date)
    child_certificate_received_on: Mapped[date | None] = mapped_column(Date)
    child_certificate_valid_until: Mapped[date | None] = mapped_column(Date, index=True)
    pledge_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    profile: Mapped[VolunteerProfile] = relationship(back_populates="screening")

    __table_args__ = (one_of("child_certificate_status", CertificateStatus.ALL),)

    def child_certificate_valid(self, on: date) -> bool:
        return (self.child_certificate_status == CertificateStatus.RECEIVED
                and self.child_certificate_valid_until is not None and self.child_certificate_valid_until >= on)


class ConsentRecord(db.Model):
    """Every change of a consent, with time and how it was given (GDPR accountability)."""

    __tablename__ = "consent_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    given: Mapped[bool] = mapped_column(Boolean)
    how: Mapped[str] = mapped_column(String(200), default="online")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
