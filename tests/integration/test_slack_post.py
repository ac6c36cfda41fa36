"""The Slack transport against a local HTTP server answering as Slack documents: destinations,
chat.postMessage and incoming webhooks."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from tests.conftest import load_fixture
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
from tracker.slack.errors import SlackError, SlackOutcomeUnknown, SlackSetupError
from tracker.slack.post import PostReceipt, post_message
from tracker.slack.targets import BotTarget, WebhookTarget, require_target, target_from_environment

# --- destinations from the environment ----------------------------------------------------------


def test_a_bot_token_and_channel_make_a_bot_target() -> None:
    target = target_from_environment({"SLACK_BOT_TOKEN": TOKEN}, channel=CHANNEL, api_url=None)

    assert target == BotTarget(token=TOKEN, channel=CHANNEL, api_url="https://slack.com/api/")
    assert target.destination == f"channel:{CHANNEL}"
    assert TOKEN not in repr(target)


def test_the_api_url_comes_from_the_environment_first_then_the_config() -> None:
    environ = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": "https://slack-gov.com/api"}

    from_env = target_from_environment(environ, channel=CHANNEL, api_url="https://config.example/api/")
    from_config = target_from_environment(
        {"SLACK_BOT_TOKEN": TOKEN}, channel=CHANNEL, api_url="https://config.example/api"
    )

    assert isinstance(from_env, BotTarget)
    assert from_env.api_url == "https://slack-gov.com/api/"
    assert isinstance(from_config, BotTarget)
    assert from_config.api_url == "https://config.example/api/"


def test_a_token_without_a_channel_says_what_to_add() -> None:
    with pytest.raises(SlackSetupError, match=r"channel = .* under \[slack\]"):
        target_from_environment({"SLACK_BOT_TOKEN": TOKEN}, channel=None, api_url=None)


def test_a_webhook_alone_makes_a_webhook_target_and_a_token_wins_over_it() -> None:
    hook = "https://hooks.slack.com/services/T/B/X"

    alone = target_from_environment({"SLACK_WEBHOOK_URL": hook}, channel=None, api_url=None)
    both = target_from_environment(
        {"SLACK_WEBHOOK_URL": hook, "SLACK_BOT_TOKEN": TOKEN}, channel="C1", api_url=None
    )

    assert alone == WebhookTarget(url=hook)
    assert alone.destination == "webhook"
    assert "hooks.slack.com" not in repr(alone)
    assert isinstance(both, BotTarget)


def test_nothing_configured_is_no_target() -> None:
    assert target_from_environment({"SLACK_BOT_TOKEN": "  "}, channel=CHANNEL, api_url=None) is None


def test_requiring_a_target_names_the_variables_to_set() -> None:
    with pytest.raises(
        SlackSetupError, match=r"set SLACK_BOT_TOKEN \(with \[slack\] channel\) or SLACK_WEBHOOK_URL"
    ):
        require_target({}, channel=CHANNEL, api_url=None)


# --- chat.postMessage ---------------------------------------------------------------------------


def test_chat_post_message_sends_the_payload_with_the_token(httpserver: HTTPServer) -> None:
    expect_post(httpserver, slack_json("chat_postMessage_ok"))

    receipt = post_message(bot(httpserver), PAYLOAD)

    assert receipt == PostReceipt(f"channel:{CHANNEL}", "1503435956.000247")
    request, _ = httpserver.log[0]
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.get_json() == {"channel": CHANNEL, **PAYLOAD}
    httpserver.check_assertions()


def test_an_error_body_becomes_a_safe_slack_error_with_a_hint(httpserver: HTTPServer) -> None:
    expect_post(httpserver, slack_json("chat_postMessage_not_in_channel"))

    with pytest.raises(SlackError) as raised:
        post_message(bot(httpserver), PAYLOAD)

    assert raised.value.error == "not_in_channel"
    assert raised.value.status == 200
    assert "invite the bot" in str(raised.value)
    assert TOKEN not in str(raised.value)


def test_an_invalid_token_is_reported_without_the_token(httpserver: HTTPServer) -> None:
    expect_post(httpserver, slack_json("chat_postMessage_invalid_auth"))

    with pytest.raises(SlackError, match=r"invalid_auth.*check SLACK_BOT_TOKEN") as raised:
        post_message(bot(httpserver), PAYLOAD)

    assert TOKEN not in str(raised.value)


def test_a_429_waits_retry_after_and_tries_again(httpserver: HTTPServer) -> None:
    expect_post(httpserver, slack_json("chat_postMessage_ratelimited"), status=429, **{"Retry-After": "0"})
    expect_post(httpserver, slack_json("chat_postMessage_ok"))

    receipt = post_message(bot(httpserver), PAYLOAD)

    assert receipt.ts == "1503435956.000247"
    assert len(httpserver.log) == 2
    httpserver.check_assertions()


def test_rate_limited_beyond_the_retries_is_an_error(httpserver: HTTPServer) -> None:
    limited = slack_json("chat_postMessage_ratelimited")
    httpserver.expect_request("/api/chat.postMessage").respond_with_json(
        limited, status=429, headers={"Retry-After": "0"}
    )

    with pytest.raises(SlackError, match=r"ratelimited.*HTTP 429"):
        post_message(bot(httpserver), PAYLOAD, retries=1)

    assert len(httpserver.log) == 2


def test_a_server_error_after_a_post_is_not_retried_it_may_have_been_posted(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/api/chat.postMessage").respond_with_data("oops", status=503)

    with pytest.raises(SlackOutcomeUnknown, match=r"may or may not have been posted"):
        post_message(bot(httpserver), PAYLOAD, retry_interval=NO_WAIT)

    assert len(httpserver.log) == 1


def test_slack_out_of_reach_is_a_slack_error_naming_the_host_only() -> None:
    url = f"http://127.0.0.1:{closed_port()}{WEBHOOK_PATH}"

    with pytest.raises(SlackError, match=r"cannot reach Slack at 127\.0\.0\.1") as raised:
        post_message(WebhookTarget(url=url), PAYLOAD, retry_interval=NO_WAIT)

    assert "SECRETPATH" not in str(raised.value)


# --- incoming webhooks --------------------------------------------------------------------------


def test_a_webhook_answering_ok_is_posted(httpserver: HTTPServer) -> None:
    expect_webhook(httpserver, load_fixture("slack/webhook_ok.txt"))

    receipt = post_message(webhook(httpserver), PAYLOAD)

    assert receipt == PostReceipt("webhook", None)
    assert sent(httpserver) == [PAYLOAD]


@pytest.mark.parametrize(("fixture", "status"), [("invalid_blocks", 400), ("no_service", 404)])
def test_a_webhook_refusal_names_slack_s_error_and_not_the_url(
    httpserver: HTTPServer, fixture: str, status: int
) -> None:
    expect_webhook(httpserver, load_fixture(f"slack/webhook_{fixture}.txt"), status=status)

    with pytest.raises(SlackError) as raised:
        post_message(webhook(httpserver), PAYLOAD)

    assert raised.value.error == fixture
    assert raised.value.status == status
    assert "SECRETPATH" not in str(raised.value)


def test_a_rate_limited_webhook_is_retried(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request(WEBHOOK_PATH).respond_with_data(
        "rate_limited", status=429, headers={"Retry-After": "0"}
    )
    expect_webhook(httpserver, "ok")

    assert post_message(webhook(httpserver), PAYLOAD).destination == "webhook"
    httpserver.check_assertions()
