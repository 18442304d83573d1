"""Citizen budgets (borgerbudgetter): the pot, its phases, the proposals and the secret ballots.

Secrecy: `BudgetVoter` records *that* a person voted (to prevent double voting); `Ballot` records *what*
was chosen, under a key only the application can compute from the person (an HMAC with the site's
secret), with no time and no reference to a person, so no table, page or export links the two. The
person's own page finds their ballot by computing the key again; a new ballot replaces the old one.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, one_of, utcnow
from models.budget_rules import GREEDY, MES, RULES


class Phase:
    """Where a citizen budget stands; everyone sees it with its dates."""

    PROPOSALS = "proposals"   # citizens propose projects
    REVIEW = "review"         # the municipality checks them (feasible with a cost, or not with a reason)
    VOTING = "voting"         # eligible residents cast one ballot each
    COUNTING = "counting"     # voting has closed; the result is not published yet
    RESULT = "result"         # the result is published
    DELIVERY = "delivery"     # the funded projects are council projects
    ALL = (PROPOSALS, REVIEW, VOTING, COUNTING, RESULT, DELIVERY)
    NEXT = {PROPOSALS: REVIEW, REVIEW: VOTING, VOTING: COUNTING, COUNTING: RESULT}
    PUBLISHED = (RESULT, DELIVERY)


class BallotKind:
    APPROVAL = "approval"     # choose up to `max_choices` projects
    KNAPSACK = "knapsack"     # choose projects whose costs fit in the pot
    ALL = (APPROVAL, KNAPSACK)


class Rule:
    GREEDY = GREEDY
    MES = MES
    ALL = RULES


class ProposalStatus:
    SUBMITTED = "submitted"
    FEASIBLE = "feasible"
    NOT_FEASIBLE = "not_feasible"
    MERGED = "merged"
    ALL = (SUBMITTED, FEASIBLE, NOT_FEASIBLE, MERGED)


class CitizenBudget(db.Model):
    __tablename__ = "citizen_budget"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int | None] = mapped_column(ForeignKey("council.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    pot_kr: Mapped[int] = mapped_column(Integer)
    postcodes: Mapped[str] = mapped_column(String(200), default="")   # comma-separated; empty: the whole municipality
    min_age: Mapped[int] = mapped_column(Integer, default=0)
    ballot_kind: Mapped[str] = mapped_column(String(10), default=BallotKind.APPROVAL)
    max_choices: Mapped[int | None] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(10), default=Rule.GREEDY)
    phase: Mapped[str] = mapped_column(String(10), default=Phase.PROPOSALS, index=True)
    # Planned end of each phase (shown to everyone) and when the result was published.
    proposals_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voting_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    council = relationship("Council")
    proposals: Mapped[list[BudgetProposal]] = relationship(
        back_populates="budget", cascade="all, delete-orphan", order_by="BudgetProposal.id")

    __table_args__ = (
        one_of("phase", Phase.ALL),
        one_of("ballot_kind", BallotKind.ALL),
        one_of("rule", Rule.ALL),
        CheckConstraint("pot_kr > 0", name="pot_positive"),
        CheckConstraint("min_age >= 0 AND min_age <= 120", name="min_age_range"),
        CheckConstraint("max_choices IS NULL OR max_choices >= 1", name="max_choices_positive"),
    )

    @property
    def postcode_list(self) -> list[str]:
        return [p.strip() for p in self.postcodes.split(",") if p.strip()]

    @property
    def ballot_projects(self) -> list[BudgetProposal]:
        """The projects on the ballot: those found feasible, by id."""
        return [p for p in self.proposals if p.status == ProposalStatus.FEASIBLE]


class BudgetProposal(db.Model):
    __tablename__ = "budget_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("citizen_budget.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(160), default="")
    estimated_cost_kr: Mapped[int] = mapped_column(Integer)
    cost_kr: Mapped[int | None] = mapped_column(Integer)       # the cost the municipality stands behind
    status: Mapped[str] = mapped_column(String(12), default=ProposalStatus.SUBMITTED)
    reason: Mapped[str | None] = mapped_column(Text)           # why not feasible (public)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("budget_proposal.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="SET NULL"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"))
    spent_kr: Mapped[int | None] = mapped_column(Integer)      # follow-up once delivered: spent of cost_kr
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    budget: Mapped[CitizenBudget] = relationship(back_populates="proposals")
    author = relationship("User")
    co_creators: Mapped[list[ProposalCoCreator]] = relationship(back_populates="proposal",
                                                                cascade="all, delete-orphan")

    __table_args__ = (
        one_of("status", ProposalStatus.ALL),
        CheckConstraint("estimated_cost_kr >= 0", name="estimate_positive"),
        CheckConstraint("cost_kr IS NULL OR cost_kr >= 0", name="cost_positive"),
    )

    @property
    def ballot_cost(self) -> int:
        return self.cost_kr if self.cost_kr is not None else self.estimated_cost_kr


class ProposalCoCreator(db.Model):
    __tablename__ = "proposal_co_creator"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("budget_proposal.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[BudgetProposal] = relationship(back_populates="co_creators")
    user = relationship("User")

    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)


class BudgetVoter(db.Model):
    """That a person has voted in a budget (never what)."""

    __tablename__ = "budget_voter"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("citizen_budget.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)

    __table_args__ = (UniqueConstraint("budget_id", "user_id"),)


class Ballot(db.Model):
    """What one voter chose: project ids, comma-separated, under a key no one can turn back into a person."""

    __tablename__ = "budget_ballot"

    # The budget first: a budget's ballots lie together, so counting reads them in one sweep.
    budget_id: Mapped[int] = mapped_column(ForeignKey("citizen_budget.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    choices: Mapped[str] = mapped_column(Text, default="")

    # On SQLite the rows are stored in the order of their keys, not in the order they were written.
    __table_args__ = {"sqlite_with_rowid": False}

    @property
    def choice_ids(self) -> list[int]:
        return [int(c) for c in self.choices.split(",") if c]


def ballot_key(secret: str | bytes, budget_id: int, user_id: int) -> str:
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, f"samskab-ballot:{budget_id}:{user_id}".encode(), hashlib.sha256).hexdigest()


def ballot_rows(budget_id: int) -> list[str]:
    """Every ballot of a budget as stored ("3,5,9"), in the order of their keys (which says nothing about
    who voted or when; the order the rows were written would). The primary key gives that order cheaply."""
    # Straight from the driver: SQLAlchemy's row handling costs more than the rule for 100,000 ballots.
    connection = db.session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    cursor = connection.connection.cursor()
    try:
        cursor.execute(f"SELECT choices FROM budget_ballot WHERE budget_id = {mark} ORDER BY key", (budget_id,))
        return [row[0] for row in cursor.fetchall()]
    finally:
        cursor.close()


def ballots_of(budget_id: int) -> list[list[int]]:
    """Every ballot of a budget, as lists of project ids (in no order that says anything)."""
    return [[int(c) for c in row.split(",") if c] for row in ballot_rows(budget_id)]


def has_voted(budget_id: int, user_id: int) -> bool:
    return db.session.scalar(select(BudgetVoter.id).where(BudgetVoter.budget_id == budget_id,
                                                         BudgetVoter.user_id == user_id)) is not None
