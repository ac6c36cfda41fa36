"""The emulator's POST /graphql: GitHub's schema validates, GitHub's limits refuse, GitHub's costs charge,
and what it answers agrees with what the REST endpoints answer about the same world."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from bench.emulator.server import EmulatorSettings, RunningEmulator
from bench.tests.test_emulator import build_tiny_world, serve

REVIEWED = """
query($q: String!, $after: String) {
  rateLimit { cost remaining resetAt }
  search(query: $q, type: ISSUE, first: 100, after: $after) {
    issueCount
    pageInfo { hasNextPage endCursor }
    nodes {
      ... on PullRequest {
        number title url author { __typename login } repository { nameWithOwner }
        reviews(first: 100) {
          totalCount
          nodes { fullDatabaseId author { __typename login } state submittedAt url }
        }
      }
    }
  }
}
"""


@pytest.fixture(scope="module")
def tiny() -> Iterator[tuple[RunningEmulator, requests.Session]]:
    yield from serve(build_tiny_world(), EmulatorSettings(search_limit=10_000, graphql_limit=10))


def post(
    running: RunningEmulator, session: requests.Session, query: str, **variables: Any
) -> requests.Response:
    return session.post(f"{running.url}/graphql", json={"query": query, "variables": variables})


def test_a_search_answers_pull_requests_with_the_reviews_rest_lists(
    tiny: tuple[RunningEmulator, requests.Session],
) -> None:
    running, session = tiny
    answer = post(running, session, REVIEWED, q="reviewed-by:alice is:pr sort:updated-asc")

    assert answer.status_code == 200
    assert answer.headers["x-ratelimit-resource"] == "graphql"
    data = answer.json()["data"]
    assert data["rateLimit"]["cost"] == 1  # (1 search + 100 review lists) / 100, rounded
    pulls = data["search"]["nodes"]
    assert [pull["number"] for pull in pulls] == [4, 2, 5]  # by updated_at, oldest first
    for pull in pulls:
        rest = session.get(f"{running.url}/repos/acme/llm-kit/pulls/{pull['number']}/reviews").json()
        assert [
            (int(review["fullDatabaseId"]), review["state"], review["submittedAt"], review["url"])
            for review in pull["reviews"]["nodes"]
        ] == [(item["id"], item["state"], item.get("submitted_at"), item["html_url"]) for item in rest]
    bot_pull = pulls[2]
    assert bot_pull["author"] == {"__typename": "Bot", "login": "acme-ci"}  # GraphQL drops `[bot]`


def test_a_query_github_would_refuse_is_refused_with_its_errors(
    tiny: tuple[RunningEmulator, requests.Session],
) -> None:
    running, session = tiny
    unknown = post(running, session, "{ viewer { nope } }").json()
    too_many = post(running, session, '{ search(query: "x", type: ISSUE, first: 101) { issueCount } }').json()
    unpaged = post(running, session, '{ search(query: "x", type: ISSUE) { issueCount } }').json()

    assert "data" not in unknown
    assert "Cannot query field 'nope' on type 'User'" in unknown["errors"][0]["message"]
    assert too_many["errors"][0]["message"] == (
        "Requesting 101 records on the `search` connection exceeds the `first` limit of 100 records."
    )
    assert "provide a `first` or `last` value" in unpaged["errors"][0]["message"]


def test_a_query_past_the_node_limit_is_refused() -> None:
    query = """{ search(query: "x", type: ISSUE, first: 100) { nodes { ... on PullRequest {
      reviews(first: 100) { nodes { comments(first: 100) { totalCount } } } } } } }"""
    for running, session in serve(build_tiny_world()):
        errors = post(running, session, query).json()["errors"]
        assert errors[0]["type"] == "MAX_NODE_LIMIT_EXCEEDED"
        assert "1,010,100 possible nodes" in errors[0]["message"]


def test_a_spent_budget_answers_rate_limited_and_charges_nothing_more() -> None:
    for running, session in serve(build_tiny_world(), EmulatorSettings(search_limit=10_000, graphql_limit=2)):
        costs = []
        for _ in range(3):
            answer = post(running, session, REVIEWED, q="reviewed-by:alice is:pr")
            costs.append((answer.headers["x-ratelimit-remaining"], answer.json().get("errors")))
        assert [remaining for remaining, _ in costs] == ["1", "0", "0"]
        assert costs[2][1][0]["type"] == "RATE_LIMITED"
        stats = session.get(f"{running.url}/_emulator/stats").json()["endpoints"]["POST /graphql"]
        assert (stats["points"], stats["ok"], stats["rate_limited"]) == (2, 2, 1)


def test_pages_follow_their_cursors(
    tiny: tuple[RunningEmulator, requests.Session],
) -> None:
    running, session = tiny
    query = """query($after: String) {
      search(query: "repo:acme/llm-kit", type: ISSUE, first: 2, after: $after) {
        issueCount pageInfo { hasNextPage endCursor }
        nodes { ... on Issue { number } ... on PullRequest { number } } } }"""
    seen, after = [], None
    while True:
        page = post(running, session, query, after=after).json()["data"]["search"]
        seen.extend(node["number"] for node in page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == [1, 2, 3, 4, 5, 6]
    assert page["issueCount"] == 6
