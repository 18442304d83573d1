"""gunicorn settings for Samskab (read automatically when gunicorn starts in this folder).

    .venv/bin/gunicorn 'app:create_app()'

Page work is Python (CPU bound), so one worker process per core plus one; a few threads per worker
overlap the waits for PostgreSQL without many more processes. Override with
GUNICORN_WORKERS / GUNICORN_THREADS / GUNICORN_BIND, or gunicorn's own command-line options.
"""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
backlog = 2048
timeout = 30
graceful_timeout = 20
keepalive = 5


def post_worker_init(worker):
    """Compile the templates, load the Danish catalogue, date data and matching indexes before the first request.

    Done lazily, this costs about half a second of CPU inside the first requests of every worker, which
    is what a crowd arriving right after a (re)start waits for.
    """
    import logging
    import time
    from datetime import datetime, timezone

    app = getattr(worker, "wsgi", None)
    env = getattr(app, "jinja_env", None)
    if env is None:
        return
    started = time.perf_counter()
    try:
        for name in env.list_templates(filter_func=lambda name: name.endswith(".html")):
            env.get_template(name)
        with app.test_request_context():
            from flask_babel import format_datetime, get_translations
            get_translations()
            format_datetime(datetime.now(timezone.utc), "EEEE d. MMMM y")
        with app.app_context():
            # The matching indexes (saved by the refit job, else built once) are ready before the first task page.
            from models import db
            from portal.suggestions import corpora
            for corpus in corpora().values():
                corpus.current()
            db.session.remove()
    except Exception:  # noqa: BLE001 - warming up is an optimisation; the worker serves regardless
        logging.getLogger("gunicorn.error").warning("Warm-up failed", exc_info=True)
        return
    worker.log.info("Worker warmed up in %.0f ms", (time.perf_counter() - started) * 1000)
