"""A local Slack for the tests: targets pointing at a pytest-httpserver and answers in Slack's shapes."""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping
from typing import Any

from pytest_httpserver import HTTPServer
from slack_sdk.http_retry import FixedValueRetryIntervalCalculator

from tests.conftest import load_fixture
from tracker.slack.targets import BotTarget, WebhookTarget

TOKEN = "xoxb-1234567890-secret-token"
CHANNEL = "C123ABC456"
WEBHOOK_PATH = "/services/T000/B000/SECRETPATH"
NO_WAIT = FixedValueRetryIntervalCalculator(0)
PAYLOAD: dict[str, Any] = {"text": "hello", "blocks": [{"type": "divider"}]}


def slack_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(load_fixture(f"slack/{name}.json"))
    return data


def bot(httpserver: HTTPServer) -> BotTarget:
    return BotTarget(token=TOKEN, channel=CHANNEL, api_url=httpserver.url_for("/api/"))


def webhook(httpserver: HTTPServer) -> WebhookTarget:
    return WebhookTarget(url=httpserver.url_for(WEBHOOK_PATH))


def expect_post(httpserver: HTTPServer, body: Mapping[str, Any], status: int = 200, **headers: str) -> None:
    httpserver.expect_ordered_request("/api/chat.postMessage", method="POST").respond_with_json(
        body, status=status, headers=headers
    )


def expect_webhook(httpserver: HTTPServer, body: str, status: int = 200) -> None:
    httpserver.expect_ordered_request(WEBHOOK_PATH, method="POST").respond_with_data(body, status=status)


def sent(httpserver: HTTPServer) -> list[dict[str, Any]]:
    return [request.get_json() for request, _ in httpserver.log]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
