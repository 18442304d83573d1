"""queue_mail: preferences, language, footer links, deduplication."""
from flask_babel import gettext as _
from sqlalchemy import func, select

from models import NotificationPreference, OutboxMessage, Role, db
from portal.mail import preferences
from portal.mail.outbox import queue_mail


def _queue(recipient, kind="signup_accepted", key="k:1"):
    return queue_mail(kind, dedup_key=key, recipient=recipient, subject=lambda: _("Confirm your e-mail address"),
                      template="verify", context={"link": "http://samskab.test/x"})


def test_queues_once_per_key(app, make):
    user = make.user()
    assert _queue(user) is not None
    assert _queue(user) is None
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_optional_kind_turned_off_is_not_queued(app, make):
    user = make.user()
    preferences.save(user, {"signup_accepted": preferences.Choice(False, None)})
    assert _queue(user) is None
    assert _queue(user, kind="shift_reminder", key="k:2") is not None


def test_mandatory_kind_cannot_be_turned_off(app, make):
    user = make.user()
    preferences.save(user, {"verify": preferences.Choice(False, None)})
    assert db.session.scalar(select(func.count()).select_from(NotificationPreference)) == 0
    assert _queue(user, kind="verify") is not None


def test_digests_are_off_by_default(app, make):
    user = make.user()
    assert preferences.is_enabled(user, "digest_tasks") is False
    assert preferences.is_enabled(user, "shift_reminder") is True
    assert preferences.choices(user)["digest_tasks"] == preferences.Choice(False, "weekly")


def test_footer_has_settings_and_unsubscribe_links(app, make):
    user = make.user()
    message = _queue(user)
    assert "http://samskab.test/indstillinger/mails/" in message.body_text
    assert message.unsubscribe_url.startswith("http://samskab.test/afmeld/")
    assert message.unsubscribe_url in message.body_text
    assert message.unsubscribe_url.replace("&", "&amp;") in message.body_html or message.unsubscribe_url in message.body_html


def test_mandatory_kind_has_settings_link_but_no_unsubscribe(app, make):
    user = make.user()
    message = _queue(user, kind="verify")
    assert "/indstillinger/mails/" in message.body_text
    assert message.unsubscribe_url is None and "/afmeld/" not in message.body_text


def test_recipient_language(app, make):
    english = make.user(locale="en")
    message = _queue(english)
    assert message.subject == "Confirm your e-mail address"
    assert "Choose which e-mails you get" in message.body_text


def test_plain_address_of_a_profile_gets_that_persons_choices(app, make):
    staff = make.user(Role.STAFF, email="Kontakt@Example.dk")
    preferences.save(staff, {"signup_accepted": preferences.Choice(False, None)})
    assert _queue("kontakt@example.dk") is None
    message = _queue("someone-else@example.dk", key="k:3")
    assert message.user_id is None and message.unsubscribe_url is None


def test_deactivated_or_deleted_people_get_nothing(app, make):
    gone = make.user(active=False)
    assert _queue(gone) is None
