"""Settings from the environment, with safe defaults for development and a strict production mode."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from models.base import LOCAL_ZONE_NAME

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


class ConfigError(RuntimeError):
    """Raised when the configuration is unsafe for the chosen mode."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _dev_secret_key(instance: Path) -> str:
    """Generate a secret key once and keep it in instance/ so sessions survive restarts."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _database_url(url: str | None, instance: Path) -> str:
    if not url:
        instance.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{instance / 'samskab.db'}"
    # Heroku-style and plain postgres URLs should use psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _ratelimit_storage(env, production: bool) -> str:
    uri = env.get("RATELIMIT_STORAGE_URI", "").strip()
    if not uri and production:
        # memory:// counts per worker process: 5 workers would each allow the full limit.
        raise ConfigError("RATELIMIT_STORAGE_URI must be set when SAMSKAB_ENV=production "
                          "(redis://host:6379/0; memory:// only for a single process)")
    return uri or "memory://"


def _oidc(env, prefix: str, default_scopes: str) -> dict:
    """One OpenID Connect provider's settings; it is used when its issuer is set (see portal.auth.oidc)."""
    return {"issuer": env.get(f"{prefix}_ISSUER", "").strip().rstrip("/"),
            "client_id": env.get(f"{prefix}_CLIENT_ID", "").strip(),
            "client_secret": env.get(f"{prefix}_CLIENT_SECRET", "").strip(),
            "scopes": env.get(f"{prefix}_SCOPES", "").strip() or default_scopes}


def load(environ: dict | None = None) -> dict:
    """Build the settings dictionary from environment variables."""
    env = os.environ if environ is None else environ
    mode = env.get("SAMSKAB_ENV", "development").strip().lower()
    production = mode == "production"
    instance = Path(env.get("SAMSKAB_INSTANCE", str(INSTANCE)))
    secret = env.get("SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError("SECRET_KEY must be set when SAMSKAB_ENV=production")
        secret = _dev_secret_key(instance)
    ratelimit_storage = _ratelimit_storage(env, production)
    return {
        "ENV_MODE": mode,
        "PRODUCTION": production,
        "INSTANCE_PATH": str(instance.resolve()),
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": _database_url(env.get("DATABASE_URL"), instance),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SMTP_HOST": env.get("SMTP_HOST", "localhost"),
        "SMTP_PORT": int(env.get("SMTP_PORT", "25")),
        "SMTP_USER": env.get("SMTP_USER", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool(env.get("SMTP_STARTTLS"), False),
        "SMTP_TIMEOUT": float(env.get("SMTP_TIMEOUT", "10")),
        "SMTP_CONNECTIONS": int(env.get("SMTP_CONNECTIONS", "4")),
        "MAIL_FROM": env.get("MAIL_FROM", "Samskab <noreply@samskab.local>"),
        "BASE_URL": env.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # The municipality running the site: its words are refused as passwords (guessers try them first).
        "MUNICIPALITY_NAME": env.get("MUNICIPALITY_NAME", "Lyngby-Taarbæk Kommune").strip(),
        # Its contact details and colour in the header and footer, until an administrator sets them
        # (/admin/kommune). The colour must reach WCAG AA contrast on white or DKFDS's own is used.
        "MUNICIPALITY_ADDRESS": env.get("MUNICIPALITY_ADDRESS", "").strip(),
        "MUNICIPALITY_PHONE": env.get("MUNICIPALITY_PHONE", "").strip(),
        "MUNICIPALITY_EMAIL": env.get("MUNICIPALITY_EMAIL", "").strip(),
        "MUNICIPALITY_WEBSITE": env.get("MUNICIPALITY_WEBSITE", "").strip(),
        "MUNICIPALITY_COLOUR": env.get("MUNICIPALITY_COLOUR", "").strip(),
        "RATELIMIT_STORAGE_URI": ratelimit_storage,
        # A shared Redis (several municipalities, or tests) keeps each site's counters apart by prefix.
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX", "samskab"),
        # Redis that is gone for a moment must not hang or fail a log-in: short timeouts, then the
        # limiter counts in memory until Redis answers again (limits may reset; nothing fails).
        "RATELIMIT_STORAGE_OPTIONS": ({"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
                                      if ratelimit_storage.startswith(("redis", "rediss")) else {}),
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "BABEL_DEFAULT_LOCALE": "da",
        "BABEL_DEFAULT_TIMEZONE": LOCAL_ZONE_NAME,
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "LANGUAGES": ["da", "en"],
        "RETENTION_INACTIVE_MONTHS": int(env.get("RETENTION_INACTIVE_MONTHS", "24")),
        "RETENTION_NUDGE_MONTHS": int(env.get("RETENTION_NUDGE_MONTHS", "12")),
        "OUTBOX_RETENTION_DAYS": int(env.get("OUTBOX_RETENTION_DAYS", "90")),
        "IDEA_ANSWER_WORKING_DAYS": int(env.get("IDEA_ANSWER_WORKING_DAYS", "5")),
        "REMINDER_LEADS": env.get("REMINDER_LEADS", "1d,2h"),
        "SCHEDULER_HEARTBEAT_SECONDS": int(env.get("SCHEDULER_HEARTBEAT_SECONDS", "15")),
        "SCHEDULER_LEASE_SECONDS": int(env.get("SCHEDULER_LEASE_SECONDS", "60")),
        # Admins and coordinators see a warning when the scheduler has been silent this long.
        "SCHEDULER_STALE_MINUTES": int(env.get("SCHEDULER_STALE_MINUTES", "10")),
        # Try a mail at once after the change that caused it commits (the scheduler retries the rest).
        "MAIL_SEND_IMMEDIATELY": _bool(env.get("MAIL_SEND_IMMEDIATELY"), True),
        # Per-process caches of the public task list and of a task page's related tasks; 0 switches off.
        "TASK_LIST_CACHE_SECONDS": float(env.get("TASK_LIST_CACHE_SECONDS", "10")),
        "RELATED_TASKS_CACHE_SECONDS": float(env.get("RELATED_TASKS_CACHE_SECONDS", "60")),
        "MATCHING_INDEX_DIR": env.get("MATCHING_INDEX_DIR") or None,
        "WTF_CSRF_TIME_LIMIT": None,
        # OpenID Connect: MitID through a broker for citizens, the municipality's directory for staff.
        "OIDC_CITIZEN": _oidc(env, "OIDC_CITIZEN", "openid"),
        "OIDC_STAFF": _oidc(env, "OIDC_STAFF", "openid profile email"),
        "OIDC_STAFF_ROLES_CLAIM": env.get("OIDC_STAFF_ROLES_CLAIM", "groups").strip() or "groups",
        "OIDC_STAFF_ROLE_MAP": env.get("OIDC_STAFF_ROLE_MAP", "").strip(),
        # A session ends after this long without a request, and this long after the log-in at the latest;
        # coordinators and administrators see screening data, so theirs are shorter.
        "SESSION_IDLE_MINUTES": int(env.get("SESSION_IDLE_MINUTES", "60")),
        "SESSION_MAX_HOURS": int(env.get("SESSION_MAX_HOURS", "12")),
        "PRIVILEGED_SESSION_IDLE_MINUTES": int(env.get("PRIVILEGED_SESSION_IDLE_MINUTES", "20")),
        "PRIVILEGED_SESSION_MAX_HOURS": int(env.get("PRIVILEGED_SESSION_MAX_HOURS", "8")),
    }
