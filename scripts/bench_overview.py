"""Times the coordinators' overview: on the demo data, and on a data set with many sign-ups.

    .venv/bin/python scripts/bench_overview.py                      # SQLite files in a temp folder
    .venv/bin/python scripts/bench_overview.py --signups 100000 --database postgresql://127.0.0.1/bench

For each data set it prints the median (and slowest) of several runs of the figures alone and of the
whole page (query + charts + template) as a coordinator sees it. A PostgreSQL database given with
--database is emptied first.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from app import create_app  # noqa: E402
from models import (Idea, Institution, Occurrence, Role, Signup, Task, User, UserRole, VolunteerProfile,  # noqa: E402
                    db, utcnow)

POSTCODES = ("2800", "2830", "2840", "2850", "2900", "2820", "3460")
RUNS = 5


def make_app(url: str, folder: Path):
    os.environ.setdefault("SAMSKAB_INSTANCE", str(folder / "instance"))
    config = {"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
              "RATELIMIT_ENABLED": False, "BASE_URL": "http://samskab.test", "MAIL_SEND_IMMEDIATELY": False}
    if url.startswith("postgresql"):
        config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + url.split("://", 1)[1]
    app = create_app(config)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
    return app


def load_demo(app) -> None:
    from portal.demo import load_demo_data
    with app.app_context():
        load_demo_data(db.session, now=utcnow())
        db.session.commit()


def load_large(app, signups: int, seed: int = 39) -> None:
    """Bulk-insert a municipality-sized history: ~5 sign-ups per occurrence over the last two years."""
    rng = random.Random(seed)
    now = utcnow()
    volunteers = max(signups // 8, 100)
    occurrences = max(signups // 5, 20)
    tasks = max(occurrences // 5, 4)
    with app.app_context():
        session = db.session
        session.execute(insert(Institution), [{"name": f"Institution {i}", "kind": "school", "postcode": POSTCODES[i % 7],
                                               "created_at": now} for i in range(40)])
        session.execute(insert(User), [{"name": f"Frivillig {i}", "email": f"f{i}@example.dk", "locale": "da",
                                        "active": True, "created_at": now} for i in range(volunteers)])
        user_ids = [row[0] for row in session.execute(text("SELECT id FROM \"user\" ORDER BY id"))]
        session.execute(insert(UserRole), [{"user_id": uid, "role": Role.CITIZEN.value, "granted_at": now}
                                           for uid in user_ids])
        session.execute(insert(VolunteerProfile), [{
            "user_id": uid, "skills": "", "interests": "", "tags": "", "languages": "dansk", "motivations": "",
            "offers_time": True, "offers_ideas": False, "consent_to_be_found": True, "review_status": "approved",
            "postcode": rng.choice(POSTCODES), "birth_year": rng.choice([None, *range(1940, 2008)]),
            "gender": rng.choice([None, "female", "male", "other"]),
            "created_at": now - timedelta(days=rng.randrange(730)), "updated_at": now} for uid in user_ids])
        inst_ids = [row[0] for row in session.execute(text("SELECT id FROM institution"))]
        session.execute(insert(Task), [{
            "institution_id": rng.choice(inst_ids), "title": f"Opgave {i}", "description": "Bench", "skills_wanted": "",
            "volunteers_do": "x", "volunteers_do_not": "y", "place": "Her", "contact_name": "K",
            "contact_email": "k@example.dk", "capacity": 6, "kind": "fixed", "recurrence": "weekly",
            "status": "open" if i % 4 == 0 else "closed", "sequence": 0, "requires_child_certificate": False,
            "requires_pledge": False, "compensation_note": "", "insurance_note": "", "created_at": now,
            "updated_at": now} for i in range(tasks)])
        task_ids = [row[0] for row in session.execute(text("SELECT id FROM task"))]
        starts = [now - timedelta(days=rng.randrange(-60, 700), hours=rng.randrange(24)) for _ in range(occurrences)]
        session.execute(insert(Occurrence), [{
            "task_id": task_ids[i % len(task_ids)], "starts_at": s, "ends_at": s + timedelta(hours=2), "capacity": 6,
            "accepted_count": 0, "cancelled": False} for i, s in enumerate(starts)])
        occ_rows = session.execute(text("SELECT id, starts_at FROM occurrence ORDER BY id")).all()
        pairs: set[tuple[int, int]] = set()
        while len(pairs) < signups:
            pairs.add((rng.choice(occ_rows)[0], rng.choice(user_ids)))
        started = {oid: s for oid, s in occ_rows}
        batch = []
        for oid, uid in pairs:
            past = str(started[oid]) < now.strftime("%Y-%m-%d %H:%M:%S")
            status = rng.choice(["attended", "attended", "attended", "cancelled"]) if past else "accepted"
            batch.append({"occurrence_id": oid, "user_id": uid, "status": status, "holds_spot": status != "cancelled",
                          "hours": Decimal("2.00") if status == "attended" else None, "note": "",
                          "created_at": now, "updated_at": now})
            if len(batch) == 10000:
                session.execute(insert(Signup), batch)
                batch = []
        if batch:
            session.execute(insert(Signup), batch)
        session.execute(text("UPDATE occurrence SET accepted_count = (SELECT CASE WHEN COUNT(*) > 6 THEN 6 "
                             "ELSE COUNT(*) END FROM signup WHERE signup.occurrence_id = occurrence.id "
                             "AND signup.status = 'accepted')"))
        session.execute(insert(Idea), [{"title": f"Idé {i}", "what": "x", "status": "received", "hidden": False,
                                        "answer_due_at": now - timedelta(days=rng.randrange(-20, 40)),
                                        "created_at": now, "updated_at": now} for i in range(300)])
        session.commit()
        if db.engine.dialect.name == "postgresql":
            # Fresh statistics, as autovacuum would have them in a database that grew over time.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))


def time_overview(app) -> dict[str, float]:
    from portal.coordinators import overview as figures
    from tests.conftest import sign_in
    with app.app_context():
        counts = {name: db.session.scalar(text(f"SELECT COUNT(*) FROM {name}")) for name in ("signup", "occurrence",
                                                                                              "volunteer_profile")}
        coordinator = User(name="Bench Koordinator", email="bench-koordinator@example.dk")
        coordinator.grant(Role.COORDINATOR)
        db.session.add(coordinator)
        db.session.commit()
        today = date.today()
        period = figures.Period(today - timedelta(days=730), today)
        build_times = []
        for _ in range(RUNS):
            begin = time.perf_counter()
            figures.build(period, now=utcnow())
            build_times.append(time.perf_counter() - begin)
        client = app.test_client()
        sign_in(client, coordinator)
        page_times = []
        url = f"/koordinator/overblik?first={period.first.isoformat()}&last={period.last.isoformat()}"
        for _ in range(RUNS):
            begin = time.perf_counter()
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            page_times.append(time.perf_counter() - begin)
    return {**counts, "figures_median_ms": 1000 * statistics.median(build_times),
            "figures_max_ms": 1000 * max(build_times), "page_median_ms": 1000 * statistics.median(page_times),
            "page_max_ms": 1000 * max(page_times)}


def report(name: str, result: dict) -> None:
    print(f"{name}: {result['signup']} sign-ups, {result['occurrence']} occurrences, "
          f"{result['volunteer_profile']} profiles")
    print(f"  figures (SQL aggregates): median {result['figures_median_ms']:.0f} ms, slowest "
          f"{result['figures_max_ms']:.0f} ms")
    print(f"  whole page (SQL + SVG + template): median {result['page_median_ms']:.0f} ms, slowest "
          f"{result['page_max_ms']:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--signups", type=int, default=100_000)
    parser.add_argument("--database", help="a PostgreSQL URL for the large data set (default: a SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo = make_app(f"sqlite:///{folder / 'demo.db'}", folder)
        load_demo(demo)
        report("Demo data (SQLite)", time_overview(demo))
        url = args.database or f"sqlite:///{folder / 'large.db'}"
        large = make_app(url, folder)
        begin = time.perf_counter()
        load_large(large, args.signups)
        print(f"(loaded {args.signups} sign-ups in {time.perf_counter() - begin:.0f} s)")
        kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        report(f"Large data set ({kind})", time_overview(large))


if __name__ == "__main__":
    main()
