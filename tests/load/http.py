"""A tiny asyncio HTTP/1.1 client (standard library only) for the load test: one connection per request."""
from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
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


@dataclass
class Session:
    """One simulated browser: its cookies."""
    cookies: dict[str, str] = field(default_factory=dict)

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
    def __init__(self, host: str, port: int, t0: float, timeout: float = 15.0):
        self.host, self.port, self.t0, self.timeout = host, port, t0, timeout
        self.results: list[Result] = []

    async def request(self, kind: str, method: str, path: str, session: Session | None = None,
                      form: dict | None = None, keep_body: bool = False) -> Result:
        body = urlencode(form or {}).encode() if form is not None else b""
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
            status, headers, text = await asyncio.wait_for(self._exchange(raw), self.timeout)
        except asyncio.TimeoutError:
            error = "timeout"
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            error = "connection"
        elapsed = time.perf_counter() - start
        if session is not None:
            session.remember(headers)
        location = next((v for k, v in headers if k == "location"), "")
        result = Result(kind, status, start - self.t0, elapsed, text if keep_body else "", location, error)
        self.results.append(result)
        if keep_body:
            result.body = text
        return result

    async def _exchange(self, raw: bytes):
        reader, writer = await asyncio.open_connection(self.host, self.port)
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
