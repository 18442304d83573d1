"""Work that follows a request without being part of it: one thread per process runs it after the answer.

Log-in, registration, reset and resend answer in the same time whether or not an address has an account
(issue 13): the request only writes what must be written, and this thread (started on first use, and
again after a fork) looks up the account, queues the mail and speaks SMTP moments later. If the process
dies first, the scheduler picks the leftovers up within a minute (see portal.auth.mailings).
Tests (TESTING, or AFTER_RESPONSE_INLINE) run the work inline at the end of the request instead, so
they can read its result at once.
"""
from __future__ import annotations

import logging
import os
import queue
import threading
from typing import Callable

from flask import Flask, current_app

log = logging.getLogger(__name__)

_work: queue.Queue[tuple[Flask, Callable, tuple]] = queue.Queue()
_lock = threading.Lock()
_thread: threading.Thread | None = None
_pid: int | None = None


def after_response(func: Callable, *args) -> None:
    """Run `func(*args)` in an application context outside this request (it commits its own work)."""
    app = current_app._get_current_object()
    if app.config.get("AFTER_RESPONSE_INLINE", app.testing):
        func(*args)
        return
    _start()
    _work.put((app, func, args))


def deliver_after_response(messages) -> None:
    """Deliver these committed outbox messages outside the request (when immediate sending is on)."""
    from portal.mail import outbox
    messages = [m for m in messages if m is not None]
    outbox.hand_over(messages)
    ids = [m.id for m in messages if m.id is not None]
    if ids and current_app.config.get("MAIL_SEND_IMMEDIATELY", True):
        from portal.mail import sender
        after_response(lambda: sender.deliver(ids=ids))


def wait_until_done(timeout: float = 10.0) -> bool:
    """Block until the thread has run everything handed to it so far (for tests and benchmarks)."""
    done = threading.Event()

    def join():
        _work.join()
        done.set()

    threading.Thread(target=join, daemon=True).start()
    return done.wait(timeout)


def _start() -> None:
    global _thread, _pid
    with _lock:
        if _thread is not None and _thread.is_alive() and _pid == os.getpid():
            return
        _thread, _pid = threading.Thread(target=_run, name="samskab-after-response", daemon=True), os.getpid()
        _thread.start()


def _run() -> None:
    from models import db
    while True:
        app, func, args = _work.get()
        try:
            with app.app_context():
                try:
                    func(*args)
                except Exception:  # noqa: BLE001 - what was committed stays; the scheduler retries the rest
                    db.session.rollback()
                    log.exception("Work after the response failed; the scheduler will pick it up")
                finally:
                    db.session.remove()
        finally:
            _work.task_done()
