"""The load test's helpers that need no servers (`make load` itself is not part of the suite)."""
from __future__ import annotations

from datetime import datetime, timezone

from models import Task, db, utcnow
from tests.load.http import form_values, with_values
from tests.load.run import (limit_count, limit_verdict, propagation_delay, source_address,
                            wrong_password_spellings)


def test_form_values_reads_what_a_browser_would_send():
    html = """<form action="/andet"><input name="x" value="no"></form>
    <form method="post" action="/institution/opgaver/7/rediger">
      <input type="hidden" name="csrf_token" value="abc">
      <input name="title" value="Læs &amp; leg">
      <input type="checkbox" name="requires_pledge" value="y" checked>
      <input type="checkbox" name="requires_child_certificate" value="y">
      <input type="radio" name="kind" value="fixed" checked><input type="radio" name="kind" value="flexible">
      <input name="gone" value="1" disabled>
      <select name="recurrence"><option value="none">Ingen</option><option value="weekly" selected>Ugentlig</option></select>
      <select name="area"><option>Lyngby</option><option>Virum</option></select>
      <select name="days" multiple><option value="1" selected>man</option><option value="2" selected>tir</option></select>
      <textarea name="description">
Første linje &lt;b&gt;</textarea>
      <button type="submit" name="save" value="1">Gem</button>
    </form>"""
    fields = form_values(html, "/rediger")
    assert fields == [("csrf_token", "abc"), ("title", "Læs & leg"), ("requires_pledge", "y"), ("kind", "fixed"),
                      ("recurrence", "weekly"), ("area", "Lyngby"), ("days", "1"), ("days", "2"),
                      ("description", "Første linje <b>")]
    changed = with_values(fields, title="Ny titel", extra="1")
    assert ("title", "Ny titel") in changed and ("title", "Læs & leg") not in changed and ("extra", "1") in changed


def test_the_real_task_editor_takes_its_own_form_back(client, make, login):
    # What the load test does on instance A: read the editor, change the title, send the form back.
    person = make.user("staff")
    inst = make.institution(name="Lundtofte Skole", staff=[person])
    task = make.task(inst, compensation_note="Ingen", insurance_note="Kommunens",
                     starts_at=datetime(utcnow().year + 1, 3, 15, 9, tzinfo=timezone.utc))
    db.session.commit()
    login(person)
    page = client.get(f"/institution/opgaver/{task.id}/rediger").get_data(as_text=True)
    fields = with_values(form_values(page, "task-editor"), title="Målestok 2")
    response = client.post(f"/institution/opgaver/{task.id}/rediger", data=_multi(fields))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert db.session.get(Task, task.id).title == "Målestok 2"


def test_every_dressed_up_spelling_is_the_one_account():
    from models.addresses import normalise_email
    spellings = wrong_password_spellings("graense1@last.example.dk", 12)
    assert len(spellings) == 12 and len(set(spellings)) == 8
    assert {normalise_email(s) for s in spellings} == {"graense1@last.example.dk"}


def test_limit_verdict():
    assert limit_verdict([200] * 5 + [429] * 7, 5) == {"checked": 5, "refused": 7, "other": 0, "ok": True}
    assert not limit_verdict([200] * 6 + [429] * 6, 5)["ok"]          # one too many checked
    assert not limit_verdict([429] * 12, 5)["ok"]                     # the form was never reached
    assert not limit_verdict([200] * 3 + [500] + [429] * 8, 5)["ok"]  # an error is no refusal
    assert limit_count("5 per minute;30 per hour") == 5


def test_propagation_delay():
    reads = [(10.0, 10.2, False), (10.25, 10.4, True), (10.45, 10.5, False), (10.55, 10.6, True)]
    found = propagation_delay(10.0, reads)
    assert abs(found["seen_after"] - 0.4) < 1e-9 and abs(found["first_read_started"] - 0.25) < 1e-9
    assert found["stale_after_seen"] == 1 and found["reads"] == 4
    assert propagation_delay(10.0, [(10.1, 10.2, False)])["seen_after"] is None


def test_source_addresses_are_loopback_and_distinct():
    addresses = {source_address(n) for n in range(1100)}
    assert len(addresses) == 1100 and all(a.startswith("127.") for a in addresses)
    assert all(0 <= int(part) <= 255 for a in addresses for part in a.split("."))


def _multi(fields):
    from werkzeug.datastructures import MultiDict
    return MultiDict(fields)
