"""Load and fault test: `python -m tests.load.run` (or `make load`). Not part of the pytest suite.

It runs the production topology of README "Topology across hosts" on one machine: a private PostgreSQL
cluster and a private redis-server on loopback (their own ports, so restarting them never touches anybody
else's), two gunicorn instances on two ports standing for two hosts (each 2 gthread workers x 4 threads,
each its own instance folder; they share only PostgreSQL and Redis, which holds the rate limits and the
caches' shared version) and the scheduler. It loads the demo data plus load-test citizens, then for
DURATION seconds lets 100 simulated users browse, search and sign up, each request sent to either
instance (a load balancer without sticky sessions), with a burst of 500 sign-ups on one popular task.

Meanwhile it restarts PostgreSQL, kills the scheduler (kill -9) and starts a new one, keeps SMTP down until
late in the run, and restarts Redis (its data is lost). Beside the load it checks the two instances: wrong
passwords for one account sent alternately to both, in dressed-up spellings, meet one limit; a task renamed
through the editor on one instance shows on the other's cached task list within a second (measured), also
after the Redis restart; nothing answers 5xx while Redis is away. Afterwards it measures a bare Flask route
against the task list (cached and uncached) on one instance, waits (bounded) for the outbox to drain, and
prints the figures and checks. Everything stops by itself.
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

from tests.load.http import CSRF, Client, Result, Session, form_values, with_values

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
PYTHON = str(BIN / "python") if (BIN / "python").exists() else sys.executable
HOST = "127.0.0.1"
PASSWORD = "Korrekt-hest-batteri-42"   # tests.factories.PASSWORD
USER_AGENT = "samskab-load/1.0"
LOGIN_FORM = 40   # users who log in through the form (scrypt is slow on purpose); the rest get a session
REDIS_SERVER = "/usr/bin/redis-server"
PROBE_WORD = "Målestok"        # the renamed task's titles all hold it; the other instance searches for it
STAFF_EMAIL = "personale@last.example.dk"
LIMIT_ACCOUNTS = ("graense1@last.example.dk", "graense2@last.example.dk", "graense3@last.example.dk")
# For a probe the PostgreSQL restart fell into (an attempt answered 503 after the limit had counted it):
# it is made again, once, on an account of its own.
SPARE_LIMIT_ACCOUNT = "graense4@last.example.dk"
WRONG_PASSWORDS = 12           # per limit probe, sent alternately to the two instances


def source_address(n: int) -> str:
    """A loopback address of its own for a browser that logs in through the form: the per-address log-in
    limit counts every address apart, as it would count real visitors (all of 127.0.0.0/8 is loopback)."""
    return f"127.0.{n // 250}.{n % 250 + 2}"


SOURCE_STAFF = source_address(1000)
SOURCE_LIMIT = [source_address(1001 + i) for i in range(len(LIMIT_ACCOUNTS))]
SPARE_SOURCE = source_address(1001 + len(LIMIT_ACCOUNTS))


def wrong_password_spellings(email: str, n: int) -> list[str]:
    """`n` spellings of one address as an attacker would dress it up (upper case, zero-width and format
    characters, spaces); every one must meet the account's single log-in counter."""
    at = email.index("@")
    dressed = [email, email.upper(), email + "\u200b", "\u200e" + email, email[:at] + "\u2060" + email[at:],
               email[:2] + "\u00ad" + email[2:], f"  {email.capitalize()} ", email + "\u200b\u200b\u200b"]
    return [dressed[i % len(dressed)] for i in range(n)]


def limit_verdict(statuses: list[int], limit: int) -> dict:
    """Wrong passwords for one account: 200 means the password was checked (the form came back with an
    error), 429 that the limit refused it unchecked. Holds when at most `limit` were checked (and at
    least one: the probe did reach the form) and every other answer was a 429."""
    checked = statuses.count(200)
    refused = statuses.count(429)
    return {"checked": checked, "refused": refused, "other": len(statuses) - checked - refused,
            "ok": 1 <= checked <= limit and checked + refused == len(statuses)}


def propagation_delay(written_at: float, reads: list[tuple[float, float, bool]]) -> dict:
    """How long after a write (its answer arrived at `written_at`) the other instance showed it.

    `reads` are (started, answered, showed the write) for the reads sent after the write, in order.
    `seen_after` is from the write's answer to the answer of the first read that showed it (None: never);
    `stale_after_seen` counts later reads that showed the old state again (another worker's stale cache)."""
    first = next((i for i, (_s, _a, shown) in enumerate(reads) if shown), None)
    if first is None:
        return {"seen_after": None, "first_read_started": None, "stale_after_seen": 0, "reads": len(reads)}
    return {"seen_after": max(0.0, reads[first][1] - written_at),
            "first_read_started": reads[first][0] - written_at,
            "stale_after_seen": sum(1 for _s, _a, shown in reads[first + 1:] if not shown), "reads": len(reads)}


def limit_count(spec: str) -> int:
    """The first count of a Flask-Limiter limit string ("5 per minute;30 per hour" -> 5)."""
    return int(spec.split(";")[0].split()[0])
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


# --- the private Redis -------------------------------------------------------------------------------

class PrivateRedis:
    """A redis-server of our own on a free loopback port, without persistence: a restart loses everything
    in it (rate-limit counters, the caches' shared version), as the harshest restart would."""

    def __init__(self, work: Path):
        if not Path(REDIS_SERVER).exists():
            raise SystemExit(f"{REDIS_SERVER} not found (apt-get install redis-server)")
        self.port = free_port()
        self.logfile = work / "redis.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        import redis
        handle = open(self.logfile, "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen([REDIS_SERVER, "--port", str(self.port), "--bind", HOST, "--save", "",
                                      "--appendonly", "no"], stdout=handle, stderr=subprocess.STDOUT,
                                     start_new_session=True)  # nosec B603
        handle.close()
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                redis.Redis(host=HOST, port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise SystemExit(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


# --- seeding (runs inside the app, in a child process) ----------------------------------------------

def seed(users: int, capacity: int) -> dict:
    """Demo data was loaded by `flask demo-data`; add load-test citizens and one popular task."""
    from datetime import timedelta

    from sqlalchemy import select

    from flask_login.utils import _create_identifier

    from app import create_app
    from models import Institution, Occurrence, Role, Task, User, db, utcnow
    from portal.auth import sessions
    from tests import factories

    app = create_app()
    with app.app_context():
        emails = [f"last{i}@last.example.dk" for i in range(users)]
        for email in emails:
            factories.user(email=email, name=f"Frivillig {email.split('@')[0]}")
        for email in (*LIMIT_ACCOUNTS, SPARE_LIMIT_ACCOUNT):
            factories.user(email=email, name="Grænse Prøve")
        # The staff member who renames a task on one instance while the other shows the task list.
        staff = factories.user(Role.STAFF, email=STAFF_EMAIL, name="Personale Prøve")
        school = factories.institution(name="Målestok Skole", staff=[staff])
        probe = factories.task(school, starts_at=(utcnow() + timedelta(days=6)).replace(minute=0, second=0,
                                                                                           microsecond=0),
                               title=f"{PROBE_WORD} 0", compensation_note="Ingen", insurance_note="Kommunens",
                               description="Opgaven, som belastningsprøven omdøber.")
        inst = db.session.scalars(select(Institution).order_by(Institution.id)).first()
        start = (utcnow() + timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
        popular = factories.task(inst, starts_at=start, capacity=capacity, title="Regatta på Lyngby Sø: hjælpere",
                                 description="Vi skal bruge hjælpere til regattaen: startlinje, kaffe og oprydning.")
        db.session.commit()
        open_tasks = db.session.execute(
            select(Task.id, Occurrence.id).join(Occurrence).where(Task.status == "open", Task.id != probe.id,
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
                # What the login form leaves in the session (as tests.conftest.sign_in does), with the
                # session's own keys (log-in time, last seen): without them the session is ended at once.
                cookies[user.email] = serializer.dumps({"_user_id": user.get_id(), "_fresh": True, "_id": identifier,
                                                        **sessions.values(method=sessions.PASSWORD, now=utcnow())})
        return {"emails": emails, "popular_task": popular.id, "popular_occurrence": popular.occurrences[0].id,
                "tasks": [[t, o] for t, o in first.items() if t != popular.id], "cookies": cookies,
                "probe_task": probe.id}


def checks() -> dict:
    """Over-booking and outbox state, read straight from the database."""
    from sqlalchemy import func, literal, select, text, union_all

    from app import create_app
    from models import Occurrence, OutboxMessage, Signup, TeamSignup, User, db

    app = create_app()
    with app.app_context():
        load_signups = db.session.scalar(select(func.count()).select_from(Signup).join(User, User.id == Signup.user_id)
                                         .where(User.email.like("%@last.example.dk")))
        # places held: sign-ups holding one, and places teams hold for members who have not confirmed
        holders = select(Signup.occurrence_id.label("occurrence_id"), literal(1).label("n")).where(
            Signup.holds_spot.is_(True))
        teams = select(TeamSignup.occurrence_id.label("occurrence_id"), TeamSignup.held.label("n"))
        both = union_all(holders, teams).subquery()
        holding = (select(both.c.occurrence_id, func.sum(both.c.n).label("n")).group_by(both.c.occurrence_id)
                   .subquery())
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
                "double_signups": dupes, "load_signups": load_signups}


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
    """The simulated users. Every request goes to one of the instances at random (a load balancer without
    sticky sessions): a session begun on one instance goes on on the other."""

    def __init__(self, clients: list[Client], world: dict, duration: float, think: tuple[float, float]):
        self.clients, self.world, self.duration, self.think = clients, world, duration, think
        self.sessions: dict[str, Session] = {}
        self.signed_up: set[tuple[str, int]] = set()

    async def log_in(self, email: str, number: int, limiter: asyncio.Semaphore) -> bool:
        async with limiter:
            session = Session(source=source_address(number))
            # The form from one instance, sent to the other.
            token = await self.clients[number % 2].csrf_token("login_form", "/log-ind", session)
            result = await self.clients[(number + 1) % 2].request(
                "login", "POST", "/log-ind", session, {"csrf_token": token or "", "email": email, "password": PASSWORD})
            if result.status == 302:
                self.sessions[email] = session
                return True
            return False

    async def sign_up(self, email: str, task_id: int, occ_id: int, kind: str = "signup",
                      rng: random.Random | None = None) -> Result | None:
        session = self.sessions.get(email)
        if session is None:
            return None
        rng = rng or random
        path = f"/opgaver/{task_id}/tilmeld?occurrence={occ_id}"
        token = await rng.choice(self.clients).csrf_token(f"{kind}_form", path, session)
        if token is None:
            return None
        return await rng.choice(self.clients).request(kind, "POST", path, session,
                                                      {"csrf_token": token, "occurrence": str(occ_id)})

    async def user(self, email: str, stop_at: float) -> None:
        rng = random.Random(email)
        session = self.sessions.get(email)
        tasks = self.world["tasks"]
        # People arrive spread over one think time, not all in the same millisecond.
        await asyncio.sleep(rng.uniform(0, self.think[1]))
        while time.perf_counter() < stop_at:
            roll = rng.random()
            client = rng.choice(self.clients)
            if roll < 0.35:
                await client.request("page:list", "GET", f"/opgaver?side={rng.randint(1, 3)}", session)
            elif roll < 0.60:
                await client.request("page:search", "GET", f"/opgaver?q={quote(rng.choice(SEARCH_WORDS))}", session)
            elif roll < 0.85 and tasks:
                task_id, _occ = rng.choice(tasks)
                await client.request("page:task", "GET", f"/opgaver/{task_id}", session)
            elif roll < 0.92:
                await client.request("page:front", "GET", "/", session)
            elif tasks:
                task_id, occ_id = rng.choice(tasks)
                if (email, occ_id) not in self.signed_up:
                    self.signed_up.add((email, occ_id))
                    await self.sign_up(email, task_id, occ_id, rng=rng)
            await asyncio.sleep(rng.uniform(*self.think))

    async def burst(self, emails: list[str]) -> None:
        task_id, occ_id = self.world["popular_task"], self.world["popular_occurrence"]
        await asyncio.gather(*(self.sign_up(e, task_id, occ_id, kind="burst") for e in emails))


class TwoInstances:
    """The checks that need both instances: one log-in limit, and writes seen across them."""

    def __init__(self, run: Run, world: dict, login_limit: int, workers: int):
        self.run, self.world, self.login_limit, self.workers = run, world, login_limit, workers
        self.staff = Session(source=SOURCE_STAFF)
        self.renames = 0
        self.probes: list[dict] = []
        self.limits: list[dict] = []

    def name(self, client: Client) -> str:
        return "A" if client is self.run.clients[0] else "B"

    @staticmethod
    async def ask(client: Client, kind: str, method: str, path: str, session: Session | None = None,
                  form=None, keep_body: bool = False) -> Result:
        """A request a person repeats after a 503 or a cut connection (the PostgreSQL restart may fall in
        a probe): the probes measure the instances, not that window."""
        for _attempt in range(30):
            result = await client.request(kind, method, path, session, form, keep_body)
            if 0 < result.status < 500:
                return result
            await asyncio.sleep(0.5)
        return result

    async def token(self, client: Client, kind: str, path: str, session: Session) -> str:
        page = await self.ask(client, kind, "GET", path, session, keep_body=True)
        match = CSRF.search(page.body)
        return match.group(1) if match else ""

    async def log_in_staff(self) -> bool:
        a, b = self.run.clients
        token = await self.token(a, "probe:login_form", "/log-ind", self.staff)
        result = await self.ask(b, "probe:login", "POST", "/log-ind", self.staff,
                                {"csrf_token": token, "email": STAFF_EMAIL, "password": PASSWORD})
        return result.status == 302

    async def wrong_passwords(self, label: str, account: str, source: str, count: int = WRONG_PASSWORDS,
                              spare: str | None = None) -> dict:
        """`count` wrong passwords for one account, all at once, alternately to A and B, in dressed-up
        spellings (one browser: one form, one CSRF token). An attempt answered 503 (the PostgreSQL
        restart) was counted by the limit but never checked: with a `spare` account the probe is then
        made again on it, once, and says so."""
        session = Session(source=source)
        token = await self.token(self.run.clients[0], "limit:form", "/log-ind", session)
        disturbed = []

        async def attempt(i: int, spelling: str) -> int:
            form = {"csrf_token": token, "email": spelling, "password": f"forkert-{i}"}
            for _attempt in range(30):
                result = await self.run.clients[i % 2].request("limit:login", "POST", "/log-ind",
                                                               Session(dict(session.cookies), source), form)
                if 0 < result.status < 500:
                    return result.status
                disturbed.append(result.status)
                await asyncio.sleep(0.5)
            return result.status

        statuses = list(await asyncio.gather(*(attempt(i, spelling) for i, spelling
                                               in enumerate(wrong_password_spellings(account, count)))))
        if disturbed and spare is not None:
            log(f"LIMIT {label}: {len(disturbed)} attempts answered {sorted(set(disturbed))} (the PostgreSQL "
                f"restart) after the limit counted them; the probe is made again on {spare}")
            return await self.wrong_passwords(label, spare, SPARE_SOURCE, count)
        verdict = {"label": label, "statuses": statuses, **limit_verdict(statuses, self.login_limit)}
        self.limits.append(verdict)
        log(f"LIMIT {label}: {verdict['checked']} of {count} wrong passwords checked, {verdict['refused']} refused "
            f"with 429 (limit {self.login_limit})")
        return verdict

    async def rename(self, label: str, writer: Client, reader: Client, wait: float = 3.0, before_save=None) -> dict:
        """Rename the probe task through the editor on `writer`; read `reader`'s cached task list until it
        shows the new title (at most `wait` seconds), and a few reads more (other workers' caches).
        `before_save` (a coroutine function) runs once the editor is open, before the reader's caches
        are filled and the form is sent."""
        task_id = self.world["probe_task"]
        path = f"/opgaver?q={quote(PROBE_WORD.lower())}"
        old = f"{PROBE_WORD} {self.renames}"
        self.renames += 1
        new = f"{PROBE_WORD} {self.renames}"
        probe = {"label": label, "writer": self.name(writer), "reader": self.name(reader), "seen_after": None,
                 "stale_after_seen": 0, "reads": 0, "old_seen_before": False, "saved": False}
        edit = f"/institution/opgaver/{task_id}/rediger"
        page = await self.ask(writer, "probe:editor", "GET", edit, self.staff, keep_body=True)
        fields = with_values(form_values(page.body, "task-editor"), title=new)
        if before_save is not None:
            await before_save()
        # Fill the reader's caches (every worker's, as far as the kernel spreads the connections): two
        # rounds of as many reads at once as the reader has workers.
        for _round in range(2):
            before = await asyncio.gather(*(self.ask(reader, "probe:read", "GET", path, keep_body=True)
                                            for _ in range(self.workers)))
            probe["old_seen_before"] |= any(old in r.body for r in before)
        saved = await self.ask(writer, "probe:save", "POST", edit, self.staff, fields)
        probe["saved"] = saved.status == 302
        probe["saved_at"] = saved.ended
        if not probe["saved"]:
            log(f"PROBE {label}: the editor answered {saved.status or saved.error}, not 302")
            self.probes.append(probe)
            return probe
        reads: list[tuple[float, float, bool]] = []
        while True:
            r = await reader.request("probe:read", "GET", path, keep_body=True)
            if r.status == 200:  # a 503 in the PostgreSQL restart shows neither title
                reads.append((r.started, r.ended, new in r.body))
            if any(shown for _s, _e, shown in reads):
                if sum(1 for _s, _e, shown in reads if shown) > 2 * self.workers:
                    break
            elif r.ended > saved.ended + wait:
                break
            await asyncio.sleep(0.05)
        probe.update(propagation_delay(saved.ended, reads))
        seen = (f"to reads begun {probe['first_read_started'] * 1000:.0f} ms after the save"
                if probe["seen_after"] is not None else f"not within {wait:.0f} s")
        log(f"PROBE {label}: renamed on {probe['writer']} at {saved.ended:.1f}s, shown on {probe['reader']}'s task "
            f"list {seen} ({probe['stale_after_seen']} stale reads after)")
        self.probes.append(probe)
        return probe


async def closed_loop(client: Client, kind: str, path: str, concurrency: int, seconds: float,
                      unique: bool = False) -> float:
    """Requests per second with `concurrency` clients sending back to back (no think time); `unique`
    adds a parameter of its own to every request, so no cached page can answer it."""
    stop_at = time.perf_counter() + seconds
    before = len(client.results)
    numbers = iter(range(10**9))

    async def worker():
        while time.perf_counter() < stop_at:
            await client.request(kind, "GET", f"{path}?uncached={next(numbers)}" if unique else path)

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


async def main_async(args, env, pg: PrivatePostgres, redis_server: PrivateRedis, procs: Processes, work: Path,
                     world: dict) -> dict:
    from tests.mailserver import MailServer

    results: list[Result] = []
    t_start = time.perf_counter()
    clients = [Client(HOST, port, t_start, timeout=args.timeout, results=results) for port in args.ports]
    run = Run(clients, world, args.duration, (args.think_min, args.think_max))
    two = TwoInstances(run, world, args.login_limit, args.workers)

    by_form = world["emails"][:LOGIN_FORM]
    log(f"logging in {len(by_form)} users through the CSRF-protected form (form from one instance, sent to the "
        f"other); {len(world['emails']) - len(by_form)} get a signed session cookie")
    limiter = asyncio.Semaphore(8)
    ok = await asyncio.gather(*(run.log_in(e, i, limiter) for i, e in enumerate(by_form)))
    for email in world["emails"][LOGIN_FORM:]:
        run.sessions[email] = Session({"session": world["cookies"][email]})
    staff_ok = await two.log_in_staff()
    logins = [r for r in results if r.kind == "login"]
    log(f"form logins: {sum(ok)}/{len(ok)}; {percentiles([r.seconds for r in logins if r.status == 302])}; "
        f"staff member for the renames: {'logged in' if staff_ok else 'NOT logged in'}")
    # Before the load, with nothing else written anywhere, only the shared version in Redis can tell the
    # reading instance that its cached list is old (under load its own writes would do it too).
    for writer, reader in ((clients[0], clients[1]), (clients[1], clients[0])):
        await two.rename("quiet, before the load", writer, reader)
    before_load = [r for r in results if r.kind.startswith("probe:")]
    results.clear()

    t0 = time.perf_counter()  # event times count from the start of the load
    for client in clients:
        client.t0 = t0
    for probe in two.probes:  # the quiet ones came before it
        probe["saved_at"] -= t0 - t_start
    loadavg = os.getloadavg()
    events: list[str] = []
    smtp = MailServer(int(env["SMTP_PORT"]))
    browsing = world["emails"][:args.users]
    bursting = world["emails"][args.users:args.users + args.burst]
    scheduler = procs.running[-1]
    a, b = clients

    def at(start: float, seconds: float):
        return asyncio.sleep(max(0.0, start + seconds - time.perf_counter()))

    async def faults(start: float):
        await at(start, args.duration * 0.25)
        run.burst_at = time.perf_counter() - t0
        log(f"BURST: {len(bursting)} sign-ups on the popular task at once")
        events.append(f"burst of {len(bursting)} sign-ups at {time.perf_counter() - t0:.1f}s")

        async def burst():
            await run.burst(bursting)
            events.append(f"burst done at {time.perf_counter() - t0:.1f}s")

        burst_task = asyncio.create_task(burst())
        await at(start, args.duration * 0.35)
        os.killpg(scheduler.pid, signal.SIGKILL)
        log("FAULT: scheduler killed (SIGKILL)")
        events.append(f"scheduler killed at {time.perf_counter() - t0:.1f}s")
        await at(start, args.duration * 0.45)
        restart_began = time.perf_counter() - t0
        took = await asyncio.to_thread(pg.pg_ctl, "restart")
        log(f"FAULT: PostgreSQL restarted (pg_ctl restart, {took:.1f}s)")
        events.append(f"postgres restart {restart_began:.1f}s..{restart_began + took:.1f}s")
        run.pg_window = (restart_began, restart_began + took)
        await at(start, args.duration * 0.55)
        # The new scheduler runs on the other host.
        procs.start([PYTHON, "-c", "from tests.load.run import scheduler_child; scheduler_child()"],
                    {**env, "SAMSKAB_INSTANCE": str(work / "host-b")}, work / "scheduler2.log")
        log("scheduler started again")
        events.append(f"scheduler restarted at {time.perf_counter() - t0:.1f}s")
        await at(start, args.duration * 0.75)
        smtp.start()
        log("SMTP server is up")
        events.append(f"SMTP up at {time.perf_counter() - t0:.1f}s (down before)")
        await burst_task

    async def across_instances(start: float):
        # One after the other (on a heavily loaded machine a check may start late; none overlaps another).
        # Steady state: a rename on each instance, read on the other.
        await at(start, args.duration * 0.10)
        await two.rename("steady", a, b)
        await two.rename("steady", b, a)
        # Under the burst: one account's limit across both instances.
        await at(start, args.duration * 0.28)
        await two.wrong_passwords("across A and B", LIMIT_ACCOUNTS[0], SOURCE_LIMIT[0], spare=SPARE_LIMIT_ACCOUNT)
        # Redis goes away (and loses everything in it) for a few seconds; a rename is made meanwhile.
        await at(start, args.duration * 0.62)
        back = asyncio.get_running_loop().create_future()

        async def stop_redis():
            down_at = time.perf_counter() - t0
            await asyncio.to_thread(redis_server.stop)
            log(f"FAULT: Redis stopped (its data is lost); it comes back in {args.redis_down:.0f}s")

            async def start_again():
                await asyncio.sleep(args.redis_down)
                await asyncio.to_thread(redis_server.start)
                up_at = time.perf_counter() - t0
                run.redis_window = (down_at, up_at)
                log(f"Redis is back ({up_at - down_at:.1f}s away)")
                events.append(f"redis stopped {down_at:.1f}s..{up_at:.1f}s (restarted empty)")
                back.set_result(up_at)

            restarts.append(asyncio.create_task(start_again()))
            restarts.append(asyncio.create_task(two.wrong_passwords("while Redis is away", LIMIT_ACCOUNTS[1],
                                                                    SOURCE_LIMIT[1], count=4)))

        restarts: list[asyncio.Task] = []
        await two.rename("while Redis is away", a, b, wait=args.task_list_cache + args.redis_down + 5,
                         before_save=stop_redis)
        await asyncio.gather(*restarts)
        up_at = back.result()
        # Once the workers have found Redis again: the limit and the invalidation work as before.
        await at(t0, up_at + args.redis_settle)
        await two.wrong_passwords("after Redis came back", LIMIT_ACCOUNTS[2], SOURCE_LIMIT[2])
        await two.rename("after Redis came back", a, b)
        await two.rename("after Redis came back", b, a)

    run.pg_window = (0.0, 0.0)
    run.redis_window = (0.0, 0.0)
    run.burst_at = args.duration
    log(f"load: {len(browsing)} users for {args.duration:.0f}s over both instances, think time "
        f"{args.think_min}-{args.think_max}s")
    start = time.perf_counter()
    stop_at = start + args.duration
    cpu_before = time.process_time()
    await asyncio.gather(faults(start), across_instances(start), *(run.user(e, stop_at) for e in browsing))
    load_results = list(results)
    load_seconds = time.perf_counter() - start
    driver_cpu = time.process_time() - cpu_before

    log("baseline on instance A: bare Flask route vs task list (cached, then uncached), closed loop")
    bench = {}
    for name, path, unique in (("healthz", "/healthz", False), ("tasklist", "/opgaver", False),
                               ("uncached", "/opgaver", True)):
        bench[name] = await closed_loop(a, f"bench:{name}", path, args.bench_concurrency, args.bench_seconds, unique)
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
    return {"load": load_results, "load_seconds": load_seconds, **bench,
            "before_load_5xx": sum(1 for r in before_load if r.status >= 500),
            "state": state, "received": received, "popular": popular, "events": events,
            "pg_window": run.pg_window, "redis_window": run.redis_window, "drained_in": drained_in,
            "burst_at": run.burst_at, "loadavg": loadavg, "probes": two.probes, "limits": two.limits,
            "driver_cpu": driver_cpu, "ports": args.ports, "staff_ok": staff_ok, "form_logins": (sum(ok), len(ok))}


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
          f"({args.users} users, think {args.think_min}-{args.think_max}s, then the burst); this driver itself "
          f"used {out['driver_cpu']:.1f} s CPU = {out['driver_cpu'] / out['load_seconds']:.0%} of one core")
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
    uncached = out["uncached"] / out["healthz"] if out["healthz"] else 0
    print(f"bare Flask /healthz: {out['healthz']:.1f} req/s; task list /opgaver: {out['tasklist']:.1f} req/s; "
          f"ratio {ratio:.0%} (goal >= 40 %); uncached task list {out['uncached']:.1f} req/s = {uncached:.0%}  "
          f"[instance A, closed loop, {args.bench_concurrency} clients, {args.bench_seconds:.0f}s each]")
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
    # --- the two instances
    port_a, port_b = out["ports"]
    print("-" * 78)
    print(f"TWO INSTANCES: gunicorn A on :{port_a} and B on :{port_b} ({args.workers} workers x {args.threads} "
          f"threads each), sharing only PostgreSQL and Redis (:{out['redis_port']})")
    by_port = Counter(r.port for r in load)
    print(f"  requests answered: A {by_port[port_a]}, B {by_port[port_b]}; form log-ins {out['form_logins'][0]}/"
          f"{out['form_logins'][1]} (form from one instance, sent to the other)")
    for limit in out["limits"]:
        print(f"  log-in limit {limit['label']}: {len(limit['statuses'])} wrong passwords in dressed-up spellings, "
              f"alternately A/B: {limit['checked']} checked, {limit['refused']} refused (429), {limit['other']} "
              f"other (limit {args.login_limit} per minute per account)  {limit['statuses']}")
    for probe in out["probes"]:
        seen = (f"to reads begun {probe['first_read_started'] * 1000:.0f} ms after the save (that answer came "
                f"{probe['seen_after'] * 1000:.0f} ms after it)" if probe["seen_after"] is not None else "never")
        saved = f"at {probe['saved_at']:.1f}s" if probe["saved"] else "FAILED"
        if probe["saved"] and probe["label"] == "while Redis is away":
            saved += " (Redis still away)" if probe["saved_at"] < out["redis_window"][1] else " (Redis already back)"
        print(f"  rename {probe['label']}: saved on {probe['writer']} {saved}, shown on {probe['reader']}'s cached "
              f"task list {seen}; {probe['stale_after_seen']} stale reads after; {probe['reads']} reads")
    r_lo, r_hi = out["redis_window"]

    def near_redis(r):
        return r.started <= r_hi + 1 and r.ended >= r_lo

    during_redis = [r for r in load if near_redis(r)]
    redis_failed = [r for r in during_redis if r.status >= 500 or r.error]
    print(f"  Redis away {r_lo:.1f}s..{r_hi:.1f}s: {len(during_redis)} requests in flight (or within 1 s after), "
          f"answers {dict(Counter(r.status or r.error for r in during_redis))}")
    sign_ups = [r for r in load if r.kind in ("signup", "burst")]
    answered = [r for r in sign_ups if r.status == 302 and "/mine-opgaver/tilmeldt/" in r.location]
    unclear = [r for r in sign_ups if r.status >= 500 or r.error]
    stored = state.get("load_signups") or 0
    print(f"  sign-ups answered as done: {len(answered)}; answered 5xx or cut: {len(unclear)}; sign-ups of the load's "
          f"citizens in PostgreSQL: {stored} (a commit that went through while its answer was lost in the "
          f"PostgreSQL restart counts as stored)")
    steady_probes = [p for p in out["probes"] if p["label"] != "while Redis is away"]
    away_probes = [p for p in out["probes"] if p["label"] == "while Redis is away"]
    after_redis = [p for p in out["probes"] if p["label"] == "after Redis came back"]
    limits = {limit["label"]: limit for limit in out["limits"]}

    def propagated(probes, seconds):
        # Shown to every read begun `seconds` after the save (reads take longer under load; that is not
        # staleness), and never the old title again after that.
        return bool(probes) and all(p["saved"] and p["old_seen_before"] and p["seen_after"] is not None
                                    and p["first_read_started"] <= seconds and not p["stale_after_seen"]
                                    for p in probes)

    unclean = [r for r in in_window if r.status >= 500 and r.status != 503 or r.error == "connection"]
    verdicts = {
        "zero 5xx outside the PostgreSQL restart": not [r for r in five if not near_restart(r)]
        and not out["before_load_5xx"],
        "restart answered cleanly (503 + Danish page; no 500, no cut connection)": not unclean,
        "recovered after the PostgreSQL restart without restarting the app": not after_failed,
        "zero over-bookings": not state["overbooked"] and state["double_signups"] == 0
        and pop["accepted_count"] <= pop["capacity"],
        "popular task filled exactly": pop["accepted_count"] == pop["capacity"],
        "mail queued while SMTP down, then delivered": sent > 0 and not state["outbox"].get("queued"),
        "nothing doubled or lost after killing the scheduler": doubled == 0 and len(out["received"]) >= sent
        and bool(took_over),
        "nothing lost: every sign-up answered as done is in PostgreSQL": len(answered) <= stored
        <= len(answered) + len(unclear),
        "p95 page view <= 100 ms before the burst": len(steady) > 1 and statistics.quantiles(steady, n=100)[94] <= 0.1,
        "task list >= 40 % of bare Flask": ratio >= 0.4,
        "two instances: one per-account log-in limit (dressed-up spellings too)":
            limits.get("across A and B", {}).get("ok", False),
        "two instances: a rename on one shows on the other's cached task list within 1 s":
            out["staff_ok"] and propagated(steady_probes, 1.0),
        "Redis restart: no 5xx or cut connection; a write made meanwhile shows within the cache window":
            not redis_failed and propagated(away_probes, args.task_list_cache + 1)
            and not [s for s in limits.get("while Redis is away", {}).get("statuses", [500]) if s >= 500 or not s],
        "after Redis came back: the log-in limit and the invalidation work again":
            limits.get("after Redis came back", {}).get("ok", False) and propagated(after_redis, 1.0),
    }
    for name, ok in verdicts.items():
        print(f"  [{'ok' if ok else 'NOT MET'}] {name}")
    # p95 and throughput depend on what else runs on the machine: printed and judged, not the exit code.
    hard = [name for name in verdicts if name not in ("p95 page view <= 100 ms before the burst",
                                                      "task list >= 40 % of bare Flask")]
    return 0 if all(verdicts[k] for k in hard) else 1


def main(argv=None) -> int:
    from portal.auth.views import LOGIN_LIMIT_PER_ACCOUNT

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=60, help="places on the popular task")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of each of the two instances")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--think-min", type=float, default=0.5)
    parser.add_argument("--think-max", type=float, default=1.5)
    parser.add_argument("--bench-seconds", type=float, default=8.0)
    parser.add_argument("--bench-concurrency", type=int, default=20)
    parser.add_argument("--drain", type=float, default=200.0, help="longest wait for the outbox to drain")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a simulated browser waits")
    parser.add_argument("--redis-down", type=float, default=6.0, help="seconds Redis stays away in its restart")
    parser.add_argument("--redis-settle", type=float, default=10.0,
                        help="seconds after Redis is back before the limit and the invalidation are checked again")
    args = parser.parse_args(argv)
    args.users = min(args.users, 1000)
    args.duration = min(args.duration, 600)
    args.login_limit = limit_count(LOGIN_LIMIT_PER_ACCOUNT)

    work = Path(tempfile.mkdtemp(prefix="samskab-load-"))
    pg = PrivatePostgres()
    redis_server = PrivateRedis(work)
    procs = Processes()
    try:
        log(f"private PostgreSQL on {HOST}:{pg.port} ({pg.dir})")
        pg.start()
        redis_server.start()
        log(f"private Redis on {HOST}:{redis_server.port} (no persistence)")
        args.ports = [free_port(), free_port()]
        smtp_port = free_port()
        # Rate limits are on, in the private Redis, as in production; so is the caches' shared version.
        env = {**os.environ, "DATABASE_URL": pg.url, "SAMSKAB_ENV": "development", "SECRET_KEY": "load-test-key",
               "SAMSKAB_INSTANCE": str(work / "instance"), "RATELIMIT_ENABLED": "1",
               "RATELIMIT_STORAGE_URI": redis_server.url, "RATELIMIT_KEY_PREFIX": "samskab-load",
               "SMTP_HOST": HOST, "SMTP_PORT": str(smtp_port), "SMTP_TIMEOUT": "2",
               "BASE_URL": f"http://{HOST}:{args.ports[0]}", "PYTHONPATH": str(ROOT)}
        args.task_list_cache = float(env.get("TASK_LIST_CACHE_SECONDS") or 10)
        flask = [str(BIN / "flask"), "--app", "app"]
        for step in (["db", "upgrade"], ["demo-data"]):
            subprocess.run(flask + step, cwd=ROOT, env=env, check=True, capture_output=True,
                           timeout=300)  # nosec B603
        world = in_child("seed", env, args.users + args.burst, args.capacity)
        log(f"seeded: {len(world['emails'])} load users, {len(world['tasks'])} open tasks, popular task "
            f"{world['popular_task']} with {args.capacity} places")
        # Two hosts: each instance has its own instance folder (nothing shared on disk).
        for name, port in zip("ab", args.ports):
            host_env = {**env, "SAMSKAB_INSTANCE": str(work / f"host-{name}")}
            procs.start([str(BIN / "gunicorn"), "-w", str(args.workers), "-k", "gthread", "--threads",
                         str(args.threads), "-b", f"{HOST}:{port}", "--backlog", "2048", "--timeout", "30",
                         "app:create_app()"], host_env, work / f"gunicorn-{name}.log")
        for name, port in zip("AB", args.ports):
            wait_for(port)
            log(f"gunicorn {name} on {HOST}:{port}: {args.workers} workers x {args.threads} threads")
        procs.start([PYTHON, "-c", "from tests.load.run import scheduler_child; scheduler_child()"],
                    {**env, "SAMSKAB_INSTANCE": str(work / "host-a")}, work / "scheduler1.log")
        out = asyncio.run(main_async(args, env, pg, redis_server, procs, work, world))
        log_file = work / "scheduler2.log"
        out["scheduler2_log"] = log_file.read_text(errors="replace") if log_file.exists() else ""
        out["redis_port"] = redis_server.port
        code = report(out, args)
        for name in "ab":
            lines = (work / f"gunicorn-{name}.log").read_text(errors="replace").splitlines()
            tracebacks = sum("Traceback" in line for line in lines)
            print(f"gunicorn {name.upper()} log: {len(lines)} lines, {tracebacks} tracebacks (logs kept in {work})")
        return code
    finally:
        procs.stop_all()
        redis_server.stop()
        pg.stop()


if __name__ == "__main__":
    sys.exit(main())
