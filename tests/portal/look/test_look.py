"""Issue 15, part A: DKFDS vendored and used, findable account pages, the front page for a logged-in person,
the favicon, verification onward to the profile, and the municipality's own identity with checked colours."""
import io
import json
import re
from pathlib import Path

from sqlalchemy import func, select

from models import AuditEntry, OutboxMessage, Role, User, db
from models.municipality import MunicipalitySettings, colour_passes_aa, contrast_ratio, normalise_colour
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[3]
VENDOR = ROOT / "static" / "vendor" / "dkfds"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# --- DKFDS vendored, loaded, no inline script ----------------------------------------------------------

def test_dkfds_is_vendored_with_its_licences_and_a_make_target():
    for path in ("css/dkfds-borgerdk.min.css", "js/dkfds.min.js", "LICENSE.md", "LICENSE-fonts-OFL.txt", "README.md",
                 "fonts/IBMPlexSans/complete/woff2/IBMPlexSans-Regular.woff2", "img/all-svg-icons.svg"):
        assert (VENDOR / path).is_file(), path
    readme = (VENDOR / "README.md").read_text()
    assert re.search(r"dkfds@11\.\d+\.\d+", readme)
    css = (VENDOR / "css" / "dkfds-borgerdk.min.css").read_text()
    for url in set(re.findall(r"url\(\.\./([^)\"']+)\)", css)):
        if url.endswith((".eot", ".ttf")):
            continue  # old-browser fallbacks after woff2/woff
        assert (VENDOR / url.split("?")[0].split("#")[0]).exists(), url
    assert "var(--fds-primary, #44831E)" in css
    makefile = (ROOT / "Makefile").read_text()
    assert "vendor-dkfds:" in makefile and "vendor-dkfds" not in makefile.split("run:", 1)[1].split("\n\n", 1)[0]


def test_pages_load_dkfds_and_no_inline_script_or_style(client):
    html = client.get("/").get_data(as_text=True)
    assert "/static/vendor/dkfds/css/dkfds-borgerdk.min.css" in html and "/static/vendor/dkfds/js/dkfds.min.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html and "<style" not in html
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy


def test_the_header_has_a_menu_button_for_phones(client):
    html = client.get("/").get_data(as_text=True)
    button = re.search(r'<button[^>]*js-menu-open[^>]*>', html, re.S).group(0)
    assert 'aria-expanded="false"' in button and 'aria-controls="mobile-menu"' in button
    assert 'id="mobile-menu"' in html and 'role="dialog"' in html


def test_form_errors_use_the_dkfds_error_summary_and_field_errors(client):
    response = client.post("/registrer", data={"name": "", "email": "ikke-en-adresse", "password": "x"})
    html = response.get_data(as_text=True)
    assert 'class="alert alert-error error-summary"' in html
    assert 'class="form-error-message error"' in html and 'class="form-input' in html


# --- findable ------------------------------------------------------------------------------------------

def test_the_citizens_page_and_the_account_menu_link_my_data_and_delete(client, make, login):
    login(make.user(Role.CITIZEN))
    db.session.commit()
    page = client.get("/mig/").get_data(as_text=True)
    main = page.split("<main", 1)[1]
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    for href, text in (('href="/mig/data"', "Mine data"), ('href="/mig/slet"', "Slet min profil")):
        assert href in main and href in header and text in header


def test_every_role_finds_my_data_in_the_account_menu(client, make, login):
    login(make.user(Role.STAFF))
    db.session.commit()
    header = client.get("/").get_data(as_text=True).split("<header", 1)[1].split("</header>", 1)[0]
    assert 'href="/mig/data"' in header and 'href="/mig/slet"' in header


def test_the_logged_in_front_page_speaks_to_the_person(client, make, login):
    anonymous = client.get("/").get_data(as_text=True)
    assert 'href="/registrer"' in anonymous
    citizen = make.user(Role.CITIZEN, name="Mette Madsen")
    inst = make.institution(name="Lindegårdsskolen")
    task = make.task(inst, title="Lektiehjælp")
    make.signup_record(task.occurrences[0], citizen, status="accepted")
    login(citizen)
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "/registrer" not in html
    main = html.split("<main", 1)[1]
    assert "Hej, Mette Madsen" in main and "Din næste opgave" in main and "Lektiehjælp" in main
    assert 'href="/mig/"' in main


def test_the_front_page_of_staff_leads_to_their_room(client, make, login):
    login(make.user(Role.STAFF))
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "/registrer" not in html and 'href="/institution/"' in html.split("<main", 1)[1]


def test_favicon_and_app_icons_answer(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/x-icon" and icon.data[:4] == b"\x00\x00\x01\x00"
    html = client.get("/").get_data(as_text=True)
    assert 'rel="manifest"' in html and 'rel="apple-touch-icon"' in html
    manifest = json.loads((ROOT / "static" / "manifest.webmanifest").read_text())
    for entry in manifest["icons"]:
        with client.get(entry["src"]) as response:
            assert response.status_code == 200


def _register_and_mail(client):
    client.post("/registrer", data={"name": "Ny Borger", "email": "ny@example.dk", "password": "Mit-gode-kodeord-2026",
                                    "accept": "y", "terms": "y", "consent": "y"})
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "verify"))
    return re.search(r"http://samskab\.test(/\S+)", mail.body_text).group(1)


def test_verification_leads_on_to_finishing_the_profile(client, make):
    user = make.user(Role.CITIZEN, email="ny@example.dk", verified=False)
    db.session.commit()
    from portal import tokens
    with client.application.test_request_context():
        link = "/bekraeft/" + tokens.make("verify", {"uid": user.id, "email": user.email})
    response = client.get(link)
    assert response.status_code == 302 and response.headers["Location"].startswith("/log-ind?next=")
    assert "min-profil" in response.headers["Location"]
    logged_in = client.post(response.headers["Location"], data={"email": "ny@example.dk", "password": PASSWORD,
                                                                "next": "/min-profil"})
    assert logged_in.headers["Location"] == "/min-profil"


def test_verification_in_the_browser_already_logged_in_goes_straight_to_the_profile(client, make, login):
    user = make.user(Role.CITIZEN, email="ny2@example.dk")
    login(user)
    user.email_verified_at = None
    db.session.commit()
    from portal import tokens
    with client.application.test_request_context():
        link = "/bekraeft/" + tokens.make("verify", {"uid": user.id, "email": user.email})
    response = client.get(link)
    assert response.headers["Location"] == "/min-profil"


# --- the municipality's identity -----------------------------------------------------------------------

def test_contrast_is_computed_as_wcag_says():
    assert round(contrast_ratio("#000000", "#FFFFFF"), 1) == 21.0
    assert round(contrast_ratio("#767676", "#FFFFFF"), 2) == 4.54
    assert colour_passes_aa("#767676") and not colour_passes_aa("#777777")
    assert normalise_colour("0b5") == "#00BB55" and normalise_colour("grøn") is None


def _form(**values):
    data = {"name": "Aarhus Kommune", "address": "Rådhuspladsen 2\n8000 Aarhus C", "phone": "89 40 20 00",
            "email": "frivillig@aarhus.dk", "website": "https://aarhus.dk", "primary_colour": "#0B5A8A"}
    data.update(values)
    return data


def test_the_administrator_sets_name_contact_and_colour(client, make, login):
    login(make.user(Role.ADMIN))
    db.session.commit()
    assert client.post("/admin/kommune", data=_form()).status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "Aarhus Kommune" in html.split("<header", 1)[1] and "89 40 20 00" in html.split("<footer", 1)[1]
    assert "frivillig@aarhus.dk" in html and "Rådhuspladsen 2" in html
    theme = client.get("/tema.css").get_data(as_text=True)
    assert "--fds-primary: #0B5A8A;" in theme
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "municipality_changed")) == 1


def test_a_colour_that_breaks_aa_is_refused_in_danish_and_nothing_is_saved(client, make, login):
    login(make.user(Role.ADMIN))
    db.session.commit()
    response = client.post("/admin/kommune", data=_form(primary_colour="#FFD700", name="Gul Kommune"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Farven er for lys" in html and "4,5:1" in html
    assert 'value="Gul Kommune"' in html and 'value="#FFD700"' in html  # the typing is kept
    assert MunicipalitySettings.get() is None
    assert "--fds-primary: #44831E;" in client.get("/tema.css").get_data(as_text=True)
    bad = client.post("/admin/kommune", data=_form(primary_colour="grøn")).get_data(as_text=True)
    assert "hex-kode" in bad


def test_a_configured_colour_that_breaks_aa_never_reaches_a_page(make_app):
    app = make_app(MUNICIPALITY_COLOUR="#FFFF00", MUNICIPALITY_NAME="Konfigureret Kommune", MUNICIPALITY_PHONE="70 10 10 10")
    with app.app_context():
        db.create_all()
    client = app.test_client()
    assert "--fds-primary: #44831E;" in client.get("/tema.css").get_data(as_text=True)
    html = client.get("/").get_data(as_text=True)
    assert "Konfigureret Kommune" in html and "70 10 10 10" in html


def test_the_logo_is_a_png_or_jpeg_and_shown_in_the_header(client, make, login):
    login(make.user(Role.ADMIN))
    db.session.commit()
    refused = client.post("/admin/kommune", data={**_form(), "logo": (io.BytesIO(b"<svg onload=alert(1)>"), "logo.svg")},
                          content_type="multipart/form-data")
    assert "PNG- eller JPEG-billede" in refused.get_data(as_text=True)
    assert client.get("/kommune/logo").status_code == 404
    client.post("/admin/kommune", data={**_form(), "logo": (io.BytesIO(PNG), "logo.png")},
                content_type="multipart/form-data")
    logo = client.get("/kommune/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/png" and logo.data == PNG
    header = client.get("/").get_data(as_text=True).split("<header", 1)[1].split("</header>", 1)[0]
    assert re.search(r'<img src="/kommune/logo\?v=\d+" alt="Aarhus Kommune"', header)


def test_only_the_administrator_sets_the_identity(client, make, login):
    login(make.user(Role.COORDINATOR))
    db.session.commit()
    assert client.post("/admin/kommune", data=_form()).status_code == 403
    assert MunicipalitySettings.get() is None
