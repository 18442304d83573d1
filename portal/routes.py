"""Route tables for rooms spread over several modules, so no module adds pages to another by being imported.

A view module lists its pages in its own `RouteTable`; the room's `blueprint()` (called by the factory)
builds a fresh Blueprint and adds every table it names, so what a room serves is written in one place.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint


class RouteTable:
    """The routes one module declares, added to a blueprint only when the factory asks."""

    def __init__(self) -> None:
        self.rules: list[tuple[str, dict, Callable]] = []

    def route(self, rule: str, **options) -> Callable:
        def record(view: Callable) -> Callable:
            self.rules.append((rule, options, view))
            return view
        return record

    def add_to(self, bp: Blueprint) -> None:
        for rule, options, view in self.rules:
            options = dict(options)
            endpoint = options.pop("endpoint", view.__name__)
            bp.add_url_rule(rule, endpoint, view, **options)


def blueprint(name: str, import_name: str, tables: list[RouteTable], **options) -> Blueprint:
    """A fresh blueprint with the routes of `tables` (one per application: tests build many)."""
    bp = Blueprint(name, import_name, **options)
    for table in tables:
        table.add_to(bp)
    return bp
