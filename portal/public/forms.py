"""Forms of the public room: the task search, read from the query string."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SearchField, SelectField, SelectMultipleField, ValidationError
from wtforms.validators import Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from portal.admin.forms import institution_kind_choices
from portal.forms import BaseForm
from portal.forms import DateField  # bounded years
from portal.public.finding import Criteria

WEEKDAY_LABELS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
                  _l("Sunday"))
PART_LABELS = {"morning": _l("Morning"), "afternoon": _l("Afternoon"), "evening": _l("Evening")}


# Kept as a name for the forms that were written against it; BaseForm now does the work.
DanishFieldsForm = BaseForm


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of labelled check boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def sort_choices():
    return [("soonest", _l("Soonest first")), ("newest", _l("Newest first")), ("spots", _l("Most free spots")),
            ("title", _l("Title (A–Å)"))]


def breadth_labels() -> dict:
    """The breadth flags of a task (models.tasks.BREADTH_FLAGS) in words."""
    return {"no_danish_needed": _l("No Danish needed"), "wheelchair_accessible": _l("Wheelchair accessible"),
            "good_first_task": _l("A good first task"), "for_under_18": _l("For young people under 18"),
            "from_home": _l("Can be done from home")}


class TaskSearchForm(DanishFieldsForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind of place"), validators=[Optional()],
                       choices=lambda: [("", _l("All kinds"))] + institution_kind_choices())
    area = SearchField(_l("Postcode or area"), validators=[
        Optional(), Regexp(r"^\d{1,4}$", message=_l("Enter a postcode, or its first digits, e.g. 28."))])
    date_from = DateField(_l("From date"), validators=[Optional()])
    date_to = DateField(_l("To date"), validators=[Optional()])
    weekdays = CheckboxesField(_l("Weekdays"), coerce=int, validators=[Optional()],
                               choices=lambda: list(enumerate(WEEKDAY_LABELS)))
    parts = CheckboxesField(_l("Time of day"), validators=[Optional()], choices=lambda: list(PART_LABELS.items()))
    recurrence = SelectField(_l("One-off or recurring"), validators=[Optional()], choices=lambda: [
        ("", _l("Both")), ("once", _l("One-off")), ("recurring", _l("Recurring"))])
    no_certificate = BooleanField(_l("No child certificate needed"))
    no_pledge = BooleanField(_l("No confidentiality pledge needed"))
    spots_left = BooleanField(_l("Only tasks with free spots"))
    breadth = CheckboxesField(_l("Open to"), validators=[Optional()], choices=lambda: list(breadth_labels().items()))
    sort = SelectField(_l("Sort by"), validators=[Optional()], choices=sort_choices, default="soonest")

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date must be on or after the start date."))

    def criteria(self) -> Criteria:
        """The valid part of the search; a field with an error is left out rather than failing the page."""
        def ok(name):
            return getattr(self, name).data if not getattr(self, name).errors else None
        return Criteria(q=ok("q") or "", kind=ok("kind") or "", area=ok("area") or "", date_from=ok("date_from"),
                        date_to=ok("date_to"), weekdays=ok("weekdays") or [], parts=ok("parts") or [],
                        recurrence=ok("recurrence") or "", no_certificate=bool(self.no_certificate.data),
                        no_pledge=bool(self.no_pledge.data), spots_left=bool(self.spots_left.data),
                        breadth=ok("breadth") or [],
                        sort=ok("sort") or "soonest")
