"""The citizen budget's phases as a DKFDS step indicator: an ordered list, the phase now marked
aria-current="step" (issue 15, step indicators for multi-step flows)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from models import db, utcnow
from models.budgets import Phase
from portal.budgets.explain import phase_labels
from tests.conftest import sign_in
from tests.portal.budgets.conftest import build_budget


def _budget_steps(html: str) -> list[tuple[str, bool, str]]:
    block = re.search(r'<ol class="step-indicator" aria-label="Borgerbudgettets faser">(.*?)</ol>', html, re.S)
    assert block is not None, "no step indicator on the citizen budget's page"
    items = re.findall(r"<li class=\"(\w+)\"( aria-current=\"step\")?>(.*?)</li>", block.group(1), re.S)
    return [(re.search(r'class="step-title">([^<]+)<', body).group(1), bool(current),
             " ".join(re.search(r'class="visually-hidden">(.*?)</span>', body, re.S).group(1).split()))
            for _cls, current, body in items]


@pytest.mark.parametrize("phase, current", [("proposals", 1), ("review", 2), ("voting", 3)])
def test_the_citizen_budget_shows_its_phase_as_the_current_step(client, people, phase, current):
    budget = build_budget(people, phase=phase)
    budget.voting_until = utcnow() + timedelta(days=30)
    db.session.commit()
    for viewer in (None, people["voters"][0]):
        if viewer is not None:
            sign_in(client, viewer)
        page = client.get(f"/borgerbudgetter/{budget.id}").get_data(as_text=True)
        steps = _budget_steps(page)
        assert re.search(r'<span class="step-title">Afstemning</span>\s*<span class="step-information">indtil \w+ den \d+\. ', page), page
        with client.application.test_request_context():
            titles = [str(phase_labels()[key]) for key in Phase.ALL]
        assert [t for t, _c, _s in steps] == titles
        assert [n for n, (_t, is_current, _s) in enumerate(steps, 1) if is_current] == [current]
        assert steps[current - 1][2] == f"Trin {current} af {len(Phase.ALL)}, du er her"
        assert all(s.endswith("gennemført") for _t, _c, s in steps[:current - 1])
