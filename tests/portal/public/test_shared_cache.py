"""Caches correct across processes and hosts (issue 13): a write committed by another process (another
gunicorn worker, another host, the scheduler) is seen at once through the shared version key in Redis,
not after the cache window; with Redis away the pages still answer."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from models import db
from tests.portal.public.test_tasks import count_statements
from portal.public import cache

ROOT = Path(__file__).resolve().parents[3]

OTHER_PROCESS = """
import sys
from app import create_app
from models import Task, db
app = create_app({"SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": sys.argv[1], "SQLALCHEMY_ENGINE_OPTIONS": {},
                  "RATELIMIT_STORAGE_URI": sys.argv[2], "RATELIMIT_KEY_PREFIX": sys.argv[3],
                  "MAIL_SEND_IMMEDIATELY": False})
with app.app_context():
    task = db.session.get(Task, int(sys.argv[4]))
    if sys.argv[5].startswith("taken:"):  # a sign-up's write: places, not content
        from sqlalchemy import update
        from models import Occurrence
        db.session.execute(update(Occurrence).where(Occurrence.task_id == task.id)
                           .values(accepted_count=int(sys.argv[5][6:])))
    else:
        task.title = sys.argv[5]
    db.session.commit()
print("ok")
"""


def _other_process_renames(app, redis_url, prefix, task_id, title):
    done = subprocess.run([sys.executable, "-c", OTHER_PROCESS, app.config["SQLALCHEMY_DATABASE_URI"], redis_url,
                           prefix, str(task_id), title], capture_output=True, text=True, timeout=120, cwd=str(ROOT))
    assert done.stdout.strip().endswith("ok"), done.stdout + done.stderr


@pytest.fixture
def shared_app(make_app, redis_url, redis_prefix):
    """An app whose caches keep an entry for an hour unless the shared versions in Redis move, and the
    Redis it shares them on (this test's keys are removed afterwards)."""
    import redis
    app = make_app(RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=redis_prefix,
                   TASK_LIST_CACHE_SECONDS=3600, RELATED_TASKS_CACHE_SECONDS=3600)
    server = redis.Redis.from_url(redis_url)
    try:
        with app.app_context():
            db.create_all()
            yield app, server
    finally:
        keys = server.keys(f"{redis_prefix}*")
        if keys:
            server.delete(*keys)


@pytest.mark.redis
def test_a_write_by_another_process_is_seen_at_once(shared_app, make, redis_url, redis_prefix):
    app, server = shared_app
    task = make.task(make.institution(), title="Højtlæsning i biblioteket")
    db.session.commit()
    client = app.test_client()
    assert "Højtlæsning i biblioteket" in client.get("/opgaver").get_data(as_text=True)
    assert "Højtlæsning i biblioteket" in client.get("/opgaver").get_data(as_text=True)  # cached
    _other_process_renames(app, redis_url, redis_prefix, task.id, "Lektiehjælp på skolen")
    page = client.get("/opgaver").get_data(as_text=True)
    assert "Lektiehjælp på skolen" in page and "Højtlæsning i biblioteket" not in page
    assert server.get(f"{redis_prefix}:cache-version") is not None


@pytest.mark.redis
def test_a_sign_up_by_another_process_is_seen_at_once_and_the_list_kept(shared_app, make, redis_url, redis_prefix):
    app, server = shared_app
    task = make.task(make.institution(), title="Højtlæsning i biblioteket", capacity=3)
    db.session.commit()
    client = app.test_client()
    assert "3 ledige pladser" in client.get("/opgaver").get_data(as_text=True)
    content_before = server.get(f"{redis_prefix}:cache-version")
    _other_process_renames(app, redis_url, redis_prefix, task.id, "taken:2")
    with count_statements() as seen:
        page = client.get("/opgaver").get_data(as_text=True)
    assert "1 ledig plads" in page and "Højtlæsning i biblioteket" in page
    assert len(seen) == 1 and "sum(occurrence.capacity" in seen[0]  # the figures only
    assert server.get(f"{redis_prefix}:cache-version:places") is not None
    assert server.get(f"{redis_prefix}:cache-version") == content_before  # no content was written


def test_while_redis_is_away_the_pages_answer_and_are_never_stale(make_app, make):
    """Found by `make load`: with Redis away, a worker kept a list made before another process's rename
    for the rest of its time window, after another worker had already shown the new title."""
    import sqlite3

    from models import Task
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",  # nothing listens there
                   TASK_LIST_CACHE_SECONDS=3600)
    with app.app_context():
        db.create_all()
        task = make.task(make.institution(), title="Skolehaven")
        db.session.commit()
        shared = app.extensions["samskab_shared_version"]
        assert isinstance(shared, cache.SharedVersion) and shared.read() is None
        client = app.test_client()
        assert "Skolehaven" in client.get("/opgaver").get_data(as_text=True)
        # Another process renames the task (plain sqlite3: none of this process's events see it).
        other = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
        with other:
            other.execute(f"UPDATE {Task.__tablename__} SET title = 'Lektiehjælp' WHERE id = ?", (task.id,))
        other.close()
        assert "Lektiehjælp" in client.get("/opgaver").get_data(as_text=True)


def test_a_session_whose_connection_was_lost_closes_cleanly(app, make):
    # Found by `make load` (PostgreSQL restarted mid-write): the caches' rollback listener asked the lost
    # connection for its write mark, so closing the session raised PendingRollbackError, which neither the
    # request's teardown nor the 503 handler expects (the page would turn into a server error).
    from sqlalchemy import update

    from models import Task
    task = make.task(make.institution(), title="Skolehaven")
    db.session.commit()
    before = cache.generation()
    db.session.execute(update(Task).where(Task.id == task.id).values(title="Lektiehjælp"))
    db.session.connection().invalidate()  # what a database restart does to a connection in use
    db.session.remove()
    # Whatever the lost transaction did, no cache keeps a page from before it.
    assert cache.generation() > before
    assert db.session.get(Task, task.id).title == "Skolehaven"


@pytest.mark.redis
def test_the_matching_index_compares_its_stamps_only_after_a_write_anywhere(shared_app, make, redis_url,
                                                                             redis_prefix):
    from portal import suggestions
    app, _server = shared_app
    task = make.task(make.institution(), title="Højtlæsning i biblioteket", description="Læs højt for børnene.")
    db.session.commit()
    tasks = suggestions.corpora()["tasks"]
    assert task.id in [m.id for m in tasks.current().search("højtlæsning", k=5)]
    with count_statements() as again:
        tasks.current()
    assert again == []  # nothing written anywhere: the published tasks are not read again
    # Another process (another worker or host) renames the task: the next call reads the stamps and
    # brings the index up to date.
    _other_process_renames(app, redis_url, redis_prefix, task.id, "Skak for begyndere")
    with count_statements() as after:
        found = [m.id for m in tasks.current().search("skak", k=5)]
    assert task.id in found and after


def test_without_redis_the_matching_index_compares_its_stamps_every_time(app, make):
    from portal import suggestions
    make.task(make.institution(), title="Højtlæsning i biblioteket")
    db.session.commit()
    tasks = suggestions.corpora()["tasks"]
    tasks.current()
    with count_statements() as again:
        tasks.current()
    assert len(again) == 1 and "updated_at" in again[0]


@pytest.mark.redis
def test_a_page_asks_redis_for_the_versions_once(shared_app, make, monkeypatch):
    app, _server = shared_app
    inst = make.institution()
    task = make.task(inst, title="Højtlæsning for børn", description="Læs højt for børnene.")
    make.task(inst, title="Oplæsning på biblioteket", description="Læs højt for børn på biblioteket.")
    db.session.commit()
    shared = app.extensions["samskab_shared_version"]
    reads = []
    real = shared.read
    monkeypatch.setattr(shared, "read", lambda: reads.append(1) or real())
    # The related tasks' cache, then (made anew) the matching index's change mark: one read between them.
    page = app.test_client().get(f"/opgaver/{task.id}").get_data(as_text=True)
    assert "Oplæsning på biblioteket" in page and len(reads) == 1
    app.test_client().get(f"/opgaver/{task.id}")
    assert len(reads) == 2  # the next request asks again
