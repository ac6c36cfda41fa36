"""Finding an earlier post by its message metadata, against a local server answering
conversations.history as Slack documents."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer

from tests.integration.slack_world import CHANNEL, NO_WAIT, TOKEN, bot, slack_json
from tracker.slack.errors import SlackError
from tracker.slack.history import HISTORY_PAGE_SIZE, HISTORY_PAGES, find_message

DIGEST = {"period": "week 2025-03-03T00:00:00Z", "organization": "acme"}
SINCE = datetime(2025, 3, 10, 9, tzinfo=UTC)
HISTORY = "/api/conversations.history"


def find(httpserver: HTTPServer, payload: dict[str, str] = DIGEST) -> str | None:
    return find_message(
        bot(httpserver),
        event_type="tracker_digest",
        event_payload=payload,
        since=SINCE,
        retry_interval=NO_WAIT,
    )


def test_the_earlier_post_is_found_by_its_metadata_on_a_later_page(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request(HISTORY).respond_with_json(slack_json("conversations_history_busy"))
    httpserver.expect_ordered_request(HISTORY).respond_with_json(slack_json("conversations_history_digest"))

    assert find(httpserver) == "1741597200.000200"

    first, second = (request for request, _ in httpserver.log)
    assert first.headers["Authorization"] == f"Bearer {TOKEN}"
    assert first.form.to_dict() == {
        "channel": CHANNEL,
        "include_all_metadata": "1",
        "oldest": f"{SINCE.timestamp():.6f}",
        "limit": str(HISTORY_PAGE_SIZE),
    }
    assert second.form["cursor"] == "bmV4dF90czoxNTEyMDg1ODYxMDAwNTQz"
    httpserver.check_assertions()


def test_another_period_or_another_app_s_metadata_is_not_the_post(httpserver: HTTPServer) -> None:
    httpserver.expect_request(HISTORY).respond_with_json(slack_json("conversations_history_digest"))

    assert find(httpserver, {**DIGEST, "period": "week 2025-03-10T00:00:00Z"}) is None
    assert find(httpserver, {**DIGEST, "organization": "globex"}) is None


def test_a_channel_too_busy_to_search_is_an_error_not_a_miss(httpserver: HTTPServer) -> None:
    httpserver.expect_request(HISTORY).respond_with_json(slack_json("conversations_history_busy"))

    with pytest.raises(SlackError, match=r"could not look through them all"):
        find(httpserver)

    assert len(httpserver.log) == HISTORY_PAGES


def test_a_missing_scope_says_which_scope(httpserver: HTTPServer) -> None:
    httpserver.expect_request(HISTORY).respond_with_json(slack_json("conversations_history_missing_scope"))

    with pytest.raises(
        SlackError, match=r"missing_scope, HTTP 200\): the app needs the channels:history scope"
    ):
        find(httpserver)


@pytest.mark.parametrize(
    "answer", [{"ok": True}, {"ok": True, "messages": "none"}, {"ok": True, "messages": [], "has_more": True}]
)
def test_an_answer_of_the_wrong_shape_is_an_error(httpserver: HTTPServer, answer: dict[str, object]) -> None:
    httpserver.expect_request(HISTORY).respond_with_json(answer)

    with pytest.raises(SlackError, match=r"cannot tell whether the message is there"):
        find(httpserver)


def test_a_page_that_is_not_slack_s_is_an_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request(HISTORY).respond_with_data("<html>portal</html>", content_type="text/html")

    with pytest.raises(SlackError, match=r"an answer that is not Slack's"):
        find(httpserver)


def test_reading_history_is_retried_after_a_5xx(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request(HISTORY).respond_with_data("oops", status=503)
    httpserver.expect_ordered_request(HISTORY).respond_with_json(slack_json("conversations_history_digest"))

    assert find(httpserver) == "1741597200.000200"
