"""No 500 from any parameter (issue 13, finding 4).

`test_every_route_survives_hostile_parameters` walks every route in the URL map, logged in as each role, and
sends hostile values (drawn by hypothesis) for every query and form parameter the code reads: the names
`request.args/form` are asked for, every field of every form class, and the names the page itself shows.
No answer may be a 5xx, no redirect may leave the site, and an answer that is not a redirect (the form shown
again, 400, 403, 404) must leave every table exactly as it was.
"""
from __future__ import annotations

import inspect
import os
import random
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from sqlalchemy import text
from wtforms.fields.core import UnboundField

from models import db
from portal.params import MAX_ID, parse_date, parse_id, parse_ids, safe_next
from tests.conftest import sign_in
from tests.portal.access_matrix import ROLES
from tests.portal.test_access import fill, routes, world  # noqa: F401 - `world` is a fixture used here

ROOT = Path(__file__).resolve().parents[2]

HOSTILE = ["²", "٣", "١٢", "½", "-1", "0", "+1", " 1", "1 ", "1_000", "99999999999999999999", str(MAX_ID + 1),
           "1e309", "NaN", "inf", "0001-01-01", "9999-12-31", "0000-00-00", "2026-02-30", "2026-13", "10000-01-01",
           "²-²", "2026-²", "idea:²", "task:²", "idea:99999999999999999999", "council:²", "institution:-1", "i²",
           "c99999999999999999999", "1,²,3", ",,,", "/\t/evil.example", "/\n/x", "//evil.example",
           "/\\evil.example", "https://evil.example", "\x00", "\r\n", "%00", "<script>alert(1)</script>",
           "' OR 1=1 --", "../../etc/passwd", "\u202e\u200b\ufeff", "😀" * 40, "x" * 1000, "", " "]
VALUES = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30), st.integers().map(str))
# No shrinking: a failure lists every route that failed, with the role, and the walk is long. One walk per
# role keeps the suite near 2 minutes; HOSTILE_EXAMPLES=20 walks more (the first walk is hypothesis's
# simplest: "²" in every parameter of every route, the digit that isdigit() accepts and int() refuses).
EXAMPLES = settings(max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "1")), deadline=None, derandomize=True, database=None, phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck))
# Routes whose purpose is a write on a bare POST without fields (log out; end all sessions): their write is
# a redirect, which the check allows anyway.
SKIP_NAMES = {"csrf_token"}
# Reading screening data is itself recorded (who looked at whom): not a write of the request's values.
READ_RECORDS = {"audit_entry"}


def _source_names() -> set[str]:
    """Parameter names the views read by hand."""
    found = set()
    for path in (ROOT / "portal").rglob("*.py"):
        found |= set(re.findall(r"request\.(?:args|form|values)\.get(?:list)?\(\s*\"([^\"]+)\"", path.read_text()))
    return found


def _form_names() -> set[str]:
    """The field names of every form class (sub-forms as they are posted: `list-0-field`)."""
    from flask_wtf import FlaskForm
    import portal  # noqa: F401 - the forms are imported by the app already

    def fields_of(cls, prefix=""):
        names = set()
        for attr, value in inspect.getmembers(cls):
            if isinstance(value, UnboundField):
                name = prefix + value.kwargs.get("name", attr)
                names.add(name)
                inner = value.args[0] if value.args else None
                if inner is not None and isinstance(inner, UnboundField):  # FieldList(FormField(X))
                    inner = inner.args[0] if inner.args else None
                    if inspect.isclass(inner):
                        names |= fields_of(inner, f"{name}-0-")
                elif inspect.isclass(inner):  # FormField(X)
                    names |= fields_of(inner, f"{name}-")
        return names

    found, todo = set(), [FlaskForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        found |= fields_of(cls)
    return found


def _page_names(body: str) -> set[str]:
    names = set(re.findall(r'\bname="([^"]+)"', body))
    for query in re.findall(r'href="[^"?]*\?([^"#]+)"', body):
        names |= {part.split("=", 1)[0] for part in query.replace("&amp;", "&").split("&") if part}
    return names


def _row_counts() -> dict[str, int]:
    tables = [t.name for t in db.metadata.sorted_tables]
    query = " UNION ALL ".join(f"SELECT '{name}', COUNT(*) FROM \"{name}\"" for name in tables)
    return dict(db.session.execute(text(query)).all())


def _sum_of_ids() -> dict[str, int]:
    """A cheap fingerprint of updates too: rows' change stamps where a table has them."""
    stamped = [t.name for t in db.metadata.sorted_tables if "updated_at" in t.c]
    if not stamped:
        return {}
    query = " UNION ALL ".join(f"SELECT '{name}', MAX(updated_at) FROM \"{name}\"" for name in stamped)
    return {name: str(value) for name, value in db.session.execute(text(query)).all()}


def _snapshot():
    db.session.rollback()
    return _row_counts(), _sum_of_ids()


@pytest.mark.parametrize("role", ROLES)
def test_every_route_survives_hostile_parameters(app, world, role):  # noqa: F811 - pytest fixture
    people, params = world
    names = (_source_names() | _form_names()) - SKIP_NAMES
    walk = list(routes(app))
    page_names: dict[str, set[str]] = {}
    for rule, method in walk:
        if method == "GET":
            client = app.test_client()
            if role != "anonymous":
                sign_in(client, people[role])
            response = client.get(fill(rule, params))
            assert response.status_code < 500, f"{role} GET {rule.rule}: {response.status_code}"
            html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""  # not an icon
            page_names[rule.rule] = _page_names(html) - SKIP_NAMES

    @EXAMPLES
    @given(data=st.data())
    def check(data):
        failures = []
        for rule, method in walk:
            seed = data.draw(st.integers(0, 2**32), label=f"{method} {rule.rule}")
            extra = data.draw(VALUES, label="value")
            rng = random.Random(seed)
            pool = HOSTILE + [extra]
            wanted = sorted(names | page_names.get(rule.rule, set()))
            # Even seeds: one value in every parameter; odd seeds: a different value in each.
            values = {name: extra if seed % 2 == 0 else rng.choice(pool) for name in wanted}
            client = app.test_client()
            if role != "anonymous":
                sign_in(client, people[role])
            url = fill(rule, params)
            before = _snapshot()
            if method == "GET":
                response = client.get(url, query_string=values)
            else:
                response = client.open(url, method=method, data=values, query_string={"next": values.get("next", "")})
            status = response.status_code
            where = f"{role} {method} {rule.rule}"
            if status >= 500:
                failures.append(f"{where}: {status}")
                continue
            if status in (301, 302, 303, 307, 308):
                target = urlsplit(response.headers["Location"])
                if target.netloc not in ("", "localhost", "samskab.test"):
                    failures.append(f"{where}: redirects to {response.headers['Location']!r}")
            else:
                after = _snapshot()
                changed = sorted(name for part in (0, 1) for name in after[part]
                                 if after[part][name] != before[part].get(name) and name not in READ_RECORDS)
                if changed:
                    failures.append(f"{where}: {status} but {', '.join(changed)} changed")
        assert not failures, "\n".join(failures)

    check()


# --- the findings of the audit, one by one -------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("12", 12), ("²", None), ("٣", None), ("½", None), ("-1", None), ("0", None), ("+1", None), ("1_0", None),
    (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("99999999999999999999", None), ("", None), (None, None),
    (" 7 ", 7), (7, 7), (True, None)])
def test_parse_id(raw, expected):
    assert parse_id(raw) == expected


def test_parse_ids_drops_what_is_not_an_id():
    assert parse_ids("1,²,3,,٣,99999999999999999999") == [1, 3]


@pytest.mark.parametrize("raw, expected", [("2026-05-01", "2026-05-01"), ("0001-01-01", None), ("9999-12-31", None),
                                           ("2026-02-30", None), ("²⁰²⁶-01-01", None), ("", None)])
def test_parse_date(raw, expected):
    found = parse_date(raw)
    assert (found.isoformat() if found else None) == expected


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/x", "/\r/x", "/ /evil.example", "/\u3000/evil",
                                    "/\u200b/evil.example", "//evil.example", "/\\evil.example", "https://evil.example",
                                    "", None, 5])
def test_safe_next_refuses_what_a_browser_reads_as_another_site(target):
    assert safe_next(target) is None


def test_the_audits_urls_answer_without_a_500(app, world, make):  # noqa: F811 - pytest fixture
    people, params = world
    task_id, occurrence_id, project_id = params["task_id"], params["occurrence_id"], params["project_id"]
    cases = [
        ("citizen", "GET", "/kalender?council=²", {}),
        ("anonymous", "GET", "/kalender?council=99999999999999999999", {}),
        ("citizen", "GET", f"/opgaver/{task_id}/tilmeld?gang=²", {}),
        ("citizen", "GET", f"/opgaver/{task_id}/tilmeld?occurrence=٣", {}),
        ("citizen", "GET", f"/mine-opgaver/tilmeldt/{task_id}?nye=²", {}),
        ("coordinator", "POST", f"/koordinator/medbetjening/{people['citizen'].id}", {"occurrence": "²"}),
        ("council", "POST", f"/lokalraad/projekter/{project_id}/fjern", {"item": "idea:²"}),
        ("coordinator", "GET", "/koordinator/eksport/timer.csv?first=0001-01-01&last=0001-01-01", {}),
        ("coordinator", "GET", "/koordinator/eksport/timer.csv?first=9999-12-31&last=9999-12-31", {}),
        ("coordinator", "GET", "/koordinator/?first=0001-01-01&last=9999-12-31", {}),
        ("citizen", "GET", "/opgaver?date_from=0001-01-01&date_to=9999-12-31", {}),
    ]
    for role, method, url, form in cases:
        client = app.test_client()
        if role != "anonymous":
            sign_in(client, people[role])
        response = client.open(url, method=method, data=form)
        body = response.get_data()  # a CSV is streamed: read it all
        assert response.status_code < 500, f"{method} {url}: {response.status_code}"
        assert b"Traceback" not in body


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/x", "//evil.example", "/\\evil.example"])
def test_invite_next_stays_on_the_site(app, make, target):
    staff = make.user("staff", email="staff@example.dk")
    inst = make.institution(staff=[staff])
    task = make.task(inst)
    volunteer = make.user(email="frivillig@example.dk")
    make.profile(volunteer)
    db.session.commit()
    client = sign_in(app.test_client(), staff)
    response = client.post(f"/institution/opgaver/{task.id}/inviter/{volunteer.id}", data={"next": target})
    assert response.status_code in (302, 303, 404), response.status_code
    if response.status_code != 404:
        location = urlsplit(response.headers["Location"])
        assert location.netloc in ("", "localhost") and location.path.startswith(f"/institution/opgaver/{task.id}")
