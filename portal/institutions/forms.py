"""Forms of the institution's room: the task editor, answers to sign-ups, messages and attendance."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, EmailField, FieldList, FormField, HiddenField,
                     RadioField, SelectField, StringField, TelField, TextAreaField, TimeField)
from wtforms.validators import (DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp,
                                ValidationError)

from portal.forms import BaseForm, CommaDecimalField, WholeNumberField
from portal.forms import DateField  # bounded years
from portal.scheduler.timing import from_local, to_local

MAX_REPEATS = 52
MAX_CAPACITY = 500


def kind_choices():
    return [("fixed", _l("Fixed times")), ("window", _l("A time window (for example 6 hours any time in March)")),
            ("open_ended", _l("Open-ended (from a date, no fixed end)"))]


def recurrence_choices():
    return [("none", _l("Once")), ("weekly", _l("Every week")), ("biweekly", _l("Every second week"))]


def required(message=None):
    # DataRequired looks at the cleaned value, so a field of only spaces counts as empty.
    return DataRequired(message or _l("Please fill in this field."))


class TaskForm(BaseForm):
    """Every bounded field of a task; the frame (do / do not, contact, requirements, notes) is mandatory."""

    institution_id = SelectField(_l("Institution"), coerce=int)  # a choice among the staff member's own
    title = StringField(_l("Title"), validators=[required(), Length(max=160)])
    description = TextAreaField(_l("Describe the task"), validators=[required(), Length(max=5000)])
    skills_wanted = TextAreaField(_l("Skills or interests that fit (optional)"), validators=[Length(max=2000)])
    volunteers_do = TextAreaField(_l("What the volunteer does"), validators=[required(), Length(max=3000)])
    volunteers_do_not = TextAreaField(_l("What the volunteer does not do"), validators=[required(), Length(max=3000)])
    place = StringField(_l("Place (address or room)"), validators=[required(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[
        Optional(), Regexp(r"^\d{4}$", message=_l("Write a postcode of four digits."))])
    contact_name = StringField(_l("Contact person"), validators=[required(), Length(max=120)])
    contact_email = EmailField(_l("Contact person's e-mail"),
                               validators=[required(), Length(max=254), Email(_l("Write a valid e-mail address."))])
    contact_phone = TelField(_l("Contact person's phone (optional)"), validators=[Optional(), Length(max=40)])
    requires_child_certificate = BooleanField(
        _l("A child certificate is required (the volunteer is with children or young people)"))
    requires_pledge = BooleanField(_l("A confidentiality pledge is required"))
    # Breadth (models.tasks.BREADTH_FLAGS): who the task is open to; the task list filters on them.
    no_danish_needed = BooleanField(_l("No Danish needed"))
    wheelchair_accessible = BooleanField(_l("Wheelchair accessible"))
    good_first_task = BooleanField(_l("A good first task"))
    for_under_18 = BooleanField(_l("For young people under 18"))
    from_home = BooleanField(_l("Can be done from home"))
    compensation_note = TextAreaField(_l("Compensation (transport, phone, meals)"),
                                      validators=[required(), Length(max=1000)])
    insurance_note = TextAreaField(_l("Insurance"), validators=[required(), Length(max=1000)])
    capacity = WholeNumberField(_l("Number of volunteers each time"), validators=[
        InputRequired(_l("Write a whole number.")),
        NumberRange(min=1, max=MAX_CAPACITY, message=_l("The number of volunteers must be between 1 and %(max)d.",
                                                          max=MAX_CAPACITY))])
    hours_estimate = CommaDecimalField(_l("Hours in all (optional; required for a time window)"), places=2,
                                  validators=[Optional(), NumberRange(min=0.25, max=1000,
                                                                      message=_l("Write a number of hours above 0."))])
    kind = RadioField(_l("When"), choices=kind_choices(), default="fixed", validators=[required()])
    # fixed times
    date = DateField(_l("Date"), validators=[Optional()])
    start_time = TimeField(_l("From"), validators=[Optional()])
    end_time = TimeField(_l("To"), validators=[Optional()])
    recurrence = RadioField(_l("Repeat"), choices=recurrence_choices(), default="none", validators=[Optional()])
    repeat_count = WholeNumberField(_l("How many times in all"), default=1, validators=[
        Optional(), NumberRange(min=1, max=MAX_REPEATS, message=_l("Between 1 and %(max)d times.", max=MAX_REPEATS))])
    # a window, or the start of an open-ended task
    window_start = DateField(_l("First day"), validators=[Optional()])
    window_end = DateField(_l("Last day"), validators=[Optional()])

    def __init__(self, *args, institutions=(), schedule_locked=False, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.institution_id.choices = [(i.id, i.name) for i in institutions]
        self.schedule_locked = schedule_locked
        self.now = now

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.schedule_locked:
            return ok
        return self._validate_schedule() and ok

    def _need(self, *fields) -> bool:
        missing = [f for f in fields if f.data is None]
        for f in missing:
            f.errors = list(f.errors) + [_l("Please fill in this field.")]
        return not missing

    def _validate_schedule(self) -> bool:
        fields = (self.kind, self.date, self.start_time, self.end_time, self.recurrence, self.repeat_count,
                  self.window_start, self.window_end, self.hours_estimate)
        if any(f.errors for f in fields):
            return False  # an unknown kind or an impossible number: the field says so already
        kind = self.kind.data
        if kind == "fixed":
            if not self._need(self.date, self.start_time, self.end_time):
                return False
            if self.end_time.data <= self.start_time.data:
                self.end_time.errors = list(self.end_time.errors) + [_l("The end must be after the start.")]
                return False
            if self.recurrence.data in ("weekly", "biweekly") and not self._need(self.repeat_count):
                return False
        elif kind == "window":
            if not self._need(self.window_start, self.window_end, self.hours_estimate):
                return False
            if self.window_end.data < self.window_start.data:
                self.window_end.errors = [*self.window_end.errors,
                                          _l("The last day must not be before the first day.")]
                return False
        elif kind == "open_ended":
            if not self._need(self.window_start):
                return False
        first = self.schedule()[0][0]
        if self.now is not None and first <= self.now and kind == "fixed":
            target = self.date
            target.errors = list(target.errors) + [_l("The start must be in the future.")]
            return False
        if self.now is not None and kind == "window" and self.schedule()[0][1] <= self.now:
            self.window_end.errors = list(self.window_end.errors) + [_l("The window must not be over already.")]
            return False
        return True

    def schedule(self) -> list[tuple[datetime, datetime | None]]:
        """The occurrences (UTC start, UTC end) the form describes; weeks counted on the local calendar."""
        kind = self.kind.data
        if kind == "fixed":
            step = {"weekly": 7, "biweekly": 14}.get(self.recurrence.data)
            count = (self.repeat_count.data or 1) if step else 1
            days = [self.date.data + timedelta(days=i * (step or 0)) for i in range(count)]
            return [(from_local(datetime.combine(day, self.start_time.data)),
                     from_local(datetime.combine(day, self.end_time.data))) for day in days]
        start = from_local(datetime.combine(self.window_start.data, time(0)))
        if kind == "window":
            return [(start, from_local(datetime.combine(self.window_end.data + timedelta(days=1), time(0))))]
        return [(start, None)]

    def fill_schedule(self, task) -> None:
        """Show a task's times in the form, in local time."""
        first = task.occurrences[0] if task.occurrences else None
        if first is None:
            return
        start = to_local(first.starts_at)
        if task.kind == "fixed":
            self.date.data, self.start_time.data = start.date(), start.time()
            self.end_time.data = to_local(first.ends_at).time() if first.ends_at else None
            self.repeat_count.data = len(task.occurrences)
        else:
            self.window_start.data = start.date()
            if first.ends_at is not None:
                self.window_end.data = (to_local(first.ends_at) - timedelta(days=1)).date()


class ConfirmForm(BaseForm):
    """A one-button action that must be confirmed on purpose (the button sends the hidden value)."""

    confirm = HiddenField(default="1", validators=[InputRequired()])


class CancelTaskForm(BaseForm):
    reason = TextAreaField(_l("Why is the task cancelled? (The volunteers are told.)"),
                           validators=[required(_l("Please tell the volunteers why.")), Length(max=1000)])


class DeclineForm(BaseForm):
    reason = TextAreaField(_l("Reason (the volunteer is told)"),
                           validators=[required(_l("Please give the volunteer a reason.")), Length(max=1000)])


class MessageForm(BaseForm):
    subject = StringField(_l("Subject"), validators=[required(), Length(max=150)])
    body = TextAreaField(_l("Message"), validators=[required(), Length(max=5000)])


class AttendanceRow(BaseForm):
    class Meta:
        csrf = False

    signup_id = HiddenField()
    attended = BooleanField(_l("Came"))
    hours = CommaDecimalField(_l("Hours"), places=2, validators=[
        Optional(), NumberRange(min=0.25, max=1000, message=_l("Write a number of hours above 0."))])


class AttendanceForm(BaseForm):
    rows = FieldList(FormField(AttendanceRow))

    def validate_rows(self, field):
        if any(row.form.hours.data is not None and not row.form.attended.data for row in field):
            raise ValidationError(_l("Hours can only be given for volunteers who came."))
