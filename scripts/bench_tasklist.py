"""Times the public task list (/opgaver) with 10,000 published tasks.

    .venv/bin/python scripts/bench_tasklist.py                    # SQLite (a file in a temp folder)
    TEST_DATABASE_URL=postgresql://127.0.0.1:5432/mydb .venv/bin/python scripts/bench_tasklist.py

With DATABASE_URL or TEST_DATABASE_URL set, PostgreSQL is measured as well, inside a schema of its own
("bench_tasklist", dropped afterwards), so the database's other tables are left alone.
For each kind of request it prints the median (and slowest) server time of repeated requests and the
number of SQL statements one request issues. The pages' short-lived caches (portal/public/cache.py)
are switched off, so every request does the full work; `--cached` measures with them on (the same
request repeated is then answered from the cache).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from models import Institution, Occurrence, Task, db, utcnow  # noqa: E402
from models.organisations import INSTITUTION_KINDS  # noqa: E402

SCHEMA = "bench_tasklist"
POSTCODES = ("2800", "2830", "2840", "2850", "2900", "2820", "3460", "2100", "2200", "4000")
WORDS = ("lektiehjælp", "højtlæsning", "havearbejde", "gåtur", "banko", "it-hjælp", "madlavning", "musik",
         "cykeltur", "strikkecafé", "fodbold", "lektiecafé", "fisketur", "kørestole", "sang", "bibliotek")
REQUESTS = {
    "plain list": "/opgaver",
    "free text": "/opgaver?q=højtlæsning",
    "filters": "/opgaver?kind=school&area=28&parts=afternoon&weekdays=1&weekdays=3&spots_left=y",
    "page 20, by spots": "/opgaver?sort=spots&side=20",
    "task page": "/opgaver/{task_id}",
}


def make_app(url: str, folder: Path, cached: bool = False):
    os.environ.setdefault("SAMSKAB_INSTANCE", str(folder / "instance"))
    config = {"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
              "RATELIMIT_ENABLED": False, "BASE_URL": "http://samskab.test", "MAIL_SEND_IMMEDIATELY": False}
    if not cached:
        config.update(TASK_LIST_CACHE_SECONDS=0, RELATED_TASKS_CACHE_SECONDS=0)
    if url.startswith("postgres"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        engine.dispose()
        config["SQLALCHEMY_DATABASE_URI"] = url
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={SCHEMA}"}}
    app = create_app(config)
    with app.app_context():
        db.create_all()
    return app


def fill(app, n_tasks: int, seed: int = 3) -> None:
    """Bulk-insert institutions and n published tasks, a third of them weekly with four occurrences."""
    rng = random.Random(seed)
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    with app.app_context():
        session = db.session
        session.execute(insert(Institution), [
            {"name": f"Institution {i}", "kind": INSTITUTION_KINDS[i % len(INSTITUTION_KINDS)],
             "postcode": POSTCODES[i % len(POSTCODES)], "address": "", "description": "", "created_at": now}
            for i in range(200)])
        inst_ids = list(session.scalars(select(Institution.id)))
        tasks = []
        for i in range(n_tasks):
            words = rng.sample(WORDS, 3)
            tasks.append({
                "institution_id": rng.choice(inst_ids), "title": f"{words[0].capitalize()} nr. {i}",
                "description": f"Vi søger frivillige til {words[1]} og {words[2]}. " * 3,
                "skills_wanted": words[2], "volunteers_do": "Hjælper til.", "volunteers_do_not": "Ingen pleje.",
                "place": f"Sted {i % 500}", "postcode": rng.choice(POSTCODES), "contact_name": "Kontakt",
                "contact_email": "kontakt@example.dk", "capacity": rng.randint(1, 8), "kind": "fixed",
                "recurrence": "weekly" if i % 3 == 0 else "none", "requires_child_certificate": i % 5 == 0,
                "requires_pledge": i % 7 == 0, "compensation_note": "", "insurance_note": "", "status": "open",
                "sequence": 0, "created_at": now, "updated_at": now, "published_at": now - timedelta(hours=i)})
        session.execute(insert(Task), tasks)
        occurrences = []
        for task_id, recurrence, capacity in session.execute(select(Task.id, Task.recurrence, Task.capacity)):
            start = now + timedelta(days=rng.randint(1, 120), hours=rng.choice((-4, 0, 3, 6)))
            for week in range(4 if recurrence == "weekly" else 1):
                begin = start + timedelta(weeks=week)
                occurrences.append({"task_id": task_id, "starts_at": begin, "ends_at": begin + timedelta(hours=2),
                                    "capacity": capacity, "accepted_count": rng.randint(0, capacity),
                                    "cancelled": False})
        session.execute(insert(Occurrence), occurrences)
        session.commit()


def measure(app, runs: int) -> dict[str, tuple[float, float, int]]:
    client = app.test_client()
    results = {}
    with app.app_context():
        task_id = db.session.scalar(select(Task.id).where(Task.recurrence == "weekly").order_by(Task.id).limit(1))
        for label, url in REQUESTS.items():
            url = url.format(task_id=task_id)
            assert client.get(url).status_code == 200  # warm up caches and the query plan
            statements: list[str] = []

            def count(*_args):
                statements.append("x")

            event.listen(db.engine, "before_cursor_execute", count)
            client.get(url)
            event.remove(db.engine, "before_cursor_execute", count)
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            results[label] = (statistics.median(times), max(times), len(statements))
    return results


def report(name: str, results) -> None:
    print(f"\n{name}")
    for label, (median, slowest, statements) in results.items():
        print(f"  {label:22} median {median:7.1f} ms   slowest {slowest:7.1f} ms   {statements} SQL statements")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--cached", action="store_true", help="keep the pages' short-lived caches on")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app = make_app(f"sqlite:///{folder / 'bench.db'}", folder, args.cached)
        fill(app, args.tasks)
        report(f"SQLite, {args.tasks} tasks, caches {'on' if args.cached else 'off'}", measure(app, args.runs))
        url = os.environ.get("DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
        if url and url.startswith("postgres"):
            app = make_app(url, folder, args.cached)
            fill(app, args.tasks)
            report(f"PostgreSQL, {args.tasks} tasks, caches {'on' if args.cached else 'off'}", measure(app, args.runs))
            with app.app_context():
                db.session.remove()
                with db.engine.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
                db.engine.dispose()
        else:
            print("\n(PostgreSQL skipped: set DATABASE_URL or TEST_DATABASE_URL to measure it too)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
