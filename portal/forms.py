"""Shared form pieces: trimmed text fields, password rules and Danish-friendly validators."""
from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
import wtforms
from wtforms import DecimalField, IntegerField, ValidationError
from wtforms.widgets import TextInput

from portal.auth.password_policy import MIN_LENGTH as MIN_PASSWORD_LENGTH
from portal.params import in_date_range


def clean_text(value):
    """Normalise to NFC, drop control characters and trim: what people paste is kept, minus junk."""
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value)
    value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return value.strip()


# WTForms has no Danish catalogue: its own parse and choice messages are given ours.
FIELD_MESSAGES = {
    "Not a valid date value.": _l("Enter a valid date."),
    "Not a valid datetime value.": _l("Enter a valid date and time."),
    "Not a valid integer value.": _l("Enter a whole number."),
    "Not a valid choice.": _l("Choose one of the options."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l("Choose among the options shown."),
    "'%(value)s' is not a valid choice for this field.": _l("“%(value)s” is not one of the options."),
    "'%(value)s' are not valid choices for this field.": _l("“%(value)s” are not among the options."),
    "Invalid Choice: could not coerce.": _l("Choose one of the options."),
    "Not a valid decimal value.": _l("Enter a number, e.g. 2,5."),
    "Not a valid float value.": _l("Enter a number, e.g. 2,5."),
    "This field is required.": _l("Please fill in this field."),
    "Invalid email address.": _l("Enter a valid e-mail address."),
    "Invalid input.": _l("Check what you entered."),
    "Field must be at least %(min)d character long.": _l("Write at least %(min)d characters."),
    "Field must be at least %(min)d characters long.": _l("Write at least %(min)d characters."),
    "Field cannot be longer than %(max)d character.": _l("Write at most %(max)d characters."),
    "Field cannot be longer than %(max)d characters.": _l("Write at most %(max)d characters."),
    "Field must be exactly %(max)d character long.": _l("Write exactly %(max)d characters."),
    "Field must be exactly %(max)d characters long.": _l("Write exactly %(max)d characters."),
    "Field must be between %(min)d and %(max)d characters long.":
        _l("Write between %(min)d and %(max)d characters."),
    "Number must be at least %(min)s.": _l("The number must be at least %(min)s."),
    "Number must be at most %(max)s.": _l("The number must be at most %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("The number must be between %(min)s and %(max)s."),
    "Field must be equal to %(other_name)s.": _l("The two fields must be the same."),
}


def danish_number(text: str) -> str:
    """A typed number in the form Python reads: "2,5" -> "2.5", "1.250,5" -> "1250.5", " 12 " -> "12"."""
    text = "".join((text or "").split()).replace("\u2212", "-")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    return text


class CommaDecimalField(DecimalField):
    """A decimal typed as text that takes the Danish comma: "2,5" hours is 2.5.

    A text box, not type=number: a browser's number box may drop the comma ("2,5" became 25).
    """

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata([danish_number(v) for v in valuelist])

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        text = format(self.data.normalize() if hasattr(self.data, "normalize") else self.data, "f")
        return text.replace(".", ",")


class WholeNumberField(IntegerField):
    """A whole number typed as text (spaces and a thousands dot allowed), not a number box."""

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        cleaned = []
        for value in valuelist:
            text = "".join((value or "").split())
            if "," not in text and text.count(".") >= 1 and all(len(p) == 3 for p in text.split(".")[1:]):
                text = text.replace(".", "")  # "2.000" kroner
            cleaned.append(text)
        super().process_formdata(cleaned)


class FieldMessages:
    """WTForms translations object that answers with our catalogue where we have a message."""

    def gettext(self, string):
        return str(FIELD_MESSAGES.get(string, string))

    def ngettext(self, singular, plural, n):
        return self.gettext(singular if n == 1 else plural)


class BaseForm(FlaskForm):
    """Every form trims and cleans its text input and speaks Danish in WTForms' own messages."""

    class Meta:
        def get_translations(self, form):
            return FieldMessages()

        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", ())
            if unbound_field.field_class.__name__ in {"StringField", "TextAreaField", "EmailField",
                                                        "SearchField", "TelField"}:
                options["filters"] = (clean_text, *filters)
            return unbound_field.bind(form=form, **options)


def common_passwords() -> frozenset[str]:
    from portal.auth import password_policy
    return password_policy.common_passwords()


def password_rules(form, field):
    from portal.auth import password_policy
    email = getattr(getattr(form, "email", None), "data", None)
    if email is None and current_user and current_user.is_authenticated:
        email = current_user.email
    reason = password_policy.refusal(field.data or "", email=email)
    if reason == "short":
        raise ValidationError(_l("The password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH))
    if reason == "long":
        raise ValidationError(_l("The password is too long."))
    if reason == "common":
        raise ValidationError(_l("That password is too common. Choose one that is harder to guess."))
    if reason == "own_words":
        raise ValidationError(_l("That password is made of this site's or the municipality's own words, which "
                                 "are guessed first. Choose one that is harder to guess."))
    if reason == "email":
        raise ValidationError(_l("The password must not be your e-mail address."))


def _check_date_range(field, day) -> None:
    if day is not None and not in_date_range(day):
        field.data = None
        raise ValueError(_l("Enter a date between the years 1900 and 2199."))


class DateField(wtforms.DateField):
    """A date field that refuses years SQL, `timedelta` and the calendar cannot handle (e.g. 0001-01-01)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        _check_date_range(self, self.data)


class DateTimeLocalField(wtforms.DateTimeLocalField):
    """A date-and-time field with the same bounded years as `DateField`."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        _check_date_range(self, self.data.date() if self.data is not None else None)
