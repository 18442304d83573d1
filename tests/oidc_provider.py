"""A real OpenID Provider on loopback for the tests: npm's oidc-provider, run by tests/oidc/provider/server.mjs.

`npm ci` installs it the first time (from the committed package-lock.json). Tests that use it are marked
`oidc`; they skip when Node.js is missing and fail instead under REQUIRE_OIDC=1.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

HERE = Path(__file__).resolve().parent / "oidc" / "provider"
REQUIRE_OIDC = os.environ.get("REQUIRE_OIDC") == "1"
_install_lock = threading.Lock()


def _unavailable(reason: str):
    if REQUIRE_OIDC:
        pytest.fail(f"The test OpenID Provider is required (REQUIRE_OIDC=1): {reason}")
    pytest.skip(reason)


def _install() -> None:
    with _install_lock:
        if (HERE / "node_modules" / "oidc-provider").exists():
            return
        npm = shutil.which("npm")
        if npm is None:
            _unavailable("npm is not installed")
        result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True, text=True,
                                timeout=600)
        if result.returncode != 0:
            _unavailable("npm ci failed: " + result.stderr[-2000:])


class Provider:
    """One running provider: its issuer, and the test hooks to set accounts and tamper with ID tokens."""

    def __init__(self, clients: list[dict]):
        node = shutil.which("node")
        if node is None:
            _unavailable("Node.js is not installed")
        _install()
        self.process = subprocess.Popen([node, "server.mjs", json.dumps({"clients": clients})], cwd=HERE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("READY "):
            self.process.kill()
            _unavailable("the provider did not start: " + line + self.process.stderr.read()[-2000:])
        self.issuer = line.split()[1]
        self._drain = threading.Thread(target=self.process.stderr.read, daemon=True)  # its warnings
        self._drain.start()

    def account(self, sub: str, **claims) -> None:
        requests.post(f"{self.issuer}/__test/accounts/{sub}", json=claims, timeout=5).raise_for_status()

    def tamper(self, mode: str | None) -> None:
        requests.post(f"{self.issuer}/__test/tamper", json={"mode": mode}, timeout=5).raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self._drain.join(5)
        self.process.stdout.close()
        self.process.stderr.close()


class _Form(HTMLParser):
    def __init__(self):
        super().__init__()
        self.action, self.fields = None, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action")
        if tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value", "")


def log_in_at(provider: Provider, authorize_url: str, login: str, back_to: str) -> str:
    """Go through the provider's own log-in page as `login` (over HTTP); return the URL it sends back to."""
    browser = requests.Session()
    url = authorize_url
    for _hop in range(12):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            if url.startswith(back_to):
                return url
            continue
        form = _Form()
        form.feed(response.text)
        if form.action is None:
            raise AssertionError(f"no form on the provider's page {url}: {response.text[:500]}")
        response = browser.post(urljoin(url, form.action), allow_redirects=False, timeout=10,
                                data={**form.fields, "login": login, "password": "any"})
        url = urljoin(url, response.headers["Location"])
        if url.startswith(back_to):
            return url
    raise AssertionError("the provider never sent the browser back")
