"""The Slack app over HTTP: Slack-signed requests answered, anything else refused and nothing done.

Slack's Web API, the command's response_url included, is a local HTTP server (pytest-httpserver);
requests are signed in the test as Slack signs them: v0=HMAC-SHA256(secret, "v0:timestamp:body").
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from pytest_httpserver import HTTPServer
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from sqlalchemy.engine import Engine
from werkzeug import Request

from tests.integration import bot_world as bot
from tests.integration.fake_socket_mode import FakeSocketMode
from tracker.bot.credentials import BotCredentials
from tracker.bot.serve import MAX_BODY_BYTES, RunningBot, SocketModeTransport, build_bot, start_bot
from tracker.config import Settings
from tracker.periods import EN_DASH

pytestmark = pytest.mark.postgres

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-1234-bot-secret"
BOT_USER = "UBOT00001"


@pytest.fixture(autouse=True)
def quiet_test_server() -> Iterator[None]:
    """The local Slack's request log is noise here."""
    server_log = logging.getLogger("werkzeug")
    level = server_log.level
    server_log.setLevel(logging.WARNING)
    yield
    server_log.setLevel(level)


@pytest.fixture
def slack(httpserver: HTTPServer) -> HTTPServer:
    httpserver.expect_request("/api/auth.test", method="POST").respond_with_json(
        {
            "ok": True,
            "user": "tracker",
            "user_id": BOT_USER,
            "team": "Acme",
            "team_id": "T0ACME",
            "bot_id": "B01",
        }
    )
    httpserver.expect_request("/api/users.info").respond_with_handler(_users_info)
    for method in ("chat.postMessage", "chat.postEphemeral"):
        httpserver.expect_request(f"/api/{method}", method="POST").respond_with_json(
            {"ok": True, "ts": "2.1"}
        )
    httpserver.expect_request("/respond", method="POST").respond_with_data("ok")
    return httpserver


def _users_info(request: Request) -> Any:
    from werkzeug import Response

    user = request.values.get("user", "")
    email = bot.EMAILS.get(user)
    profile = {"email": email} if email else {}
    return Response(
        json.dumps({"ok": True, "user": {"id": user, "profile": profile}}), content_type="application/json"
    )


@pytest.fixture
def running(
    tmp_path: Path, database_url: str, engine: Engine, slack: HTTPServer
) -> Iterator[tuple[RunningBot, int]]:
    settings: Settings = bot.filled(tmp_path, database_url, engine)
    credentials = BotCredentials(TOKEN, slack.url_for("/api/"), signing_secret=SECRET)
    running = start_bot(settings, engine, credentials, port=0, host="127.0.0.1", clock=lambda: bot.NOW)
    try:
        yield running, running.transport.port  # type: ignore[attr-defined]
    finally:
        running.stop()


def signed(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    moment = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{moment}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": moment, "X-Slack-Signature": f"v0={digest}"}


def post(port: int, body: str, headers: dict[str, str], content_type: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", "/slack/events", body.encode(), {"Content-Type": content_type, **headers})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def command_body(slack: HTTPServer, text: str, user: str = bot.ADA, command: str = "/contrib") -> str:
    return urlencode(
        {
            "token": "deprecated",
            "team_id": "T0ACME",
            "user_id": user,
            "command": command,
            "text": text,
            "response_url": slack.url_for("/respond"),
            "trigger_id": "1.2.3",
            "channel_id": "C0GENERAL",
        }
    )


def slash(port: int, body: str, **signing: Any) -> tuple[int, str]:
    return post(port, body, signed(body, **signing), "application/x-www-form-urlencoded")


def calls(slack: HTTPServer, path: str) -> list[Request]:
    return [request for request, _ in slack.log if request.path == path]


def wait_for(slack: HTTPServer, path: str, count: int = 1, timeout: float = 10) -> list[Request]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = calls(slack, path)
        if len(found) >= count:
            return found
        time.sleep(0.02)
    raise AssertionError(f"no request to {path} within {timeout} s")


# --- signed slash commands --------------------------------------------------------------------------


def test_a_signed_command_is_acknowledged_at_once_then_answered_only_to_the_asker(
    running: tuple[RunningBot, int], slack: HTTPServer
) -> None:
    _, port = running
    started = time.monotonic()

    status, _ = slash(port, command_body(slack, "week"))

    assert status == 200
    assert time.monotonic() - started < 3
    (answer,) = wait_for(slack, "/respond")
    payload = answer.get_json()
    assert payload["response_type"] == "ephemeral"
    assert payload["text"].startswith(f"In the week 3{EN_DASH}9 March 2025 acme gave 10 contributions")
    assert "blocks" in payload


@pytest.mark.parametrize(
    ("secret", "age"),
    [("not-the-signing-secret", 0), (None, 6 * 60), (None, -6 * 60)],
    ids=["bad signature", "stale", "from the future"],
)
def test_a_forged_or_replayed_command_gets_401_and_nothing_is_done(
    running: tuple[RunningBot, int], slack: HTTPServer, secret: str | None, age: int
) -> None:
    _, port = running
    # The timestamp is taken when the test runs: one taken at collection drifts into the 5-minute window.
    signing: dict[str, Any] = {"timestamp": int(time.time()) - age}
    if secret is not None:
        signing["secret"] = secret

    status, _ = slash(port, command_body(slack, "week"), **signing)

    assert status == 401
    time.sleep(0.5)
    assert calls(slack, "/respond") == []
    assert [request.path for request, _ in slack.log] == ["/api/auth.test", "/api/auth.test"]


def test_a_command_without_a_signature_gets_401(running: tuple[RunningBot, int], slack: HTTPServer) -> None:
    _, port = running

    status, _ = post(port, command_body(slack, "week"), {}, "application/x-www-form-urlencoded")

    assert status == 401
    time.sleep(0.3)
    assert calls(slack, "/respond") == []


def test_a_body_altered_after_signing_gets_401(running: tuple[RunningBot, int], slack: HTTPServer) -> None:
    _, port = running
    body = command_body(slack, "week")

    status, _ = post(port, body.replace("week", "top"), signed(body), "application/x-www-form-urlencoded")

    assert status == 401


def test_an_oversized_body_is_refused_before_it_is_read(
    running: tuple[RunningBot, int], slack: HTTPServer
) -> None:
    _, port = running
    body = command_body(slack, "week") + "&pad=" + "x" * MAX_BODY_BYTES

    status, _ = slash(port, body)

    assert status == 413
    time.sleep(0.3)
    assert calls(slack, "/respond") == []


def test_a_body_without_a_length_is_refused_before_it_is_read(running: tuple[RunningBot, int]) -> None:
    _, port = running
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        status_line = raw.recv(100).split(b"\r\n")[0]

    assert status_line.endswith(b"411 Length Required")


def test_a_failure_while_answering_is_told_to_the_asker_and_logged(
    running: tuple[RunningBot, int],
    slack: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, port = running

    def broken(*args: object) -> None:
        raise RuntimeError("the database is gone")

    monkeypatch.setattr("tracker.bot.app.answer_question", broken)

    slash(port, command_body(slack, "week"))

    (answer,) = wait_for(slack, "/respond")
    assert answer.get_json()["text"].startswith("Something went wrong on the tracker's side")
    assert "answering failed: the database is gone" in caplog.text


def test_the_answer_is_the_one_for_the_command_name_it_is_installed_under(
    running: tuple[RunningBot, int], slack: HTTPServer
) -> None:
    _, port = running

    slash(port, command_body(slack, "weather", command="/tracker"))

    (answer,) = wait_for(slack, "/respond")
    assert "`/tracker week`" in json.dumps(answer.get_json())


def test_hostile_input_is_never_echoed(running: tuple[RunningBot, int], slack: HTTPServer) -> None:
    _, port = running

    slash(port, command_body(slack, "person <!channel> *bold* <@U123> &<>"))

    (answer,) = wait_for(slack, "/respond")
    shown = json.dumps(answer.get_json())
    assert "channel" not in shown and "U123" not in shown and "bold" not in shown


# --- mentions -------------------------------------------------------------------------------------


def mention(port: int, text: str, user: str = bot.ADA, thread: str | None = None) -> tuple[int, str]:
    event: dict[str, Any] = {
        "type": "app_mention", "user": user, "text": text, "ts": "1741600000.000100", "channel": "C0GENERAL",
    }  # fmt: skip
    if thread:
        event["thread_ts"] = thread
    body = json.dumps(
        {
            "token": "deprecated",
            "team_id": "T0ACME",
            "api_app_id": "A0TRACKER",
            "type": "event_callback",
            "event_id": "Ev01",
            "event_time": 1741600000,
            "event": event,
            "authorizations": [{"team_id": "T0ACME", "user_id": BOT_USER, "is_bot": True}],
        }
    )
    return post(port, body, signed(body), "application/json")


def test_a_mention_is_answered_in_its_thread_with_the_same_words(
    running: tuple[RunningBot, int], slack: HTTPServer
) -> None:
    _, port = running

    status, _ = mention(port, f"<@{BOT_USER}> week")

    assert status == 200
    (posted,) = wait_for(slack, "/api/chat.postMessage")
    form = posted.get_json()
    assert form["channel"] == "C0GENERAL"
    assert form["thread_ts"] == "1741600000.000100"
    assert form["text"].startswith(f"In the week 3{EN_DASH}9 March 2025 acme gave 10 contributions")
    assert posted.headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_mention_in_a_thread_answers_in_that_thread(
    running: tuple[RunningBot, int], slack: HTTPServer
) -> None:
    _, port = running

    mention(port, f"<@{BOT_USER}> top", thread="1741500000.000001")

    (posted,) = wait_for(slack, "/api/chat.postMessage")
    assert posted.get_json()["thread_ts"] == "1741500000.000001"


def test_a_private_persons_own_numbers_asked_in_a_channel_go_to_them_alone(
    running: tuple[RunningBot, int], slack: HTTPServer
) -> None:
    _, port = running

    mention(port, f"<@{BOT_USER}> me", user=bot.CAROL)

    (posted,) = wait_for(slack, "/api/chat.postEphemeral")
    assert posted.get_json()["user"] == bot.CAROL
    assert posted.get_json()["thread_ts"] == "1741600000.000100"
    assert calls(slack, "/api/chat.postMessage") == []


def test_the_asker_is_found_by_their_slack_email(running: tuple[RunningBot, int], slack: HTTPServer) -> None:
    _, port = running

    slash(port, command_body(slack, "me", user=bot.BOB))

    (answer,) = wait_for(slack, "/respond")
    assert answer.get_json()["text"].startswith("bob:")
    (lookup,) = calls(slack, "/api/users.info")
    assert lookup.values["user"] == bot.BOB


def test_slacks_url_verification_is_answered_when_signed(running: tuple[RunningBot, int]) -> None:
    _, port = running
    body = json.dumps(
        {
            "token": "x",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )

    status, answer = post(port, body, signed(body), "application/json")

    assert status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in answer


# --- Socket Mode ----------------------------------------------------------------------------------


class RecordingSocket:
    """Stands in for the SDK's SocketModeClient: what the handler sends back over the socket."""

    def __init__(self) -> None:
        self.logger = logging.getLogger("test.socket")
        self.sent: list[SocketModeResponse] = []

    def send_socket_mode_response(self, response: SocketModeResponse) -> None:
        self.sent.append(response)


@pytest.fixture
def socket_mode(
    tmp_path: Path, database_url: str, engine: Engine, slack: HTTPServer
) -> Iterator[SocketModeTransport]:
    settings = bot.filled(tmp_path, database_url, engine)
    credentials = BotCredentials(TOKEN, slack.url_for("/api/"), app_token="xapp-1-A0TRACKER-test")
    built = build_bot(settings, engine, credentials, lambda: bot.NOW)
    yield SocketModeTransport(built.app, app_token="xapp-1-A0TRACKER-test")
    built.executor.shutdown(wait=True)


def test_socket_mode_runs_the_same_listeners_without_a_signature(
    socket_mode: SocketModeTransport, slack: HTTPServer
) -> None:
    recorder = RecordingSocket()
    payload = dict(parse_qsl(command_body(slack, "week")))
    request = SocketModeRequest(type="slash_commands", envelope_id="env-1", payload=payload)

    socket_mode.handler.handle(recorder, request)  # type: ignore[arg-type]

    assert [response.envelope_id for response in recorder.sent] == ["env-1"]
    (answer,) = wait_for(slack, "/respond")
    assert answer.get_json()["text"].startswith(f"In the week 3{EN_DASH}9 March 2025 acme gave 10")


def test_socket_mode_answers_mentions_in_their_thread(
    socket_mode: SocketModeTransport, slack: HTTPServer
) -> None:
    recorder = RecordingSocket()
    event = {
        "type": "app_mention",
        "user": bot.ADA,
        "text": f"<@{BOT_USER}> top",
        "ts": "1.5",
        "channel": "C0X",
    }
    envelope = {"type": "event_callback", "team_id": "T0ACME", "event": event, "event_id": "Ev9"}
    request = SocketModeRequest(type="events_api", envelope_id="env-2", payload=envelope)

    socket_mode.handler.handle(recorder, request)  # type: ignore[arg-type]

    (posted,) = wait_for(slack, "/api/chat.postMessage")
    assert posted.get_json()["thread_ts"] == "1.5"
    assert [response.envelope_id for response in recorder.sent] == ["env-2"]


def test_socket_mode_over_the_sdks_own_client_and_a_local_websocket(
    tmp_path: Path, database_url: str, engine: Engine, slack: HTTPServer
) -> None:
    """The whole Socket Mode path: apps.connections.open with the app token, the WebSocket, the
    envelope, its acknowledgement over the socket, and the answer to the command's response_url."""
    settings = bot.filled(tmp_path, database_url, engine)
    payload = dict(parse_qsl(command_body(slack, "top")))
    envelope = {
        "envelope_id": "env-ws",
        "type": "slash_commands",
        "payload": payload,
        "accepts_response_payload": True,
    }
    with FakeSocketMode([envelope]) as fake:
        slack.expect_request("/api/apps.connections.open", method="POST").respond_with_json(
            {"ok": True, "url": fake.url}
        )
        credentials = BotCredentials(TOKEN, slack.url_for("/api/"), app_token="xapp-1-A0TRACKER-test")
        running = start_bot(settings, engine, credentials, clock=lambda: bot.NOW)
        try:
            assert fake.acknowledged.wait(timeout=20)
            (answer,) = wait_for(slack, "/respond")
        finally:
            running.stop()

    assert fake.received[0]["envelope_id"] == "env-ws"
    assert answer.get_json()["text"].startswith("Where acme gave most in this month so far")
    (opened,) = calls(slack, "/api/apps.connections.open")
    assert opened.headers["Authorization"] == "Bearer xapp-1-A0TRACKER-test"
    assert "socket mode" in running.description.lower()
