"""Samskab's application factory: `flask --app app run`, `flask --app app demo-data`, …"""
from __future__ import annotations

from flask import Flask

from portal import config as settings


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, CLI commands and error pages."""
    loaded = settings.load()
    app = Flask(__name__, template_folder="templates", static_folder="static",
                instance_path=loaded["INSTANCE_PATH"])
    app.config.update(loaded)
    if config:
        app.config.update(config)

    from portal import wiring
    wiring.init_app(app)
    return app
