"""Every word a user sees goes through Babel, and the Danish catalogue is complete and current."""
import ast
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
LETTERS = re.compile(r"[A-Za-zÆØÅæøå]{2,}")
ALLOWED = {"Samskab", "English", "Dansk"}  # the brand, and language names shown in their own language
VISIBLE_ATTRS = {"alt", "title", "placeholder", "aria-label"}


class TextFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRS and value:
                self.found.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.found.append(data)


def unmarked(text: str) -> list[str]:
    words = [w for w in LETTERS.findall(text) if w not in ALLOWED]
    return [text.strip()] if words else []


def test_templates_have_no_unmarked_text():
    problems = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        source = JINJA.sub("", path.read_text())
        if path.suffix == ".txt":
            found = source.splitlines()
        else:
            finder = TextFinder()
            finder.feed(source)
            found = finder.found
        for chunk in found:
            problems += [f"{path.relative_to(ROOT)}: {t!r}" for t in unmarked(chunk)]
    assert not problems, "Text not marked for translation:\n" + "\n".join(problems)


def _is_translated(node) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", None) in {"_", "_l", "gettext", "lazy_gettext",
                                                                            "ngettext"}


def _is_text(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and LETTERS.search(node.value)


def test_python_user_text_is_marked():
    """flash(), field labels, validator messages and form errors must use _() / _l()."""
    problems = []
    for path in sorted(list((ROOT / "portal").rglob("*.py")) + [ROOT / "app.py"]):
        if path.name == "demo.py":  # demo content is Danish data, not interface text
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None) or ""
            candidates = []
            if name == "flash" and node.args:
                candidates.append(node.args[0])
            if name.endswith("Field") and node.args:
                candidates.append(node.args[0])
            if name in ("ValidationError", "DomainMessage") and node.args:
                candidates.append(node.args[0])
            if name == "append" and isinstance(node.func, ast.Attribute) and \
                    getattr(node.func.value, "attr", "") == "errors" and node.args:
                candidates.append(node.args[0])
            candidates += [kw.value for kw in node.keywords if kw.arg in ("message", "label", "description")]
            for candidate in candidates:
                if _is_text(candidate) and not _is_translated(candidate):
                    problems.append(f"{path.relative_to(ROOT)}:{candidate.lineno}: {candidate.value!r}")
    assert not problems, "Unmarked user-visible strings:\n" + "\n".join(problems)


def _catalog(lang: str):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


def test_danish_catalogue_is_complete_and_current(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "--no-location", "-o", str(pot),
                    "app.py", "portal", "models", "templates"], cwd=ROOT, check=True)
    with open(pot, "rb") as fh:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    da = _catalog("da")
    have = {m.id if isinstance(m.id, str) else m.id[0]: m for m in da if m.id}
    missing = sorted(wanted - set(have))
    assert not missing, f"Strings missing from the Danish catalogue (run `make i18n`): {missing[:20]}"
    untranslated = sorted(k for k, m in have.items() if k in wanted and (
        not m.string or (not isinstance(m.string, str) and not all(m.string)) or m.fuzzy))
    assert not untranslated, f"Untranslated or fuzzy Danish entries: {untranslated[:20]}"
    assert set(m.id if isinstance(m.id, str) else m.id[0] for m in _catalog("en") if m.id) >= wanted


def test_danish_is_the_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="da">' in html
    assert "Opret" in html


def test_english_switch(client):
    client.post("/sprog", data={"lang": "en", "next": "/"})
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html and "Create your profile" in html


def test_remembered_translations_follow_force_locale_and_each_request(app):
    """The per-request memo of the translations (portal/wiring.py) never answers in a stale language."""
    from flask import render_template_string, session
    from flask_babel import force_locale, gettext, refresh

    page = "{{ _('Log out') }}"
    with app.test_request_context("/"):
        assert (gettext("Log out"), render_template_string(page)) == ("Log ud", "Log ud")
        with force_locale("en"):  # a mail in the recipient's language, inside a Danish request
            assert (gettext("Log out"), render_template_string(page)) == ("Log out", "Log out")
        assert (gettext("Log out"), render_template_string(page)) == ("Log ud", "Log ud")
        session["lang"] = "en"  # the language switch: Flask-Babel's refresh() drops its locale
        refresh()
        assert (gettext("Log out"), render_template_string(page)) == ("Log out", "Log out")
    # Each real request has its own memo: tests/test_i18n.py::test_english_switch (through the client).
