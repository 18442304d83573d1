"""Forms for accounts."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from portal.forms import BaseForm, password_rules

EMAIL = [DataRequired(message=_l("Enter your e-mail address.")),
         Email(message=_l("Enter a valid e-mail address, e.g. navn@eksempel.dk."), check_deliverability=False),
         Length(max=254)]


class RegisterForm(BaseForm):
    name = StringField(_l("Your name"), validators=[DataRequired(message=_l("Enter your name.")), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=EMAIL)
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Choose a password.")),
                                                         password_rules])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[EqualTo("password", message=_l("The two passwords are not the same."))])
    accept = BooleanField(_l("I have read how Samskab handles my data"),
                          validators=[DataRequired(message=_l("Please confirm that you have read the privacy page."))])


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=EMAIL)
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password.")),
                                                         Length(max=256)])
    next = HiddenField()


class ForgotForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=EMAIL)


class ResetForm(BaseForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(message=_l("Choose a password.")),
                                                             password_rules])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[EqualTo("password", message=_l("The two passwords are not the same."))])


class ChangePasswordForm(ResetForm):
    current = PasswordField(_l("Current password"),
                            validators=[DataRequired(message=_l("Enter your current password.")), Length(max=256)])


class ResendForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=EMAIL)


class SecondFactorForm(BaseForm):
    code = StringField(_l("Code"), validators=[DataRequired(message=_l("Enter the code.")), Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"})
    next = HiddenField()


class MitIDWelcomeForm(BaseForm):
    name = StringField(_l("Your name"), validators=[DataRequired(message=_l("Enter your name.")), Length(max=120)])
    email = EmailField(_l("E-mail for reminders (optional)"),
                       validators=[Optional(), Email(message=_l("Enter a valid e-mail address, e.g. navn@eksempel.dk."),
                                                     check_deliverability=False), Length(max=254)])
