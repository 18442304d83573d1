"""The throttles count in Redis when configured, so every worker process shares one counter per account."""
from pathlib import Path

import pytest

from models import db
from portal.auth.views import LOGIN_LIMIT_PER_ACCOUNT
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[3]


def _worker(make_app, **settings):
    app = make_app(RATELIMIT_ENABLED=True, **settings)
    with app.app_context():
        db.create_all()
    return app


WORKER = """
import sys
from app import create_app
app = create_app({"SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": sys.argv[1], "SQLALCHEMY_ENGINE_OPTIONS": {},
                  "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": sys.argv[2],
                  "RATELIMIT_KEY_PREFIX": sys.argv[3], "MAIL_SEND_IMMEDIATELY": False})
with app.app_context():
    response = app.test_client().post("/log-ind", data={"email": sys.argv[4], "password": "forkert-kodeord"},
                                      environ_base={"REMOTE_ADDR": "10.6.1.1"})
print(response.status_code)
"""


@pytest.mark.redis
def test_another_worker_process_meets_the_same_per_account_limit(make_app, make, redis_url, redis_prefix, tmp_path):
    import subprocess
    import sys

    import redis
    app = _worker(make_app, RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=redis_prefix)
    per_minute = int(LOGIN_LIMIT_PER_ACCOUNT.split()[0])
    with app.app_context():
        make.user(email="delt@example.dk")
        db.session.commit()
        codes = [app.test_client().post("/log-ind", data={"email": "delt@example.dk", "password": "forkert-kodeord"},
                                        environ_base={"REMOTE_ADDR": f"10.6.0.{i}"}).status_code
                 for i in range(per_minute)]
    assert codes == [200] * per_minute
    server = redis.Redis.from_url(redis_url)
    try:
        assert server.keys(f"*{redis_prefix}*"), "the counters are in Redis under this site's prefix"
        # A separate process (another gunicorn worker, or another host) sees the same counter.
        answer = subprocess.run([sys.executable, "-c", WORKER, app.config["SQLALCHEMY_DATABASE_URI"], redis_url,
                                 redis_prefix, "Delt@Example.dk\u200b"], capture_output=True, text=True,
                                timeout=120, cwd=str(ROOT))
        assert answer.stdout.split()[-1:] == ["429"], answer.stdout + answer.stderr
    finally:
        keys = server.keys(f"*{redis_prefix}*")
        if keys:
            server.delete(*keys)


def test_an_unreachable_redis_neither_fails_nor_hangs_a_log_in(make_app, make):
    # Nothing listens on port 9 (discard) on the test machines: every Redis call fails at once.
    app = _worker(make_app, RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0",
                  RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.5, "socket_timeout": 0.5})
    with app.app_context():
        make.user(email="uden@example.dk")
        db.session.commit()
        response = app.test_client().post("/log-ind", data={"email": "uden@example.dk", "password": PASSWORD})
    assert response.status_code == 302
