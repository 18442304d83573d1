"""Forms of the mail room: notification settings, the message log filter, cancelling a shift."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from models.messages import OutboxStatus
from portal.forms import BaseForm
from portal.mail import kinds as mail_kinds
from portal.mail.preferences import Choice


def settings_form(kinds: list[mail_kinds.Kind], current: dict[str, Choice], formdata=None) -> BaseForm:
    """One control per optional kind: a checkbox for direct mails, off/daily/weekly for digests."""

    class SettingsForm(BaseForm):
        pass

    frequencies = list(mail_kinds.frequency_labels().items())
    for kind in kinds:
        choice = current[kind.name]
        if kind.is_digest:
            default = choice.frequency if choice.enabled else "off"
            field = SelectField(kind.label, choices=frequencies, default=default)
        else:
            field = BooleanField(kind.label, default=choice.enabled)
        setattr(SettingsForm, kind.name, field)
    form = SettingsForm(formdata=formdata) if formdata is not None else SettingsForm()
    return form


def choices_from(form, kinds: list[mail_kinds.Kind]) -> dict[str, Choice]:
    wanted = {}
    for kind in kinds:
        value = form[kind.name].data
        if kind.is_digest:
            wanted[kind.name] = Choice(value != "off", value if value != "off" else None)
        else:
            wanted[kind.name] = Choice(bool(value), None)
    return wanted


def status_labels() -> dict[str, object]:
    return {OutboxStatus.QUEUED: _l("Queued"), OutboxStatus.SENDING: _l("Sending"), OutboxStatus.SENT: _l("Sent"),
            OutboxStatus.FAILED: _l("Failed"), OutboxStatus.DROPPED: _l("Dropped")}


class LogFilterForm(BaseForm):
    """The message log's filters, sent with GET."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[], validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=[], validators=[Optional()])
    q = StringField(_l("Recipient"), validators=[Optional(), Length(max=254)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = status_labels()
        self.status.choices = [("", _l("All"))] + [(s, labels[s]) for s in OutboxStatus.ALL]
        self.kind.choices = [("", _l("All"))] + [(k.name, k.label) for k in mail_kinds.KINDS] + [
            (mail_kinds.DIGEST_MESSAGE_KIND, _l("Digest"))]


class ShiftCancelForm(BaseForm):
    reason = TextAreaField(_l("Would you like to tell us why? (optional)"), validators=[Optional(), Length(max=500)])
