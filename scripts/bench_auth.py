"""Does the time of an answer tell whether an address has an account? Median times, known vs unknown.

    .venv/bin/python scripts/bench_auth.py [--rounds 21]

Serves the app over HTTP (werkzeug, threaded) on a fresh SQLite file with a local aiosmtpd server in its
own process, so a mail sent inside a request costs what it costs in production. For each form (log-in
with a wrong password, register, reset link, resend the confirmation) it posts once for a known and once
for an unknown address per round, in random order, and prints the median of each and their ratio (goal:
within 1.5x). CSRF and throttling are switched off for the run; everything else is the production path.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "Korrekt-hest-batteri-42"
KNOWN = "kendt@bench.example.dk"
UNVERIFIED = "ubekraeftet@bench.example.dk"


def _seed() -> None:
    from models import Role, User, db, utcnow
    for email, verified in ((KNOWN, True), (UNVERIFIED, False)):
        user = User(email=email, name="Bench Person", email_verified_at=utcnow() if verified else None)
        user.set_password(PASSWORD)
        user.grant(Role.CITIZEN)
        db.session.add(user)
    db.session.commit()


def _forms(rounds: int):
    """(label, form for a known address, form for an unknown address) per round."""
    for i in range(rounds):
        yield "log-in", "/log-ind", {"email": KNOWN, "password": "forkert-kodeord-1"}, \
            {"email": f"ukendt{i}@bench.example.dk", "password": "forkert-kodeord-1"}
        new = {"name": "Ny Person", "password": PASSWORD, "confirm": PASSWORD, "accept": "y"}
        yield "register", "/registrer", {**new, "email": KNOWN}, {**new, "email": f"ny{i}@bench.example.dk"}
        yield "reset", "/glemt-adgangskode", {"email": KNOWN}, {"email": f"ingen{i}@bench.example.dk"}
        yield "resend", "/send-bekraeftelse-igen", {"email": UNVERIFIED}, {"email": f"ingen{i}@bench.example.dk"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()

    import logging

    import requests
    from werkzeug.serving import make_server
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    tmp = Path(tempfile.mkdtemp(prefix="samskab-bench-auth-"))
    os.environ["SAMSKAB_INSTANCE"] = str(tmp)
    from scripts.bench_outbox import _free_port, _serve  # the same counting SMTP server in its own process
    smtp_port = _free_port()
    ready, stop, received = multiprocessing.Event(), multiprocessing.Event(), multiprocessing.Value("i", 0)
    smtp = multiprocessing.Process(target=_serve, args=(smtp_port, received, ready, stop), daemon=True)
    smtp.start()
    ready.wait(10)

    from app import create_app
    from models import db
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
                      "SQLALCHEMY_ENGINE_OPTIONS": {}, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_port, "BASE_URL": "http://127.0.0.1"})
    with app.app_context():
        db.create_all()
        _seed()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    http = requests.Session()
    times: dict[tuple[str, str], list[float]] = {}
    order = random.Random(2026)
    for label, path, known, unknown in _forms(args.rounds + 2):
        pair = [("known", known), ("unknown", unknown)]
        order.shuffle(pair)  # neither always follows the other's after-response work
        for who, form in pair:
            started = time.perf_counter()
            response = http.post(base + path, data=form, allow_redirects=False)
            elapsed = time.perf_counter() - started
            if response.status_code >= 500:
                raise SystemExit(f"{label} {who}: HTTP {response.status_code}")
            times.setdefault((label, who), []).append(elapsed)
    try:
        from portal.mail.background import wait_until_done
        wait_until_done(60)  # mails handed to the sender thread after their responses
    except ImportError:
        pass
    server.shutdown()
    stop.set()
    smtp.join(5)

    print(f"{'form':<10} {'known ms':>9} {'unknown ms':>11} {'ratio':>6}   (median of {args.rounds} after 2 warm-up)")
    worst = 1.0
    for label in ("log-in", "register", "reset", "resend"):
        known = statistics.median(times[(label, "known")][2:]) * 1000
        unknown = statistics.median(times[(label, "unknown")][2:]) * 1000
        ratio = max(known, unknown) / min(known, unknown)
        worst = max(worst, ratio)
        print(f"{label:<10} {known:>9.1f} {unknown:>11.1f} {ratio:>6.2f}")
    print(f"largest ratio {worst:.2f} (goal: at most 1.50); mails the SMTP server accepted: {received.value}")


if __name__ == "__main__":
    main()
