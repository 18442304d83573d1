"""A real SMTP server (aiosmtpd) for these tests."""
from tests.mailserver import smtp, smtp_for  # noqa: F401
