"""Counting the self-service flows without tracking anyone, and the "Få hjælp" form.

`started(flow)` when a flow's form is first shown (a GET), `finished(flow)` when it went through; each adds
one to a daily counter (models.selfservice) and nothing else: no id, no cookie, no session mark. A failing
count never stops the citizen: it is logged and dropped.
"""
from __future__ import annotations

import logging

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from models import db, utcnow
from models.selfservice import Flow, Step
from models.selfservice_operations import count_step
from portal.forms import BaseForm

log = logging.getLogger(__name__)


def _count(flow: str, step: str) -> None:
    # A session of its own: the count commits alone and never touches the request's transaction.
    from sqlalchemy.orm import Session
    try:
        with Session(db.engine) as session:
            count_step(flow, step, now=utcnow(), session=session)
            session.commit()
    except Exception:  # noqa: BLE001 - a counter must never stand in the citizen's way
        log.exception("Could not count %s %s", flow, step)


def started(flow: str) -> None:
    """The flow's form is shown (counted on GET only: a form sent back with errors is the same start)."""
    if request.method == "GET":
        _count(flow, Step.START)


def finished(flow: str) -> None:
    _count(flow, Step.FINISH)


def flow_labels() -> dict:
    return {Flow.REGISTRATION: _l("Creating an account"), Flow.PROFILE: _l("Writing a profile"),
            Flow.SIGNUP: _l("Signing up for a task"), Flow.IDEA: _l("Posting an idea")}


class HelpForm(BaseForm):
    name = StringField(_l("Your name"), validators=[DataRequired(message=_l("Write your name.")), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    phone = StringField(_l("Your phone number"), render_kw={"autocomplete": "tel", "inputmode": "tel"},
                        validators=[DataRequired(message=_l("Write the number we can call you on.")),
                                    Length(max=40)])
    note = TextAreaField(_l("What would you like help with? (optional)"), validators=[Optional(), Length(max=1000)])
