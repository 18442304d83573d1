"""Forms for coordinators: queue filters, review decisions, notes, screening, assisted sign-up, periods."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, RadioField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp, ValidationError

from models import CertificateStatus, ReviewStatus
from models.base import LOCAL
from portal.forms import BaseForm, WholeNumberField
from portal.forms import DateField, DateTimeLocalField  # bounded years

# The consent time is typed to the minute, on a clock that may run a little ahead of ours.
CLOCK_SLACK = timedelta(minutes=5)
POSTCODE = Regexp(r"^\d{4}$", message=_l("A postcode has four digits."))


def screening_choices():
    return [("", _l("All")), (CertificateStatus.NONE, _l("No child certificate")),
            (CertificateStatus.REQUESTED, _l("Child certificate requested")),
            ("valid", _l("Child certificate valid")), ("expired", _l("Child certificate expired")),
            ("pledge_missing", _l("Pledge not given"))]


def review_choices():
    return [("queue", _l("New and changed")), (ReviewStatus.CHANGES_REQUESTED, _l("Waiting for the citizen")),
            (ReviewStatus.APPROVED, _l("Approved")), (ReviewStatus.DECLINED, _l("Declined")), ("all", _l("All"))]


class QueueFilterForm(BaseForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Review status"), choices=review_choices, default="queue")
    area = StringField(_l("Area (postcode)"), validators=[Optional(), POSTCODE])
    skills = StringField(_l("Skills contain"), validators=[Optional(), Length(max=100)])
    screening = SelectField(_l("Screening"), choices=screening_choices, default="")


def decision_choices():
    return [(ReviewStatus.APPROVED, _l("Approve")), (ReviewStatus.CHANGES_REQUESTED, _l("Ask for a change")),
            (ReviewStatus.DECLINED, _l("Decline"))]


class DecisionForm(BaseForm):
    decision = RadioField(_l("Decision"), choices=decision_choices,
                          validators=[DataRequired(message=_l("Choose a decision."))])
    message = TextAreaField(_l("Message to the citizen"), validators=[Length(max=2000)])

    def validate_message(self, field):
        if self.decision.data != ReviewStatus.APPROVED and not (field.data or "").strip():
            raise ValidationError(_l("Write to the citizen what should change or why the profile is declined."))


class NoteForm(BaseForm):
    note = TextAreaField(_l("Internal note (only coordinators see it)"), validators=[Optional(), Length(max=5000)])


def certificate_choices():
    return [(CertificateStatus.NONE, _l("Not requested")), (CertificateStatus.REQUESTED, _l("Requested")),
            (CertificateStatus.RECEIVED, _l("Received"))]


class ScreeningForm(BaseForm):
    certificate_status = SelectField(_l("Child certificate"), choices=certificate_choices)
    requested_on = DateField(_l("Requested on"), validators=[Optional()])
    received_on = DateField(_l("Received on"), validators=[Optional()])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    pledge = BooleanField(_l("The volunteer has given the confidentiality pledge"))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        status = self.certificate_status.data
        if status == CertificateStatus.REQUESTED and not self.requested_on.data:
            self.requested_on.errors.append(_l("Enter the date the certificate was requested."))
            ok = False
        if status == CertificateStatus.RECEIVED:
            for f in (self.received_on, self.valid_until):
                if not f.data:
                    f.errors.append(_l("Enter the date."))
                    ok = False
        if self.received_on.data and self.valid_until.data and self.valid_until.data < self.received_on.data:
            self.valid_until.errors.append(_l("The certificate cannot expire before it was received."))
            ok = False
        if self.requested_on.data and self.received_on.data and self.received_on.data < self.requested_on.data:
            self.received_on.errors.append(_l("The certificate cannot be received before it was requested."))
            ok = False
        return ok


def gender_choices():
    return [("", _l("Not stated")), ("female", _l("Woman")), ("male", _l("Man")), ("other", _l("Other"))]


class AssistedProfileForm(BaseForm):
    name = StringField(_l("Full name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=120)])
    email = StringField(_l("E-mail (if the citizen has one)"), validators=[
        Optional(), Email(message=_l("Enter a valid e-mail address."), check_deliverability=False), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Length(max=40)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), POSTCODE])
    birth_year = WholeNumberField(_l("Year of birth"), validators=[
        Optional(), NumberRange(min=1900, max=2100, message=_l("Enter a year such as 1950."))])
    gender = SelectField(_l("Gender"), choices=gender_choices, validators=[Optional()])
    skills = TextAreaField(_l("What the citizen is good at"), validators=[Optional(), Length(max=2000)])
    interests = TextAreaField(_l("What the citizen would like to help with"), validators=[Optional(), Length(max=2000)])
    consent_how = StringField(_l("How the citizen gave consent"), validators=[
        DataRequired(message=_l("Write how the citizen gave consent, e.g. by phone or in person.")), Length(max=200)])
    consent_at = DateTimeLocalField(_l("When the consent was given"), format="%Y-%m-%dT%H:%M",
                                    validators=[DataRequired(message=_l("Enter the date and time."))])

    def validate_consent_at(self, field):
        if field.data and field.data > datetime.now(LOCAL).replace(tzinfo=None) + CLOCK_SLACK:
            raise ValidationError(_l("The consent cannot have been given in the future."))

    def validate_phone(self, field):
        if not (field.data or "").strip() and not (self.email.data or "").strip():
            raise ValidationError(_l("Enter a phone number or an e-mail address, so the citizen can be reached."))


class AssistedSearchForm(BaseForm):
    """Find a time for the citizen: words from the task, a day and an area (GET, changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Words from the task or the place"), validators=[Optional(), Length(max=200)])
    dato = DateField(_l("Day"), validators=[Optional()])
    omraade = StringField(_l("Area (postcode)"), validators=[Optional(), Regexp(
        r"^\d{1,4}$", message=_l("Write a postcode or its first digits, e.g. 28."))])


class AssistedSignupForm(BaseForm):
    # Chosen among the times found or suggested on the page (radio buttons), checked by the use case.
    occurrence = SelectField(_l("Task and time"), choices=[], validate_choice=False,
                             validators=[DataRequired(message=_l("Choose a task."))])
    note = TextAreaField(_l("Note for the institution"), validators=[Optional(), Length(max=1000)])


class PeriodForm(BaseForm):
    class Meta:
        csrf = False

    first = DateField(_l("From"), validators=[Optional()])
    last = DateField(_l("To"), validators=[Optional()])

    def validate_last(self, field):
        if field.data and self.first.data and field.data < self.first.data:
            raise ValidationError(_l("The end must not be before the start."))
