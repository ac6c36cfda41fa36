"""Slack, or something in front of it, answering as an attacker would: tokens must stay home."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from tests.integration.slack_world import (
    CHANNEL,
    PAYLOAD,
    TOKEN,
    WEBHOOK_PATH,
    bot,
    webhook,
)
from tracker.slack.check import verify_target
from tracker.slack.errors import SlackError, SlackSetupError
from tracker.slack.post import post_message
from tracker.slack.targets import BotTarget, WebhookTarget, target_from_environment


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
