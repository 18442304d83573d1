"""E-mail: the outbox writer, message builders and the SMTP sender (the only code that talks SMTP)."""
