"""Mails rendered once per group (portal.mail.outbox.stencil) are byte for byte the mails rendered one by one.

The reminder job renders the shift reminder once per shift, lead and language and fills in each person's
name and signed links; a name or title with HTML's special characters must come out exactly as
autoescaping the whole template for that person gives it.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner

from models import db, utcnow
from portal.mail import outbox
from portal.scheduler import reminders

NAMES = ["Ib <Ørsted> & Co", 'Åse "Bo" O\'Neil', "Søren & <script>alert(1)</script>", "Plain Person",
         "100 % {{ name }} %(name)s"]


@pytest.fixture
def frozen_tokens(monkeypatch):
    # Signed links carry the second they were made: make both renderings in the same second.
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_800_000_000)


def _shift(make, title='Læs <højt> & "syng"'):
    start = (utcnow() + timedelta(hours=20)).replace(microsecond=0)
    institution = make.institution(name="Skolen <ved> søen & co")
    task = make.task(institution, starts_at=start, capacity=len(NAMES) * 2, title=title,
                     place="Rum 3 <B>", contact_name="Kim & Co", contact_phone="+45 1234 <5678>")
    occurrence = task.occurrences[0]
    signups = []
    for i, name in enumerate(NAMES * 2):
        person = make.user(name=name, locale=("da", "en")[i % 2])
        signups.append(make.signup_record(occurrence, person))
    db.session.commit()
    return task, occurrence, signups


def _fields(message):
    return (message.kind, message.user_id, message.recipient, message.subject, message.body_text,
            message.body_html, message.ref, message.expires_at, message.unsubscribe_url)


@pytest.mark.parametrize("lead_name", ["1d", "2h"])
def test_group_rendering_equals_rendering_each_mail(app, make, frozen_tokens, lead_name):
    task, occurrence, signups = _shift(make)
    [lead] = [lead for lead in reminders.leads() if lead.name == lead_name]
    window_end = occurrence.starts_at
    molds = {}
    for signup in signups:
        locale = signup.user.locale
        molds.setdefault(locale, reminders._stencil(occurrence, task, lead, locale))
        one = reminders.queue_one(signup, occurrence, task, lead, window_end, f"one:{signup.id}")
        grouped = reminders._queue(molds[locale], signup, occurrence, task, lead, window_end, f"group:{signup.id}")
        assert _fields(grouped) == _fields(one)
        assert "&lt;" in grouped.body_html and "<script>" not in grouped.body_html
    assert set(molds) == {"da", "en"}
    if lead.answer_links:
        assert "/vagt/" in one.body_text and "/afbud" in one.body_text
    db.session.commit()


def test_the_job_queues_what_rendering_each_mail_queues(app, make, frozen_tokens):
    """The whole job (grouped by shift, lead and language) against one rendering per mail."""
    from portal.scheduler import jobs
    task, occurrence, signups = _shift(make)
    now = occurrence.starts_at - timedelta(hours=20)
    jobs.execute(jobs.BY_ID["shift_reminders"], now=now, deliver=False)
    queued = {m.user_id: m for m in reminders_in_outbox()}
    assert len(queued) == len(signups)
    [lead] = [lead for lead in reminders.leads() if lead.answer_links]
    for signup in signups:
        job_mail = queued[signup.user_id]
        one = reminders.queue_one(signup, occurrence, task, lead, job_mail.expires_at, f"one:{signup.id}")
        assert _fields(one) == _fields(job_mail) and job_mail.dedup_key == reminders.dedup_key(signup, occurrence, lead)
    db.session.rollback()


def reminders_in_outbox():
    from sqlalchemy import select

    from models import OutboxMessage
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == reminders.KIND)).all()


def test_fill_escapes_in_html_only(app):
    mold = outbox.Stencil("S", f"a {outbox._placeholder('name')} b", f"<p>{outbox._placeholder('name')}</p>")
    assert mold.fill({"name": "<&>"}) == ("a <&> b", "<p>&lt;&amp;&gt;</p>")


def test_a_template_reading_more_of_the_recipient_cannot_be_rendered_once(app):
    with pytest.raises(outbox.StencilError):
        outbox.Stencil("S", "x", "{}".format(outbox._placeholder("name").upper()))
    person = outbox._Recipient("da")
    with pytest.raises(outbox.StencilError):
        app.jinja_env.from_string("{{ recipient.email }}").render(recipient=person)
    assert app.jinja_env.from_string("{{ recipient.name }} {{ recipient.locale }}").render(
        recipient=person) == f"{outbox._placeholder('name')} da"
