"""A hostile GitHub: a local HTTP server (127.0.0.1), a proxy in front of the emulator that lies
on cue.

Every request is recorded (path and headers, so a test can see whether a token arrived). A
request whose path matches a trick gets the trick's answer: a redirect (same host, another host,
a loop), an HTML page or truncated JSON with 200, bytes dripped slowly, an endless Link chain, a
huge body, an absurd Retry-After or a far reset. Anything else is passed on to `upstream` (the
emulator's process, see `github_emulator.py`) with this server as its Host, so that its Link
headers and URLs point back here, as they would behind a proxy in front of GitHub.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CAPTIVE_PORTAL = (
    b"<!DOCTYPE html><html><head><title>Sign in to Corp-WiFi</title></head><body>...</body></html>"
)
REQUEST_ID = "BAD0:CAFE:1234567:89ABCDE:00000001"


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes
    headers: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Received:
    path: str
    headers: dict[str, str]

    @property
    def authorization(self) -> str | None:
        return next((value for name, value in self.headers.items() if name.lower() == "authorization"), None)


Trick = Callable[["HostileHandler"], None]


@dataclass
class _Rule:
    pattern: re.Pattern[str]
    trick: Trick
    times: int | None


@dataclass
class HostileGitHub:
    """Answers from `upstream` (the emulator's URL) except where a trick says otherwise."""

    upstream: str | None = None
    host: str = "127.0.0.1"
    tls: ssl.SSLContext | None = None  # serve https:// (see `self_signed`)
    received: list[Received] = field(default_factory=list)
    _rules: list[_Rule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> HostileGitHub:
        server = _Server((self.host, 0), self)
        if self.tls is not None:
            server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        self._server = server
        threading.Thread(
            target=server.serve_forever, args=(0.05,), name="hostile-github", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{self.host}:{self._server.server_address[1]}"

    def on(self, path: str, trick: Trick, *, times: int | None = None) -> None:
        """Answer requests whose path (no query) fully matches the regex `path` with the trick;
        `times` of them, or all of them."""
        with self._lock:
            self._rules.append(_Rule(re.compile(path), trick, times))

    def paths(self) -> list[str]:
        return [urlsplit(request.path).path for request in self.received]

    def _trick_for(self, path: str) -> Trick | None:
        with self._lock:
            for rule in self._rules:
                if rule.pattern.fullmatch(urlsplit(path).path) and rule.times != 0:
                    if rule.times is not None:
                        rule.times -= 1
                    return rule.trick
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], github: HostileGitHub) -> None:
        super().__init__(address, HostileHandler)
        self.github = github


class HostileHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in separate writes: no 40 ms delayed ACK
    server: _Server

    def do_GET(self) -> None:
        github = self.server.github
        github.received.append(Received(self.path, dict(self.headers.items())))
        trick = github._trick_for(self.path)
        try:
            (trick or upstream)(self)
        except OSError:  # the client hung up (as it should on a drip or a huge body)
            self.close_connection = True

    def do_POST(self) -> None:
        """A GraphQL query: its body is read first, then it goes as a GET does."""
        length = int(self.headers.get("content-length") or 0)
        self.request_body = self.rfile.read(length) if length else b""
        self.do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        return

    # What tricks build their answers with --------------------------------------------------

    def upstream_reply(self, *, unconditional: bool = False) -> Reply:
        """The emulator's answer; `unconditional` drops If-None-Match and If-Modified-Since, so that
        it is a 200 with a body even to a request that would have had a 304."""
        upstream = self.server.github.upstream
        assert upstream is not None, "no upstream for a path without a trick"
        dropped = {"host", "connection", "accept-encoding"}
        if unconditional:
            dropped |= {"if-none-match", "if-modified-since"}
        headers = {name: value for name, value in self.headers.items() if name.lower() not in dropped}
        headers["Host"] = self.headers.get("host") or self.server.github.url.split("://", 1)[1]
        parts = urlsplit(upstream)
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
        try:
            connection.request(
                self.command, self.path, body=getattr(self, "request_body", None), headers=headers
            )
            answer = connection.getresponse()
            return Reply(answer.status, answer.read(), answer.getheaders())
        finally:
            connection.close()

    def send(self, status: int, body: bytes, headers: list[tuple[str, str]] | None = None) -> None:
        self.send_response(status)
        for name, value in headers or []:
            if name.lower() not in ("content-length", "transfer-encoding", "connection", "date", "server"):
                self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)


def upstream(handler: HostileHandler) -> None:
    reply = handler.upstream_reply()
    handler.send(reply.status, reply.body, reply.headers)


# Tricks -------------------------------------------------------------------------------------


def redirect(location: str, status: int = 302) -> Trick:
    """A redirect; `location` may name `{path}` (the request's path and query)."""

    def trick(handler: HostileHandler) -> None:
        headers = [("Location", location.format(path=handler.path)), ("x-github-request-id", REQUEST_ID)]
        handler.send(status, b"", headers)

    return trick


def html(status: int = 200) -> Trick:
    """What a captive portal or a corporate proxy answers instead of GitHub."""

    def trick(handler: HostileHandler) -> None:
        handler.send(status, CAPTIVE_PORTAL, [("Content-Type", "text/html; charset=utf-8")])

    return trick


def truncated() -> Trick:
    """The emulator's real answer cut in half, its Content-Length saying so (a body cut by a proxy)."""

    def trick(handler: HostileHandler) -> None:
        reply = handler.upstream_reply(unconditional=True)
        handler.send(reply.status, reply.body[: len(reply.body) // 2], reply.headers)

    return trick


def answer(status: int, body: Any, headers: dict[str, str] | None = None) -> Trick:
    """A JSON answer of the test's making (a wrong shape, a rate limit)."""

    def trick(handler: HostileHandler) -> None:
        pairs = [("Content-Type", "application/json; charset=utf-8"), ("x-github-request-id", REQUEST_ID)]
        handler.send(status, json.dumps(body).encode(), [*pairs, *(headers or {}).items()])

    return trick


def drip(every: float, body: bytes = b"[]" + b" " * 1_000) -> Trick:
    """A 200 whose body comes one byte at a time, `every` seconds apart (each read is quick)."""

    def trick(handler: HostileHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        for index in range(len(body)):
            handler.wfile.write(body[index : index + 1])
            handler.wfile.flush()
            time.sleep(every)

    return trick


def drip_status_line(every: float) -> Trick:
    """Not even the status line arrives whole: one byte of it every `every` seconds, without end."""

    def trick(handler: HostileHandler) -> None:
        line = b"HTTP/1.1 200 OK" + b" " * 60_000
        for index in range(len(line)):
            handler.wfile.write(line[index : index + 1])
            handler.wfile.flush()
            time.sleep(every)

    return trick


def endless_pages(item: Callable[[int], Any] | None = None) -> Trick:
    """A page, and a Link to one more, forever (`item(page)` makes its one item, or none)."""

    def trick(handler: HostileHandler) -> None:
        parts = urlsplit(handler.path)
        query = dict(parse_qsl(parts.query))
        page = int(query.get("page", "1"))
        following = urlencode({**query, "page": str(page + 1)})
        link = f'<{handler.server.github.url}{parts.path}?{following}>; rel="next"'
        items = [item(page)] if item is not None else []
        handler.send(200, json.dumps(items).encode(), [("Content-Type", "application/json"), ("Link", link)])

    return trick


def huge(size: int, *, declared: bool) -> Trick:
    """A JSON list of `size` bytes, streamed; with or without a Content-Length that says so."""

    def trick(handler: HostileHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if declared:
            handler.send_header("Content-Length", str(size))
        else:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        for chunk in _json_list_of(size):
            handler.wfile.write(chunk)

    return trick


def _json_list_of(size: int) -> Iterator[bytes]:
    item = b'{"login":"fay","type":"User"},'
    chunk = item * (64 * 1024 // len(item))
    sent = 1
    yield b"["
    while sent + len(chunk) < size:
        yield chunk
        sent += len(chunk)
    yield b'{"login":"gus","type":"User"}]'


def self_signed(directory: Path) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context for 127.0.0.1, and the certificate file a client trusts it by."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file
