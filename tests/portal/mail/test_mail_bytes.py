"""The sender's quick way to bytes writes exactly what the standard library's compat32 writes.

portal.mail.sender folds plain one-line headers itself, encodes a subject once for all its mails and picks
the multipart boundary itself (instead of the generator compiling a pattern for each one) and writes the
text parts without MIMEText's parameter parsing; the bytes on
the wire must be the same as before, boundary and Date aside.
"""
from __future__ import annotations

import io
import random
import string
from email.generator import BytesGenerator, Generator
from email.header import Header
from email.mime.text import MIMEText
from email.policy import compat32

import pytest

from models import OutboxMessage
from portal.mail import sender

ICS = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Læs højt\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
FROM = [("Samskab <noreply@samskab.dk>"), ("Lyngby-Taarbæk Kommune <noreply@ltk.dk>"), "noreply@samskab.dk"]


def _messages():
    long_url = "http://samskab.test/afmeld/" + "x" * 900
    yield OutboxMessage(dedup_key="a:1", recipient="a@example.dk", subject="Reminder: Reading, Mon 8 Dec at 09:00",
                        body_text="Hello\n", body_html="<p>Hello</p>", unsubscribe_url="http://samskab.test/afmeld/a.b-c_d")
    yield OutboxMessage(dedup_key="b:2", recipient="b@example.dk", subject="Påmindelse: Højtlæsning, tirs. 8. dec.",
                        body_text="Hej æøå\n" * 40, body_html="<p>Hej æøå</p>" * 40, unsubscribe_url=None)
    yield OutboxMessage(dedup_key="c:3", recipient="c@example.dk", subject="Ø" * 300 + " lang emnelinje " * 20,
                        body_text="x", body_html="", ics=ICS, unsubscribe_url=long_url)
    yield OutboxMessage(dedup_key="d:4", recipient="d@example.dk", subject="  two  spaces\tand a tab ",
                        body_text="y", body_html="<b>y</b>", unsubscribe_url="http://samskab.test/u?a=1;b=2, c")
    yield OutboxMessage(dedup_key="e:5", recipient="e@example.dk", subject="Tom", body_text="", body_html="x" * 5000,
                        unsubscribe_url=None)


def _standard_build(message, mail_from, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(sender, "POLICY", compat32.clone(max_line_length=998))
        patch.setattr(sender, "_header", lambda value: value if value.isascii() else Header(value, "utf-8"))
        patch.setattr(sender, "_boundary", lambda: None)
        patch.setattr(sender, "_from_header", sender._from_header.__wrapped__)
        patch.setattr(sender, "_text_part", lambda text, subtype: MIMEText(text, subtype, "utf-8", policy=sender.POLICY))
        return sender.build_email(message, mail_from, "samskab.test")


def _bytes(email) -> bytes:
    out = io.BytesIO()
    BytesGenerator(out).flatten(email, linesep="\r\n")
    return out.getvalue()


@pytest.mark.parametrize("mail_from", FROM)
def test_the_same_bytes_as_the_standard_way(app, monkeypatch, mail_from):
    for message in _messages():
        quick = sender.build_email(message, mail_from, "samskab.test")
        standard = _standard_build(message, mail_from, monkeypatch)
        standard.replace_header("Date", quick["Date"])
        for ours, theirs in zip(quick.walk(), standard.walk()):
            if ours.is_multipart():
                assert ours.get_boundary().startswith("=" * 15) and len(ours.get_boundary()) == 36
                theirs.set_boundary(ours.get_boundary())
        assert _bytes(quick) == _bytes(standard)
        assert quick.as_string() == standard.as_string()


def test_quick_header_folding_equals_compat32_for_many_values():
    rng = random.Random(13)
    alphabet = string.ascii_letters + string.digits + string.punctuation + "   \tæø"
    policy, standard = sender.POLICY.clone(linesep="\r\n"), compat32.clone(max_line_length=998, linesep="\r\n")
    # 400 random values of every length class (the standard folding costs ~10 ms for a long one).
    for _ in range(400):
        value = "".join(rng.choice(alphabet) for _ in range(rng.choice([1, 5, 40, 300, 990, 1200])))
        for name in ("Subject", "List-Unsubscribe"):
            assert policy.fold(name, value) == standard.fold(name, value)
            assert policy.fold_binary(name, value) == standard.fold_binary(name, value)
    for text in ("Påmindelse: Højtlæsning", "Ø" * 400):
        for fold in ("fold", "fold_binary"):
            assert (getattr(policy, fold)("Subject", sender._Utf8Header(text))
                    == getattr(standard, fold)("Subject", Header(text, "utf-8")))


def test_generator_text_output_too(app):
    message = next(_messages())
    quick = sender.build_email(message, FROM[0], "samskab.test")
    out = io.StringIO()
    Generator(out).flatten(quick)
    assert "Subject: Reminder: Reading, Mon 8 Dec at 09:00\n" in out.getvalue()
