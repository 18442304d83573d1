"""The municipality's own identity on every page: its name, logo, contact details and colour
(DKFDS's primary colour as CSS custom properties in /tema.css), the favicon, and the administrator's page
that sets them."""
from __future__ import annotations

import time
from pathlib import Path

from flask import (Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from models import Role, db, utcnow
from models.base import DomainError
from models.municipality import DKFDS_PRIMARY, Identity, MunicipalitySettings, identity
from models.municipality_operations import update_municipality
from portal.access import PUBLIC, access
from portal.forms import BaseForm

bp = Blueprint("look", __name__)
_FAVICON = Path(__file__).resolve().parent.parent / "static" / "icons" / "favicon.ico"


CACHE_KEY = "samskab_identity"   # app.extensions[CACHE_KEY] = (good until, identity), per process
CACHE_SECONDS = 30.0


def current_identity() -> Identity:
    """Once per request, and from a per-process cache for 30 s (the cached task list answers without a query;
    a save here clears it at once, other processes see it within 30 s). A page about a failing database
    still shows, with the configured identity."""
    if "municipality" in g:
        return g.municipality
    cached = current_app.extensions.get(CACHE_KEY)
    if cached is not None and cached[0] > time.monotonic():
        g.municipality = cached[1]
        return g.municipality
    try:
        found = identity(current_app.config)
    except Exception:  # noqa: BLE001 - the error page itself must render
        db.session.rollback()
        cfg = current_app.config
        g.municipality = Identity(name=cfg.get("MUNICIPALITY_NAME") or "Samskab Kommune", address="", phone="",
                                  email="", website="", primary_colour=DKFDS_PRIMARY, has_logo=False, version=0)
        return g.municipality
    current_app.extensions[CACHE_KEY] = (time.monotonic() + CACHE_SECONDS, found)
    g.municipality = found
    return found


def forget_identity() -> None:
    current_app.extensions.pop(CACHE_KEY, None)
    g.pop("municipality", None)


class IdentityView:
    """What templates read as `municipality`."""

    def __init__(self, ident: Identity):
        self._ident = ident

    def __getattr__(self, name):
        return getattr(self._ident, name)

    @property
    def logo_url(self) -> str | None:
        return url_for("look.logo", v=self._ident.version) if self._ident.has_logo else None


def template_context() -> dict:
    return {"municipality": IdentityView(current_identity())}


@bp.route("/tema.css")
@access(PUBLIC)
def theme_css():
    """DKFDS's primary colours as the municipality's (checked for AA contrast when saved)."""
    ident = current_identity()
    body = (":root {\n"
            f"  --fds-primary: {ident.primary_colour};\n"
            f"  --fds-primary-dark: {ident.primary_dark};\n"
            f"  --fds-primary-darker: {ident.primary_darker};\n"
            "}\n")
    response = Response(body, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/favicon.ico")
@access(PUBLIC)
def favicon():
    """Browsers ask for /favicon.ico on every site; the vendored icon (static/icons, scripts/make_icons.py)."""
    response = Response(_FAVICON.read_bytes(), mimetype="image/x-icon")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/kommune/logo")
@access(PUBLIC)
def logo():
    row = MunicipalitySettings.get()
    if row is None or not row.logo:
        abort(404)
    response = Response(row.logo, mimetype=row.logo_type)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


class MunicipalityForm(BaseForm):
    name = StringField(_l("Name of the municipality"), validators=[DataRequired(message=_l("Enter a name.")),
                                                                  Length(max=120)])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=300)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = StringField(_l("E-mail"), validators=[Optional(), Email(message=_l("Enter a valid e-mail address."),
                                                                    check_deliverability=False), Length(max=254)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)])
    primary_colour = StringField(_l("Main colour"), validators=[Optional(), Length(max=7)])
    logo = FileField(_l("Logo (PNG or JPEG, at most 200 kB)"))
    remove_logo = BooleanField(_l("Remove the logo"))


DOMAIN_MESSAGES = {
    "name_missing": ("name", _l("Enter a name.")),
    "colour_invalid": ("primary_colour", _l("Write the colour as a hex code, e.g. #44831E.")),
    "colour_contrast": ("primary_colour", _l("This colour is too light: white text on it, and the colour as text "
                                             "on white, must have a contrast of at least 4.5:1 (WCAG AA). "
                                             "Choose a darker colour.")),
    "logo_type": ("logo", _l("The logo must be a PNG or JPEG picture.")),
    "logo_size": ("logo", _l("The logo may be at most 200 kB.")),
}


@bp.route("/admin/kommune", methods=["GET", "POST"])
@access(Role.ADMIN)
def municipality():
    """The administrator sets the municipality's name, contact details, colour and logo."""
    row = MunicipalitySettings.get()
    ident = current_identity()
    form = MunicipalityForm(obj=row) if request.method == "GET" and row is not None else MunicipalityForm()
    if request.method == "GET" and row is None:
        form.name.data, form.address.data, form.phone.data = ident.name, ident.address, ident.phone
        form.email.data, form.website.data = ident.email, ident.website
    if form.validate_on_submit():
        upload = form.logo.data
        logo_bytes = upload.read() if upload and getattr(upload, "filename", "") else None
        try:
            update_municipality(actor=current_user, now=utcnow(), name=form.name.data, address=form.address.data,
                                phone=form.phone.data, email=form.email.data, website=form.website.data,
                                primary_colour=form.primary_colour.data or "", logo=logo_bytes,
                                remove_logo=form.remove_logo.data)
        except DomainError as error:
            db.session.rollback()
            field, message = DOMAIN_MESSAGES[error.code]
            getattr(form, field).errors.append(str(message))
        else:
            db.session.commit()
            forget_identity()
            flash(_("The municipality's details are saved."), "success")
            return redirect(url_for("look.municipality"))
    return render_template("admin/municipality.html", form=form, ident=ident, default_colour=DKFDS_PRIMARY)
