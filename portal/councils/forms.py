"""Forms for projects, updates, comments, events and reports."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.forms import BaseForm, WholeNumberField
from portal.forms import DateField  # bounded years
from portal.params import parse_id


def project_status_choices():
    return [("proposed", _l("Proposed")), ("active", _l("Under way")), ("paused", _l("Paused")),
            ("completed", _l("Completed"))]


def event_kind_choices():
    return [("event", _l("Event")), ("meeting", _l("Council meeting")), ("theme_meeting", _l("Open theme meeting")),
            ("talk", _l("Talk at an existing event"))]


class ProjectForm(BaseForm):
    council = SelectField(_l("Council"), coerce=int, choices=[])
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give the project a title.")),
                                                 Length(max=160, message=_l("At most %(max)d characters."))])
    goal = TextAreaField(_l("Goal"), validators=[DataRequired(message=_l("Describe what the project wants to achieve.")),
                                                 Length(max=5000, message=_l("At most %(max)d characters."))])
    area = StringField(_l("Area"), validators=[Optional(), Length(max=120, message=_l("At most %(max)d characters."))])
    budget_kr = WholeNumberField(_l("Budget in kroner (if any)"), validators=[
        Optional(), NumberRange(min=0, max=100_000_000, message=_l("Enter an amount in whole kroner, 0 or more."))])
    status = SelectField(_l("Status"), choices=project_status_choices)
    progress = WholeNumberField(_l("Progress in per cent"), default=0, validators=[
        InputRequired(message=_l("Enter a number from 0 to 100.")),
        NumberRange(min=0, max=100, message=_l("Enter a number from 0 to 100."))])

    def __init__(self, *args, councils=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.council.choices = [(c.id, c.name) for c in councils]

    def project_fields(self) -> dict:
        return {"title": self.title.data, "goal": self.goal.data, "area": self.area.data or "",
                "budget_kr": self.budget_kr.data, "status": self.status.data, "progress": self.progress.data}


class UpdateForm(BaseForm):
    body = TextAreaField(_l("What is new?"), id="update-body", validators=[
        DataRequired(message=_l("Write what is new.")), Length(max=5000, message=_l("At most %(max)d characters."))])
    # Its own id: the project form on the same page has a "progress" field too, and a label must find its field.
    progress = WholeNumberField(_l("New progress in per cent (optional)"), id="update-progress", validators=[
        Optional(), NumberRange(min=0, max=100, message=_l("Enter a number from 0 to 100."))])


class CommentForm(BaseForm):
    body = TextAreaField(_l("Your comment"), validators=[
        DataRequired(message=_l("Write a comment.")), Length(max=2000, message=_l("At most %(max)d characters."))])


class LinkForm(BaseForm):
    item = SelectField(_l("Idea or task"), choices=[],
                       validators=[DataRequired(message=_l("Choose an idea or a task."))])


class EventForm(BaseForm):
    host = SelectField(_l("Host"), choices=[], validators=[DataRequired(message=_l("Choose who holds the event."))])
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give the event a title.")),
                                                 Length(max=160, message=_l("At most %(max)d characters."))])
    kind = SelectField(_l("Kind"), choices=event_kind_choices)
    description = TextAreaField(_l("Description"), validators=[
        Optional(), Length(max=5000, message=_l("At most %(max)d characters."))])
    place = StringField(_l("Place (address)"), validators=[
        DataRequired(message=_l("Say where the event takes place.")),
        Length(max=200, message=_l("At most %(max)d characters."))])
    area = StringField(_l("Area"), validators=[Optional(), Length(max=120, message=_l("At most %(max)d characters."))])
    day = DateField(_l("Date"), validators=[InputRequired(message=_l("Enter a date."))])
    starts = TimeField(_l("Starts at"), validators=[InputRequired(message=_l("Enter a start time, e.g. 19:00."))])
    ends = TimeField(_l("Ends at"), validators=[InputRequired(message=_l("Enter an end time, e.g. 21:00."))])
    capacity = WholeNumberField(_l("Number of places (leave empty for no limit)"), validators=[
        Optional(), NumberRange(min=1, max=100_000, message=_l("Enter a whole number of places, at least 1."))])
    project = SelectField(_l("Part of a project (optional)"), choices=[], validators=[Optional()])

    def __init__(self, *args, hosts=(), projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.host.choices = list(hosts)
        self.project.choices = [("", _l("No project"))] + [(str(p.id), p.title) for p in projects]

    def project_id(self) -> int | None:
        return parse_id(self.project.data)

    def validate_ends(self, field):
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError(_l("The event must end after it starts."))


class CalendarFilterForm(BaseForm):
    class Meta:
        csrf = False

    council = SelectField(_l("Council"), choices=[], validate_choice=False)
    area = SelectField(_l("Area"), choices=[], validate_choice=False)
