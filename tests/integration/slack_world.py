"""A local Slack for the tests: targets pointing at a pytest-httpserver and answers in Slack's shapes."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Mapping
from typing import Any

from pytest_httpserver import HTTPServer
from slack_sdk.http_retry import FixedValueRetryIntervalCalculator
from werkzeug import Request, Response

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


class FakeSlack:
    """A local Slack that keeps what is posted and shows it in conversations.history, as Slack does.

    `lose_answers`: it accepts each post, then answers 500 (the answer is lost, the post is not).
    `delay`: seconds it takes to answer a post.
    """

    def __init__(self, httpserver: HTTPServer, *, webhook_path: str = WEBHOOK_PATH) -> None:
        self.posts: list[dict[str, Any]] = []
        self.lose_answers = False
        self.delay = 0.0
        httpserver.expect_request("/api/chat.postMessage", method="POST").respond_with_handler(self._post)
        httpserver.expect_request("/api/conversations.history").respond_with_handler(self._history)
        httpserver.expect_request(webhook_path, method="POST").respond_with_handler(self._webhook)

    def _post(self, request: Request) -> Response:
        message = {**request.get_json(), "ts": f"{time.time():.6f}"}
        self.posts.append(message)
        time.sleep(self.delay)
        if self.lose_answers:
            return Response("upstream connect error", status=500)
        answer = {"ok": True, "channel": message["channel"], "ts": message["ts"], "message": {}}
        return Response(json.dumps(answer), content_type="application/json")

    def _webhook(self, request: Request) -> Response:
        self.posts.append(request.get_json())
        time.sleep(self.delay)
        return Response("upstream connect error", status=500) if self.lose_answers else Response("ok")

    def _history(self, request: Request) -> Response:
        oldest = float(request.form.get("oldest", "0"))
        messages = [
            {
                "type": "message",
                "user": "U0BOT0000",
                "bot_id": "B0BOT0000",
                "app_id": "A0APP0000",
                "text": post["text"],
                "ts": post["ts"],
                **({"metadata": post["metadata"]} if "metadata" in post else {}),
            }
            for post in reversed(self.posts)
            if "ts" in post and float(post["ts"]) > oldest
        ]
        page = {"ok": True, "messages": messages, "has_more": False, "pin_count": 0}
        return Response(
            json.dumps({**page, "response_metadata": {"next_cursor": ""}}), content_type="application/json"
        )
