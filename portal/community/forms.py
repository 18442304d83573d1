"""Forms and the Danish messages of the teams', networks' and associations' rules."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import BooleanField, DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp

from models.base import DomainError, from_local
from portal.forms import BaseForm

ERRORS = {
    "not_allowed": _l("You are not allowed to do that."),
    "name_required": _l("Please give a name."),
    "name_taken": _l("That name is already in use. Choose another."),
    "cvr_invalid": _l("A CVR number has eight digits."),
    "postcode_invalid": _l("A postcode has four digits."),
    "consent_required": _l("To join the team you must agree that its members see your name and phone number."),
    "tovholder_cannot_leave": _l("As tovholder you cannot leave. Ask the contact person to name another tovholder first."),
    "ends_before_start": _l("The end must be after the start."),
    "start_in_past": _l("The start must be in the future."),
    "needed_invalid": _l("Enter how many are needed, from 1 to 50."),
    "task_not_running": _l("The team's task is cancelled, so no shifts can be added."),
    "not_a_member": _l("Only members of the team can do that."),
    "shift_over": _l("The shift has already started."),
    "shift_full": _l("Enough members are already coming to that shift."),
    "message_required": _l("Write a message."),
    "task_of_other_institution": _l("Choose a task of the team's own institution."),
    "task_not_open": _l("The task does not take sign-ups now."),
    "too_late": _l("It is too late to sign up for that time."),
    "places_invalid": _l("Choose between 1 place and one per member of the team (%(members)s)."),
    "places_not_free": _l("That time has only %(free)s free places. Choose fewer, or another time."),
    "places_below_confirmed": _l("%(confirmed)s members have already confirmed their places. Choose at least "
                                 "that many places."),
    "team_places_taken": _l("The team's places are all taken."),
    "team_places_closed": _l("A team can reserve places until a day before the start. Members can still sign up "
                             "one by one on the task's page."),
    "agenda_required": _l("Write the agenda."),
    "minutes_required": _l("Write the minutes."),
    "meeting_not_held": _l("Minutes can be published once the meeting has begun."),
    "title_required": _l("Please give a title."),
    "answer_required": _l("Write the answer."),
    "need_filled": _l("That need is already filled."),
    "invalid_kind": _l("Choose one of the options."),
    "already_signed_up": _l("You are already signed up for that time."),
    "profile_declined": _l("You cannot sign up at the moment. Contact the volunteer coordinator."),
    "occurrence_cancelled": _l("That time is cancelled."),
    "occurrence_past": _l("That time has passed."),
}


def message_for(error: DomainError) -> str:
    text = ERRORS.get(error.code)
    if text is None:
        return _("That could not be done. Please try again.")
    return str(text) % error.details if "%(" in str(text) else str(text)


MAX = _l("At most %(max)d characters.")


class TimeSpanFields:
    """A day with a start and an end time (Copenhagen wall clock), as UTC."""

    def span(self) -> tuple[datetime, datetime]:
        day = self.day.data
        return (from_local(datetime.combine(day, self.starts.data)), from_local(datetime.combine(day, self.ends.data)))


class AssociationForm(BaseForm):
    name = StringField(_l("Name of the association"), validators=[DataRequired(message=_l("Please give a name.")),
                                                                  Length(max=160, message=MAX)])
    cvr = StringField(_l("CVR number (optional)"), validators=[
        Optional(), Regexp(r"^\d{8}$", message=_l("A CVR number has eight digits."))])
    activity = StringField(_l("What the association does (e.g. sport, culture, social)"),
                           validators=[Optional(), Length(max=80, message=MAX)])
    description = TextAreaField(_l("Short description"), validators=[Optional(), Length(max=2000, message=MAX)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200, message=MAX)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Regexp(r"^\d{4}$", message=_l("A postcode has four digits."))])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(message=_l("Enter a valid e-mail address."))])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40, message=MAX)])
    board = BooleanField(_l("I am on the association's board"), validators=[
        DataRequired(message=_l("Only a board member can register the association."))])

    def fields(self) -> dict:
        return {k: getattr(self, k).data or "" for k in ("cvr", "activity", "description", "address", "postcode",
                                                          "email", "phone")}


class ProfileForm(BaseForm):
    story = TextAreaField(_l("Our story"), validators=[Optional(), Length(max=5000, message=MAX)])
    volunteer_frame = TextAreaField(_l("What volunteers do here (the frame)"),
                                    validators=[Optional(), Length(max=2000, message=MAX)])
    description = TextAreaField(_l("Short description"), validators=[Optional(), Length(max=2000, message=MAX)])

    def fields(self) -> dict:
        return {"story": self.story.data or "", "volunteer_frame": self.volunteer_frame.data or "",
                "description": self.description.data or ""}


class NeedForm(BaseForm):
    title = StringField(_l("What do you need?"), validators=[DataRequired(message=_l("Please give a title.")),
                                                             Length(max=160, message=MAX)])
    period = StringField(_l("For how long (e.g. one year)"), validators=[Optional(), Length(max=80, message=MAX)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000, message=MAX)])


class OfferForm(BaseForm):
    message = TextAreaField(_l("A few words about what you can offer"),
                            validators=[Optional(), Length(max=2000, message=MAX)])


class TeamForm(BaseForm):
    name = StringField(_l("Name of the team"), validators=[DataRequired(message=_l("Please give a name.")),
                                                           Length(max=120, message=MAX)])
    purpose = TextAreaField(_l("What the team does"), validators=[Optional(), Length(max=2000, message=MAX)])
    task = SelectField(_l("The task whose frame the team works within"), coerce=int, choices=[])
    tovholder = EmailField(_l("The tovholder's e-mail (a volunteer with a profile)"), validators=[
        Optional(), Email(message=_l("Enter a valid e-mail address."))])


class JoinTeamForm(BaseForm):
    consent = BooleanField(_l("I agree that the members of this team see my name and phone number. "
                              "No one outside the team sees them."), validators=[
        DataRequired(message=_l("To join the team you must agree that its members see your name and phone number."))])


class ShiftForm(TimeSpanFields, BaseForm):
    day = DateField(_l("Day"), validators=[InputRequired(message=_l("Enter a valid date."))])
    starts = TimeField(_l("From"), validators=[InputRequired(message=_l("Enter a time, e.g. 14:00."))])
    ends = TimeField(_l("To"), validators=[InputRequired(message=_l("Enter a time, e.g. 14:00."))])
    needed = IntegerField(_l("Members needed"), default=1, validators=[
        InputRequired(message=_l("Enter how many are needed, from 1 to 50.")),
        NumberRange(min=1, max=50, message=_l("Enter how many are needed, from 1 to 50."))])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500, message=MAX)])


class MeetingForm(TimeSpanFields, BaseForm):
    day = DateField(_l("Day"), validators=[InputRequired(message=_l("Enter a valid date."))])
    starts = TimeField(_l("From"), validators=[InputRequired(message=_l("Enter a time, e.g. 14:00."))])
    ends = TimeField(_l("To"), validators=[InputRequired(message=_l("Enter a time, e.g. 14:00."))])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200, message=MAX)])
    agenda = TextAreaField(_l("Agenda"), validators=[Optional(), Length(max=5000, message=MAX)])


class MessageForm(BaseForm):
    body = TextAreaField(_l("Message to the team"), validators=[DataRequired(message=_l("Write a message.")),
                                                                Length(max=4000, message=MAX)])


class TeamSignupForm(BaseForm):
    occurrence = SelectField(_l("Time"), coerce=int, choices=[])
    places = IntegerField(_l("Places for the team"), default=2, validators=[
        InputRequired(message=_l("Enter a whole number.")), NumberRange(min=1, max=100, message=_l("Enter a whole number."))])


class MinutesForm(BaseForm):
    minutes = TextAreaField(_l("Minutes"), validators=[DataRequired(message=_l("Write the minutes.")),
                                                       Length(max=10000, message=MAX)])


class ItemForm(BaseForm):
    title = StringField(_l("Item for the municipality"), validators=[DataRequired(message=_l("Please give a title.")),
                                                                     Length(max=160, message=MAX)])
    body = TextAreaField(_l("Background"), validators=[Optional(), Length(max=4000, message=MAX)])


class AnswerForm(BaseForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(message=_l("Write the answer.")),
                                                     Length(max=4000, message=MAX)])


class NetworkForm(BaseForm):
    name = StringField(_l("Name of the network"), validators=[DataRequired(message=_l("Please give a name.")),
                                                              Length(max=120, message=MAX)])
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=2000, message=MAX)])
    tovholder = EmailField(_l("The tovholder's e-mail"), validators=[
        Optional(), Email(message=_l("Enter a valid e-mail address."))])


def offer_kind_choices():
    return [("room", _l("Room")), ("grant", _l("Grant")), ("other", _l("Other"))]


class MunicipalOfferForm(BaseForm):
    kind = SelectField(_l("Kind"), choices=offer_kind_choices)
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Please give a title.")),
                                                 Length(max=160, message=MAX)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000, message=MAX)])
    how_to_apply = TextAreaField(_l("How to apply"), validators=[DataRequired(message=_l("Say how to apply.")),
                                                                 Length(max=2000, message=MAX)])
    link = StringField(_l("Link (optional)"), validators=[
        Optional(), Length(max=300, message=MAX),
        Regexp(r"^https?://", message=_l("A link starts with https://"))])
