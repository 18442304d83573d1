"""Conventions every route must keep, checked over the whole URL map (so new rooms inherit them).

The role matrix and the "POST without a token is refused" walk live in test_access.py; this module
adds what they do not: an exempt route must be a TOKEN route with a written reason, nothing exempts a
whole blueprint, and a real form post with its token goes through while the same post without it
is refused with a Danish message.
"""
import re

from models import db
from portal.access import TOKEN, rule_of
from tests.factories import PASSWORD
from tests.portal.test_access import CSRF_EXEMPT, routes

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _view_name(view) -> str:
    return f"{view.__module__}.{view.__name__}"


def test_every_state_changing_route_has_an_access_rule(app):
    missing = [f"{m} {r.rule}" for r, m in routes(app)
               if m in STATE_CHANGING and not rule_of(app.view_functions[r.endpoint])]
    assert not missing, f"State-changing routes without @access(...): {missing}"


def test_csrf_exempt_routes_are_token_routes_with_a_reason(app):
    csrf = app.extensions["csrf"]
    assert not csrf._exempt_blueprints, "A whole blueprint is exempt from CSRF protection"
    exempt_routes = {(r.rule, m) for r, m in routes(app) if m in STATE_CHANGING
                     and _view_name(app.view_functions[r.endpoint]) in csrf._exempt_views}
    unexplained = exempt_routes - set(CSRF_EXEMPT)
    assert not unexplained, f"csrf.exempt without a reason in test_access.CSRF_EXEMPT: {sorted(unexplained)}"
    for rule, method in exempt_routes:
        endpoint = next(r.endpoint for r, m in routes(app) if (r.rule, m) == (rule, method))
        assert TOKEN in rule_of(app.view_functions[endpoint]), f"{rule} is CSRF-exempt but not a TOKEN route"
        assert "<token>" in rule, f"{rule} is CSRF-exempt but carries no signed token in its URL"


def test_exempt_list_has_a_reason_comment_for_each_entry():
    from pathlib import Path
    source = (Path(__file__).with_name("test_access.py")).read_text()
    block = source.split("CSRF_EXEMPT = {", 1)[1].split("}", 1)[0]
    entries = re.findall(r'\("([^"]+)", "([A-Z]+)"\)', block)
    comments = [line for line in block.splitlines() if line.strip().startswith("#")]
    assert len(comments) >= len(entries), "Every CSRF-exempt route needs a comment saying why"


def test_a_real_form_post_needs_its_token(make_app, make):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        make.user(email="csrf@example.dk")
        db.session.commit()
        client = app.test_client()
        form = {"email": "csrf@example.dk", "password": PASSWORD}
        refused = client.post("/log-ind", data=form)
        assert refused.status_code == 400
        assert "Din formular er udløbet" in refused.get_data(as_text=True)
        page = client.get("/log-ind").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        assert client.post("/log-ind", data={**form, "csrf_token": "forfalsket"}).status_code == 400
        assert client.post("/log-ind", data={**form, "csrf_token": token}).status_code == 302


def test_a_token_from_another_session_is_refused(make_app, make):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        make.user(email="csrf2@example.dk")
        db.session.commit()
        attacker, victim = app.test_client(), app.test_client()
        page = attacker.get("/log-ind").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        victim.get("/")
        response = victim.post("/log-ind", data={"email": "csrf2@example.dk", "password": PASSWORD,
                                                 "csrf_token": token})
        assert response.status_code == 400


# --- one door per use case: portal/ reads the models that have operations, it never writes them ----------

import ast  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
# Models whose changes belong to a use case in models/ (an *_operations module, or the councils' and
# moderation operations): portal/ may read them, never create or change them itself.
OPERATED = {"Task", "Occurrence", "Signup", "VolunteerProfile", "AvailabilitySlot", "AwayPeriod", "Screening",
            "ConsentRecord", "AuditEntry", "Idea", "IdeaEvent", "CoCreator", "AgentTheme", "ContentReport",
            "Project", "ProjectUpdate", "ProjectFollower", "UpdateComment", "Event", "EventSignup",
            "CitizenBudget", "BudgetProposal", "ProposalCoCreator", "BudgetVoter", "Ballot", "DevelopmentPlan",
            "PlanGoal", "PlanVersion", "DialogueMeeting", "FollowUpItem",
            "Team", "TeamMember", "TeamShift", "TeamShiftAnswer", "TeamMessage", "TeamSignup", "Network", "NetworkMember",
            "NetworkMeeting", "NetworkItem", "AssociationNeed", "NeedOffer", "MunicipalOffer"}
# Attributes that say where something stands; only an operation changes them.
GUARDED = {"status", "review_status", "holds_spot", "accepted_count", "pending_since", "decided_at", "confirmed_at",
           "pledge_accepted_at", "child_certificate_status", "child_certificate_valid_until", "consent_to_be_found",
           "consent_shown_to_citizens", "capacity", "phase", "spent_kr", "cancelled", "hidden", "co_owner", "attendee_count", "hours"}
# Writes that belong to no operation, by module and what is written, and why.
ALLOWED = {
    ("portal/mail/sender.py", ".status"): "the outbox's own delivery states (only portal.mail writes OutboxMessage)",
    ("portal/mail/forms.py", "setattr"): "builds the settings form class, one field per kind of mail",
}


def portal_writes(source: str) -> list[str]:
    """What a module writes that belongs to an operation: constructors of OPERATED models imported from
    models, assignments to GUARDED attributes, and setattr on anything."""
    tree = ast.parse(source)
    from_models = {alias.asname or alias.name for node in ast.walk(tree)
                   if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "models"
                   for alias in node.names}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in OPERATED and func.id in from_models:
                found.append(f"line {node.lineno}: {func.id}(...)")
            elif (isinstance(func, ast.Attribute) and func.attr in OPERATED and isinstance(func.value, ast.Name)
                  and func.value.id == "models"):
                found.append(f"line {node.lineno}: {func.attr}(...)")
            if isinstance(func, ast.Name) and func.id == "setattr":
                found.append(f"line {node.lineno}: setattr(...)")
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
        for target in targets:
            for leaf in (target.elts if isinstance(target, ast.Tuple) else [target]):
                if isinstance(leaf, ast.Attribute) and leaf.attr in GUARDED:
                    found.append(f"line {node.lineno}: .{leaf.attr} = ...")
    return sorted(found, key=lambda finding: int(finding.split(":")[0].split()[1]))


def test_the_scan_finds_writes():
    snippet = ("from models import Signup, Task\nfrom icalendar import Event\n"
               "s = Signup(status='x')\nsignup.status = 'accepted'\na.hidden, b = True, 1\nt.capacity += 1\n"
               "setattr(task, 'title', 'x')\nEvent()\n")
    assert [line.split(":")[0] for line in portal_writes(snippet)] == [
        "line 3", "line 4", "line 5", "line 6", "line 7"]


def test_no_portal_module_writes_a_model_that_has_an_operation():
    offenders = {}
    for path in sorted((ROOT / "portal").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        writes = [w for w in portal_writes(path.read_text())
                  if not any((name, what) in ALLOWED for what in (w.split(": ", 1)[1].split(" =")[0],
                                                                   w.split(": ", 1)[1].split("(")[0]))]
        if writes:
            offenders[name] = writes
    assert not offenders, ("Write these through their use case in models/*_operations.py (or add the operation):\n"
                           + "\n".join(f"{k}: {v}" for k, v in offenders.items()))


# --- states are named, never spelled out in portal/ or the templates ------------------------------------------

def _state_values() -> set[str]:
    from models import CertificateStatus, IdeaStatus, OutboxStatus, ReviewStatus, SignupStatus, TaskStatus
    return {value for cls in (TaskStatus, SignupStatus, ReviewStatus, CertificateStatus, IdeaStatus, OutboxStatus)
            for value in cls.ALL}


STATE_ATTRS = {"status", "review_status", "child_certificate_status", "to_status", "from_status", "decision"}


def _strings(node) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [s for element in node.elts for s in _strings(element)]
    return []


def state_literals(source: str, states: set[str]) -> list[str]:
    """State values written as strings where a state is compared, filtered on or set."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(s, ast.Attribute) and s.attr in STATE_ATTRS for s in sides):
                found += [f"line {node.lineno}: {v!r}" for s in sides for v in _strings(s) if v in states]
        elif isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Attribute) and func.attr in ("in_", "not_in")
                    and isinstance(func.value, ast.Attribute) and func.value.attr in STATE_ATTRS):
                found += [f"line {node.lineno}: {v!r}" for a in node.args for v in _strings(a) if v in states]
            found += [f"line {node.lineno}: {k.arg}={v!r}" for k in node.keywords if k.arg in STATE_ATTRS
                      for v in _strings(k.value) if v in states]
    return found


TEMPLATE_STATE = re.compile(r"""\b(?:status|review_status|child_certificate_status|to_status|decision)\s*"""
                            r"""(?:==|!=|in)\s*\(?\s*['"]([a-z_]+)['"]""")


def test_states_are_named_not_spelled_out():
    states = _state_values()
    assert state_literals("if s.status == 'accepted': pass\nq.where(T.status.in_(('open',)))\n", states)
    offenders = {str(p.relative_to(ROOT)): found for p in sorted((ROOT / "portal").rglob("*.py"))
                 if (found := state_literals(p.read_text(), states))}
    for path in sorted((ROOT / "templates").rglob("*.*")):
        found = [m.group(0) for m in TEMPLATE_STATE.finditer(path.read_text()) if m.group(1) in states]
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert not offenders, ("Name these states through their class (TaskStatus.OPEN, SignupStatus.PENDING, …):\n"
                           + "\n".join(f"{k}: {v}" for k, v in offenders.items()))
