"""The shared base layout: landmarks, skip link, role-aware navigation, language, labels and contrast."""
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from models import Role, db, utcnow
from portal.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo_data
from tests.auth_steps import log_in_with_form

ROOT = Path(__file__).resolve().parent.parent
CSS = (ROOT / "static" / "css" / "samskab.css").read_text()
DKFDS_CSS = (ROOT / "static" / "vendor" / "dkfds" / "css" / "dkfds-borgerdk.min.css").read_text()


class Page(HTMLParser):
    """Collects what the layout checks need: landmarks, headings, links, form controls and labels."""

    def __init__(self, html: str):
        super().__init__()
        self.tags, self.headings, self.controls, self.label_for = [], [], [], set()
        self.ids, self.links, self.assets, self.current = set(), [], [], []
        self._heading = None
        self._label_depth = 0
        self._nav = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea"):
            kind = a.get("type", "text")
            if kind not in ("hidden", "submit", "button", "image", "reset"):
                self.controls.append((tag, a, self._label_depth > 0))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), ""]
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
            if self._nav and a.get("aria-current") == "page":
                self.current.append(a["href"])
        if tag == "nav":
            self._nav += 1
        if tag in ("link", "script", "img") and (a.get("href") or a.get("src")):
            self.assets.append(a.get("href") or a.get("src"))

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_depth -= 1
        if self._heading and tag == f"h{self._heading[0]}":
            self.headings.append(tuple(self._heading))
            self._heading = None
        if tag == "nav":
            self._nav -= 1

    def handle_data(self, data):
        if self._heading:
            self._heading[1] += data

    def unlabelled(self) -> list[str]:
        bad = []
        for tag, a, wrapped in self.controls:
            if wrapped or a.get("aria-label") or a.get("aria-labelledby") or a.get("id") in self.label_for:
                continue
            bad.append(f"<{tag} name={a.get('name')!r} id={a.get('id')!r}>")
        return bad


def test_the_label_check_finds_a_field_without_a_label():
    page = Page('<label for="a">A</label><input id="a"><label>B <input name="b"></label>'
                '<input type="hidden" name="h"><input name="c" id="c"><select name="d"></select>'
                '<input aria-label="E" name="e">')
    assert page.unlabelled() == ["<input name='c' id='c'>", "<select name='d' id=None>"]


def _page(response) -> Page:
    return Page(response.get_data(as_text=True))


def test_front_page_landmarks_skip_link_and_header(client):
    html = client.get("/").get_data(as_text=True)
    page = Page(html)
    assert '<html lang="da">' in html and 'name="viewport"' in html
    body = [t for t in page.tags if t[0] not in ("html", "head", "meta", "title", "link")]
    first_link = next(a for tag, a in body if tag == "a")
    assert first_link["class"] == "skipnav" and first_link["href"] == "#main"
    mains = [a for tag, a in page.tags if tag == "main"]
    assert len(mains) == 1 and mains[0]["id"] == "main"
    assert [tag for tag, _a in page.tags].count("header") == 1
    assert any(tag == "nav" and a.get("aria-label") for tag, a in page.tags)
    # the page is marked current in the menu and in the phone menu's copy of it, nothing else
    assert "Samskab" in html and set(page.current) == {"/"}
    assert [level for level, _text in page.headings].count(1) == 1
    # from this site only: /static/, the municipality's colours (/tema.css) and the favicon
    assert all(asset.startswith(("/static/", "/tema.css", "/favicon.ico")) for asset in page.assets), page.assets


def _nav_labels(client) -> set[str]:
    html = client.get("/").get_data(as_text=True)
    nav = html.split('class="navigation-menu"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r"<span>([^<>]+)</span></a>", nav))


@pytest.mark.parametrize("role,sees,does_not_see", [
    (None, {"Forside", "Find en opgave"}, {"Min side", "Administration", "Koordinering", "Beskeder"}),
    (Role.CITIZEN, {"Min side", "Mine opgaver"}, {"Administration", "Koordinering", "Vores institution"}),
    (Role.STAFF, {"Vores institution"}, {"Min side", "Administration", "Koordinering"}),
    (Role.COUNCIL, {"Vores råd"}, {"Administration", "Koordinering", "Vores institution"}),
    (Role.COORDINATOR, {"Koordinering", "Beskeder"}, {"Administration", "Min side"}),
    (Role.ADMIN, {"Administration", "Beskeder"}, {"Koordinering", "Min side"}),
])
def test_navigation_follows_the_roles(client, make, login, role, sees, does_not_see):
    if role is not None:
        login(make.user(role))
        db.session.commit()
    labels = _nav_labels(client)
    assert sees <= labels, labels
    assert not (does_not_see & labels), labels


def test_a_person_with_several_roles_sees_each_rooms_link(client, make, login):
    login(make.user(Role.CITIZEN, Role.COUNCIL, Role.COORDINATOR))
    db.session.commit()
    assert {"Min side", "Vores råd", "Koordinering"} <= _nav_labels(client)


def test_language_switch_changes_html_lang_navigation_and_back(client):
    response = client.post("/sprog", data={"lang": "en", "next": "/opgaver"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/opgaver")
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html and "Find a task" in _nav_labels(client)
    assert 'lang="da">Dansk</button>' in html
    client.post("/sprog", data={"lang": "da", "next": "/"})
    assert '<html lang="da">' in client.get("/").get_data(as_text=True)
    client.post("/sprog", data={"lang": "xx", "next": "https://evil.example/"})
    assert '<html lang="da">' in client.get("/").get_data(as_text=True)


def test_the_language_switch_does_not_redirect_off_site(client):
    response = client.post("/sprog", data={"lang": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]


def _get_routes(app) -> list[str]:
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"})


def test_every_page_of_every_demo_role_has_labels_landmarks_and_ordered_headings(app):
    """Every form field on every parameterless page, for every demo login, has a label; no asset from a CDN."""
    load_demo_data(db.session, now=utcnow())
    db.session.commit()
    problems, visited, controls = [], 0, 0
    for email in [None] + [e for e, _n, _r in DEMO_LOGINS]:
        client = app.test_client()
        if email:
            assert log_in_with_form(client, email, DEMO_PASSWORD).status_code == 302
        for path in _get_routes(app):
            response = client.get(path)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            visited += 1
            page = _page(response)
            who = f"{email or 'anonymous'} {path}"
            controls += len(page.controls)
            problems += [f"{who}: unlabelled {c}" for c in page.unlabelled()]
            problems += [f"{who}: asset from outside the site {a}" for a in page.assets
                         if re.match(r"(https?:)?//", a)]
            if [tag for tag, _a in page.tags].count("main") != 1:
                problems.append(f"{who}: not exactly one <main>")
            levels = [level for level, _t in page.headings]
            if levels.count(1) != 1:
                problems.append(f"{who}: not exactly one <h1>")
            if any(later > earlier + 1 for earlier, later in zip([0] + levels, levels)):
                problems.append(f"{who}: headings skip a level {levels}")
    assert visited >= 60 and controls >= 40
    assert not problems, "\n".join(problems)


# Contrast (WCAG 2.1 AA: 4.5:1 for text, 3:1 for focus indicators and control borders) ------------------

def _variables() -> dict[str, str]:
    root = re.search(r":root\s*{(.*?)}", CSS, re.S).group(1)
    found = {name: value.lower() for name, value in re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", root)}
    # The primary colour is DKFDS's theme colour, set per municipality (models.municipality checks each choice)
    from models.municipality import DKFDS_PRIMARY, darken
    return {**found, "brand": DKFDS_PRIMARY.lower(), "brand-dark": darken(DKFDS_PRIMARY, 0.3).lower()}


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_function_matches_known_values():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54


TEXT_PAIRS = [  # (text colour, background) as used in the stylesheet
    *[(fg, bg) for fg in ("ink", "muted", "link", "brand-dark", "accent", "ok", "bad") for bg in ("bg", "soft")],
    ("brand", "bg"),
    ("#ffffff", "brand"), ("#ffffff", "brand-dark"), ("#ffffff", "bad"), ("#ffffff", "ink"),
]


@pytest.mark.parametrize("fg,bg", TEXT_PAIRS)
def test_text_colours_meet_aa(fg, bg):
    colours = _variables()
    pick = lambda c: c if c.startswith("#") else colours[c]  # noqa: E731
    assert contrast(pick(fg), pick(bg)) >= 4.5, (fg, bg, round(contrast(pick(fg), pick(bg)), 2))


def test_focus_is_visible_on_light_and_dark_backgrounds():
    """DKFDS draws focus as a 3px dark grey outline; it carries on white, the soft grey and the header's grey."""
    colours = _variables()
    assert "a:focus,button:focus,input:focus,pre:focus,select:focus,textarea:focus{outline:3px solid #454545" in DKFDS_CSS
    for background in ("bg", "soft"):
        assert contrast(colours["focus"], colours[background]) >= 3
    assert contrast(colours["focus"], "#f1f1f1") >= 3  # the portal header


def test_form_control_borders_are_visible():
    border = re.search(r"\.form-input\{border:1px solid (#[0-9a-f]{6})", DKFDS_CSS).group(1)
    assert contrast(border, "#ffffff") >= 3


@pytest.mark.parametrize("role", list(Role))
def test_every_signed_in_person_reaches_their_account_links_from_the_header(client, make, login, role):
    login(make.user(role, name="Kim Hansen"))
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    header = html.split("<header", 1)[1].split("</header>", 1)[0]
    assert "Kim Hansen" in header
    assert 'href="/skift-adgangskode"' in header and "Skift adgangskode" in header
    assert 'href="/indstillinger/mails"' in header
    assert 'action="/log-ud"' in header and 'name="csrf_token"' in header
    assert client.get("/skift-adgangskode").status_code == 200
