"""Load and fault test: `python -m tests.load.run` (or `make load`). Not part of the pytest suite.

It starts a private PostgreSQL cluster on loopback (its own data directory and port, so restarting it
never touches anybody else's database), loads the demo data plus load-test citizens, starts gunicorn
(3 gthread workers) and the scheduler, then for DURATION seconds lets 100 simulated users browse,
search and sign up, with a burst of 500 sign-ups on one popular task. Meanwhile it restarts
PostgreSQL, kills the scheduler (kill -9) and starts a new one, and keeps SMTP down until late in
the run. Afterwards it measures a bare Flask route against the task list on the same gunicorn, waits
(bounded) for the outbox to drain, and prints the figures and checks. Everything stops by itself.
"""
from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess  # nosec B404 - starts our own processes with fixed arguments
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from tests.load.http import Client, Result, Session

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
PYTHON = str(BIN / "python") if (BIN / "python").exists() else sys.executable
HOST = "127.0.0.1"
PASSWORD = "Korrekt-hest-batteri-42"   # tests.factories.PASSWORD
USER_AGENT = "samskab-load/1.0"
LOGIN_FORM = 40   # users who log in through the form (scrypt is slow on purpose); the rest get a session
SEARCH_WORDS = ["læse", "børn", "have", "kaffe", "ældre", "fodbold", "bibliotek", "regatta", "lektier", "musik"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the private PostgreSQL cluster -------------------------------------------------------------

class PrivatePostgres:
    """initdb + pg_ctl in a temporary directory, run as the postgres user, listening on loopback only."""

    def __init__(self):
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not candidates:
            raise SystemExit("initdb not found (apt-get install postgresql)")
        self.bin = Path(candidates[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="samskab-load-pg-"))
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_postgres, *args], capture_output=True, text=True, check=check,
                              timeout=120)  # nosec B603

    def start(self) -> None:
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.dir / "data"), "--auth=trust", "-U", "postgres",
                  "--encoding=UTF8", "--locale=C.UTF-8")
        self.pg_ctl("start")
        self._run(str(self.bin / "createdb"), "-h", HOST, "-p", str(self.port), "-U", "postgres", "samskab_load")

    def pg_ctl(self, action: str) -> float:
        began = time.perf_counter()
        options = f"-c listen_addresses={HOST} -c port={self.port} -c unix_socket_directories={self.dir} " \
                  f"-c max_connections=200 -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-w", "-t", "60", "-m", "fast",
                  "-o", options, "-l", str(self.dir / "server.log"), action)
        return time.perf_counter() - began

    @property
    def url(self) -> str:
        return f"postgresql://postgres@{HOST}:{self.port}/samskab_load"

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


# --- seeding (runs inside the app, in a child process) ----------------------------------------------

def seed(users: int, capacity: int) -> dict:
    """Demo data was loaded by `flask demo-data`; add load-test citizens and one popular task."""
    from datetime import timedelta

    from sqlalchemy import select

    from flask_login.utils import _create_identifier

    from app import create_app
    from models import Institution, Occurrence, Task, User, db, utcnow
    from tests import factories

    app = create_app()
    with app.app_context():
        emails = [f"last{i}@last.example.dk" for i in range(users)]
        for email in emails:
            factories.user(email=email, name=f"Frivillig {email.split('@')[0]}")
        inst = db.session.scalars(select(Institution).order_by(Institution.id)).first()
        start = (utcnow() + timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
        popular = factories.task(inst, starts_at=start, capacity=capacity, title="Regatta på Lyngby Sø: hjælpere",
                                 description="Vi skal bruge hjælpere til regattaen: startlinje, kaffe og oprydning.")
        db.session.commit()
        open_tasks = db.session.execute(
            select(Task.id, Occurrence.id).join(Occurrence).where(Task.status == "open",
                                                                  Occurrence.starts_at > utcnow() + timedelta(days=1))
            .order_by(Task.id, Occurrence.starts_at)).all()
        first = {}
        for task_id, occ_id in open_tasks:
            first.setdefault(task_id, occ_id)
        cookies = {}
        users = db.session.scalars(select(User).where(User.email.in_(emails))).all()
        with app.test_request_context(environ_base={"REMOTE_ADDR": HOST, "HTTP_USER_AGENT": USER_AGENT}):
            identifier = _create_identifier()
            serializer = app.session_interface.get_signing_serializer(app)
            for user in users:
                # What the login form leaves in the session (as tests.conftest.sign_in does).
                cookies[user.email] = serializer.dumps({"_user_id": user.get_id(), "_fresh": True, "_id": identifier})
        return {"emails": emails, "popular_task": popular.id, "popular_occurrence": popular.occurrences[0].id,
                "tasks": [[t, o] for t, o in first.items() if t != popular.id], "cookies": cookies}


def checks() -> dict:
    """Over-booking and outbox state, read straight from the database."""
    from sqlalchemy import func, select, text

    from app import create_app
    from models import Occurrence, OutboxMessage, Signup, db

    app = create_app()
    with app.app_context():
        holding = (select(Signup.occurrence_id, func.count().label("n")).where(Signup.holds_spot.is_(True))
                   .group_by(Signup.occurrence_id).subquery())
        over = db.session.execute(
            select(Occurrence.id, Occurrence.capacity, Occurrence.accepted_count, holding.c.n)
            .join(holding, holding.c.occurrence_id == Occurrence.id)
            .where((holding.c.n > Occurrence.capacity) | (Occurrence.accepted_count > Occurrence.capacity)
                   | (Occurrence.accepted_count != holding.c.n))).all()
        statuses = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
                        .all())
        by_status = dict(db.session.execute(select(Signup.status, func.count()).group_by(Signup.status)).all())
        dupes = db.session.execute(text("SELECT count(*) FROM (SELECT user_id, occurrence_id FROM signup "
                                        "WHERE holds_spot GROUP BY 1, 2 HAVING count(*) > 1) d")).scalar()
        return {"overbooked": [list(map(int, r)) for r in over], "outbox": statuses, "signups": by_status,
                "double_signups": dupes}


def popular_state(occurrence_id: int) -> dict:
    from sqlalchemy import func, select

    from app import create_app
    from models import Occurrence, Signup, db

    app = create_app()
    with app.app_context():
        occ = db.session.get(Occurrence, occurrence_id)
        counts = dict(db.session.execute(select(Signup.status, func.count()).where(
            Signup.occurrence_id == occurrence_id).group_by(Signup.status)).all())
        return {"capacity": occ.capacity, "accepted_count": occ.accepted_count, "by_status": counts}


def scheduler_child() -> None:
    """The scheduler process with a short lock lease, so a killed one is replaced within seconds."""
    import threading

    from app import create_app
    from portal.scheduler.runner import SchedulerProcess

    import logging
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app({"SCHEDULER_LEASE_SECONDS": 10, "SCHEDULER_HEARTBEAT_SECONDS": 2})
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_a: stop.set())
    SchedulerProcess(app, stop=stop).run()


def in_child(function: str, env: dict, *args) -> dict:
    code = (f"import json,sys; from tests.load.run import {function}; "
            f"print('RESULT'+json.dumps({function}(*json.loads(sys.argv[1]))))")
    out = subprocess.run([PYTHON, "-c", code, json.dumps(list(args))], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600, check=False)  # nosec B603
    if out.returncode != 0:
        raise SystemExit(f"{function} failed:\n{out.stderr[-3000:]}")
    line = next(line for line in out.stdout.splitlines() if line.startswith("RESULT"))
    return json.loads(line[len("RESULT"):])


# --- the simulated users ----------------------------------------------------------------------------

class Run:
    def __init__(self, client: Client, world: dict, duration: float, think: tuple[float, float]):
        self.client, self.world, self.duration, self.think = client, world, duration, think
        self.sessions: dict[str, Session] = {}
        self.signed_up: set[tuple[str, int]] = set()

    async def log_in(self, email: str, limiter: asyncio.Semaphore) -> bool:
        async with limiter:
            session = Session()
            token = await self.client.csrf_token("login_form", "/log-ind", session)
            result = await self.client.request("login", "POST", "/log-ind", session,
                                               {"csrf_token": token or "", "email": email, "password": PASSWORD})
            if result.status == 302:
                self.sessions[email] = session
                return True
            return False

    async def sign_up(self, email: str, task_id: int, occ_id: int, kind: str = "signup") -> Result | None:
        session = self.sessions.get(email)
        if session is None:
            return None
        path = f"/opgaver/{task_id}/tilmeld?occurrence={occ_id}"
        token = await self.client.csrf_token(f"{kind}_form", path, session)
        if token is None:
            return None
        return await self.client.request(kind, "POST", path, session, {"csrf_token": token, "occurrence": str(occ_id)})

    async def user(self, email: str, stop_at: float) -> None:
        rng = random.Random(email)
        session = self.sessions.get(email)
        tasks = self.world["tasks"]
        # People arrive spread over one think time, not all in the same millisecond.
        await asyncio.sleep(rng.uniform(0, self.think[1]))
        while time.perf_counter() < stop_at:
            roll = rng.random()
            if roll < 0.35:
                await self.client.request("page:list", "GET", f"/opgaver?side={rng.randint(1, 3)}", session)
            elif roll < 0.60:
                await self.client.request("page:search", "GET", f"/opgaver?q={quote(rng.choice(SEARCH_WORDS))}", session)
            elif roll < 0.85 and tasks:
                task_id, _occ = rng.choice(tasks)
                await self.client.request("page:task", "GET", f"/opgaver/{task_id}", session)
            elif roll < 0.92:
                await self.client.request("page:front", "GET", "/", session)
            elif tasks:
                task_id, occ_id = rng.choice(tasks)
                if (email, occ_id) not in self.signed_up:
                    self.signed_up.add((email, occ_id))
                    await self.sign_up(email, task_id, occ_id)
            await asyncio.sleep(rng.uniform(*self.think))

    async def burst(self, emails: list[str]) -> None:
        task_id, occ_id = self.world["popular_task"], self.world["popular_occurrence"]
        await asyncio.gather(*(self.sign_up(e, task_id, occ_id, kind="burst") for e in emails))


async def closed_loop(client: Client, kind: str, path: str, concurrency: int, seconds: float) -> float:
    """Requests per second with `concurrency` clients sending back to back (no think time)."""
    stop_at = time.perf_counter() + seconds
    before = len(client.results)

    async def worker():
        while time.perf_counter() < stop_at:
            await client.request(kind, "GET", path)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    done = [r for r in client.results[before:] if r.status == 200]
    return len(done) / (time.perf_counter() - began)


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "n/a"
    q = statistics.quantiles(values, n=100, method="inclusive")
    return f"p50 {q[49] * 1000:6.0f} ms  p95 {q[94] * 1000:6.0f} ms  p99 {q[98] * 1000:6.0f} ms"


# --- the driver -------------------------------------------------------------------------------------

class Processes:
    def __init__(self):
        self.running: list[subprocess.Popen] = []

    def start(self, args: list[str], env: dict, logfile: Path) -> subprocess.Popen:
        handle = open(logfile, "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                start_new_session=True)  # nosec B603
        self.running.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.running:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.running:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def wait_for(port: int, path: str = "/healthz", seconds: float = 60) -> None:
    import http.client
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer on port {port}")


async def main_async(args, env, pg: PrivatePostgres, procs: Processes, work: Path, world: dict) -> dict:
    from tests.mailserver import MailServer

    port = int(env["LOAD_PORT"])
    client = Client(HOST, port, time.perf_counter(), timeout=args.timeout)
    run = Run(client, world, args.duration, (args.think_min, args.think_max))

    by_form = world["emails"][:LOGIN_FORM]
    log(f"logging in {len(by_form)} users through the CSRF-protected form; "
        f"{len(world['emails']) - len(by_form)} get a signed session cookie")
    limiter = asyncio.Semaphore(8)
    ok = await asyncio.gather(*(run.log_in(e, limiter) for e in by_form))
    for email in world["emails"][LOGIN_FORM:]:
        run.sessions[email] = Session({"session": world["cookies"][email]})
    logins = [r for r in client.results if r.kind == "login"]
    log(f"form logins: {sum(ok)}/{len(ok)}; {percentiles([r.seconds for r in logins if r.status == 302])}")
    client.results.clear()

    t0 = client.t0 = time.perf_counter()  # event times count from the start of the load
    loadavg = os.getloadavg()
    events: list[str] = []
    smtp = MailServer(int(env["SMTP_PORT"]))
    browsing = world["emails"][:args.users]
    bursting = world["emails"][args.users:args.users + args.burst]
    scheduler = procs.running[-1]

    async def faults(start: float):
        def at(seconds):
            return asyncio.sleep(max(0.0, start + seconds - time.perf_counter()))
        await at(args.duration * 0.25)
        run.burst_at = time.perf_counter() - t0
        log(f"BURST: {len(bursting)} sign-ups on the popular task at once")
        events.append(f"burst of {len(bursting)} sign-ups at {time.perf_counter() - t0:.1f}s")

        async def burst():
            await run.burst(bursting)
            events.append(f"burst done at {time.perf_counter() - t0:.1f}s")

        burst_task = asyncio.create_task(burst())
        await at(args.duration * 0.35)
        os.killpg(scheduler.pid, signal.SIGKILL)
        log("FAULT: scheduler killed (SIGKILL)")
        events.append(f"scheduler killed at {time.perf_counter() - t0:.1f}s")
        await at(args.duration * 0.45)
        restart_began = time.perf_counter() - t0
        took = await asyncio.to_thread(pg.pg_ctl, "restart")
        log(f"FAULT: PostgreSQL restarted (pg_ctl restart, {took:.1f}s)")
        events.append(f"postgres restart {restart_began:.1f}s..{restart_began + took:.1f}s")
        run.pg_window = (restart_began, restart_began + took)
        await at(args.duration * 0.55)
        procs.start([PYTHON, "-c", "from tests.load.run import scheduler_child; scheduler_child()"], env,
                    work / "scheduler2.log")
        log("scheduler started again")
        events.append(f"scheduler restarted at {time.perf_counter() - t0:.1f}s")
        await at(args.duration * 0.75)
        smtp.start()
        log("SMTP server is up")
        events.append(f"SMTP up at {time.perf_counter() - t0:.1f}s (down before)")
        await burst_task

    run.pg_window = (0.0, 0.0)
    run.burst_at = args.duration
    log(f"load: {len(browsing)} users for {args.duration:.0f}s, think time {args.think_min}-{args.think_max}s")
    start = time.perf_counter()
    stop_at = start + args.duration
    await asyncio.gather(faults(start), *(run.user(e, stop_at) for e in browsing))
    load_results = list(client.results)
    load_seconds = time.perf_counter() - start

    log("baseline: bare Flask route vs task list, closed loop")
    healthz = await closed_loop(client, "bench:healthz", "/healthz", args.bench_concurrency, args.bench_seconds)
    tasklist = await closed_loop(client, "bench:opgaver", "/opgaver", args.bench_concurrency, args.bench_seconds)
    after_bench = time.perf_counter()

    log(f"waiting (at most {args.drain:.0f}s) for the scheduler to deliver the outbox")
    deadline = time.perf_counter() + args.drain
    state = {}
    while time.perf_counter() < deadline:
        state = await asyncio.to_thread(in_child, "checks", env)
        pending = sum(n for s, n in state["outbox"].items() if s in ("queued", "sending"))
        if pending == 0 and state["outbox"]:
            break
        await asyncio.sleep(5)
    drained_in = time.perf_counter() - after_bench
    received = smtp.messages
    smtp.stop()
    popular = await asyncio.to_thread(in_child, "popular_state", env, world["popular_occurrence"])
    return {"load": load_results, "load_seconds": load_seconds, "healthz": healthz, "tasklist": tasklist,
            "state": state, "received": received, "popular": popular, "events": events,
            "pg_window": run.pg_window, "drained_in": drained_in,
            "burst_at": run.burst_at, "loadavg": loadavg}


def report(out: dict, args) -> int:
    load: list[Result] = out["load"]
    pages = [r for r in load if r.kind.startswith("page:")]
    page_ok = [r.seconds for r in pages if r.status == 200]
    five = [r for r in load if r.status >= 500]
    timeouts = [r for r in load if r.error == "timeout"]
    cut = [r for r in load if r.error == "connection"]
    lo, hi = out["pg_window"]
    burst_at = out["burst_at"]

    def near_restart(r):
        # The request was in flight while the database went away (or within 5 s of its return).
        return r.started <= hi + 5 and r.started + r.seconds >= lo - 0.5

    in_window = [r for r in load if near_restart(r) and (r.status >= 500 or r.error)]
    after = [r for r in load if r.started > hi + 5]
    after_failed = [r for r in after if r.status >= 500 or r.error == "connection"]
    steady = [r.seconds for r in pages if r.status == 200 and r.started < burst_at]
    print()
    print("=" * 78)
    print("SAMSKAB LOAD AND FAULT RUN")
    print("=" * 78)
    print(f"machine: {os.cpu_count()} CPUs, load average {out['loadavg'][0]:.1f} at the start of the load, "
          f"{os.getloadavg()[0]:.1f} now (other work on the machine shares these CPUs)")
    for event in out["events"]:
        print(f"  event: {event}")
    print(f"requests: {len(load)} in {out['load_seconds']:.1f}s = {len(load) / out['load_seconds']:.1f} req/s "
          f"({args.users} users, think {args.think_min}-{args.think_max}s, then the burst)")
    print(f"page views (GET, 200), whole run: {len(page_ok)}  {percentiles(page_ok)}")
    print(f"page views before the burst (0-{burst_at:.0f}s): {len(steady)}  {percentiles(steady)}")
    # Where the slow ones are: the first seconds (100 users arriving at once on cold workers) or all along.
    slices = []
    for begin in range(0, int(burst_at), 3):
        part = [r.seconds for r in pages if r.status == 200 and begin <= r.started < min(begin + 3, burst_at)]
        if len(part) > 1:
            slices.append(f"{begin}-{begin + 3}s n={len(part)} p95 {statistics.quantiles(part, n=100)[94] * 1000:.0f} ms")
    print("  by 3 s: " + "; ".join(slices))
    for kind in sorted({r.kind for r in load}):
        rows = [r for r in load if r.kind == kind]
        good = [r.seconds for r in rows if r.status in (200, 302)]
        codes = Counter(r.status or r.error for r in rows)
        print(f"  {kind:12} n={len(rows):5}  {percentiles(good)}  {dict(sorted(codes.items(), key=str))}")
    print(f"errors: {len(five)} 5xx ({dict(Counter(r.status for r in five))}), {len(timeouts)} client timeouts "
          f"(no answer in {args.timeout:.0f}s), {len(cut)} connections refused or cut")
    print(f"  in flight during the PostgreSQL restart (or within 5 s after): {dict(Counter(r.status or r.error for r in in_window))}; "
          f"after it: {len(after_failed)} 5xx or cut connections in {len(after)} requests")
    ratio = out["tasklist"] / out["healthz"] if out["healthz"] else 0
    print(f"bare Flask /healthz: {out['healthz']:.1f} req/s; task list /opgaver: {out['tasklist']:.1f} req/s; "
          f"ratio {ratio:.0%} (goal >= 40 %)  [closed loop, {args.bench_concurrency} clients, "
          f"{args.bench_seconds:.0f}s each]")
    pop = out["popular"]
    print(f"popular task: capacity {pop['capacity']}, accepted_count {pop['accepted_count']}, "
          f"sign-ups by status {pop['by_status']}")
    state = out["state"]
    print(f"over-booked occurrences: {len(state['overbooked'])} {state['overbooked'][:5]}; "
          f"double sign-ups: {state['double_signups']}; all sign-ups by status {state['signups']}")
    ids = Counter(m["Message-ID"] for m in out["received"])
    doubled = sum(n - 1 for n in ids.values() if n > 1)
    sent = state["outbox"].get("sent", 0)
    leased = state["outbox"].get("sending", 0)
    print(f"outbox after the run: {state['outbox']} (drain waited {out['drained_in']:.0f}s); "
          f"SMTP received {len(out['received'])} mails, {doubled} doubled (same Message-ID twice)")
    took_over = [line for line in out["scheduler2_log"].splitlines() if " is active" in line]
    print(f"new scheduler: {'took the lock: ' + took_over[0].split(' INFO ')[0] if took_over else 'never became active'}")
    if leased:
        print(f"  {leased} message(s) still 'sending': claimed by a process killed mid-batch; the 5-minute claim "
              f"lease returns them to the scheduler (run with --drain 420 to watch it happen)")
    unclean = [r for r in in_window if r.status >= 500 and r.status != 503 or r.error == "connection"]
    verdicts = {
        "zero 5xx outside the PostgreSQL restart": not [r for r in five if not near_restart(r)],
        "restart answered cleanly (503 + Danish page; no 500, no cut connection)": not unclean,
        "recovered after the PostgreSQL restart without restarting the app": not after_failed,
        "zero over-bookings": not state["overbooked"] and state["double_signups"] == 0
        and pop["accepted_count"] <= pop["capacity"],
        "popular task filled exactly": pop["accepted_count"] == pop["capacity"],
        "mail queued while SMTP down, then delivered": sent > 0 and not state["outbox"].get("queued"),
        "nothing doubled or lost after killing the scheduler": doubled == 0 and len(out["received"]) >= sent
        and bool(took_over),
        "p95 page view <= 100 ms before the burst": len(steady) > 1 and statistics.quantiles(steady, n=100)[94] <= 0.1,
        "task list >= 40 % of bare Flask": ratio >= 0.4,
    }
    for name, ok in verdicts.items():
        print(f"  [{'ok' if ok else 'NOT MET'}] {name}")
    hard = ("zero 5xx outside the PostgreSQL restart", "zero over-bookings",
            "recovered after the PostgreSQL restart without restarting the app")
    return 0 if all(verdicts[k] for k in hard) else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=60, help="places on the popular task")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--think-min", type=float, default=0.5)
    parser.add_argument("--think-max", type=float, default=1.5)
    parser.add_argument("--bench-seconds", type=float, default=10.0)
    parser.add_argument("--bench-concurrency", type=int, default=20)
    parser.add_argument("--drain", type=float, default=200.0, help="longest wait for the outbox to drain")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a simulated browser waits")
    args = parser.parse_args(argv)
    args.users = min(args.users, 1000)
    args.duration = min(args.duration, 600)

    work = Path(tempfile.mkdtemp(prefix="samskab-load-"))
    pg = PrivatePostgres()
    procs = Processes()
    try:
        log(f"private PostgreSQL on {HOST}:{pg.port} ({pg.dir})")
        pg.start()
        port, smtp_port = free_port(), free_port()
        env = {**os.environ, "DATABASE_URL": pg.url, "SAMSKAB_ENV": "development", "SECRET_KEY": "load-test-key",
               "SAMSKAB_INSTANCE": str(work / "instance"), "RATELIMIT_ENABLED": "0",
               "SMTP_HOST": HOST, "SMTP_PORT": str(smtp_port), "SMTP_TIMEOUT": "2",
               "BASE_URL": f"http://{HOST}:{port}", "LOAD_PORT": str(port), "PYTHONPATH": str(ROOT)}
        flask = [str(BIN / "flask"), "--app", "app"]
        for step in (["db", "upgrade"], ["demo-data"]):
            subprocess.run(flask + step, cwd=ROOT, env=env, check=True, capture_output=True,
                           timeout=300)  # nosec B603
        world = in_child("seed", env, args.users + args.burst, args.capacity)
        log(f"seeded: {len(world['emails'])} load users, {len(world['tasks'])} open tasks, popular task "
            f"{world['popular_task']} with {args.capacity} places")
        procs.start([str(BIN / "gunicorn"), "-w", str(args.workers), "-k", "gthread", "--threads",
                     str(args.threads), "-b", f"{HOST}:{port}", "--backlog", "2048", "--timeout", "30",
                     "app:create_app()"], env, work / "gunicorn.log")
        wait_for(port)
        log(f"gunicorn on {HOST}:{port}: {args.workers} workers x {args.threads} threads")
        procs.start([PYTHON, "-c", "from tests.load.run import scheduler_child; scheduler_child()"], env,
                    work / "scheduler1.log")
        out = asyncio.run(main_async(args, env, pg, procs, work, world))
        log_file = work / "scheduler2.log"
        out["scheduler2_log"] = log_file.read_text(errors="replace") if log_file.exists() else ""
        code = report(out, args)
        tail = (work / "gunicorn.log").read_text(errors="replace").splitlines()
        tracebacks = sum("Traceback" in line for line in tail)
        print(f"gunicorn log: {len(tail)} lines, {tracebacks} tracebacks (logs kept in {work})")
        return code
    finally:
        procs.stop_all()
        pg.stop()


if __name__ == "__main__":
    sys.exit(main())
