"""Forms of the ideas room."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from models.ideas import IDEA_THEMES, IdeaStatus as S
from portal.forms import BaseForm, WholeNumberField


def theme_labels() -> dict[str, object]:
    return {
        "community": _l("Community and neighbourhood"), "culture": _l("Culture and leisure"),
        "nature": _l("Nature and green areas"), "sport": _l("Sport and exercise"),
        "children": _l("Children and young people"), "elderly": _l("Older people"),
        "health": _l("Health and well-being"), "inclusion": _l("Inclusion and diversity"),
        "environment": _l("Climate and environment"), "other": _l("Something else"),
    }


def status_labels() -> dict[str, object]:
    return {
        S.RECEIVED: _l("Received"), S.IN_DIALOGUE: _l("In dialogue"), S.CAN_GO_AHEAD: _l("Can go ahead"),
        S.CANNOT_ENGAGE: _l("The municipality cannot engage"), S.REALISED: _l("Realised"), S.CLOSED: _l("Closed"),
    }


REQUIRED = _l("Please fill in this field.")


class PrefixedForm(BaseForm):
    """Several forms share the idea page: a prefix keeps their field names and ids apart."""

    PREFIX = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.PREFIX)
        super().__init__(*args, **kwargs)


class IdeaForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=160)])
    what = TextAreaField(_l("What is your idea?"), validators=[DataRequired(REQUIRED), Length(max=4000)])
    why = TextAreaField(_l("Why does it matter?"), validators=[Optional(), Length(max=4000)])
    for_whom = TextAreaField(_l("Who is it for?"), validators=[Optional(), Length(max=2000)])
    own_contribution = TextAreaField(_l("What can you do yourself?"), validators=[Optional(), Length(max=2000)])
    needs_from_municipality = TextAreaField(_l("What do you need from the municipality?"),
                                            validators=[Optional(), Length(max=2000)])
    area = StringField(_l("Area (town, neighbourhood or street)"), validators=[Optional(), Length(max=120)])
    theme = SelectField(_l("Theme"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme.choices = [("", _l("Choose a theme (optional)"))] + list(theme_labels().items())

    def values(self) -> dict:
        return {name: getattr(self, name).data or "" for name in
                ("title", "what", "why", "for_whom", "own_contribution", "needs_from_municipality", "area", "theme")}


class JoinForm(PrefixedForm):
    PREFIX = "join"

    offer = TextAreaField(_l("I want to join: what I can offer"),
                          validators=[DataRequired(_l("Tell the initiator what you can offer.")), Length(max=2000)])


ANSWER_CHOICES = (S.IN_DIALOGUE, S.CAN_GO_AHEAD, S.CANNOT_ENGAGE)


class AnswerForm(PrefixedForm):
    PREFIX = "answer"

    status = SelectField(_l("Answer"), validators=[InputRequired()])
    message = TextAreaField(_l("Message to the initiator (the reason, if the municipality cannot engage)"),
                            validators=[Optional(), Length(max=4000)])
    next_step = TextAreaField(_l("Next step"), validators=[Optional(), Length(max=2000)])
    next_who = StringField(_l("Who does it"), validators=[Optional(), Length(max=160)])
    next_when = StringField(_l("When"), validators=[Optional(), Length(max=160)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = status_labels()
        self.status.choices = [(s, labels[s]) for s in ANSWER_CHOICES]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.status.data == S.CANNOT_ENGAGE and not self.message.data:
            self.message.errors.append(_l("Give the reason why the municipality cannot engage."))
            ok = False
        if self.status.data == S.IN_DIALOGUE and not self.message.data:
            self.message.errors.append(_l("Write a message to the initiator."))
            ok = False
        if self.status.data == S.CAN_GO_AHEAD:
            for field in (self.next_step, self.next_who, self.next_when):
                if not field.data:
                    field.errors.append(_l("Say what happens next, who does it and when."))
                    ok = False
        return ok


class CloseForm(PrefixedForm):
    PREFIX = "close"

    status = SelectField(_l("What happened"), choices=[], validators=[InputRequired()])
    message = TextAreaField(_l("A few words for the timeline (optional)"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [(S.REALISED, _l("The idea is realised")), (S.CLOSED, _l("Close the idea"))]


class MeetingForm(PrefixedForm):
    PREFIX = "meeting"

    when = StringField(_l("When is the meeting?"), validators=[DataRequired(REQUIRED), Length(max=160)])
    where = StringField(_l("Where?"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    message = TextAreaField(_l("Message to the co-creators"), validators=[Optional(), Length(max=2000)])


class AssignForm(PrefixedForm):
    PREFIX = "assign"

    agent = SelectField(_l("Sparring agent"), coerce=int, validators=[InputRequired()])


class ReportForm(BaseForm):
    """Report an idea, a project update or a comment to the coordinators (one form for all three)."""

    reason = TextAreaField(_l("What is wrong?"), validators=[
        DataRequired(message=_l("Tell us briefly what is wrong.")),
        Length(max=2000, message=_l("At most %(max)d characters."))])


class ModerationForm(BaseForm):
    action = SelectField(_l("Decision"), choices=[], validators=[InputRequired()])
    reason = TextAreaField(_l("Reason (shown to the author)"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [("hide", _l("Hide it")), ("keep", _l("Keep it as it is")),
                               ("show", _l("Show it again"))]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.action.data == "hide" and not self.reason.data:
            self.reason.errors.append(_l("Give the reason; the author will see it."))
            ok = False
        return ok


class ThemesForm(BaseForm):
    themes = SelectMultipleField(_l("Themes I take"), widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput(), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.themes.choices = list(theme_labels().items())


class AnswerTimesForm(BaseForm):
    class Meta:
        csrf = False

    # The query parameters keep their Danish names (?frist=, ?tema=, ?omraade=); the code's names are English.
    deadline = WholeNumberField(_l("Deadline in working days"), name="frist", validators=[
        Optional(), NumberRange(min=1, max=60, message=_l("Enter a number of working days from 1 to 60."))])


class IdeaFilterForm(BaseForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])
    theme = SelectField(_l("Theme"), name="tema", validators=[Optional()])
    area = StringField(_l("Area"), name="omraade", validators=[Optional(), Length(max=120)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [("", _l("All"))] + [(s, label) for s, label in status_labels().items()
                                                    if s in S.ALL]
        self.theme.choices = [("", _l("All"))] + [(t, theme_labels()[t]) for t in IDEA_THEMES]
