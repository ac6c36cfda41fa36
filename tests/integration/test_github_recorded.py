"""The fetchers and parsers on real GitHub answers recorded by @octokit/fixtures, served by `responses`.

See tests/fixtures/github/recorded/README.md for where each recording comes from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlparse

import pytest
import responses
from responses import matchers

from tests.github_world import API
from tracker.domain import OrgMember, RepoRecord
from tracker.github.client import GitHubClient, transient_retry
from tracker.github.fetch import fetch_repo
from tracker.github.parse import parse_issue, parse_member
from tracker.github.records import IssueSummary, RepoFetched
from tracker.github.search import search_issues

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "github" / "recorded"
RECORDED_AT = datetime(2017, 10, 10, 16, 0, tzinfo=UTC)
FETCHED_AT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
NORMALIZED_ETAG = '"00000000000000000000000000000000"'
# Headers that describe the recorded transfer, not the answer; `responses` sets its own.
TRANSFER_HEADERS = frozenset({"content-length", "connection", "transfer-encoding", "content-encoding"})


def recording(name: str) -> list[dict[str, Any]]:
    interactions: list[dict[str, Any]] = json.loads((RECORDED / name).read_text(encoding="utf-8"))
    return interactions


def serve(mock: responses.RequestsMock, interactions: list[dict[str, Any]], *, exact_query: bool) -> None:
    """Answer each recorded GET at its path (and, when `exact_query`, only with its query)."""
    for interaction in interactions:
        path, _, query = interaction["path"].partition("?")
        headers = {
            name: str(value) for name, value in interaction["headers"].items() if name not in TRANSFER_HEADERS
        }
        mock.add(
            responses.GET,
            re.compile(r"https://api\.github\.com(:443)?" + re.escape(path) + r"(\?.*)?$"),
            status=interaction["status"],
            json=interaction["response"],
            headers=headers,
            match=[matchers.query_param_matcher(dict(parse_qsl(query)))] if exact_query else [],
        )


@pytest.fixture
def client() -> Iterator[GitHubClient]:
    client = GitHubClient(
        token="ghp_test0000000000000000000000000000000000",
        api_url=API,
        retry=transient_retry(backoff_factor=0),
        clock=RECORDED_AT.timestamp,
        sleep=lambda seconds: pytest.fail(f"slept {seconds}s on a recorded answer"),
    )
    yield client
    client.close()


def test_search_results_parse_to_exact_issue_summaries(client: GitHubClient) -> None:
    with responses.RequestsMock() as mock:
        # The recorded query differs from the sliced one search_issues sends; the answer's shape is the point.
        serve(mock, recording("search-issues.json"), exact_query=False)

        found = list(
            search_issues(
                client,
                "sesame repo:octokit-fixture-org/search-issues",
                start=datetime(2017, 10, 1, tzinfo=UTC),
                end=datetime(2017, 10, 11, tzinfo=UTC),
            )
        )

    repo = "octokit-fixture-org/search-issues"
    assert found == [
        IssueSummary(
            github_id=1000,
            repo=repo,
            number=2,
            title="Sesame seeds split without a pop!",
            url=f"https://github.com/{repo}/issues/2",
            author="octokit-fixture-user-b",
            author_type="User",
            is_pull_request=False,
            state="open",
            created_at=RECORDED_AT,
            updated_at=RECORDED_AT,
            closed_at=None,
            merged_at=None,
            labels=(),
        ),
        IssueSummary(
            github_id=1001,
            repo=repo,
            number=1,
            title="The doors don\u2019t open",
            url=f"https://github.com/{repo}/issues/1",
            author="octokit-fixture-user-a",
            author_type="User",
            is_pull_request=False,
            state="open",
            created_at=RECORDED_AT,
            updated_at=RECORDED_AT,
            closed_at=None,
            merged_at=None,
            labels=(),
        ),
    ]


def test_an_issue_list_followed_through_its_recorded_link_headers_parses_every_issue(
    client: GitHubClient,
) -> None:
    repo = "octokit-fixture-org/paginate-issues"
    with responses.RequestsMock() as mock:
        serve(mock, recording("paginate-issues.json"), exact_query=True)

        pages = list(client.paginate(f"/repos/{repo}/issues", {"per_page": 3}))

        sent = [urlparse(str(call.request.url)) for call in mock.calls]
    issues = [parse_issue(item) for page in pages for item in page.data]
    assert [(url.path, url.query) for url in sent] == [
        (f"/repos/{repo}/issues", "per_page=3"),
        *[("/repositories/1000/issues", f"page={page}&per_page=3") for page in range(2, 6)],
    ]
    assert [issue.number for issue in issues] == list(range(13, 0, -1))
    assert [issue.github_id for issue in issues] == list(range(1000, 1013))
    assert issues[0] == IssueSummary(
        github_id=1000,
        repo=repo,
        number=13,
        title="Test issue 13",
        url=f"https://github.com/{repo}/issues/13",
        author="octokit-fixture-user-a",
        author_type="User",
        is_pull_request=False,
        state="open",
        created_at=RECORDED_AT,
        updated_at=RECORDED_AT,
        closed_at=None,
        merged_at=None,
        labels=(),
    )
    assert {(i.repo, i.author, i.state, i.is_pull_request, i.title) for i in issues} == {
        (repo, "octokit-fixture-user-a", "open", False, f"Test issue {i.number}") for i in issues
    }


def test_a_repo_fetched_is_its_exact_record_and_etag(client: GitHubClient) -> None:
    with responses.RequestsMock() as mock:
        serve(mock, recording("get-repository.json"), exact_query=True)

        fetched = fetch_repo(client, "octokit-fixture-org/hello-world", etag=None, fetched_at=FETCHED_AT)

    assert fetched == RepoFetched(
        RepoRecord(
            full_name="octokit-fixture-org/hello-world",
            exists=True,
            private=False,
            fork=False,
            archived=False,
            stars=42,
            topics=("fixtures", "hello", "hello-world"),
            description=None,
            license_spdx=None,
            has_license=False,
            html_url="https://github.com/octokit-fixture-org/hello-world",
            fetched_at=FETCHED_AT,
            github_id=1000,
        ),
        NORMALIZED_ETAG,
    )


def test_a_renamed_repo_is_followed_through_its_301_to_its_new_name(client: GitHubClient) -> None:
    with responses.RequestsMock() as mock:
        serve(mock, recording("rename-repository.json"), exact_query=True)

        fetched = fetch_repo(
            client, "octokit-fixture-org/rename-repository", etag=None, fetched_at=FETCHED_AT
        )

        answered = [
            (urlparse(str(call.request.url)).path, getattr(call.response, "status_code", None))
            for call in mock.calls
        ]
    assert answered == [("/repos/octokit-fixture-org/rename-repository", 301), ("/repositories/1000", 200)]
    assert isinstance(fetched, RepoFetched)
    assert fetched.record.full_name == "octokit-fixture-org/rename-repository-newname"
    assert fetched.record.github_id == 1000  # the id the old name's 301 pointed to
    assert fetched.record.html_url == "https://github.com/octokit-fixture-org/rename-repository-newname"
    assert (fetched.record.exists, fetched.record.topics, fetched.etag) == (True, (), NORMALIZED_ETAG)


def test_recorded_user_objects_parse_to_members_with_their_type_and_id() -> None:
    (listing,) = recording("repository-collaborators.json")

    assert [parse_member(user) for user in listing["response"]] == [
        OrgMember("octokit-fixture-user-a", "User", 31898046),
        OrgMember("octokit-fixture-user-b", "User", 31899067),
    ]
