"""Running the bot until it is told to stop: Socket Mode when SLACK_APP_TOKEN is set, else HTTP.

HTTP serves Bolt's WSGI adapter at /slack/events on the standard library's threading server,
behind a guard that refuses a body over 64 KiB (413) or without a length (411) before reading a
byte of it; Bolt then refuses anything unsigned, wrongly signed or stale (401). Socket Mode needs
no public endpoint: the SDK's own client holds the connection, authenticated by the app token.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from socketserver import ThreadingMixIn
from typing import Protocol
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy.engine import Engine

from tracker.bot.app import BotSetup, build_app
from tracker.bot.credentials import DEFAULT_PORT, EVENTS_PATH, BotCredentials
from tracker.cancel import CancelToken, stop_on_signals
from tracker.config import Settings
from tracker.slack.check import BotIdentity, bot_identity
from tracker.slack.transport import GuardedWebClient
from tracker.slack.waits import Waits, post_retry_handlers

log = logging.getLogger("tracker.bot")

MAX_BODY_BYTES = 64 * 1024
CONNECTION_TIMEOUT_SECONDS = 10
WEB_API_TIMEOUT_SECONDS = 10
LISTENER_THREADS = 4


def bot_client(credentials: BotCredentials, waits: Waits) -> GuardedWebClient:
    """The bot token's Web API client: answers are posts that must not repeat, so a request is
    retried only when Slack did not process it."""
    return GuardedWebClient(
        waits=waits,
        token=credentials.bot_token,
        base_url=credentials.api_url,
        timeout=WEB_API_TIMEOUT_SECONDS,
        retry_handlers=post_retry_handlers(waits),
    )


# --- transports ---------------------------------------------------------------------------------


class Transport(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


def limit_body(app: WSGIApplication, limit: int = MAX_BODY_BYTES) -> WSGIApplication:
    """Refuse a POST without a length or longer than `limit` before anything reads its body."""

    def guarded(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST":
            length = str(environ.get("CONTENT_LENGTH") or "")
            if not length.isdigit():
                return _refuse(start_response, "411 Length Required")
            if int(length) > limit:
                return _refuse(start_response, "413 Content Too Large")
        return app(environ, start_response)

    return guarded


def _refuse(start_response: StartResponse, status: str) -> list[bytes]:
    body = status.encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Handler(WSGIRequestHandler):
    timeout = CONNECTION_TIMEOUT_SECONDS  # a client that stalls is dropped, not waited for

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)


class HttpTransport:
    def __init__(self, app: App, *, host: str, port: int) -> None:
        self._server = make_server(
            host, port, limit_body(SlackRequestHandler(app, EVENTS_PATH)), _Server, _Handler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="tracker-bot-http", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class SocketModeTransport:
    def __init__(self, app: App, *, app_token: str) -> None:
        self.handler = SocketModeHandler(app, app_token=app_token, web_client=app.client)

    def start(self) -> None:
        self.handler.connect()  # type: ignore[no-untyped-call]  # slack-bolt leaves it unannotated

    def stop(self) -> None:
        self.handler.close()  # type: ignore[no-untyped-call]


# --- the running bot ----------------------------------------------------------------------------


@dataclass
class RunningBot:
    identity: BotIdentity
    transport: Transport
    executor: ThreadPoolExecutor
    description: str

    def stop(self) -> None:
        """No new request is taken; the answers being written are finished."""
        self.transport.stop()
        self.executor.shutdown(wait=True)
        log.info("bot stopped")


@dataclass(frozen=True, slots=True)
class BuiltBot:
    identity: BotIdentity
    app: App
    executor: ThreadPoolExecutor


def build_bot(
    settings: Settings, engine: Engine, credentials: BotCredentials, clock: Callable[[], datetime]
) -> BuiltBot:
    """Check the bot token (SlackError when Slack refuses it) and build the app."""
    waits = Waits(max_wait_seconds=settings.slack.max_wait_seconds)
    client = bot_client(credentials, waits)
    identity = bot_identity(client)
    executor = ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="tracker-bot")
    setup = BotSetup(settings, engine, client, waits, identity.user, clock)
    app = build_app(setup, signing_secret=credentials.signing_secret or "", executor=executor)
    return BuiltBot(identity, app, executor)


def start_bot(
    settings: Settings,
    engine: Engine,
    credentials: BotCredentials,
    *,
    port: int = DEFAULT_PORT,
    host: str = "0.0.0.0",  # noqa: S104  (Slack must reach it; in a container, the pod's address)
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> RunningBot:
    """Build the bot and start answering in background threads."""
    built = build_bot(settings, engine, credentials, clock)
    transport: Transport
    if credentials.app_token is not None:
        transport, where = SocketModeTransport(built.app, app_token=credentials.app_token), "over Socket Mode"
    else:
        http = HttpTransport(built.app, host=host, port=port)
        transport, where = http, f"over HTTP on port {http.port}, path {EVENTS_PATH}"
    transport.start()
    description = f"bot @{built.identity.user} of workspace {built.identity.team} answering {where}"
    log.info(description)
    return RunningBot(built.identity, transport, built.executor, description)


def serve_until_stopped(bot: RunningBot, cancel: CancelToken) -> None:
    """Block until SIGTERM or SIGINT (or `cancel`), then stop the bot cleanly."""
    try:
        with stop_on_signals(cancel):
            cancel.wait()
    finally:
        bot.stop()
