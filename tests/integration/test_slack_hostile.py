"""Slack, or something in front of it, answering as an attacker would: tokens must stay home."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer
from slack_sdk.http_retry import FixedValueRetryIntervalCalculator
from werkzeug import Request, Response

from tests.integration.slack_world import (
    CHANNEL,
    NO_WAIT,
    PAYLOAD,
    TOKEN,
    WEBHOOK_PATH,
    bot,
    closed_port,
    expect_post,
    expect_webhook,
    sent,
    slack_json,
    webhook,
)
from tracker.cancel import Cancelled
from tracker.slack import transport
from tracker.slack.check import verify_target
from tracker.slack.errors import SlackError, SlackOutcomeUnknown, SlackSetupError
from tracker.slack.post import post_message
from tracker.slack.targets import BotTarget, WebhookTarget, target_from_environment
from tracker.slack.waits import Waits, retry_after_seconds


class CountingInterval(FixedValueRetryIntervalCalculator):
    """No wait between retries, and a count of them."""

    def __init__(self) -> None:
        super().__init__(0)
        self.calls = 0

    def calculate_sleep_duration(self, current_attempt: int) -> float:
        self.calls += 1
        return super().calculate_sleep_duration(current_attempt)


@pytest.fixture
def foreign(httpserver_ipv4: HTTPServer) -> HTTPServer:
    """Another host (127.0.0.1 and another port, where Slack's stand-in is localhost)."""
    httpserver_ipv4.expect_request("/steal").respond_with_json({"ok": True, "ts": "1.1"})
    return httpserver_ipv4


def redirect(httpserver: HTTPServer, path: str, to: str, status: int) -> None:
    httpserver.expect_request(path).respond_with_data("", status=status, headers={"Location": to})


# --- tokens stay home: no redirect is followed ----------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_from_chat_post_message_is_refused_and_the_token_does_not_travel(
    httpserver: HTTPServer, foreign: HTTPServer, status: int
) -> None:
    redirect(httpserver, "/api/chat.postMessage", foreign.url_for("/steal"), status)

    with pytest.raises(SlackError) as raised:
        post_message(bot(httpserver), PAYLOAD)

    message = str(raised.value)
    assert f"refused a redirect (HTTP {status}) from localhost to 127.0.0.1" in message
    assert "\n" not in message
    assert TOKEN not in message
    assert foreign.log == []
    assert len(httpserver.log) == 1


def test_a_redirect_from_a_webhook_is_refused_and_its_url_does_not_travel(
    httpserver: HTTPServer, foreign: HTTPServer
) -> None:
    redirect(httpserver, WEBHOOK_PATH, foreign.url_for("/steal"), 302)

    with pytest.raises(SlackError, match=r"refused a redirect \(HTTP 302\)") as raised:
        post_message(webhook(httpserver), PAYLOAD)

    assert "SECRETPATH" not in str(raised.value)
    assert foreign.log == []


def test_a_redirect_to_the_same_host_is_refused_too(httpserver: HTTPServer) -> None:
    redirect(httpserver, "/api/chat.postMessage", httpserver.url_for("/api/elsewhere"), 302)

    with pytest.raises(SlackError, match="refused a redirect"):
        post_message(bot(httpserver), PAYLOAD)

    assert [request.path for request, _ in httpserver.log] == ["/api/chat.postMessage"]


def test_doctor_s_auth_test_refuses_a_redirect(httpserver: HTTPServer, foreign: HTTPServer) -> None:
    redirect(httpserver, "/api/auth.test", foreign.url_for("/steal"), 302)

    with pytest.raises(SlackError, match="refused a redirect"):
        verify_target(bot(httpserver))

    assert foreign.log == []


# --- tokens stay home: https, except to a loopback address ----------------------------------------


@pytest.mark.parametrize(
    ("environ", "configured", "named"),
    [
        ({"SLACK_API_URL": "http://slack.example/api/"}, None, "SLACK_API_URL"),
        ({}, "http://slack.example/api/", r"\[slack\] api_url"),
        ({"SLACK_API_URL": "ftp://slack.example/api/"}, None, "SLACK_API_URL"),
        ({"SLACK_API_URL": "https:///api/"}, None, "SLACK_API_URL"),
    ],
)
def test_a_plain_http_api_url_is_a_setup_error_naming_where_it_came_from(
    environ: dict[str, str], configured: str | None, named: str
) -> None:
    with pytest.raises(SlackSetupError, match=rf"^{named} must be an https:// URL") as raised:
        target_from_environment({"SLACK_BOT_TOKEN": TOKEN, **environ}, channel=CHANNEL, api_url=configured)

    assert TOKEN not in str(raised.value)


def test_a_plain_http_webhook_is_a_setup_error_that_does_not_show_the_url() -> None:
    environ = {"SLACK_WEBHOOK_URL": "http://hooks.slack.com/services/T/B/SECRETPATH"}

    with pytest.raises(SlackSetupError, match=r"^SLACK_WEBHOOK_URL must be an https:// URL") as raised:
        target_from_environment(environ, channel=None, api_url=None)

    assert "SECRETPATH" not in str(raised.value)
    assert "hooks.slack.com" not in str(raised.value)


@pytest.mark.parametrize(
    "base",
    ["http://127.0.0.1:9/api/", "http://127.8.9.10/api", "http://[::1]:9/api/", "http://localhost/api/"],
)
def test_plain_http_to_a_loopback_address_is_allowed(base: str) -> None:
    target = target_from_environment(
        {"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": base}, channel=CHANNEL, api_url=None
    )

    assert isinstance(target, BotTarget)
    assert target.api_url == base.rstrip("/") + "/"


def test_https_anywhere_and_http_loopback_webhooks_are_allowed() -> None:
    for url in ("https://hooks.slack.com/services/T/B/X", "http://127.0.0.1:8080/services/T/B/X"):
        assert target_from_environment({"SLACK_WEBHOOK_URL": url}, channel=None, api_url=None) == (
            WebhookTarget(url=url)
        )


# --- every wait ends ------------------------------------------------------------------------------


def limited(httpserver: HTTPServer, path: str, retry_after: str) -> None:
    httpserver.expect_ordered_request(path).respond_with_json(
        slack_json("chat_postMessage_ratelimited"), status=429, headers={"Retry-After": retry_after}
    )


@pytest.mark.parametrize(
    ("retry_after", "shown"), [("315360000", "315360000"), ("inf", "inf"), ("1e400", "inf")]
)
def test_a_retry_after_beyond_the_cap_fails_at_once_in_one_line(
    httpserver: HTTPServer, retry_after: str, shown: str
) -> None:
    limited(httpserver, "/api/chat.postMessage", retry_after)
    started = time.monotonic()

    with pytest.raises(SlackError) as raised:
        post_message(bot(httpserver), PAYLOAD)

    assert str(raised.value) == (
        f"Slack asked to wait {shown} s, more than the cap of 300 s ([slack] max_wait_seconds)"
    )
    assert time.monotonic() - started < 5
    assert len(httpserver.log) == 1


def test_the_cap_is_the_configured_one(httpserver: HTTPServer) -> None:
    limited(httpserver, WEBHOOK_PATH, "5")

    with pytest.raises(SlackError, match=r"wait 5 s, more than the cap of 2 s"):
        post_message(webhook(httpserver), PAYLOAD, waits=Waits(max_wait_seconds=2))


@pytest.mark.parametrize("retry_after", ["soon", "-30", "nan", ""])
def test_an_unreadable_retry_after_waits_a_second_then_tries_again(
    httpserver: HTTPServer, retry_after: str
) -> None:
    limited(httpserver, "/api/chat.postMessage", retry_after)
    expect_post(httpserver, slack_json("chat_postMessage_ok"))
    started = time.monotonic()

    receipt = post_message(bot(httpserver), PAYLOAD)

    assert receipt.ts == "1503435956.000247"
    assert 0.9 < time.monotonic() - started < 5
    httpserver.check_assertions()


def test_a_retry_after_as_an_http_date_is_understood() -> None:
    now = datetime(2025, 3, 10, 9, tzinfo=UTC)

    assert retry_after_seconds("Mon, 10 Mar 2025 09:00:42 GMT", now=now) == 42
    assert retry_after_seconds("Mon, 10 Mar 2025 08:00:00 GMT", now=now) == 0
    assert retry_after_seconds("Sat, 10 Mar 2125 09:00:00 GMT", now=now) > 300


def test_a_stop_request_ends_a_wait_for_slack_at_once(httpserver: HTTPServer) -> None:
    limited(httpserver, "/api/chat.postMessage", "120")
    waits = Waits()
    threading.Timer(0.5, waits.cancel.request).start()
    started = time.monotonic()

    with pytest.raises(Cancelled):
        post_message(bot(httpserver), PAYLOAD, waits=waits)

    assert time.monotonic() - started < 3
    assert len(httpserver.log) == 1


@pytest.fixture
def dripping(httpserver: HTTPServer) -> Iterator[HTTPServer]:
    """Slack's stand-in sends its answer a byte every 0.2 s (for 20 s at most)."""
    stop = threading.Event()

    def drip(_request: Request) -> Response:
        def body() -> Iterator[bytes]:
            for byte in b'{"ok": true, "ts": "1.1"}' + b" " * 100:
                if stop.wait(0.2):
                    return
                yield bytes([byte])

        return Response(body(), content_type="application/json")

    httpserver.expect_request("/api/chat.postMessage").respond_with_handler(drip)
    httpserver.expect_request(WEBHOOK_PATH).respond_with_handler(drip)
    yield httpserver
    stop.set()


def test_an_answer_dripping_past_the_deadline_is_given_up(dripping: HTTPServer) -> None:
    started = time.monotonic()

    with pytest.raises(SlackError, match=r"no complete answer from localhost within 1 s"):
        post_message(bot(dripping), PAYLOAD, waits=Waits(request_deadline_seconds=1))

    assert time.monotonic() - started < 3


def test_a_stop_request_ends_the_wait_for_an_answer(dripping: HTTPServer) -> None:
    waits = Waits()
    threading.Timer(0.5, waits.cancel.request).start()
    started = time.monotonic()

    with pytest.raises(SlackError, match=r"stopped \(a stop was requested\) before localhost answered"):
        post_message(webhook(dripping), PAYLOAD, waits=waits)

    assert time.monotonic() - started < 3


def test_an_answer_beyond_the_size_cap_is_refused(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "MAX_BODY_BYTES", 1024)
    httpserver.expect_request("/api/chat.postMessage").respond_with_data("x" * 4096)

    with pytest.raises(SlackError, match=r"the answer from localhost is larger than"):
        post_message(bot(httpserver), PAYLOAD)


# --- a post never repeats blindly -----------------------------------------------------------------


def accepts_then_fails(httpserver: HTTPServer, path: str, status: int = 500) -> None:
    """Slack takes the message, then its answer is lost in a 5xx."""
    httpserver.expect_request(path, method="POST").respond_with_data("upstream error", status=status)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_after_chat_post_message_is_not_retried_and_may_have_been_posted(
    httpserver: HTTPServer, status: int
) -> None:
    accepts_then_fails(httpserver, "/api/chat.postMessage", status)

    with pytest.raises(SlackOutcomeUnknown) as raised:
        post_message(bot(httpserver), PAYLOAD, retry_interval=NO_WAIT)

    assert str(raised.value) == (
        "Slack gave no clear answer to the message (chat.postMessage: an answer that is not Slack's, "
        f"HTTP {status}): it may or may not have been posted"
    )
    assert len(httpserver.log) == 1


def test_a_5xx_after_a_webhook_post_is_not_retried_and_may_have_been_posted(httpserver: HTTPServer) -> None:
    accepts_then_fails(httpserver, WEBHOOK_PATH)

    with pytest.raises(SlackOutcomeUnknown, match=r"the webhook: upstream error, HTTP 500") as raised:
        post_message(webhook(httpserver), PAYLOAD, retry_interval=NO_WAIT)

    assert "SECRETPATH" not in str(raised.value)
    assert len(httpserver.log) == 1


@pytest.mark.parametrize("error", ["internal_error", "fatal_error"])
def test_slack_s_own_maybe_done_errors_are_an_unknown_outcome(httpserver: HTTPServer, error: str) -> None:
    expect_post(httpserver, {"ok": False, "error": error})

    with pytest.raises(SlackOutcomeUnknown, match=rf"chat.postMessage: {error}, HTTP 200"):
        post_message(bot(httpserver), PAYLOAD)


@pytest.mark.parametrize("body", ["<html>Welcome to the hotel wifi</html>", '{"ok": true, "ts": "15034'])
def test_a_200_that_is_not_slack_s_json_is_an_unknown_outcome(httpserver: HTTPServer, body: str) -> None:
    httpserver.expect_request("/api/chat.postMessage").respond_with_data(body, content_type="text/html")

    with pytest.raises(SlackOutcomeUnknown):
        post_message(bot(httpserver), PAYLOAD)

    assert len(httpserver.log) == 1


def test_a_webhook_200_that_is_not_ok_is_an_unknown_outcome(httpserver: HTTPServer) -> None:
    httpserver.expect_request(WEBHOOK_PATH).respond_with_data("<html>portal</html>", content_type="text/html")

    with pytest.raises(SlackOutcomeUnknown, match=r"an answer that is not Slack's, HTTP 200"):
        post_message(webhook(httpserver), PAYLOAD)


@pytest.fixture
def hangs_up() -> Iterator[tuple[str, list[bytes]]]:
    """A server that reads each whole request, then closes the connection without answering."""
    server = socket.create_server(("127.0.0.1", 0))
    received: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                received.append(read_request(connection))

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", received
    server.close()


def read_request(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"content-length: *(\d+)", head, re.IGNORECASE).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        body += connection.recv(65536)
    return head + b"\r\n\r\n" + body


def test_a_connection_dropped_after_sending_is_not_retried(hangs_up: tuple[str, list[bytes]]) -> None:
    base, received = hangs_up

    with pytest.raises(SlackOutcomeUnknown, match=r"no usable answer from Slack at 127\.0\.0\.1"):
        post_message(WebhookTarget(url=f"{base}{WEBHOOK_PATH}"), PAYLOAD, retry_interval=NO_WAIT)

    assert len(received) == 1


def test_a_refused_connection_is_retried_and_then_fails_as_not_posted() -> None:
    spacing = CountingInterval()

    with pytest.raises(SlackError) as raised:
        post_message(
            BotTarget(TOKEN, CHANNEL, f"http://127.0.0.1:{closed_port()}/api/"),
            PAYLOAD,
            retry_interval=spacing,
        )

    assert not isinstance(raised.value, SlackOutcomeUnknown)
    assert "cannot reach Slack at 127.0.0.1" in str(raised.value)
    assert spacing.calls == 3


def test_ratelimited_in_a_200_body_is_retried(httpserver: HTTPServer) -> None:
    expect_post(httpserver, slack_json("chat_postMessage_ratelimited"), **{"Retry-After": "0"})
    expect_post(httpserver, slack_json("chat_postMessage_ok"))

    assert post_message(bot(httpserver), PAYLOAD).ts == "1503435956.000247"
    httpserver.check_assertions()


def test_a_bot_post_carries_slack_message_metadata_and_a_webhook_post_does_not(
    httpserver: HTTPServer,
) -> None:
    metadata = {
        "event_type": "tracker_digest",
        "event_payload": {"period": "week 2025-03-03", "organization": "acme"},
    }
    expect_post(httpserver, slack_json("chat_postMessage_ok"))
    expect_webhook(httpserver, "ok")

    post_message(bot(httpserver), PAYLOAD, metadata=metadata)
    post_message(webhook(httpserver), PAYLOAD, metadata=metadata)

    assert sent(httpserver) == [{"channel": CHANNEL, **PAYLOAD, "metadata": metadata}, PAYLOAD]


def test_doctor_s_auth_test_shows_no_page_that_is_not_slack_s(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/auth.test").respond_with_data(
        "<html>\x1b[2J please log in to the hotel wifi</html>", content_type="text/html"
    )

    with pytest.raises(SlackError) as raised:
        verify_target(bot(httpserver))

    assert str(raised.value) == "Slack rejected SLACK_BOT_TOKEN (an answer that is not Slack's)"
