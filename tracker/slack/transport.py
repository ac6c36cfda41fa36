"""The HTTP under slack-sdk's clients: no redirect followed, a deadline per request, a capped body.

slack-sdk sends with urllib, whose default opener follows a redirect to any host and resends every
header, the bot token's `Authorization` included (and a webhook's URL is itself the secret). Slack
never redirects its Web API or webhooks, so any 3xx is refused. urllib's timeout bounds each read,
not the request, so a server sending a byte every few seconds held it for ever: the request runs
in a worker thread that the caller stops waiting for at the deadline or on a stop request.

slack-sdk has no switch for either: `GuardedWebClient` and `GuardedWebhookClient` replace only the
method that opens the connection; the tests prove that a foreign host receives nothing, so a
slack-sdk upgrade that renames those methods is caught.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from io import BytesIO
from ssl import SSLContext
from typing import IO, Any
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import (
    BaseHandler,
    HTTPRedirectHandler,
    HTTPSHandler,
    OpenerDirector,
    ProxyHandler,
    Request,
    build_opener,
)

from slack_sdk.web import WebClient
from slack_sdk.webhook import WebhookClient, WebhookResponse

from tracker.slack.errors import SlackError
from tracker.slack.waits import Waits

TIMEOUT_SECONDS = 30
MAX_BODY_BYTES = 8 * 1024 * 1024
_CHUNK_BYTES = 64 * 1024
_POLL_SECONDS = 0.1


class RedirectRefused(SlackError):
    """Slack's side answered with a redirect; it was not followed, so no credential left."""


class Unanswered(SlackError):
    """The request may have reached Slack, but no complete answer came back (deadline, stop, size)."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: Message
    body: bytes

    def text(self) -> str:
        return self.body.decode(self.headers.get_content_charset() or "utf-8", errors="replace")


class GuardedWebClient(WebClient):
    """slack-sdk's Web API client, sending through `exchange`."""

    def __init__(self, *, waits: Waits, **options: Any) -> None:
        super().__init__(**options)
        self.waits = waits

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        answer = exchange(req, proxy=self.proxy, ssl=self.ssl, timeout=self.timeout, waits=self.waits)
        return {"status": answer.status, "headers": answer.headers, "body": answer.text()}


class GuardedWebhookClient(WebhookClient):
    """slack-sdk's incoming-webhook client, sending through `exchange`."""

    def __init__(self, *, waits: Waits, **options: Any) -> None:
        super().__init__(**options)
        self.waits = waits

    def _perform_http_request_internal(self, url: str, req: Request) -> WebhookResponse:
        answer = exchange(req, proxy=self.proxy, ssl=self.ssl, timeout=self.timeout, waits=self.waits)
        return WebhookResponse(
            url=url, status_code=answer.status, body=answer.text(), headers=dict(answer.headers.items())
        )


def exchange(
    req: Request, *, proxy: str | None, ssl: SSLContext | None, timeout: float, waits: Waits
) -> Answer:
    """Send one request and read its whole answer within the deadline.

    A 4xx/5xx is raised as urllib's HTTPError (what slack-sdk expects), a 3xx as RedirectRefused,
    no complete answer in time (or a stop request while waiting) as Unanswered.
    """
    if urlsplit(req.full_url).scheme not in ("http", "https"):
        raise SlackError(f"not an http(s) URL: {urlsplit(req.full_url).scheme}:")
    waits.cancel.raise_if_requested()
    opener = _opener(proxy, ssl)
    answer = _within_deadline(req, lambda gave_up: _send(opener, req, timeout, gave_up), waits)
    if 300 <= answer.status < 400:
        raise _refused(req, answer.status, answer.headers.get("Location"))
    if answer.status >= 400:
        raise HTTPError(req.full_url, answer.status, "", answer.headers, BytesIO(answer.body))
    return answer


def _within_deadline(req: Request, send: Callable[[threading.Event], Answer], waits: Waits) -> Answer:
    """Runs `send` in a worker thread and stops waiting for it at the deadline or on a stop request
    (the worker then ends at its next read)."""
    results: queue.SimpleQueue[Answer | BaseException] = queue.SimpleQueue()
    gave_up = threading.Event()

    def work() -> None:
        try:
            results.put(send(gave_up))
        except BaseException as error:  # handed over to the waiting thread, which raises it
            results.put(error)

    threading.Thread(target=work, name="slack-request", daemon=True).start()
    deadline = time.monotonic() + waits.request_deadline_seconds
    while True:
        try:
            result = results.get(timeout=_POLL_SECONDS)
            break
        except queue.Empty:
            if waits.cancel.requested or time.monotonic() >= deadline:
                gave_up.set()
                raise _unanswered(req, waits) from None
    if isinstance(result, BaseException):
        raise result
    return result


def _send(opener: OpenerDirector, req: Request, timeout: float, gave_up: threading.Event) -> Answer:
    try:
        with opener.open(req, timeout=timeout) as response:
            return Answer(response.status, response.headers, _read_capped(req, response.read1, gave_up))
    except HTTPError as error:
        with error:
            read = getattr(error.fp, "read1", error.read)
            return Answer(error.code, error.headers, _read_capped(req, read, gave_up))


def _read_capped(req: Request, read: Callable[[int], bytes], gave_up: threading.Event) -> bytes:
    """The body, up to the cap. `read1` returns what has arrived, so once nobody waits for the
    answer, a server dripping it cannot keep the worker reading for long."""
    body = bytearray()
    while not gave_up.is_set():
        chunk = read(_CHUNK_BYTES)
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise Unanswered(f"the answer from {_host(req)} is larger than {MAX_BODY_BYTES // 2**20} MiB")
    raise Unanswered("nobody is waiting for this answer any more")


class _RefuseRedirects(HTTPRedirectHandler):
    def redirect_request(
        self, req: Request, fp: IO[bytes], code: int, msg: str, headers: Message, newurl: str
    ) -> Request | None:
        fp.close()
        raise _refused(req, code, newurl)


def _refused(req: Request, status: int, location: str | None) -> RedirectRefused:
    """Names the hosts only: a webhook URL's path is its secret, and so may a Location's be."""
    elsewhere = urlsplit(location).hostname if location else None
    where = f" from {_host(req)} to {elsewhere or _host(req)}" if location else f" from {_host(req)}"
    return RedirectRefused(
        f"refused a redirect (HTTP {status}){where}: Slack never redirects its API or webhooks, and the "
        "request carries a Slack credential; check the Slack URL and any proxy in between",
        error="redirect",
        status=status,
    )


def _unanswered(req: Request, waits: Waits) -> Unanswered:
    if waits.cancel.requested:
        return Unanswered(f"stopped (a stop was requested) before {_host(req)} answered")
    return Unanswered(
        f"no complete answer from {_host(req)} within {waits.request_deadline_seconds:g} s", error="timeout"
    )


def _host(req: Request) -> str:
    return urlsplit(req.full_url).hostname or "Slack"


def _opener(proxy: str | None, ssl: SSLContext | None) -> OpenerDirector:
    handlers: list[BaseHandler] = [_RefuseRedirects(), HTTPSHandler(context=ssl)]
    if proxy:
        handlers.append(ProxyHandler({"http": proxy, "https": proxy}))
    return build_opener(*handlers)
