"""Bad input (property-based): every form answers arbitrary input with 200/302/400, never a 500.

For each form the fields are read from the page itself (so new fields are covered without editing
this file) and filled by hypothesis with arbitrary Unicode, very long text, empty and whitespace
values, wrong types and impossible dates. An answer that shows form errors must be Danish, keep the
user's input, and leave the database exactly as it was (no partial write).
"""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from models import Event, Idea, Role, db, utcnow
from tests.conftest import sign_in

EXAMPLES = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ERROR_MARK = "error-summary"
KEEP = "Bevar mig 4711"
SKIP_FIELDS = {"csrf_token", "lang", "next"}

WEIRD = ["", " ", "   \t\n ", "\x00", "abc", "-1", "0", "1.5", "99999999999999999999", "1e309", "NaN", "-0",
         "2026-02-30", "0000-00-00", "9999-12-31", "10000-01-01", "1899-12-31", "2026-13-01", "31-12-2026",
         "2026-01-01T25:61", "25:99", "<script>alert(1)</script>", "' OR 1=1 --", "%00", "../../etc/passwd",
         "Ærø Å ø æ", "😀" * 50, "\u202e\u200b\ufeff", "a@b", "@", "x" * 300]
VALUES = st.one_of(
    st.sampled_from(WEIRD),
    st.text(max_size=60),
    st.text(min_size=1, max_size=8).map(lambda s: s * 1000),  # very long text
    st.integers().map(str),
    st.dates().map(str),
)

# (URL, who submits it, the text field that must be kept when the form is shown again)
FORMS = [
    ("/registrer", None, "name"),
    ("/log-ind", None, "email"),
    ("/glemt-adgangskode", None, "email"),
    ("/send-bekraeftelse-igen", None, "email"),
    ("/skift-adgangskode", "citizen", None),
    ("/mig/slet", "citizen", None),
    ("/min-profil", "citizen", "skills"),
    ("/ideer/ny", "citizen", "title"),
    ("/opgaver/{task}/tilmeld?occurrence={occ}", "citizen", "note"),
    ("/institution/opgaver/ny", "staff", "title"),
    ("/kalender/nyt", "council", "title"),
    ("/lokalraad/projekter/ny", "council", "title"),
    ("/koordinator/medbetjening/ny", "coordinator", "name"),
    ("/admin/institutioner/ny", "admin", "name"),
    ("/institution/opgaver/{task}/rediger", "staff", "title"),
    ("/institution/tilmeldinger/{signup}/afvis", "staff", "reason"),
    ("/mine-opgaver/{signup}/afmeld", "citizen", "reason"),
    ("/ideer/{idea}/rediger", "citizen", "title"),
    ("/kalender/{event}/rediger", "council", "title"),
]


@pytest.fixture
def people(app, make):
    citizen = make.user(email="borger-x@example.dk")
    make.profile(citizen)
    staff = make.user(Role.STAFF, email="staff-x@example.dk")
    inst = make.institution(staff=[staff])
    council = make.user(Role.COUNCIL, Role.CITIZEN, email="raad-x@example.dk")
    council_org = make.council(members=[council])
    task = make.task(inst, capacity=3)
    signup = make.signup_record(task.occurrences[0], citizen, status="pending")
    coordinator = make.user(Role.COORDINATOR, email="koord-x@example.dk")
    admin = make.user(Role.ADMIN, email="admin-x@example.dk")
    idea = Idea(initiator_id=citizen.id, title="Bogbytte", what="En reol med bøger")
    event = Event(council_id=council_org.id, title="Borgermøde", starts_at=utcnow() + timedelta(days=9),
                  ends_at=utcnow() + timedelta(days=9, hours=2), created_by_id=council.id)
    db.session.add_all([idea, event])
    db.session.commit()
    return {"citizen": citizen, "staff": staff, "council": council, "coordinator": coordinator, "admin": admin,
            "ids": {"task": task.id, "occ": task.occurrences[0].id, "signup": signup.id, "idea": idea.id,
                    "event": event.id}}


def _counts() -> dict:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables
            if t.name not in ("audit_entry", "apscheduler_jobs")}


def _fields(page: str) -> list[str]:
    main = page.split("<main", 1)[-1].split("</main>", 1)[0]
    forms = re.findall(r'<form[^>]*method="post"[^>]*>(.*?)</form>', main, re.S | re.I)
    names = []
    for body in forms:
        for name in re.findall(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"', body):
            if name not in SKIP_FIELDS and name not in names:
                names.append(name)
    return names


def _client(app, people, who):
    client = app.test_client()
    return sign_in(client, people[who]) if who else client


@pytest.mark.parametrize("template,who,keep", FORMS, ids=[f[0] for f in FORMS])
def test_forms_survive_arbitrary_input(app, people, template, who, keep):
    url = re.sub(r"{(\w+)}", lambda m: str(people["ids"][m.group(1)]), template)
    page = _client(app, people, who).get(url)
    assert page.status_code == 200, f"GET {url} as {who}: {page.status_code}"
    fields = _fields(page.get_data(as_text=True))
    assert fields, f"no form fields found on {url}"

    @EXAMPLES
    @given(st.fixed_dictionaries({}, optional={name: VALUES for name in fields}))
    def submit(values):
        if keep in fields:
            values = {**values, keep: KEEP}
        before = _counts()
        response = _client(app, people, who).post(url, data=values)
        db.session.rollback()
        text = response.get_data(as_text=True)
        assert response.status_code in (200, 302, 400), f"{url} {values!r}: {response.status_code}"
        assert "Traceback" not in text
        if ERROR_MARK in text:
            assert _counts() == before, f"{url}: errors shown but something was written ({values!r})"
            assert '<html lang="da">' in text and "Ret venligst følgende" in text
            if keep in fields:
                assert html.escape(KEEP) in text or KEEP in text, f"{url}: the user's input was lost"

    submit()


LIST_PAGES = [("/opgaver", None), ("/ideer/", None), ("/kalender", None), ("/kalender/alle.ics", None),
              ("/projekter", None), ("/mine-opgaver", "citizen"), ("/ideer/moderering", "coordinator"),
              ("/ideer/svartider", "coordinator"), ("/beskeder", "admin"), ("/admin/brugere", "admin"),
              ("/koordinator/profiler", "coordinator"), ("/koordinator/afventer", "coordinator"),
              ("/koordinator/overblik", "coordinator"), ("/koordinator/medbetjening", "coordinator"),
              ("/koordinator/ring-til", "coordinator"), ("/koordinator/eksport/timer.csv", "coordinator")]


@pytest.mark.parametrize("path,who", LIST_PAGES, ids=[p for p, _w in LIST_PAGES])
def test_search_and_filter_pages_survive_arbitrary_query_strings(app, people, path, who):
    page = _client(app, people, who).get(path)
    assert page.status_code == 200, f"GET {path} as {who}: {page.status_code}"
    main = page.get_data(as_text=True).split("<main", 1)[-1]
    names = sorted(set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', main)) - SKIP_FIELDS)
    names = names + ["side", "sort", "q"]

    @EXAMPLES
    @given(st.dictionaries(st.sampled_from(names), VALUES, max_size=6))
    def search(values):
        response = _client(app, people, who).get(path, query_string=values)
        db.session.rollback()
        assert response.status_code in (200, 302, 400, 404), f"{path} {values!r}: {response.status_code}"
        assert "Traceback" not in response.get_data(as_text=True)

    search()


@settings(max_examples=50, deadline=None, derandomize=True)
@given(st.lists(st.text(max_size=200), max_size=12), st.text(max_size=300), st.integers(min_value=1, max_value=20),
       st.lists(st.integers(min_value=-3, max_value=15), max_size=5) | st.none())
def test_matcher_never_crashes(documents, query, k, allowed):
    """The matcher's public API takes any Unicode and answers with scores in [0, 1]."""
    from matching.index import TextIndex
    index = TextIndex.build([(i, text) for i, text in enumerate(documents)])
    matches = index.search(query, k=k, allowed_ids=allowed)
    assert len(matches) <= k
    assert all(0.0 <= m.score <= 1.0 + 1e-9 for m in matches)
    assert all(m.id in range(len(documents)) and (allowed is None or m.id in allowed) for m in matches)
    assert [m.terms for m in matches] is not None
