"""The README tells the truth: its configuration tables match portal/config.py and the Makefile, its demo
logins work, and its first screen says what Samskab is, how to start it and how to log in."""
import re
from pathlib import Path

import pytest

from models import db, utcnow
from portal import config
from portal.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo_data
from tests.auth_steps import log_in_with_form

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
MAKE_VARIABLES = {"HOST", "PORT"}  # read by the Makefile, not by the application
TICKED = re.compile(r"`([^`]*)`")


def _table_rows(header: str) -> list[list[str]]:
    """Rows of every Markdown table whose header row starts with `header`."""
    rows, inside = [], False
    for line in README.splitlines():
        if line.startswith("|") and line.replace(" ", "").startswith(header.replace(" ", "")):
            inside = True
            continue
        if inside and line.startswith("|"):
            if not set(line) <= set("|- "):
                rows.append([cell.strip() for cell in line.strip("|").split("|")])
        else:
            inside = False
    return rows


def _documented() -> dict[str, str]:
    """{variable: its default cell} from the README's configuration tables."""
    documented = {}
    for cells in _table_rows("| variable | default |"):
        names = TICKED.findall(cells[0])
        defaults = cells[1].split(" / ")
        for i, name in enumerate(names):
            documented[name] = defaults[i] if len(defaults) == len(names) else cells[1]
    return documented


class Recorder(dict):
    """An environment that remembers which variables the configuration asked for."""

    def __init__(self, *args):
        super().__init__(*args)
        self.asked = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)


def test_every_setting_is_documented_and_every_documented_setting_is_read(tmp_path):
    env = Recorder({"SAMSKAB_INSTANCE": str(tmp_path)})
    config.load(env)
    documented = set(_documented())
    assert len(documented) >= 15
    assert env.asked - documented == set(), "settings read by portal/config.py but missing from the README"
    assert documented - MAKE_VARIABLES - env.asked == set(), "README documents settings nobody reads"
    makefile = (ROOT / "Makefile").read_text()
    for name in MAKE_VARIABLES:
        assert re.search(rf"^{name}\s*\?=", makefile, re.M), f"the Makefile does not take {name} from the environment"


def test_documented_settings_change_the_configuration(tmp_path):
    """Setting each documented variable really changes what the application is configured with."""
    samples = {"SAMSKAB_ENV": "production", "SAMSKAB_INSTANCE": str(tmp_path / "other"), "SMTP_STARTTLS": "1",
               "RATELIMIT_ENABLED": "0", "DATABASE_URL": "postgresql://u@h/db", "BASE_URL": "https://x.dk"}
    base_env = {"SAMSKAB_INSTANCE": str(tmp_path), "SECRET_KEY": "s" * 40, "RATELIMIT_STORAGE_URI": "memory://"}
    base = config.load(base_env)
    for name in set(_documented()) - MAKE_VARIABLES:
        value = samples.get(name, "12345")
        changed = config.load({**base_env, name: value})
        assert changed != base, f"{name}={value} changes nothing"


@pytest.mark.parametrize("name", ["SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS", "SMTP_TIMEOUT", "MAIL_FROM",
                                  "BASE_URL", "RATELIMIT_STORAGE_URI", "RATELIMIT_ENABLED", "RETENTION_NUDGE_MONTHS",
                                  "RETENTION_INACTIVE_MONTHS", "IDEA_ANSWER_WORKING_DAYS", "REMINDER_LEADS",
                                  "SMTP_CONNECTIONS", "SCHEDULER_HEARTBEAT_SECONDS", "SCHEDULER_LEASE_SECONDS",
                                  "SCHEDULER_STALE_MINUTES", "MAIL_SEND_IMMEDIATELY", "TASK_LIST_CACHE_SECONDS",
                                  "RELATED_TASKS_CACHE_SECONDS"])
def test_documented_defaults_are_the_real_defaults(tmp_path, name):
    stated = _documented()[name].strip()
    actual = config.load({"SAMSKAB_INSTANCE": str(tmp_path)})[name]
    if isinstance(actual, bool):
        assert stated == ("on" if actual else "off")
    else:
        assert TICKED.fullmatch(stated), f"{name}: default {stated!r} is not a literal"
        assert TICKED.fullmatch(stated).group(1) == str(actual).removesuffix(".0")


def test_the_demo_logins_in_the_readme_are_the_real_ones():
    rows = _table_rows("| role | e-mail |")
    listed = {TICKED.search(cells[1]).group(1) for cells in rows}
    assert listed == {email for email, _name, _roles in DEMO_LOGINS}
    assert f"password `{DEMO_PASSWORD}`" in README


def test_every_demo_login_works_through_the_login_form(app):
    load_demo_data(db.session, now=utcnow())
    db.session.commit()
    for email, _name, _roles in DEMO_LOGINS:
        client = app.test_client()
        response = log_in_with_form(client, email, DEMO_PASSWORD)
        assert response.status_code == 302, email
        home = response.headers["Location"]
        page = client.get(home)
        assert page.status_code == 200, (email, home)
        assert "Log ud" in page.get_data(as_text=True)


def test_the_first_screen_says_what_it_is_how_to_start_and_how_to_log_in():
    first_screen = README.split("\n---\n", 1)[0]
    assert len(first_screen.splitlines()) <= 40
    assert "Samskab" in first_screen and "municipalit" in first_screen
    assert "make run" in first_screen and "make test" in first_screen
    assert "Demo logins" in first_screen and "Where to go next" in first_screen
    for heading in ("## Map of the code", "## Configuration", "## PostgreSQL and gunicorn"):
        assert heading in README
    assert "platform" in README and "portal/" in README


def test_the_map_of_the_code_names_every_package_of_the_web_layer():
    row = next(line for line in README.splitlines() if line.startswith("| `portal/`"))
    for folder in sorted(p.name for p in (ROOT / "portal").iterdir() if (p / "__init__.py").exists()):
        assert f"`{folder}/`" in row, f"portal/{folder}/ is missing from the README's map of the code"
    for top in ("app.py", "portal/", "models/", "matching/", "templates/", "migrations/", "tests/"):
        assert f"`{top}" in README
