"""The application factory, configuration and response headers."""
import pytest

from app import create_app
from portal.config import ConfigError, load


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(ConfigError):
        load({"SAMSKAB_ENV": "production", "SAMSKAB_INSTANCE": str(tmp_path)})


def test_development_keeps_a_generated_secret_key(tmp_path):
    first = load({"SAMSKAB_INSTANCE": str(tmp_path)})["SECRET_KEY"]
    second = load({"SAMSKAB_INSTANCE": str(tmp_path)})["SECRET_KEY"]
    assert first == second and len(first) >= 32


def test_database_url_uses_psycopg3(tmp_path):
    cfg = load({"SAMSKAB_INSTANCE": str(tmp_path), "DATABASE_URL": "postgresql://u@h/db"})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert load({"SAMSKAB_INSTANCE": str(tmp_path)})["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert "Strict-Transport-Security" not in response.headers


def test_production_mode_headers_and_cookies(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMSKAB_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setenv("SAMSKAB_INSTANCE", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}", "TESTING": True})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    with app.app_context():
        from models import db
        db.create_all()
        response = app.test_client().get("/")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_error_pages_are_danish_without_traces(client):
    response = client.get("/findes-ikke")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert 'lang="da"' in html and "Traceback" not in html
    assert client.put("/").status_code == 405


def test_request_size_limit(client):
    response = client.post("/log-ind", data={"email": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def test_the_app_refuses_to_start_in_production_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMSKAB_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SAMSKAB_INSTANCE", str(tmp_path))
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    assert not (tmp_path / "secret_key").exists()  # production never falls back to a generated key
    monkeypatch.setenv("SECRET_KEY", "")
    with pytest.raises(ConfigError):
        create_app()


def test_the_instance_folder_follows_samskab_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMSKAB_INSTANCE", str(tmp_path / "elsewhere"))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.instance_path == str((tmp_path / "elsewhere").resolve())
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'elsewhere' / 'samskab.db'}"
    assert (tmp_path / "elsewhere" / "secret_key").read_text().strip() == app.config["SECRET_KEY"]
