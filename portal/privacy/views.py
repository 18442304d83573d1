"""Download my data and delete my account."""
from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, logout_user
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, Length

from models import db, utcnow
from models.privacy import export_user_data
from portal.access import LOGIN, access
from portal.forms import BaseForm
from portal.privacy.erasure import withdraw_and_erase

bp = Blueprint("privacy", __name__, url_prefix="/mig")


class DeleteForm(BaseForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(message=_l("Enter your password.")),
                                                             Length(max=256)])
    confirm = BooleanField(_l("I understand that my account and my personal data are deleted at once"),
                           validators=[DataRequired(message=_l("Please confirm that you want to delete your account."))])


class DownloadForm(BaseForm):
    """A button with CSRF protection: the download is a POST so links cannot trigger it."""


@bp.route("/data", methods=["GET", "POST"])
@access(LOGIN)
def my_data():
    """Show what the download contains, and send the JSON file of everything about me."""
    form = DownloadForm()
    if form.validate_on_submit():
        data = export_user_data(db.session, current_user)
        from portal.citizens.purposes import export_section
        body = json.dumps({"exported_at": utcnow().isoformat(), "purposes": export_section(), "data": data},
                          ensure_ascii=False, indent=2)
        return Response(body, mimetype="application/json", headers={
            "Content-Disposition": "attachment; filename=samskab-mine-data.json", "Cache-Control": "no-store"})
    from portal.citizens import purposes
    return render_template("privacy/my_data.html", form=form, purposes=purposes.purposes(),
                           purpose_labels=purposes.labels(), purpose_fields=purposes.FIELDS)


@bp.route("/slet", methods=["GET", "POST"])
@access(LOGIN)
def delete_account():
    """Delete my account: personal data is erased or anonymised at once."""
    form = DeleteForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append(_("The password is not right."))
        else:
            user = current_user._get_current_object()
            logout_user()
            withdraw_and_erase(user, now=utcnow())
            db.session.commit()
            flash(_("Your account is deleted. Thank you for what you gave."), "success")
            return redirect(url_for("public.home"))
    return render_template("privacy/delete.html", form=form)
