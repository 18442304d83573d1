"""`flask backup` and `flask restore`: a backup taken while running restores the data it held."""
import pytest
from sqlalchemy import func, select

from models import User, db


def _roundtrip(app, tmp_path, make):
    make.user(email="før@example.dk")
    db.session.commit()
    runner = app.test_cli_runner()
    target = tmp_path / "backup.bin"
    result = runner.invoke(args=["backup", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0
    make.user(email="efter@example.dk")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(User)) == 2
    db.session.remove()
    result = runner.invoke(args=["restore", "--yes", str(target)])
    assert result.exit_code == 0, result.output
    emails = set(db.session.scalars(select(User.email)))
    assert emails == {"før@example.dk"}


def test_backup_and_restore_sqlite(app, tmp_path, make):
    _roundtrip(app, tmp_path, make)


@pytest.mark.postgres
def test_backup_and_restore_postgres(app, tmp_path, make):
    _roundtrip(app, tmp_path, make)


def test_restore_refuses_a_missing_file(app):
    result = app.test_cli_runner().invoke(args=["restore", "--yes", "/nonexistent/backup"])
    assert result.exit_code != 0


def test_backup_files_are_private(app, tmp_path):
    target = tmp_path / "nested" / "backup.bin"
    assert app.test_cli_runner().invoke(args=["backup", "--output", str(target)]).exit_code == 0
    assert target.stat().st_mode & 0o777 == 0o600


def test_restore_asks_before_replacing_everything(app, tmp_path, make):
    make.user(email="bliver@example.dk")
    db.session.commit()
    target = tmp_path / "backup.bin"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", "--output", str(target)]).exit_code == 0
    make.user(email="ny@example.dk")
    db.session.commit()
    result = runner.invoke(args=["restore", str(target)], input="n\n")
    assert result.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_the_sqlite_database_file_is_private(app):
    import stat
    from pathlib import Path
    path = Path(db.engine.url.database)
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
