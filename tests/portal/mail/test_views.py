"""Settings page (logged in and by token), one-click unsubscribe, the message log, the heartbeat warning."""
import re
from datetime import timedelta

from sqlalchemy import select

from models import NotificationPreference, Role, SchedulerLease, db, utcnow
from portal import tokens
from portal.mail import preferences, sender
from portal.mail.outbox import queue_mail, settings_url
from tests.conftest import sign_in


def _choice(user, kind):
    db.session.expire_all()
    return preferences.choices(user)[kind]


def test_settings_page_saves_choices(app, make, client):
    user = make.user()
    db.session.commit()
    sign_in(client, user)
    page = client.get("/indstillinger/mails").get_data(as_text=True)
    assert 'name="shift_reminder"' in page and 'name="digest_tasks"' in page
    assert 'name="verify"' not in page  # cannot be turned off, so no control
    assert 'name="idea_deadline"' not in page  # a coordinators' kind
    response = client.post("/indstillinger/mails", data={"signup_accepted": "y", "digest_tasks": "daily",
                                                         "digest_projects": "off"})
    assert response.status_code == 302
    assert _choice(user, "shift_reminder").enabled is False
    assert _choice(user, "signup_accepted").enabled is True
    assert _choice(user, "digest_tasks") == preferences.Choice(True, "daily")
    assert _choice(user, "digest_projects").enabled is False


def test_settings_page_rejects_a_forged_frequency(app, make, client):
    user = make.user()
    db.session.commit()
    sign_in(client, user)
    response = client.post("/indstillinger/mails", data={"digest_tasks": "hourly", "shift_reminder": "y"})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.get_data(as_text=True)
    assert db.session.scalar(select(NotificationPreference.id)) is None


def test_settings_token_works_without_login(app, make, client):
    user = make.user()
    db.session.commit()
    link = settings_url(user).removeprefix("http://samskab.test")
    assert client.get(link).status_code == 200
    response = client.post(link, data={"signup_accepted": "y", "digest_tasks": "weekly", "digest_projects": "off"})
    assert response.status_code == 302 and response.headers["Location"] == link
    assert _choice(user, "shift_reminder").enabled is False
    assert _choice(user, "digest_tasks") == preferences.Choice(True, "weekly")


def test_settings_token_is_checked(app, make, client):
    user = make.user()
    db.session.commit()
    forged = tokens.make("unsubscribe", {"uid": user.id})  # right signature, wrong purpose
    assert client.get(f"/indstillinger/mails/{forged}").status_code == 404
    assert client.get("/indstillinger/mails/garbage").status_code == 404
    user.active = False
    db.session.commit()
    assert client.get(settings_url(user).removeprefix("http://samskab.test")).status_code == 404


def test_settings_token_form_needs_csrf(make_app, make):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        user = make.user()
        db.session.commit()
        link = settings_url(user).removeprefix("http://samskab.test")
        client = app.test_client()
        assert client.post(link, data={"signup_accepted": "y"}).status_code == 400
        page = client.get(link).get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert client.post(link, data={"csrf_token": token, "digest_tasks": "off",
                                       "digest_projects": "off"}).status_code == 302
        assert _choice(user, "shift_reminder").enabled is False


def test_one_click_unsubscribe_from_a_delivered_mail(make_app, make, smtp_for):
    """The mail program POSTs to the List-Unsubscribe address: no login, no cookie, no CSRF token."""
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        server = smtp_for(app)
        user = make.user()
        queue_mail("shift_reminder", dedup_key="r:1", recipient=user, subject="Påmindelse", template="verify",
                   context={"link": "x"})
        db.session.commit()
        sender.deliver()
        [mail] = server.to(user.email)
        url = mail["List-Unsubscribe"].strip("<>").removeprefix("http://samskab.test")
        client = app.test_client()
        assert "shift_reminder" not in client.get(url).get_data(as_text=True)  # GET only asks
        assert _choice(user, "shift_reminder").enabled is True
        response = client.post(url, data="List-Unsubscribe=One-Click",
                               content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200
        assert _choice(user, "shift_reminder").enabled is False
        assert _choice(user, "signup_accepted").enabled is True  # only that kind
        assert queue_mail("shift_reminder", dedup_key="r:2", recipient=user, subject="x", template="verify",
                          context={"link": "x"}) is None


def test_unsubscribe_needs_a_valid_token(make_app, make):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        user = make.user()
        db.session.commit()
        client = app.test_client()
        forged = tokens.make("mail-settings", {"uid": user.id, "kinds": ["shift_reminder"]})
        assert client.post(f"/afmeld/{forged}").status_code == 404
        assert client.post("/afmeld/x.y.z").status_code == 404
        assert _choice(user, "shift_reminder").enabled is True


def test_message_log_filters_and_pages(app, make, client):
    coordinator = make.user(Role.COORDINATOR)
    person = make.user(email="anna@example.dk")
    for i in range(55):
        make.outbox_message(person, status="sent", subject=f"Sendt {i}")
    make.outbox_message(person, status="failed", subject="Besked-der-fejlede", last_error="550 no such user")
    make.outbox_message(make.user(email="bo@example.dk"), status="queued", subject="Venter", kind="shift_reminder")
    db.session.commit()
    sign_in(client, coordinator)
    first = client.get("/beskeder").get_data(as_text=True)
    assert "side=2" in first and "Sendt 0" not in first
    assert "Sendt 0" in client.get("/beskeder?side=2").get_data(as_text=True)
    failed = client.get("/beskeder?status=failed").get_data(as_text=True)
    assert "Besked-der-fejlede" in failed and "550 no such user" in failed and "Venter" not in failed
    assert "Venter" in client.get("/beskeder?q=BO@").get_data(as_text=True)
    kind = client.get("/beskeder?kind=shift_reminder").get_data(as_text=True)
    assert "Venter" in kind and "Besked-der-fejlede" not in kind
    assert client.get("/beskeder?status=nonsense&side=-3").status_code == 200


def test_retry_only_failed(app, make, client):
    admin = make.user(Role.ADMIN)
    sent = make.outbox_message(make.user(), status="sent")
    db.session.commit()
    sign_in(client, admin)
    client.post(f"/beskeder/{sent.id}/igen")
    db.session.refresh(sent)
    assert sent.status == "sent"
    assert client.post("/beskeder/999999/igen").status_code == 404


def test_citizen_cannot_see_the_log(app, make, client):
    sign_in(client, make.user())
    db.session.commit()
    assert client.get("/beskeder").status_code == 403


def test_quiet_scheduler_warning_for_admins_and_coordinators_only(app, make, client):
    admin, citizen = make.user(Role.ADMIN), make.user()
    db.session.commit()
    warning = "/beskeder\">"
    sign_in(client, admin)
    assert 'flash-warning' in client.get("/").get_data(as_text=True)
    db.session.add(SchedulerLease(name="scheduler", holder="x", expires_at=utcnow() + timedelta(minutes=1),
                                  heartbeat_at=utcnow() - timedelta(minutes=9)))
    db.session.commit()
    assert 'flash-warning' not in client.get("/").get_data(as_text=True)
    db.session.get(SchedulerLease, "scheduler").heartbeat_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    assert 'flash-warning' in client.get("/").get_data(as_text=True)
    other = app.test_client()
    sign_in(other, citizen)
    page = other.get("/").get_data(as_text=True)
    assert 'flash-warning' not in page and warning not in page
