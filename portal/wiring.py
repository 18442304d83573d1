"""Binds extensions, blueprints, CLI commands, error pages and response headers to an app.

All wiring is here and explicit: blueprints (a room spread over several modules builds its own from
their route tables), Jinja filters and globals, engine and session listeners, the writers of the
operations' notices and the delivery of the mails a request caused. Importing a module wires nothing.
"""
from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache

from flask import Flask, g, render_template, request, session
from flask_babel import format_date, format_datetime, get_locale, get_timezone, gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.routing import IntegerConverter
from sqlalchemy.orm import joinedload

from models import (CertificateStatus, IdeaEventKind, IdeaStatus, OutboxStatus, ReviewStatus, SignupStatus, TaskKind,
                    TaskStatus, User, db)
from models.base import LOCAL_ZONE_NAME
from models.tasks import Recurrence
from portal.extensions import babel, csrf, limiter, login_manager, migrate

log = logging.getLogger(__name__)
# The states templates compare with, by name (never as string literals).
STATES = {cls.__name__: cls for cls in (TaskStatus, TaskKind, Recurrence, SignupStatus, ReviewStatus,
                                        CertificateStatus, IdeaStatus, IdeaEventKind, OutboxStatus)}


class DatabaseInt(IntegerConverter):
    """`<int:…>` in a URL fits the database's integer: a larger id is simply not found (404, not 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseInt
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    db.init_app(app)
    _survive_lost_connections(app)
    _engine_listeners(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/migrations"), render_as_batch=True,
                     compare_type=True, include_object=_include_object, render_item=_render_item)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: LOCAL_ZONE_NAME)
    _template_gettext(app)
    # Flask-Limiter keeps the first app's key prefix forever; the prefix must be this app's (several
    # sites on one Redis, and tests that build many apps in one process).
    limiter._key_prefix = app.config.get("RATELIMIT_KEY_PREFIX", "")
    limiter.init_app(app)
    _init_login(app)
    # The dummy hash for unknown addresses is made now, not by the first unknown address (which
    # would then take twice as long as a known one).
    from models import passwords
    passwords.warm_up()
    _register_blueprints(app)
    _register_errors(app)
    _register_template_helpers(app)
    _mail_wiring(app)
    app.after_request(_security_headers)
    from portal import cli
    cli.init_app(app)


def _mail_wiring(app: Flask) -> None:
    """The operations' notices are written by portal.mail's writers; what a request caused and committed
    is tried at once after the view (the scheduler retries the rest)."""
    from portal.mail import notices, outbox, sender
    notices.init_app(app)
    outbox.track_commits(db.session)

    @app.after_request
    def deliver_what_was_committed(response):
        sender.deliver_committed()
        return response


def _include_object(obj, name, type_, reflected, compare_to):
    # APScheduler owns its job table; it is not part of our model.
    return not (type_ == "table" and name == "apscheduler_jobs")


def _render_item(type_, obj, autogen_context):
    # Migrations spell our UTC column type as the plain DateTime it stores.
    from models.base import UTCDateTime
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def _survive_lost_connections(app: Flask) -> None:
    """Closing the session after a request must not fail when the database went away meanwhile.

    Flask-SQLAlchemy's own teardown rolls back on the dead connection and raises, so a page that was
    already answered would turn into a server error. The pool's pre-ping replaces the connection.
    """
    from sqlalchemy.exc import InterfaceError, OperationalError

    def remove_session(_exc):
        try:
            db.session.remove()
        except (OperationalError, InterfaceError) as error:
            log.warning("Session closed on a lost database connection: %s", type(error).__name__)
            db.session.registry.clear()

    funcs = app.teardown_appcontext_funcs
    funcs[:] = [f for f in funcs if getattr(f, "__func__", None) is not type(db)._teardown_session]
    app.teardown_appcontext(remove_session)


def _engine_listeners(app: Flask) -> None:
    """Everything that listens to the app's engine, in one place: SQLite pragmas and local-time
    functions, and the write generation the public pages' caches watch."""
    from sqlalchemy import event

    from portal.public import cache, finding
    with app.app_context():
        engine = db.engine
    shared = cache.shared_version_for(app.config)
    app.extensions["samskab_shared_version"] = shared
    cache.install(engine, shared)
    if engine.dialect.name == "sqlite":
        _private_sqlite_file(engine.url.database)
        event.listen(engine, "connect", _sqlite_pragmas)
        finding.install_sqlite_functions(engine)


def _private_sqlite_file(database: str | None) -> None:
    """The SQLite file holds everybody's personal data: only its owner may read it (SQLite gives its
    journal and WAL files the database file's mode)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    from pathlib import Path
    path = Path(database)
    if path.parent.is_dir():
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _remembered(original):
    """Flask-Babel's Domain.get_translations, remembered for the locale in force: a page asks for it some
    fifty times (each gettext in a template, each lazy string), and each time it walks several context
    proxies (17 µs; a tenth of a task page's time). The memo sits beside Flask-Babel's own per-request
    state and holds only while that state's locale object is the same one: force_locale (a mail in the
    recipient's language) and refresh() replace it, so the next call asks Flask-Babel again."""
    def translations():
        try:
            namespace = g._get_current_object().__dict__
        except RuntimeError:  # no application context: Flask-Babel's answer, not remembered
            return original()
        state = namespace.get("_flask_babel")
        if state is not None:
            memo = state.__dict__.get("samskab_translations")
            if memo is not None and memo[0] is state.__dict__.get("babel_locale"):
                return memo[1]
        found = original()
        state = namespace.get("_flask_babel")
        if state is not None and state.__dict__.get("babel_locale") is not None:
            state.samskab_translations = (state.babel_locale, found)
        return found
    translations.remembers = True
    return translations


def _template_gettext(app: Flask) -> None:
    """Python's gettext (the default domain's get_translations) and the templates' gettext family as
    Flask-Babel installs them, both through the memo above."""
    with app.app_context():
        domain = babel.domain_instance  # one per Babel object (the default domain), made on first use
    if not getattr(domain.get_translations, "remembers", False):
        domain.get_translations = _remembered(domain.get_translations)
    translations = domain.get_translations
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True)


def _select_locale() -> str:
    lang = session.get("lang")
    if lang in ("da", "en"):
        return lang
    if current_user and current_user.is_authenticated:
        return current_user.locale
    return "da"


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(raw: str):
        uid, _sep, _generation = raw.partition(":")
        if not uid.isdecimal() or len(uid) > 10:
            return None
        # One statement for the person and their roles (every logged-in request asks for both).
        user = db.session.get(User, int(uid), options=[joinedload(User.roles)])
        # The id carries the session generation: after log-out, a new password, a role taken or a
        # deactivation, a cookie from before no longer matches. A deleted account loses its sessions too.
        if user is None or user.get_id() != raw or not user.is_active:
            return None
        sessions.withhold_privileged_roles(user)
        return user

    from portal.auth import commands, oidc, sessions
    sessions.init_app(app)
    oidc.init_app(app)
    app.extensions["samskab_csp"] = _content_security_policy(app)
    app.cli.add_command(commands.totp_code)

    login_manager.login_message = None


def _register_blueprints(app: Flask) -> None:
    """Every room; a room spread over several modules builds its blueprint from their route tables."""
    from portal import auth, budgets, citizens, community, councils, institutions
    from portal.admin.views import bp as admin
    from portal.coordinators.views import bp as coordinators
    from portal.health.views import bp as health
    from portal.ideas.views import bp as ideas
    from portal.mail.views import bp as mail
    from portal.privacy.views import bp as privacy
    from portal.public.views import bp as public
    from portal.look import bp as look

    for bp in (public, auth.blueprint(), citizens.blueprint(), institutions.blueprint(), councils.blueprint(), budgets.blueprint(), coordinators,
               community.blueprint(), admin, mail, privacy, ideas, health, look):
        app.register_blueprint(bp)


def _register_errors(app: Flask) -> None:
    messages = {
        400: lambda: _("The request could not be understood."),
        403: lambda: _("You do not have access to this page."),
        404: lambda: _("We could not find the page you were looking for."),
        405: lambda: _("That action is not allowed here."),
        413: lambda: _("What you sent is too large."),
        429: lambda: _("Too many attempts. Please wait a little and try again."),
        500: lambda: _("Something went wrong on our side. Please try again later."),
    }

    def handler(code):
        def handle(error):
            if code == 500:
                db.session.rollback()
            return render_template("error.html", code=code, message=messages[code]()), code
        return handle

    for code in messages:
        app.register_error_handler(code, handler(code))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        message = _("Your form expired or was not sent from this site. Please try again.")
        return render_template("error.html", code=400, message=message), 400

    from sqlalchemy.exc import InterfaceError, OperationalError, TimeoutError as PoolTimeout

    def database_unavailable(error):
        # The database is restarting or unreachable: answer at once with a clean 503 and no database
        # access (an anonymous user, so neither the locale nor the menu looks the account up); the
        # pool's pre-ping replaces the broken connections, so the next request recovers by itself.
        log.warning("Database unavailable: %s", type(error).__name__)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone; the session is discarded anyway
            db.session.remove()
        g._login_user = login_manager.anonymous_user()
        message = _("Samskab is briefly unavailable. Please try again in a moment.")
        response = app.make_response((render_template("error.html", code=503, message=message), 503))
        response.headers["Retry-After"] = "5"
        return response

    for exc in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(exc, database_unavailable)

    from sqlalchemy.exc import DataError

    def value_out_of_range(error):
        # A number or text the database cannot hold (e.g. ?council=99999999999999999999) is bad input.
        db.session.rollback()
        return render_template("error.html", code=400, message=messages[400]()), 400

    for exc in (OverflowError, DataError):
        app.register_error_handler(exc, value_out_of_range)


@lru_cache(maxsize=4096)
def _formatted(value, fmt: str, date_only: bool, _locale: str, _zone: str) -> str:
    # Babel formatting is slow and a page shows the same few times many times over; the result depends
    # only on the value, the pattern, the locale and the time zone, which are all in the key.
    from portal.formatting import time_pattern
    return format_date(value, fmt) if date_only else format_datetime(value, time_pattern(fmt, _locale))


def _format_cached(value, fmt: str, date_only: bool = False) -> str:
    return _formatted(value, fmt, date_only, str(get_locale()), str(get_timezone()))


def _register_template_helpers(app: Flask) -> None:
    @app.template_filter("localtime")
    def localtime(value: datetime | None, fmt: str = "medium") -> str:
        return _format_cached(value, fmt) if value else ""

    @app.template_filter("localdate")
    def localdate(value, fmt: str = "long") -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return _format_cached(value, "EEEE d. MMMM y" if fmt == "long" else fmt)
        return _format_cached(value, fmt, date_only=True)

    from portal import formatting
    from portal.scheduler import status as scheduler_status
    for name, function in formatting.FILTERS.items():
        app.add_template_filter(function, name)
    app.jinja_env.globals.update(STATES)
    app.context_processor(scheduler_status.template_context)
    from portal.look import template_context as municipality_context
    app.context_processor(municipality_context)

    @app.context_processor
    def inject():
        from portal.navigation import navigation
        return {"nav_items": navigation(), "current_lang": _select_locale()}

    @app.before_request
    def remember_request_start():
        g.lang = _select_locale()


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def _content_security_policy(app: Flask) -> str:
    """The log-out form redirects to the OpenID providers' end-session pages, and browsers hold redirects
    after a form to form-action too: the configured providers' origins are allowed there, nothing else."""
    from urllib.parse import urlsplit

    from portal.auth import oidc
    origins = sorted({"{0.scheme}://{0.netloc}".format(urlsplit(p.issuer)) for p in oidc.configured(app).values()})
    return CSP.replace("form-action 'self'", " ".join(["form-action 'self'", *origins]))


def _security_headers(response):
    from flask import current_app
    response.headers.setdefault("Content-Security-Policy", current_app.extensions.get("samskab_csp", CSP))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("PRODUCTION"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint and not request.endpoint.startswith("static") and "Cache-Control" not in response.headers:
        if current_user and current_user.is_authenticated:
            response.headers["Cache-Control"] = "private, no-store"
    return response
