"""The list of mail kinds is complete and sound."""
import ast
from pathlib import Path

from flask_babel import force_locale

from portal.mail import kinds

ROOT = Path(__file__).resolve().parents[3]


def _queued_kinds():
    """Every kind passed to queue_mail(...) as a literal or a module constant, with where it is."""
    found = []
    for path in sorted((ROOT / "portal").rglob("*.py")):
        tree = ast.parse(path.read_text())
        constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                     for t in n.targets if isinstance(t, ast.Name)
                     and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "queue_mail" \
                    and node.args:
                arg = node.args[0]
                value = arg.value if isinstance(arg, ast.Constant) else constants.get(getattr(arg, "id", ""))
                if isinstance(value, str):
                    found.append((value, f"{path.relative_to(ROOT)}:{node.lineno}"))
    return found


def test_every_queued_kind_is_listed():
    queued = _queued_kinds()
    assert len(queued) >= 10  # the scan itself works
    unknown = [(kind, where) for kind, where in queued
               if kind not in kinds.BY_NAME and kind != kinds.DIGEST_MESSAGE_KIND]
    assert not unknown, f"Add these kinds to portal/mail/kinds.py: {unknown}"


def test_security_and_commitment_mails_cannot_be_turned_off():
    for name in ("verify", "reset", "account_exists", "deletion_warning", "task_cancelled", "waitlist_promoted"):
        assert not kinds.BY_NAME[name].optional, name


def test_digests_are_off_until_turned_on_and_direct_mails_are_not_digests():
    assert kinds.DIGEST_KINDS
    for kind in kinds.KINDS:
        if kind.is_digest:
            assert kind.optional and not kind.default
        else:
            assert kind.tier == kinds.DIRECT and kind.default


def test_unknown_kind_is_never_swallowed():
    kind = kinds.get("something_new")
    assert kind.default and not kind.optional


def test_labels_are_danish(app):
    with force_locale("da"):
        untranslated = [k.name for k in kinds.KINDS if str(k.label) == k.label._args[0]]
    assert not untranslated
