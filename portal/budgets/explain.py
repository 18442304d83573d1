"""Words for the citizen budgets: phase names, rule names and why each project was or was not funded."""
from __future__ import annotations

from flask_babel import gettext as _

from models.budget_rules import FUNDED_BY_VOTES, FUNDED_COMPLETION, FUNDED_EQUAL_SHARES, NO_ROOM, NO_VOTES
from models.budgets import Phase, Rule
from portal.formatting import kroner


def phase_labels() -> dict[str, str]:
    return {Phase.PROPOSALS: _("Proposals"), Phase.REVIEW: _("Review"), Phase.VOTING: _("Voting"),
            Phase.COUNTING: _("Counting"), Phase.RESULT: _("Result"), Phase.DELIVERY: _("Delivery")}


def proposal_labels() -> dict[str, str]:
    from models.budgets import ProposalStatus
    return {ProposalStatus.SUBMITTED: _("Waiting for review"), ProposalStatus.FEASIBLE: _("Feasible"),
            ProposalStatus.NOT_FEASIBLE: _("Not feasible"), ProposalStatus.MERGED: _("Merged")}


def rule_label(rule: str) -> dict[str, str]:
    if rule == Rule.MES:
        return {"name": _("Method of Equal Shares"),
                "how": _("Every voter controls an equal share of the pot. Round by round, the project whose voters "
                         "can pay for it together most cheaply for each krone is funded, and its voters pay from "
                         "their shares. When no project can be paid for any more, what is left goes to the "
                         "projects with most votes that still fit.")}
    return {"name": _("Greedy by votes"),
            "how": _("Projects are taken by their number of votes, most first (on equal votes the cheaper first, "
                     "then the older proposal). Each is funded if it still fits in what is left of the pot.")}


def explain(reason: dict, proposal) -> str:
    code = reason.get("code")
    if code == FUNDED_BY_VOTES:
        return _("Funded: when its turn came there was room for it; %(left)s was left afterwards.",
                 left=kroner(reason["left_after"]))
    if code == FUNDED_EQUAL_SHARES:
        return _("Funded with equal shares: its %(n)d voters paid at most %(pay)s each of their share of %(share)s.",
                 n=reason.get("voters", 0), pay=kroner(reason["payment"]), share=kroner(reason["share"]))
    if code == FUNDED_COMPLETION:
        return _("Funded from the money left over after the equal shares, by its number of votes; "
                 "%(left)s was left afterwards.", left=kroner(reason["left_after"]))
    if code == NO_ROOM and "voters_held" in reason:
        return _("Not funded: its voters had only %(held)s of their shares left, and afterwards only %(left)s of "
                 "the pot was left, less than its cost of %(cost)s.", held=kroner(reason["voters_held"]),
                 left=kroner(reason["left"]), cost=kroner(proposal.ballot_cost))
    if code == NO_ROOM:
        return _("Not funded: when its turn came only %(left)s was left, less than its cost of %(cost)s.",
                 left=kroner(reason["left"]), cost=kroner(proposal.ballot_cost))
    if code == NO_VOTES:
        return _("Not funded: nobody voted for it.")
    return ""
