"""Backups: SQLite through its online backup API, PostgreSQL through pg_dump / pg_restore."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess  # nosec B404 - runs the fixed PostgreSQL client tools, never a shell
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """The backup or restore could not be made."""


def default_path(directory: Path, url: str) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite3" if url.startswith("sqlite") else "pgdump"
    return directory / f"samskab-{stamp}.{suffix}"


def _sqlite_file(url: str) -> str:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return database


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client).")
    return path


def _private(target: Path) -> None:
    """A backup holds everybody's personal data: only its owner may read it."""
    target.touch(mode=0o600, exist_ok=True)
    target.chmod(0o600)


def backup(url: str, target: Path) -> Path:
    """Write a consistent copy of the database to `target` while the site keeps running."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    _private(target)
    if url.startswith("sqlite"):
        with sqlite3.connect(_sqlite_file(url)) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return target
    result = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", _libpq(url)],
                            capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise BackupError(result.stderr.strip())
    _private(target)
    return target


def restore(url: str, source: Path) -> None:
    """Replace the database's contents with the backup in `source`."""
    if not source.exists():
        raise BackupError(f"{source} does not exist.")
    if url.startswith("sqlite"):
        with sqlite3.connect(source) as copy, sqlite3.connect(_sqlite_file(url)) as live:
            copy.backup(live)
        return
    result = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                             f"--dbname={_libpq(url)}", str(source)],
                            capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise BackupError(result.stderr.strip())
