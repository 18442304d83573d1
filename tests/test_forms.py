"""Shared form behaviour: input is cleaned, and WTForms' own messages come out in Danish."""
from werkzeug.datastructures import MultiDict
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import DataRequired, Length

from portal.forms import BaseForm


class Sample(BaseForm):
    class Meta:
        csrf = False

    name = StringField("Name", validators=[DataRequired(), Length(max=5)])
    count = IntegerField("Count")
    day = DateField("Day")


def test_wtforms_messages_are_danish_and_input_is_cleaned(app):
    with app.test_request_context("/"):
        form = Sample(formdata=MultiDict({"name": "  Ålborg\u0000 by  ", "count": "mange", "day": "31-02"}))
        assert not form.validate()
        assert form.name.data == "Ålborg by"
        assert form.name.errors == ["Skriv højst 5 tegn."]
        assert form.count.errors == ["Skriv et helt tal."]
        assert form.day.errors == ["Skriv en gyldig dato."]
        empty = Sample(formdata=MultiDict({"name": "   "}))
        assert not empty.validate()
        assert empty.name.errors == ["Udfyld venligst feltet."]
