"""Forms of the citizens' room: sign-up, cancellation, profile and the calendar link."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, FieldList, FormField, HiddenField, RadioField,
                     StringField, TextAreaField, ValidationError)
from portal.forms import DateField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from models.people import MOTIVATIONS, PARTS_OF_DAY
from portal.forms import WholeNumberField
from portal.public.forms import PART_LABELS, WEEKDAY_LABELS, CheckboxesField, DanishFieldsForm

MAX_AWAY_PERIODS = 3
# Tags offered as suggestions; citizens may add their own in words.
SUGGESTED_TAGS = ("lektiehjælp", "højtlæsning", "it-hjælp", "havearbejde", "madlavning", "musik", "sang",
                  "gåture", "samtale", "håndværk", "cykling", "sport", "kreativt", "sprog", "praktisk hjælp",
                  "arrangementer", "natur", "fotografering")
MOTIVATION_LABELS = {
    "citizenship": _l("A meaningful way to be a citizen"),
    "difference": _l("Making a difference for others"),
    "community": _l("Community with others"),
    "responsibility": _l("Civic responsibility"),
    "time": _l("I have time to spare"),
    "skills": _l("Using or learning skills"),
    "network": _l("Meeting new people"),
}


class SignupForm(DanishFieldsForm):
    occurrence = HiddenField()  # an occurrence id, or "alle" for every coming time
    note = TextAreaField(_l("A note to the contact person (optional)"), validators=[Optional(), Length(
        max=1000, message=_l("Please keep the note under %(max)d characters."))])
    accept_pledge = BooleanField(_l("I promise to keep confidential what I hear and see about others during the task"))


class CancelForm(DanishFieldsForm):
    reason = TextAreaField(_l("Why can you not come? (optional)"), validators=[Optional(), Length(
        max=1000, message=_l("Please keep the reason under %(max)d characters."))])


class AwayForm(DanishFieldsForm):
    class Meta:
        csrf = False  # part of the profile form, which carries the token

    starts_on = DateField(_l("Away from"), validators=[Optional()])
    ends_on = DateField(_l("Back on"), validators=[Optional()])

    def validate_ends_on(self, field):
        if bool(field.data) != bool(self.starts_on.data):
            raise ValidationError(_l("Give both the first and the last day, or neither."))
        if field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day must be on or after the first day."))


def _availability_choices():
    return [(f"{day}-{part}", f"{WEEKDAY_LABELS[day]} {PART_LABELS[part]}")
            for day in range(7) for part in PARTS_OF_DAY]


def parse_birth_year(value) -> int | None:
    """A four-digit year typed as text (no number spinner); raises ValueError when it is not one."""
    text = (value or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) != 4:
        raise ValueError(text)
    return int(text)


class ProfileForm(DanishFieldsForm):
    skills = TextAreaField(_l("What are you good at?"), validators=[Optional(), Length(
        max=2000, message=_l("Please keep it under %(max)d characters."))])
    interests = TextAreaField(_l("What are you interested in?"), validators=[Optional(), Length(
        max=2000, message=_l("Please keep it under %(max)d characters."))])
    tags = CheckboxesField(_l("Suggested tags"), validators=[Optional()],
                           choices=lambda: [(t, t) for t in SUGGESTED_TAGS])
    own_tags = StringField(_l("Your own tags"), validators=[Optional(), Length(
        max=300, message=_l("Please keep it under %(max)d characters."))])
    availability = CheckboxesField(_l("When do you usually have time?"), validators=[Optional()],
                                   choices=_availability_choices)
    away = FieldList(FormField(AwayForm), min_entries=MAX_AWAY_PERIODS, max_entries=MAX_AWAY_PERIODS)
    postcode = StringField(_l("Postcode"), validators=[Optional(), Regexp(
        r"^\d{4}$", message=_l("A postcode has four digits, e.g. 2800."))])
    travel_km = WholeNumberField(_l("How far will you travel? (km)"), validators=[Optional(), NumberRange(
        min=0, max=500, message=_l("Enter a distance between 0 and 500 km."))])
    languages = StringField(_l("Languages you speak"), validators=[Optional(), Length(
        max=200, message=_l("Please keep it under %(max)d characters."))])
    offers = RadioField(_l("What do you offer?"), validators=[DataRequired(message=_l("Choose what you offer."))],
                        choices=lambda: [("time", _l("Time: I want to help with tasks")),
                                         ("ideas", _l("Ideas: I want to suggest and shape things")),
                                         ("both", _l("Both time and ideas"))])
    motivations = CheckboxesField(_l("What motivates you?"), validators=[Optional()],
                                  choices=lambda: [(m, MOTIVATION_LABELS[m]) for m in MOTIVATIONS])
    phone = StringField(_l("Phone"), render_kw={"inputmode": "tel", "autocomplete": "tel"}, validators=[
        Optional(), Length(max=40, message=_l("Please keep it under %(max)d characters.")), Regexp(
            r"^\+?[0-9 ()-]{8,}$", message=_l("Write a phone number of at least 8 digits, e.g. 20 30 40 50."))])
    birth_year = StringField(_l("Year of birth"), render_kw={"inputmode": "numeric", "autocomplete": "bday-year",
                                                             "size": 4})
    gender = RadioField(_l("Gender"), validators=[Optional()], default="",
                        choices=lambda: [("", _l("Would rather not say")), ("female", _l("Woman")),
                                         ("male", _l("Man")), ("other", _l("Other"))])
    consent_to_be_found = BooleanField(_l("Coordinators and institutions may find my profile and invite me to tasks"))
    consent_shown_to_citizens = BooleanField(_l(
        "Citizens who post an idea may also see my name and what I can do, so they can contact me about it"))

    def validate_consent_shown_to_citizens(self, field):
        if field.data and not self.consent_to_be_found.data:
            raise ValidationError(_l("Being shown to citizens needs the permission to be found as well."))

    def validate_birth_year(self, field):
        from datetime import date
        try:
            year = parse_birth_year(field.data)
        except ValueError:
            raise ValidationError(_l("Write the year with four digits, e.g. 1962.")) from None
        if year is not None and not 1900 <= year <= date.today().year:
            raise ValidationError(_l("Write a year between 1900 and this year."))

    def validate_own_tags(self, field):
        if any(len(t.strip()) > 40 for t in (field.data or "").split(",")):
            raise ValidationError(_l("Each tag may be at most 40 characters. Separate tags with commas."))

    def tag_values(self) -> list[str]:
        own = [t.strip().lower() for t in (self.own_tags.data or "").split(",") if t.strip()]
        seen: list[str] = []
        for tag in [*(self.tags.data or []), *own]:
            if tag not in seen:
                seen.append(tag)
        return seen
