"""GitHubClient.graphql and the reviewed-pull-request search against `responses` (strict), in GitHub's
documented GraphQL shapes, with a fake clock: rate limits, secondary limits, 502s and partial errors
mid-pagination are waited out or retried, and nothing is taken from an answer with errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import responses

from tests.integration.test_github_client import (
    GHES,
    NOW,
    REQUEST_ID,
    SECONDARY_MESSAGE,
    TOKEN,
    FakeTime,
    Harness,
    make_client,
    rate_headers,
    url,
)
from tracker.github.errors import AuthenticationError, GraphQLQueryError, UnexpectedAnswer
from tracker.github.reviewed import REVIEWED_PULL_REQUESTS, fetch_reviewed_pull_requests

START = datetime(2026, 9, 1, tzinfo=UTC)
RESET = int(NOW.timestamp()) + 600


@pytest.fixture
def gh() -> Iterator[Harness]:
    with responses.RequestsMock() as mock:
        time, messages = FakeTime(), []
        client = make_client(time, messages)
        yield Harness(mock, time, messages, client)
        client.close()


def review(number: int, login: str | None, *, kind: str = "User", state: str = "APPROVED") -> dict[str, Any]:
    return {
        "fullDatabaseId": str(2_900_000_000 + number),
        "author": None if login is None else {"__typename": kind, "login": login},
        "state": state,
        "submittedAt": "2026-10-02T10:00:00Z" if state != "PENDING" else None,
        "url": f"https://github.com/acme/llm/pull/{number}#pullrequestreview-{2_900_000_000 + number}",
    }


def pull(number: int, reviews: list[dict[str, Any]], *, more_reviews: bool = False) -> dict[str, Any]:
    return {
        "__typename": "PullRequest",
        "number": number,
        "title": f"Pull request {number}",
        "author": {"__typename": "User", "login": "eve"},
        "repository": {"nameWithOwner": "acme/llm"},
        "reviews": {"pageInfo": {"hasNextPage": more_reviews}, "nodes": reviews},
    }


def page(
    nodes: list[dict[str, Any]], *, total: int, cursor: str | None = None, cost: int = 1
) -> dict[str, Any]:
    return {
        "data": {
            "rateLimit": {"cost": cost, "remaining": 4990, "resetAt": "2026-11-28T12:10:00Z"},
            "search": {
                "issueCount": total,
                "pageInfo": {"hasNextPage": cursor is not None, "endCursor": cursor},
                "nodes": nodes,
            },
        }
    }


def answer(gh: Harness, body: dict[str, Any], *, status: int = 200, **headers: str) -> None:
    gh.mock.post(
        url("/graphql"),
        json=body,
        status=status,
        headers=rate_headers(resource="graphql", reset=RESET, **headers),
    )


def fetch(gh: Harness) -> list[Any]:
    return list(fetch_reviewed_pull_requests(gh.client, "fay", start=START, end=NOW))


def sent_bodies(gh: Harness) -> list[dict[str, Any]]:
    return [json.loads(call.request.body or b"{}") for call in gh.mock.calls]


def test_pages_are_followed_by_cursor_and_read_into_rest_s_records(gh: Harness) -> None:
    answer(
        gh,
        page(
            [pull(1, [review(1, "fay"), review(2, "dependabot", kind="Bot")])], total=2, cursor="Y3Vyc29yOjE="
        ),
    )
    answer(gh, page([pull(2, [review(3, None)])], total=2, cost=1))

    found = fetch(gh)

    assert [(item.number, item.title, item.author) for item in found] == [
        (1, "Pull request 1", "eve"),
        (2, "Pull request 2", "eve"),
    ]
    first = found[0].reviews
    assert [(item.github_id, item.author, item.state) for item in first] == [
        (2_900_000_001, "fay", "APPROVED"),
        (2_900_000_002, "dependabot[bot]", "APPROVED"),  # as REST spells a Bot's login
    ]
    assert first[0].url == "https://github.com/acme/llm/pull/1#pullrequestreview-2900000001"
    assert first[0].submitted_at == datetime(2026, 10, 2, 10, tzinfo=UTC)
    assert found[1].reviews[0].author is None
    bodies = sent_bodies(gh)
    assert bodies[0] == {
        "query": REVIEWED_PULL_REQUESTS,
        "variables": {
            "query": "reviewed-by:fay is:pr updated:2026-09-01T00:00:00Z..2026-11-28T11:59:59Z "
            "sort:updated-asc",
            "after": None,
        },
    }
    assert bodies[1]["variables"]["after"] == "Y3Vyc29yOjE="
    assert gh.client.stats.graphql_points == 2
    assert (gh.client.stats.graphql_queries, gh.client.stats.requests) == (2, 0)
    assert gh.mock.calls[0].request.headers["Authorization"] == f"token {TOKEN}"


def test_more_than_1000_results_split_the_range(gh: Harness) -> None:
    answer(gh, page([pull(1, [])], total=1_500, cursor="abc"))
    answer(gh, page([pull(1, [])], total=700))
    answer(gh, page([pull(2, [])], total=800))

    found = fetch(gh)

    assert [item.number for item in found] == [1, 2]
    queries = [body["variables"]["query"] for body in sent_bodies(gh)]
    assert queries[1].endswith("updated:2026-09-01T00:00:00Z..2026-10-15T05:59:59Z sort:updated-asc")
    assert queries[2].endswith("updated:2026-10-15T06:00:00Z..2026-11-28T11:59:59Z sort:updated-asc")


def test_a_pull_request_with_more_than_100_reviews_says_they_are_incomplete(gh: Harness) -> None:
    answer(gh, page([pull(1, [review(1, "fay")], more_reviews=True)], total=1))

    assert fetch(gh)[0].reviews_complete is False


def test_rate_limited_mid_pagination_waits_for_the_reset_and_asks_for_the_same_page(gh: Harness) -> None:
    limited = {
        "errors": [
            {
                "type": "RATE_LIMITED",
                "code": "graphql_rate_limit",
                "message": "API rate limit already exceeded for user ID 1.",
            }
        ]
    }
    answer(gh, page([pull(1, [review(1, "fay")])], total=2, cursor="c1"))
    answer(gh, limited, **{"x-ratelimit-remaining": "0"})
    answer(gh, page([pull(2, [review(2, "fay")])], total=2))

    found = fetch(gh)

    assert [item.number for item in found] == [1, 2]
    assert gh.time.slept == [RESET - NOW.timestamp() + 1]
    assert [body["variables"]["after"] for body in sent_bodies(gh)] == [None, "c1", "c1"]
    assert any("graphql rate limit is used up" in message for message in gh.messages)


def test_a_secondary_limit_is_waited_out_as_for_rest(gh: Harness) -> None:
    answer(gh, SECONDARY_MESSAGE, status=403, **{"retry-after": "30"})
    answer(gh, page([pull(1, [])], total=1))

    assert [item.number for item in fetch(gh)] == [1]
    assert gh.time.slept == [30.0]


def test_a_502_is_retried_by_the_transport(gh: Harness) -> None:
    answer(gh, {"message": "Server Error"}, status=502)
    answer(gh, page([pull(1, [])], total=1))

    assert [item.number for item in fetch(gh)] == [1]
    assert len(gh.mock.calls) == 2


def test_partial_errors_are_asked_again_and_then_refused_with_nothing_taken(gh: Harness) -> None:
    partial = page([pull(1, [review(1, "fay")])], total=2)
    partial["errors"] = [
        {"type": "SERVICE_UNAVAILABLE", "message": "Something went wrong while executing your query."}
    ]
    for _ in range(3):
        answer(gh, partial)

    with pytest.raises(GraphQLQueryError) as caught:
        fetch(gh)

    assert "SERVICE_UNAVAILABLE: Something went wrong while executing your query." in str(caught.value)
    assert f"request id {REQUEST_ID}" in str(caught.value)
    assert len(gh.mock.calls) == 3
    assert gh.time.slept == [1.0, 2.0]


def test_partial_errors_that_pass_are_forgotten(gh: Harness) -> None:
    partial = page([pull(1, [review(1, "fay")])], total=2)
    partial["errors"] = [{"message": "Something went wrong while executing your query."}]
    answer(gh, partial)
    answer(gh, page([pull(1, [review(1, "fay")])], total=1))

    assert [item.number for item in fetch(gh)] == [1]


def test_an_answer_without_its_cost_or_in_the_wrong_shape_is_not_believed(gh: Harness) -> None:
    no_cost = page([pull(1, [])], total=1)
    del no_cost["data"]["rateLimit"]
    answer(gh, no_cost)
    with pytest.raises(UnexpectedAnswer, match="rateLimit is null"):
        fetch(gh)

    wrong = page([{**pull(1, []), "number": "1"}], total=1)
    answer(gh, wrong)
    with pytest.raises(UnexpectedAnswer, match="not what was asked for"):
        fetch(gh)


def test_a_rejected_token_is_an_authentication_error_without_the_token(gh: Harness) -> None:
    answer(
        gh, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/graphql"}, status=401
    )

    with pytest.raises(AuthenticationError) as caught:
        fetch(gh)

    assert TOKEN not in str(caught.value)


def test_github_enterprise_server_s_graphql_is_at_api_graphql() -> None:
    with responses.RequestsMock() as mock:
        client = make_client(FakeTime(), [], api=GHES)
        mock.post(
            url("/graphql", "https://ghe.example.com/api"), json=page([], total=0), headers=rate_headers()
        )
        assert list(fetch_reviewed_pull_requests(client, "fay", start=START, end=NOW)) == []
        assert mock.calls[0].request.url.startswith("https://ghe.example.com")
        assert "/api/graphql" in mock.calls[0].request.url
        client.close()
