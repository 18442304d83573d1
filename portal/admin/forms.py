"""Forms for administration."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from models.organisations import COUNCIL_KINDS, INSTITUTION_KINDS
from portal.forms import BaseForm

POSTCODE = Regexp(r"^\d{4}$", message=_l("A postcode has four digits."))


def institution_kind_choices():
    labels = {"school": _l("School"), "elder_centre": _l("Elder centre"), "day_care": _l("Day care"),
              "library": _l("Library"), "club": _l("Club or association"), "other": _l("Other"),
              "association": _l("Association (forening)")}
    return [(k, labels[k]) for k in INSTITUTION_KINDS]


def council_kind_choices():
    labels = {"local_council": _l("Local council"), "task_committee": _l("Task committee"),
              "council": _l("Council (e.g. senior council)")}
    return [(k, labels[k]) for k in COUNCIL_KINDS]


class InstitutionForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=160)])
    kind = SelectField(_l("Kind"), choices=institution_kind_choices)
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), POSTCODE])
    email = StringField(_l("E-mail"), validators=[Optional(), Email(message=_l("Enter a valid e-mail address."),
                                                                    check_deliverability=False), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


class CouncilForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=160)])
    kind = SelectField(_l("Kind"), choices=council_kind_choices)
    area = StringField(_l("Area"), validators=[Optional(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


class UserSearchForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search by name or e-mail"), validators=[Optional(), Length(max=200)])


class RoleForm(BaseForm):
    role = SelectField(_l("Role"), choices=[])
    action = SelectField(_l("Action"), choices=[("grant", _l("Grant")), ("revoke", _l("Remove"))])


class MembershipForm(BaseForm):
    organisation = SelectField(_l("Institution or council"), choices=[])
    action = SelectField(_l("Action"), choices=[("add", _l("Add")), ("remove", _l("Remove"))])


class ConfirmForm(BaseForm):
    """An empty form: a button with CSRF protection."""
