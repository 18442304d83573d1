"""Access rules: every view declares who may reach it, and a convention test checks they all do."""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort, redirect, request, url_for
from flask_login import current_user

from models import Role

PUBLIC = "public"          # anyone, logged in or not
ANONYMOUS = "anonymous"    # pages such as log in and register; logged-in users are sent home
LOGIN = "login"            # any logged-in user
TOKEN = "token"            # anyone holding a valid signed token in the URL (checked by the view)


def access(*rules: str | Role) -> Callable:
    """Declare and enforce the access rule of a view: a keyword above or one or more roles."""
    names = tuple(r.value if isinstance(r, Role) else r for r in rules)

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if PUBLIC in names or TOKEN in names:
                return view(*args, **kwargs)
            if ANONYMOUS in names:
                if current_user.is_authenticated:
                    return redirect(url_for("public.home"))
                return view(*args, **kwargs)
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if LOGIN in names or current_user.has_role(*names):
                return view(*args, **kwargs)
            abort(403)

        guarded.access_rule = names
        return guarded

    return decorate


def rule_of(view) -> tuple[str, ...] | None:
    return getattr(view, "access_rule", None)
