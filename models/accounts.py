"""What belongs to an account beside the User row: asks for account mails, the second factor, provider links."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, func, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.audit import AuditEntry
from models.base import DomainError, UTCDateTime, db, one_of, utcnow
from models.organisations import InstitutionMember
from models.people import User

ACCOUNT_MAIL_PURPOSES = ("reset", "verify")


class AccountMailRequest(db.Model):
    """Someone asked for a reset link, or for the confirmation link again, for this address.

    The request writes one row whether or not the address has an account, so both take the same work
    and time; the row is answered (mail queued, or nothing) and deleted right after the response, or by
    the scheduler within a minute. An address without an account is thus kept for seconds only.
    """

    __tablename__ = "account_mail_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __table_args__ = (one_of("purpose", ACCOUNT_MAIL_PURPOSES),)


# --- The second factor: TOTP (RFC 6238) and one-time recovery codes ------------------------------------

# A code from the step before or after the current one is accepted (clocks drift, people type slowly).
TOTP_WINDOW = 1
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator app; only its hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def _hash_code(code: str) -> str:
    # Recovery codes are 50 random bits: a plain hash cannot be reversed by guessing in any useful time.
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def _clean(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _step_of(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is (within the window), or None."""
    totp = pyotp.TOTP(secret)
    digits = _clean(code)
    current = totp.timecode(now)
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        if len(digits) == totp.digits and hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def enable_second_factor(user: User, secret: str, code: str, *, now: datetime) -> list[str]:
    """Turn the second factor on with a secret the person's app shows `code` for; returns new recovery codes.

    Raises DomainError("wrong_code") when the code does not fit the secret.
    """
    step = _step_of(secret, code, now)
    if step is None:
        raise DomainError("wrong_code")
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, now, step
    return new_recovery_codes(user, now=now)


def new_recovery_codes(user: User, *, now: datetime) -> list[str]:
    """Replace the person's recovery codes with new ones and return them (shown once, kept only hashed)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _n in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_code(raw), created_at=now))
    db.session.flush()
    return codes


def check_second_factor(user: User, code: str, *, now: datetime) -> str | None:
    """"totp" or "recovery" when `code` is a valid code not used before (it is then used up), else None."""
    if not user.totp_secret or user.totp_enabled_at is None:
        return None
    step = _step_of(user.totp_secret, code, now)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            return None  # this code (or an older one) was used already
        user.totp_last_step = step
        return "totp"
    used = db.session.execute(update(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_code(code), RecoveryCode.used_at.is_(None))
        .values(used_at=now))
    return "recovery" if used.rowcount == 1 else None


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def reset_second_factor(user: User) -> None:
    """Forget the person's second factor (they set up a new one at their next log-in); sessions end."""
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.end_sessions()


def next_totp_code(user: User, *, now: datetime) -> str:
    """The code that would be accepted next (for the development command `totp-code`)."""
    totp = pyotp.TOTP(user.totp_secret)
    step = max(totp.timecode(now), (user.totp_last_step or -1) + 1)
    return totp.generate_otp(step)


# --- Log-in through OpenID Connect providers (MitID broker, the municipality's directory) -----------------

CITIZEN, STAFF = "citizen", "staff"
IDENTITY_PROVIDERS = (CITIZEN, STAFF)


class ExternalIdentity(db.Model):
    """A person's stable subject at one OpenID provider: how the next log-in there finds the account.

    One link per person and provider ("linked once"), one person per subject. Only the provider's
    subject is kept, never a CPR number.
    """

    __tablename__ = "external_identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(20))
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("provider", "issuer", "subject"), UniqueConstraint("user_id", "provider"),
                      one_of("provider", IDENTITY_PROVIDERS))


def find_identity(provider: str, issuer: str, subject: str) -> ExternalIdentity | None:
    return db.session.scalar(select(ExternalIdentity).where(
        ExternalIdentity.provider == provider, ExternalIdentity.issuer == issuer, ExternalIdentity.subject == subject))


def link_identity(user: User, *, provider: str, issuer: str, subject: str, now: datetime) -> ExternalIdentity:
    """Link the person to their subject at a provider, once. A MitID link records the verified identity.

    Raises DomainError("identity_taken") when the subject belongs to another person and
    DomainError("already_linked") when this person is linked to another subject there.
    """
    found = find_identity(provider, issuer, subject)
    if found is not None and found.user_id != user.id:
        raise DomainError("identity_taken")
    mine = db.session.scalar(select(ExternalIdentity).where(ExternalIdentity.user_id == user.id,
                                                            ExternalIdentity.provider == provider))
    if mine is not None and mine is not found:
        raise DomainError("already_linked")
    link = found or ExternalIdentity(user_id=user.id, provider=provider, issuer=issuer, subject=subject, linked_at=now)
    db.session.add(link)
    db.session.add(AuditEntry(actor_id=user.id, subject_id=user.id, action="identity_linked", detail=provider,
                              created_at=now))
    record_identity_login(link, user, now=now)
    return link


def record_identity_login(link: ExternalIdentity, user: User, *, now: datetime) -> None:
    link.last_login_at = now
    if link.provider == CITIZEN:
        user.identity_verified_at = now
    db.session.flush()


def apply_directory_roles(user: User, groups: set[str], role_map: dict, institution_ids: set[int], *,
                          now: datetime) -> bool:
    """Make the roles and institutions the directory manages match the person's groups now.

    `role_map` is {group: [(role, institution id or None)]} (settings: OIDC_STAFF_ROLE_MAP). Only the
    roles and institutions named in the map are touched; others granted in Samskab stay. Returns True
    when something was taken away, which has ended the person's other sessions.
    """
    targets = [target for entries in role_map.values() for target in entries]
    wanted = [target for group in groups for target in role_map.get(group, [])]
    removed = False
    for role in {role for role, _i in targets if role != "staff"}:
        if any(r == role for r, _i in wanted):
            if not user.holds_role(role):
                user.grant(role)
                _audit_role(user, "role_granted", role, now)
        elif user.revoke(role):
            _audit_role(user, "role_removed", role, now)
            removed = True
    managed = {inst for role, inst in targets if role == "staff"}
    if managed:
        wanted_here = {inst for role, inst in wanted if role == "staff"} & institution_ids
        current = {m.institution_id: m for m in db.session.scalars(select(InstitutionMember).where(
            InstitutionMember.user_id == user.id))}
        for inst in managed - wanted_here:
            if inst in current:
                db.session.delete(current.pop(inst))
                _audit_role(user, "membership_remove", f"institution {inst}", now)
                removed = True
        for inst in wanted_here - set(current):
            db.session.add(InstitutionMember(institution_id=inst, user_id=user.id))
            current[inst] = None
            _audit_role(user, "membership_add", f"institution {inst}", now)
        if current and not user.holds_role("staff"):
            user.grant("staff")
        elif not current and user.revoke("staff"):
            removed = True
    if removed:
        user.end_sessions()
    db.session.flush()
    return removed


def _audit_role(user: User, action: str, detail: str, now: datetime) -> None:
    db.session.add(AuditEntry(actor_id=None, subject_id=user.id, action=action,
                              detail=f"{detail} (from the municipality's directory)", created_at=now))


def forget_log_in_data(user: User) -> None:
    """At erasure: the provider links, the second factor and the recovery codes go with the person."""
    db.session.execute(delete(ExternalIdentity).where(ExternalIdentity.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = user.identity_verified_at = None
