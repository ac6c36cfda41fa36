"""The connection PyGithub's Requester sends every request through (its `cnx`): it bounds each
request and keeps the token at home.

- One deadline per request, whatever the server does: a watchdog shuts the request's socket
  when the deadline passes, so a server that sends one byte every ten seconds (which a per-read
  timeout never catches) cannot hold a run forever. It covers the transport's own retries.
- A cap on the size of an answer, read streamed: a 1 GB body is refused at the cap, not loaded.
- Redirects are never followed here. Of those PyGithub follows by itself, only a 301 to the same
  scheme, host and port gets through (a renamed repo), at most a few in a row; a 301 elsewhere,
  to itself or in a loop, and the 202 that PyGithub would retry forever, stop the request.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import socket
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from github.Requester import HTTPSRequestsConnectionClass, RequestsResponse
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import PoolManager
from urllib3.poolmanager import pool_classes_by_scheme as default_pool_classes
from urllib3.response import HTTPResponse
from urllib3.util.retry import Retry

from tracker.github.errors import AnswerTooLarge, AnswerTooSlow, UnexpectedAnswer

DEFAULT_DEADLINE = 120.0
DEFAULT_MAX_ANSWER_BYTES = 50 * 1024 * 1024
MAX_REDIRECTS = 3
_CHUNK = 64 * 1024
_UNSHOWN = re.compile(r"[^\x20-\x7e]")


class ApiConnection(HTTPSRequestsConnectionClass):
    """Sends PyGithub's requests to the API's own scheme, host and port, one deadline each."""

    def __init__(
        self,
        api_url: str,
        *,
        timeout: float,
        retry: Retry,
        deadline: float = DEFAULT_DEADLINE,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
    ) -> None:
        parts = urlsplit(api_url)
        super().__init__(parts.hostname or "", parts.port, retry=retry)
        self.origin = origin_of(api_url)
        self._base = f"{parts.scheme.lower()}://{parts.netloc}"
        self._timeouts = (timeout, timeout)
        self._deadline = deadline
        self._max_answer_bytes = max_answer_bytes
        self._redirects = 0
        self.adapter = _WatchedAdapter(max_retries=retry)
        self.session.mount("https://", self.adapter)
        self.session.mount("http://", self.adapter)

    def begin(self) -> None:
        """A new call starts: the redirects PyGithub follows are counted per call."""
        self._redirects = 0

    def getresponse(self) -> RequestsResponse:
        with _Deadline(self._deadline) as deadline:
            try:
                return self._exchange()
            except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError, _Passed):
                if deadline.expired:
                    raise AnswerTooSlow(
                        f"GitHub took more than {self._deadline:g} s to answer {_path(self.url)}; stopped"
                    ) from None
                raise

    def _exchange(self) -> RequestsResponse:
        response = self.session.request(
            self.verb,
            self._base + self.url,
            headers=self.headers,
            data=self.input,
            timeout=self._timeouts,
            allow_redirects=False,
            stream=True,
        )
        with response:
            self._refuse_what_pygithub_must_not_follow(response)
            body = self._read_capped(response)
        return _Answer(response, body)

    def _refuse_what_pygithub_must_not_follow(self, response: requests.Response) -> None:
        status, headers = response.status_code, response.headers
        if status == 202:
            raise _unexpected(f"GitHub answered {_path(self.url)} 202 (not ready, try later)", response)
        if status != 301 or "location" not in headers:
            return
        location = headers["location"]
        target = urljoin(self._base + self.url, location)
        if not urlsplit(location).scheme:
            raise _unexpected(
                f"GitHub redirected {_path(self.url)} to a relative location; not followed", response
            )
        if origin_of(target) != self.origin:
            raise _unexpected(
                f"GitHub redirected {_path(self.url)} to {describe_origin(target)}; not followed "
                "(the token goes to the configured API only)",
                response,
            )
        if urlsplit(location).path == self.url or self._redirects >= MAX_REDIRECTS:
            raise _unexpected(f"GitHub redirected {_path(self.url)} in a loop; not followed", response)
        self._redirects += 1

    def _read_capped(self, response: requests.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_answer_bytes:
            raise self._too_large(response)
        chunks, size = [], 0
        for chunk in response.iter_content(_CHUNK):
            size += len(chunk)
            if size > self._max_answer_bytes:
                raise self._too_large(response)
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, response: requests.Response) -> AnswerTooLarge:
        megabytes = self._max_answer_bytes / (1024 * 1024)
        return AnswerTooLarge(
            f"GitHub's answer to {_path(self.url)} is larger than {megabytes:g} MB; not read",
            status=response.status_code,
            request_id=response.headers.get("x-github-request-id"),
        )


class _Answer(RequestsResponse):
    """What PyGithub reads of an answer: status, headers and the body already read (and capped)."""

    def __init__(self, response: requests.Response, body: bytes) -> None:
        super().__init__(response)
        self._text = body.decode("utf-8", errors="replace")

    def read(self) -> str:
        return self._text


def origin_of(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port), the port filled in for the scheme's default: where a request goes."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"https": 443, "http": 80}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port or default


def describe_origin(url: str) -> str:
    """Where a URL points, for a message: scheme, host and port, never its user, path or query."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return "a malformed address"
    if not parts.hostname:
        return "a path on this host"
    shown = f"{parts.scheme.lower()}://{parts.hostname}" + (f":{port}" if port else "")
    return _UNSHOWN.sub("?", shown)[:100]


def describe_connection_failure(error: requests.exceptions.RequestException) -> str:
    """Why a request got no answer at all, in words: after urllib3's retries, the last failure."""
    if isinstance(error, requests.exceptions.SSLError):
        return "the TLS handshake failed (a proxy, or a certificate this machine does not trust)"
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return "no connection within the timeout"
    if isinstance(error, requests.exceptions.Timeout):
        return "no answer within the timeout"
    reason = _last_failure(error)
    if isinstance(reason, urllib3.exceptions.NameResolutionError):
        return "its host name does not resolve"
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        refused = isinstance(reason.__cause__, ConnectionRefusedError) or "refused" in str(reason)
        return "the connection was refused" if refused else "no connection could be made"
    if isinstance(reason, urllib3.exceptions.ProtocolError):
        return "the connection was dropped before an answer"
    return f"the connection failed ({type(reason).__name__})"


def _last_failure(error: requests.exceptions.RequestException) -> BaseException:
    """The failure under requests' wrapping: urllib3's last reason when it gave up retrying."""
    cause = error.args[0] if error.args and isinstance(error.args[0], BaseException) else error
    if isinstance(cause, urllib3.exceptions.MaxRetryError) and cause.reason is not None:
        return cause.reason
    return cause


def _path(url: str) -> str:
    """A URL or path without its query (search terms) and without scheme and host."""
    return urlsplit(url).path or "/"


def _unexpected(message: str, response: requests.Response) -> UnexpectedAnswer:
    return UnexpectedAnswer(
        message, status=response.status_code, request_id=response.headers.get("x-github-request-id")
    )


# The watchdog --------------------------------------------------------------------------------

_CURRENT: contextvars.ContextVar[_Deadline | None] = contextvars.ContextVar("deadline", default=None)


class _Passed(Exception):
    """Raised instead of sending once the deadline has passed; the transport does not retry it."""


class _Deadline:
    """Shuts the sockets of the requests made inside it once `seconds` have passed."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._lock = threading.Lock()
        self._watched: list[HTTPConnection] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._token: contextvars.Token[_Deadline | None] | None = None

    def __enter__(self) -> _Deadline:
        self._token = _CURRENT.set(self)
        self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._timer.cancel()
        if self._token is not None:
            _CURRENT.reset(self._token)

    def watch(self, connection: HTTPConnection) -> None:
        with self._lock:
            if self.expired:
                raise _Passed
            if connection not in self._watched:
                self._watched.append(connection)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for connection in self._watched:
                _shut(connection.sock)


def _shut(sock: Any) -> None:
    """Wake whatever waits on the socket: reads then end at once (socket.socket's own shutdown, so
    that a TLS socket is cut underneath its TLS layer, which another thread may be inside)."""
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _watch(connection: HTTPConnection) -> None:
    deadline = _CURRENT.get()
    if deadline is not None:
        deadline.watch(connection)


class _WatchedHTTPConnection(HTTPConnection):
    """Checked in before sending (nothing is sent once the deadline has passed, not even a retry)
    and before waiting for the answer (its socket is connected by then, ready to be shut)."""

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch(self)
        super().request(*args, **kwargs)

    def getresponse(self) -> HTTPResponse:  # type: ignore[override]  # as urllib3's own
        _watch(self)
        return super().getresponse()


class _WatchedHTTPSConnection(HTTPSConnection):
    """As `_WatchedHTTPConnection`, over TLS."""

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch(self)
        super().request(*args, **kwargs)

    def getresponse(self) -> HTTPResponse:  # type: ignore[override]  # as urllib3's own
        _watch(self)
        return super().getresponse()


class _WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS: Mapping[str, type[HTTPConnectionPool]] = {
    "http": _WatchedHTTPConnectionPool,
    "https": _WatchedHTTPSConnectionPool,
}


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter, its connections (direct or through an HTTP proxy) under the watchdog."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _use_watched_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        _use_watched_pools(manager)
        return manager


def _use_watched_pools(manager: PoolManager) -> None:
    if manager.pool_classes_by_scheme == default_pool_classes:  # not a SOCKS proxy's own pools
        manager.pool_classes_by_scheme = dict(_WATCHED_POOLS)
