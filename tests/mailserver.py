"""A real SMTP server on localhost for tests (aiosmtpd), which can go down and refuse on demand."""
from __future__ import annotations

import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collector:
    """aiosmtpd handler: keeps every accepted envelope, or refuses with `refuse` ("550 …")."""

    def __init__(self):
        self.envelopes = []
        self.refuse: str | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return self.refuse
        with self.lock:
            self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class MailServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.handler = Collector()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        with self.handler.lock:
            raw = [e.content for e in self.handler.envelopes]
        return [email.message_from_bytes(r, policy=email.policy.default) for r in raw]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def text_of(self, message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def smtp(app):
    """A running SMTP server; the app sends to it."""
    server = MailServer()
    server.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_TIMEOUT=5)
    yield server
    server.stop()


@pytest.fixture
def smtp_for():
    """Start an SMTP server for an app made with make_app(...)."""
    servers = []

    def start(app):
        server = MailServer()
        server.start()
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_TIMEOUT=5)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
