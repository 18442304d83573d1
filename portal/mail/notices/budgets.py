"""Writers of the citizen-budget notices (models/budget_operations.py decides when each is given)."""
from __future__ import annotations

from flask_babel import gettext as _

from models.budgets import BudgetProposal
from portal.mail.outbox import external_url, queue_mail

KIND = "budget_proposal"


def _url(proposal: BudgetProposal) -> str:
    return external_url("budgets.budget", budget_id=proposal.budget_id, _anchor=f"forslag-{proposal.id}")


def proposal_reviewed(proposal: BudgetProposal) -> list:
    """Tell the proposer the municipality's decision (feasible with a cost, or not with the reason)."""
    if proposal.author is None:
        return []
    return [queue_mail(KIND, dedup_key=f"proposal_reviewed:{proposal.id}:{proposal.status}:{proposal.cost_kr}",
                       recipient=proposal.author,
                       subject=lambda: _('The municipality has reviewed your proposal "%(title)s"',
                                         title=proposal.title),
                       template="proposal_reviewed", context={"proposal": proposal, "url": _url(proposal)})]


def proposals_merged(source: BudgetProposal, into: BudgetProposal) -> list:
    """Tell both authors that their proposals are now one."""
    rows = []
    for proposal in (source, into):
        if proposal.author is None:
            continue
        rows.append(queue_mail(KIND, dedup_key=f"proposals_merged:{source.id}:{into.id}:{proposal.author_id}",
                               recipient=proposal.author,
                               subject=lambda: _('Two proposals are merged into "%(title)s"', title=into.title),
                               template="proposals_merged",
                               context={"source": source, "into": into, "url": _url(into)}))
    return rows
