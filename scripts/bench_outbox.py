"""Benchmark the outbox: queue N due shift reminders and deliver them to a local aiosmtpd server.

    .venv/bin/python scripts/bench_outbox.py [--count 10000] [--database-url URL]

Runs on a fresh SQLite file in a temporary folder unless --database-url names an empty database.
The SMTP server runs in its own process (as a real one would), counting what it accepts.
Goal: the whole run (queue + deliver) under 60 s for 10,000 and under 5 minutes for 100,000 (PostgreSQL:
`--database-url postgresql://127.0.0.1:5432/bench`, the same URL forms as DATABASE_URL) on a 2-core machine.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _serve(port, received, ready, stop, cpu) -> None:
    from aiosmtpd.controller import Controller

    class Counter:
        async def handle_DATA(self, server, session, envelope):
            with received.get_lock():
                received.value += 1
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    cpu.value = time.process_time()
    controller.stop()


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seed(count: int, now: datetime, per_task: int = 50) -> None:
    """`count` volunteers with an accepted sign-up on shifts starting in 20 hours (bulk inserts)."""
    from sqlalchemy import insert

    from models import Institution, Occurrence, Signup, Task, User, db
    start = now + timedelta(hours=20)
    db.session.add(Institution(name="Benchmark-skolen", kind="school", postcode="2800"))
    db.session.flush()
    institution_id = db.session.query(Institution.id).scalar()
    db.session.execute(insert(User), [{"email": f"frivillig{i}@bench.example.dk", "name": f"Frivillig {i}",
                                       "locale": "da" if i % 5 else "en", "active": True, "created_at": now}
                                      for i in range(count)])
    tasks = (count + per_task - 1) // per_task
    db.session.execute(insert(Task), [{
        "institution_id": institution_id, "title": f"Højtlæsning {t}", "description": "Læs højt for børnene.",
        "volunteers_do": "Læser højt.", "volunteers_do_not": "Ingen pleje.", "place": "Biblioteket",
        "contact_name": "Kontakt", "contact_email": "kontakt@bench.example.dk", "capacity": per_task,
        "status": "open", "kind": "fixed", "recurrence": "none", "skills_wanted": "", "compensation_note": "",
        "insurance_note": "", "sequence": 0, "created_at": now, "updated_at": now, "published_at": now,
        "requires_child_certificate": False, "requires_pledge": False} for t in range(tasks)])
    task_ids = [row[0] for row in db.session.query(Task.id).order_by(Task.id)]
    db.session.execute(insert(Occurrence), [{"task_id": tid, "starts_at": start, "ends_at": start + timedelta(hours=2),
                                             "capacity": per_task, "accepted_count": 0, "cancelled": False}
                                            for tid in task_ids])
    occurrence_ids = [row[0] for row in db.session.query(Occurrence.id).order_by(Occurrence.id)]
    user_ids = [row[0] for row in db.session.query(User.id).order_by(User.id)]
    db.session.execute(insert(Signup), [{"occurrence_id": occurrence_ids[i // per_task], "user_id": uid,
                                         "status": "accepted", "holds_spot": True, "note": "",
                                         "created_at": now, "updated_at": now}
                                        for i, uid in enumerate(user_ids)])
    db.session.query(Occurrence).update({"accepted_count": Occurrence.capacity})
    db.session.commit()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="samskab-bench-"))
    os.environ.setdefault("SAMSKAB_INSTANCE", str(workdir / "instance"))
    port = _free_port()
    received, ready, stop = multiprocessing.Value("i", 0), multiprocessing.Event(), multiprocessing.Event()
    server_cpu = multiprocessing.Value("d", 0.0)
    server = multiprocessing.Process(target=_serve, args=(port, received, ready, stop, server_cpu), daemon=True)
    server.start()
    ready.wait(10)

    from app import create_app
    from models import OutboxMessage, db
    from portal.mail import sender
    from portal.scheduler import jobs
    from portal.config import _database_url
    # The same URLs as DATABASE_URL: postgresql://… and postgres://… are given the psycopg 3 driver.
    url = _database_url(args.database_url or os.environ.get("BENCH_DATABASE_URL"), workdir / "instance") \
        if (args.database_url or os.environ.get("BENCH_DATABASE_URL")) else f"sqlite:///{workdir / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SMTP_HOST": "127.0.0.1",
                      "SMTP_PORT": port, "BASE_URL": "http://samskab.bench", "MAIL_SEND_IMMEDIATELY": False})
    try:
        with app.app_context():
            db.create_all()
            now = datetime.now(timezone.utc).replace(microsecond=0)
            t0 = time.perf_counter()
            _seed(args.count, now)
            t1, c1 = time.perf_counter(), time.process_time()
            queued = jobs.execute(jobs.BY_ID["shift_reminders"], now=now, deliver=False)
            t2, c2 = time.perf_counter(), time.process_time()
            counts = sender.deliver_all(now=now)
            t3, c3 = time.perf_counter(), time.process_time()
            sent = db.session.query(OutboxMessage).filter(OutboxMessage.status == "sent").count()
            again = jobs.execute(jobs.BY_ID["shift_reminders"], now=now + timedelta(minutes=5), deliver=False)
    finally:
        stop.set()
        server.join(10)
    total = t3 - t1
    print(f"database:          {url.split(':', 1)[0]}  ({os.cpu_count()} CPUs)")
    print(f"seeded:            {args.count} accepted sign-ups in {t1 - t0:.1f} s (not counted)")
    print(f"queued:            {queued} reminders in {t2 - t1:.1f} s ({queued / max(t2 - t1, 1e-9):.0f}/s)")
    print(f"delivered:         {counts} in {t3 - t2:.1f} s ({counts['sent'] / max(t3 - t2, 1e-9):.0f}/s)")
    print(f"server received:   {received.value}; marked sent: {sent}; queued on a second run: {again}")
    # Wall-clock time depends on who else uses the machine; CPU seconds much less so.
    print(f"CPU seconds:       queue {c2 - c1:.1f}, deliver {c3 - c2:.1f} (this process, all threads); "
          f"SMTP server {server_cpu.value:.1f}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    goal = 60 if args.count <= 10_000 else 300
    print(f"total:             {total:.1f} s (goal: under {goal} s)")
    ok = queued == args.count and counts["sent"] == args.count and received.value == args.count and again == 0
    return 0 if ok and total < goal else 1


if __name__ == "__main__":
    sys.exit(main())
