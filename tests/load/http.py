"""A tiny asyncio HTTP/1.1 client (standard library only) for the load test: one connection per request,
and the values a browser would send from a page's form."""
from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode

USER_AGENT = "samskab-load/1.0"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Result:
    kind: str
    status: int          # 0 when the connection failed or timed out
    started: float       # seconds since the run began
    seconds: float
    body: str = ""
    location: str = ""
    error: str = ""      # "timeout" (no answer in time) or "connection" (refused or cut off)
    port: int = 0        # which instance answered (each port stands for one host)

    @property
    def ended(self) -> float:
        return self.started + self.seconds


@dataclass
class Session:
    """One simulated browser: its cookies, and the loopback address it connects from (None: 127.0.0.1).

    Flask-Login's strong session protection ties a session to the address, so a browser keeps its own."""
    cookies: dict[str, str] = field(default_factory=dict)
    source: str | None = None

    def header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def remember(self, headers: list[tuple[str, str]]) -> None:
        for name, value in headers:
            if name == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _sep, val = pair.partition("=")
                if val:
                    self.cookies[key.strip()] = val.strip()
                else:
                    self.cookies.pop(key.strip(), None)


class Client:
    def __init__(self, host: str, port: int, t0: float, timeout: float = 15.0, results: list[Result] | None = None):
        self.host, self.port, self.t0, self.timeout = host, port, t0, timeout
        # Several clients (one per instance) may share one list of results.
        self.results: list[Result] = [] if results is None else results

    async def request(self, kind: str, method: str, path: str, session: Session | None = None,
                      form: dict | list[tuple[str, str]] | None = None, keep_body: bool = False) -> Result:
        body = urlencode(form or {}, doseq=True).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: close",
                 "User-Agent: " + USER_AGENT, "Accept-Language: da"]
        if session and session.cookies:
            lines.append(f"Cookie: {session.header()}")
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        start = time.perf_counter()
        status, headers, text, error = 0, [], "", ""
        try:
            status, headers, text = await asyncio.wait_for(self._exchange(raw, session and session.source),
                                                           self.timeout)
        except asyncio.TimeoutError:
            error = "timeout"
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            error = "connection"
        elapsed = time.perf_counter() - start
        if session is not None:
            session.remember(headers)
        location = next((v for k, v in headers if k == "location"), "")
        result = Result(kind, status, start - self.t0, elapsed, text if keep_body else "", location, error, self.port)
        self.results.append(result)
        if keep_body:
            result.body = text
        return result

    async def _exchange(self, raw: bytes, source: str | None = None):
        local = (source, 0) if source else None
        reader, writer = await asyncio.open_connection(self.host, self.port, local_addr=local)
        try:
            writer.write(raw)
            await writer.drain()
            data = await reader.read()
        finally:
            writer.close()
        head, _sep, payload = data.partition(b"\r\n\r\n")
        header_lines = head.decode("latin-1").split("\r\n")
        status = int(header_lines[0].split()[1])
        headers = []
        for line in header_lines[1:]:
            name, _c, value = line.partition(":")
            headers.append((name.strip().lower(), value.strip()))
        if any(k == "transfer-encoding" and "chunked" in v for k, v in headers):
            payload = _unchunk(payload)
        return status, headers, payload.decode("utf-8", "replace")

    async def csrf_token(self, kind: str, path: str, session: Session) -> str | None:
        page = await self.request(kind, "GET", path, session, keep_body=True)
        match = CSRF.search(page.body)
        return match.group(1) if match else None


def _unchunk(payload: bytes) -> bytes:
    out, rest = [], payload
    while rest:
        size_line, _sep, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out.append(rest[:size])
        rest = rest[size + 2:]
    return b"".join(out)


class _FormReader(HTMLParser):
    """Collects the fields of the first <form> whose action or class contains `match` (any form when empty)."""

    def __init__(self, match: str):
        super().__init__(convert_charrefs=True)
        self.match, self.inside, self.done = match, False, False
        self.fields: list[tuple[str, str]] = []
        self.select: dict | None = None      # the <select> being read: name, multiple, options, chosen
        self.option: dict | None = None      # the <option> being read (its text may be its value)
        self.textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form" and not self.inside and not self.done:
            self.inside = self.match in a.get("action", "") or self.match in a.get("class", "")
            return
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in a, "options": [], "chosen": []}
        elif tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "text": [], "selected": "selected" in a}
        elif tag == "textarea" and name:
            self.textarea = (name, [])

    def handle_data(self, data):
        if self.option is not None:
            self.option["text"].append(data)
        if self.textarea is not None:
            self.textarea[1].append(data)

    def _close_option(self):
        if self.option is not None and self.select is not None:
            value = self.option["value"] if self.option["value"] is not None else "".join(self.option["text"]).strip()
            self.select["options"].append(value)
            if self.option["selected"]:
                self.select["chosen"].append(value)
        self.option = None

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "option":
            self._close_option()
        elif tag == "select" and self.select is not None:
            self._close_option()
            chosen = self.select["chosen"]
            if not chosen and not self.select["multiple"] and self.select["options"]:
                chosen = self.select["options"][:1]   # a browser sends the first option
            if not self.select["multiple"]:
                chosen = chosen[-1:]
            self.fields += [(self.select["name"], value) for value in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            text = "".join(self.textarea[1])
            # The HTML parser drops nothing; a browser drops one newline right after <textarea>.
            self.fields.append((self.textarea[0], text[1:] if text.startswith("\n") else text))
            self.textarea = None
        elif tag == "form":
            self.inside, self.done = False, True


def form_values(html: str, match: str = "") -> list[tuple[str, str]]:
    """The (name, value) pairs a browser would submit from the first form whose action or class contains `match`:
    text, hidden and other inputs, checked boxes and radios, the selected options, textareas; never
    disabled fields or buttons."""
    reader = _FormReader(match)
    reader.feed(html)
    reader.close()
    return reader.fields


def with_values(fields: list[tuple[str, str]], **changes: str) -> list[tuple[str, str]]:
    """`fields` with each named field's value replaced (added when the form did not have it)."""
    out = [(name, changes[name]) if name in changes else (name, value) for name, value in fields]
    out += [(name, value) for name, value in changes.items() if name not in {n for n, _v in fields}]
    return out
